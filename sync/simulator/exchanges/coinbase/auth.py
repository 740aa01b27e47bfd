"""CDP API keys: every signed request carries ``Authorization: Bearer <ES256 JWT>``.

https://docs.cdp.coinbase.com/coinbase-app/authentication-authorization/api-key-authentication
The key *name* (``organizations/{org}/apiKeys/{key}``) is the JWT's ``sub`` and ``kid``; the
token is signed with the key's P-256 private half, lives at most 120 seconds (``nbf`` to
``exp``) and names the one request it authorises in ``uri``: ``"GET api.coinbase.com/path"``,
query excluded. Coinbase's SDK signs ``iss: "cdp"``, ccxt still ``"coinbase-cloud"`` with an
``aud`` of ``retail_rest_api_proxy``; both are accepted.

ccxt derives ``uri`` from the URL it calls, minus ``https://``. Clients reach the simulator
through a transport relay (``sync.exchanges.urls``) and keep calling
``https://api.coinbase.com/path``, so only the real form is accepted: a token signed for any
other URL is refused here as real Coinbase refuses it.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from sync.simulator.exchanges.coinbase.catalog import HOST
from sync.simulator.exchanges.coinbase.errors import unauthorized
from sync.simulator.http import Request
from sync.simulator.signing import verify_es256_jwt

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

MAX_LIFETIME_S = 120
ISSUERS = ("cdp", "coinbase-cloud")
AUDIENCE = "retail_rest_api_proxy"


def bearer_token(request: Request) -> str | None:
    header = request.header("authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme == "Bearer" and token.strip() else None


def _segment(token: str, index: int) -> dict[str, Any] | None:
    try:
        part = token.split(".")[index]
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None


def claimed_key_name(request: Request) -> str | None:
    """The ``sub`` a token names, unverified: faults and statistics key on it."""
    token = bearer_token(request)
    claims = _segment(token, 1) if token else None
    subject = claims.get("sub") if claims else None
    return subject if isinstance(subject, str) else None


def expected_uri(request: Request) -> str:
    """The ``uri`` claim that names this very request on the real host."""
    return f"{request.method} {HOST}{request.path}"


def _claims_hold(claims: dict[str, Any], request: Request, now_s: int) -> bool:
    not_before, expires = claims.get("nbf"), claims.get("exp")
    if not isinstance(not_before, int) or not isinstance(expires, int):
        return False
    if not not_before <= now_s < expires or expires - not_before > MAX_LIFETIME_S:
        return False
    if claims.get("iss") not in ISSUERS:
        return False
    audience = claims.get("aud")
    if audience is not None and (not isinstance(audience, list) or AUDIENCE not in audience):
        return False
    return claims.get("uri") == expected_uri(request)


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    token = bearer_token(request)
    if token is None:
        raise unauthorized()
    header = _segment(token, 0)
    claims = _segment(token, 1)
    if header is None or claims is None or header.get("kid") != claims.get("sub"):
        raise unauthorized()
    subject = claims.get("sub")
    account = exchange.account_by_key(subject) if isinstance(subject, str) else None
    if account is None:
        raise unauthorized()
    verified = verify_es256_jwt(token, account.credentials.secret)
    if verified is None or not _claims_hold(verified, request, now_ms // 1000):
        raise unauthorized()
    return account

"""How Kraken checks a signed request, spot and futures.

Spot (https://docs.kraken.com/api/docs/guides/spot-rest-auth): ``API-Key`` names the key and
``API-Sign`` is base64(HMAC-SHA512(base64-decoded secret, URI path + SHA256(nonce + POST
data))). The nonce must grow with every call of a key, whatever its unit; Kraken never compares
it with its clock, so a skewed client clock is harmless and a repeated nonce is not.

Futures (https://docs.kraken.com/api/docs/guides/futures-rest): ``APIKey`` and ``Authent`` =
base64(HMAC-SHA512(base64-decoded secret, SHA256(postData + Nonce + endpointPath))), where
postData is the query string of a GET, endpointPath the path without ``/derivatives`` and the
``Nonce`` header optional (ccxt sends none).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from typing import TYPE_CHECKING

from sync.simulator.exchanges.kraken.common import futures_error, spot_refusal
from sync.simulator.http import Rejected, Request
from sync.simulator.signing import kraken_signature, signatures_match

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

INVALID_KEY = "EAPI:Invalid key"
INVALID_SIGNATURE = "EAPI:Invalid signature"
INVALID_NONCE = "EAPI:Invalid nonce"


class NonceBook:
    """The highest nonce each key has used, and when; Kraken refuses anything not above it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, tuple[int, int]] = {}

    def advance(self, api_key: str, nonce: int, now_ms: int) -> bool:
        with self._lock:
            last, _ = self._last.get(api_key, (0, 0))
            if nonce <= last:
                return False
            self._last[api_key] = (nonce, now_ms)
            return True

    def last(self, api_key: str) -> tuple[int, int]:
        """(nonce, when in ms) of the key's last accepted call; zeros before the first."""
        with self._lock:
            return self._last.get(api_key, (0, 0))


def nonce_book(exchange: ExchangeSimulator) -> NonceBook:
    """The book a Kraken simulator keeps on itself (``nonces``)."""
    book = getattr(exchange, "nonces", None)
    assert isinstance(book, NonceBook), "not a Kraken simulator"
    return book


def _spot_nonce(request: Request) -> tuple[str, str]:
    """(nonce, signed body): ccxt sends a form, or JSON for a few trading calls."""
    body = request.body.decode("utf-8", "replace")
    if "application/json" in (request.header("content-type") or ""):
        try:
            payload = json.loads(body or "{}")
        except ValueError:
            raise spot_refusal("EGeneral:Invalid arguments") from None
        nonce = payload.get("nonce") if isinstance(payload, dict) else None
        return ("" if nonce is None else str(nonce)), body
    return request.form.get("nonce", ""), body


def authenticate_spot(
    exchange: ExchangeSimulator, nonces: NonceBook, request: Request, now_ms: int
) -> Account:
    account = exchange.account_by_key(request.header("api-key"))
    if account is None:
        raise spot_refusal(INVALID_KEY)
    nonce, body = _spot_nonce(request)
    try:
        expected = kraken_signature(account.credentials.secret, request.path, nonce, body)
    except binascii.Error:
        raise spot_refusal(INVALID_SIGNATURE) from None
    if not signatures_match(expected, request.header("api-sign")):
        raise spot_refusal(INVALID_SIGNATURE)
    if not nonce.isdigit() or not nonces.advance(account.api_key, int(nonce), now_ms):
        raise spot_refusal(INVALID_NONCE)
    return account


def futures_authent(secret: str, post_data: str, nonce: str, endpoint_path: str) -> str:
    digest = hashlib.sha256((post_data + nonce + endpoint_path).encode("utf-8")).digest()
    mac = hmac.new(base64.b64decode(secret), digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode("ascii")


def authenticate_futures(
    exchange: ExchangeSimulator, nonces: NonceBook, request: Request, now_ms: int
) -> Account:
    def refuse(message: str) -> Rejected:
        return Rejected(futures_error(message, now_ms, 401))

    account = exchange.account_by_key(request.header("apikey"))
    if account is None:
        raise refuse("authenticationError")
    endpoint_path = request.path.removeprefix("/derivatives")
    if request.method == "GET":
        post_data = request.query_string
    else:
        post_data = request.body.decode("utf-8", "replace")
    nonce = request.header("nonce") or ""
    expected = futures_authent(account.credentials.secret, post_data, nonce, endpoint_path)
    if not signatures_match(expected, request.header("authent")):
        raise refuse("authenticationError")
    if nonce:
        last, _ = nonces.last(account.api_key)
        if not nonce.isdigit() or not nonces.advance(account.api_key, int(nonce), now_ms):
            raise refuse("nonceDuplicate" if nonce == str(last) else "nonceBelowThreshold")
    return account

"""Gate APIv4 keys: their format, what each may do, and how a signed request is verified.

A signed request carries ``KEY``, ``Timestamp`` (Unix seconds) and ``SIGN``: the hex
HMAC-SHA512, under the secret, of ``METHOD\\n/api/v4/PATH\\nQUERY\\nSHA512(BODY)\\nTIMESTAMP``,
with the query string as sent but without URL encoding; Gate refuses a timestamp more than 60
seconds away from its clock
(https://www.gate.com/docs/developers/apiv4/en/#authentication).
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from urllib.parse import unquote

from sync.simulator.accounts import Account, Credentials
from sync.simulator.exchanges.gate.common import refuse
from sync.simulator.http import Request
from sync.simulator.signing import derive_bytes, signatures_match

if TYPE_CHECKING:
    from sync.simulator.exchanges.base import ExchangeSimulator

MAX_GAP_MS = 60_000

# Seeded accounts with a trait the core's AccountSpec cannot express: a key created in
# (legacy) unified account mode, and a read key created without the "account" permission.
UNIFIED_LABEL = "unified"
NO_ACCOUNT_PERMISSION_LABEL = "no-account-permission"

# Gate's permission groups; a read key has them all read-only.
READ_GROUPS = ("wallet", "spot", "futures", "delivery", "margin", "unified", "earn", "account")
# our common permission words -> the Gate groups they make writable
WRITE_GROUPS = {
    "trade": ("spot", "unified"),
    "margin": ("margin",),
    "futures": ("futures", "delivery"),
    "options": ("options",),
    "withdraw": ("wallet",),
    "transfer": ("wallet",),
}


def credentials(seed: int, label: str) -> Credentials:
    """API key: 32 lowercase hex characters; secret: 64."""
    return Credentials(
        api_key=derive_bytes(seed, f"{label}:api_key", 16).hex(),
        secret=derive_bytes(seed, f"{label}:secret", 32).hex(),
    )


def key_mode(account: Account) -> int:
    """1: classic account; 2: legacy unified account."""
    return 2 if account.label == UNIFIED_LABEL else 1


def key_perms(account: Account) -> list[dict[str, object]]:
    """The key's ``perms`` as ``/account/main_keys`` lists them."""
    if not account.can("read"):
        return []
    groups = [
        group
        for group in READ_GROUPS
        if not (group == "account" and account.label == NO_ACCOUNT_PERMISSION_LABEL)
    ]
    writable = {
        group
        for permission in account.spec.permissions
        for group in WRITE_GROUPS.get(permission, ())
    }
    groups += sorted(writable - set(groups))
    return [{"name": group, "read_only": group not in writable} for group in groups]


def _timestamp(raw: str) -> Decimal | None:
    """Gate's Timestamp header: Unix seconds, a fraction allowed."""
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _header(request: Request, name: str) -> str:
    value = request.header(name.lower())
    if not value:
        raise refuse(401, "MISSING_REQUIRED_HEADER", f"Missing required header: {name}")
    return value


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    api_key = _header(request, "KEY")
    timestamp = _header(request, "Timestamp")
    signature = _header(request, "SIGN")
    account = exchange.account_by_key(api_key)
    if account is None:
        raise refuse(401, "INVALID_KEY", "Invalid key provided")
    sent_at = _timestamp(timestamp)
    if sent_at is None or abs(now_ms - sent_at * 1000) > MAX_GAP_MS:
        raise refuse(
            401, "REQUEST_EXPIRED", "gap between request Timestamp and server time exceeds 60"
        )
    payload = "\n".join(
        (
            request.method,
            request.path,
            unquote(request.query_string),
            hashlib.sha512(request.body).hexdigest(),
            timestamp,
        )
    )
    expected = hmac.new(
        account.credentials.secret.encode(), payload.encode(), hashlib.sha512
    ).hexdigest()
    if not signatures_match(expected, signature):
        raise refuse(401, "INVALID_SIGNATURE", "Signature mismatch")
    return account

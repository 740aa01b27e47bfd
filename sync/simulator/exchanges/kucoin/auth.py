"""KuCoin request signing (https://www.kucoin.com/docs-new/authentication).

Every private call carries KC-API-KEY, KC-API-TIMESTAMP (ms), KC-API-KEY-VERSION,
KC-API-PASSPHRASE — for key versions 2 and 3 the passphrase HMAC-SHA256-signed with the secret
and base64-encoded — and KC-API-SIGN, base64(HMAC-SHA256(secret, timestamp + METHOD +
path?query + body)). The gateway refuses timestamps more than 5 seconds from its clock. ccxt
also sends KC-API-PARTNER headers for its broker programme; they do not affect authentication.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sync.simulator.exchanges.kucoin.errors import (
    BAD_KEY_VERSION,
    BAD_PASSPHRASE,
    BAD_SIGNATURE,
    BAD_TIMESTAMP,
    KEY_NOT_FOUND,
    KEY_NOT_FOUND_MESSAGE,
    MISSING_HEADERS,
    refuse,
)
from sync.simulator.http import Request
from sync.simulator.signing import hmac_sha256_base64, signatures_match

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

MAX_SKEW_MS = 5_000
_REQUIRED = ("kc-api-key", "kc-api-sign", "kc-api-timestamp", "kc-api-passphrase")
_KEY = re.compile(r"[0-9a-f]{24}")


def signed_payload(request: Request, timestamp: str) -> str:
    path = request.path + (f"?{request.query_string}" if request.query_string else "")
    return timestamp + request.method + path + request.body.decode("utf-8", "replace")


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    values = {name: request.header(name) or "" for name in _REQUIRED}
    if not all(values.values()):
        raise refuse(
            401,
            MISSING_HEADERS,
            "Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE is missing in "
            "your request header.",
        )
    if request.header("kc-api-key-version", "2") not in ("2", "3"):
        raise refuse(401, BAD_KEY_VERSION, "Invalid KC-API-KEY-VERSION.")
    api_key = values["kc-api-key"]
    account = exchange.account_by_key(api_key) if _KEY.fullmatch(api_key) else None
    if account is None:
        raise refuse(401, KEY_NOT_FOUND, KEY_NOT_FOUND_MESSAGE)
    timestamp = values["kc-api-timestamp"]
    if not timestamp.isdigit() or abs(now_ms - int(timestamp)) > MAX_SKEW_MS:
        raise refuse(401, BAD_TIMESTAMP, "Invalid KC-API-TIMESTAMP.")
    secret = account.credentials.secret
    passphrase = account.credentials.passphrase or ""
    if not signatures_match(hmac_sha256_base64(secret, passphrase), values["kc-api-passphrase"]):
        raise refuse(401, BAD_PASSPHRASE, "Invalid KC-API-PASSPHRASE.")
    expected = hmac_sha256_base64(secret, signed_payload(request, timestamp))
    if not signatures_match(expected, values["kc-api-sign"]):
        raise refuse(401, BAD_SIGNATURE, "Invalid KC-API-SIGN.")
    return account

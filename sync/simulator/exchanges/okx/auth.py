"""OKX private REST authentication (https://www.okx.com/docs-v5/en/#overview-rest-authentication).

Four headers: ``OK-ACCESS-KEY``, ``OK-ACCESS-PASSPHRASE`` (chosen when the key was made),
``OK-ACCESS-TIMESTAMP`` (ISO 8601 UTC with milliseconds) and ``OK-ACCESS-SIGN``: base64 of
HMAC-SHA256(secret, timestamp + METHOD + requestPath[?query] + body). A timestamp more than
30 seconds away from the server's clock is refused with 50102.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sync.simulator.exchanges.okx.errors import INVALID_KEY, refuse
from sync.simulator.http import Request
from sync.simulator.signing import hmac_sha256_base64, signatures_match

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

MAX_SKEW_MS = 30_000
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _timestamp_ms(value: str) -> int | None:
    if not _TIMESTAMP.fullmatch(value):
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp() * 1000)


def prehash(request: Request, timestamp: str) -> str:
    path = request.path + (f"?{request.query_string}" if request.query_string else "")
    return timestamp + request.method + path + request.body.decode("utf-8", "replace")


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    api_key = request.header("ok-access-key")
    passphrase = request.header("ok-access-passphrase")
    signature = request.header("ok-access-sign")
    timestamp = request.header("ok-access-timestamp")
    if not api_key:
        raise refuse(401, "50103", 'Request header "OK-ACCESS-KEY" cannot be empty.')
    if not passphrase:
        raise refuse(401, "50104", 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.')
    if not signature:
        raise refuse(401, "50106", 'Request header "OK-ACCESS-SIGN" cannot be empty.')
    if not timestamp:
        raise refuse(401, "50107", 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.')
    sent_ms = _timestamp_ms(timestamp)
    if sent_ms is None:
        raise refuse(401, "50112", "Invalid OK-ACCESS-TIMESTAMP")
    if abs(now_ms - sent_ms) > MAX_SKEW_MS:
        raise refuse(401, "50102", "Timestamp request expired")
    if request.header("x-simulated-trading") == "1":
        # a demo-trading request reaching the live site with a live key
        raise refuse(401, "50101", "APIKey does not match current environment.")
    account = exchange.account_by_key(api_key)
    if account is None:
        raise refuse(401, *INVALID_KEY)
    if not signatures_match(account.credentials.passphrase or "", passphrase):
        raise refuse(401, "50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.')
    expected = hmac_sha256_base64(account.credentials.secret, prehash(request, timestamp))
    if not signatures_match(expected, signature):
        raise refuse(401, "50113", "Invalid signature")
    return account

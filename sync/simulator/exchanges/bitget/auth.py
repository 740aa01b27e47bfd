"""Bitget's signed requests: ``ACCESS-KEY``, ``ACCESS-SIGN``, ``ACCESS-TIMESTAMP`` (ms) and
``ACCESS-PASSPHRASE`` headers.

https://www.bitget.com/api-doc/common/signature: the signature is the base64 HMAC-SHA256 of
``timestamp + METHOD + requestPath + ("?" + queryString) + body`` under the secret, and the
timestamp may differ from the server's clock by at most 30 seconds. Bitget signs the raw,
percent-decoded query string (ccxt's ``sign`` uses ``rawencode`` for it), so the simulator
decodes the query it received before checking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from sync.simulator.exchanges.bitget.common import refuse
from sync.simulator.http import Request
from sync.simulator.signing import hmac_sha256_base64, signatures_match

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

MAX_CLOCK_DIFFERENCE_MS = 30_000


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    api_key = request.header("access-key")
    signature = request.header("access-sign")
    timestamp = request.header("access-timestamp")
    passphrase = request.header("access-passphrase")
    if not api_key:
        raise refuse(now_ms, "40001", "ACCESS_KEY cannot be empty")
    if not signature:
        raise refuse(now_ms, "40003", "Signature cannot be empty")
    if not passphrase:
        raise refuse(now_ms, "40011", "ACCESS_PASSPHRASE cannot be empty")
    if not timestamp or not timestamp.isdigit():
        raise refuse(now_ms, "40005", "Invalid ACCESS_TIMESTAMP")
    if abs(now_ms - int(timestamp)) > MAX_CLOCK_DIFFERENCE_MS:
        raise refuse(now_ms, "40008", "Request timestamp expired")
    account = exchange.account_by_key(api_key)
    if account is None:
        raise refuse(now_ms, "40006", "Invalid ACCESS_KEY")
    if not signatures_match(account.credentials.passphrase or "", passphrase):
        raise refuse(now_ms, "40012", "apikey/password is incorrect")
    query = unquote(request.query_string)
    message = (
        timestamp
        + request.method
        + request.path
        + (f"?{query}" if query else "")
        + request.body.decode("utf-8", "replace")
    )
    expected = hmac_sha256_base64(account.credentials.secret, message)
    if not signatures_match(expected, signature):
        raise refuse(now_ms, "40009", "sign signature error")
    return account

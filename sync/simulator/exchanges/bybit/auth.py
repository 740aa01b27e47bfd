"""Bybit V5 request signing: ``X-BAPI-*`` headers and an HMAC-SHA256 (lower-case hex) of
``timestamp + api_key + recv_window + queryString`` (POST signs the JSON body instead; every
endpoint a read-only key needs is a GET).

https://bybit-exchange.github.io/docs/v5/guide#authentication: the timestamp must lie in
``[server_time - recv_window, server_time + 1000)``; ``recv_window`` defaults to 5000 ms. The
simulator signs over the raw query string the client sent, as Bybit does, so a cursor that
stays percent-encoded on the wire is verified exactly as it was signed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.simulator.exchanges.bybit.common import refuse
from sync.simulator.http import Request
from sync.simulator.signing import hmac_sha256_hex, signatures_match

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

DEFAULT_RECV_WINDOW = 5_000
MAX_AHEAD_MS = 1_000
INVALID_KEY = "API key is invalid."


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    api_key = request.header("x-bapi-api-key") or ""
    timestamp = request.header("x-bapi-timestamp") or ""
    signature = request.header("x-bapi-sign") or ""
    if not api_key or not timestamp or not signature:
        # ccxt matches "openapi sign params error!" broadly: AuthenticationError
        raise refuse(
            10001,
            f"empty value: apiTimestamp[{timestamp}] apiKey[{api_key}] "
            f"apiSignature[{signature}]: openapi sign params error!",
            now_ms,
        )
    account = exchange.account_by_key(api_key)
    if account is None:
        raise refuse(10003, INVALID_KEY, now_ms)
    recv_window = request.header("x-bapi-recv-window") or str(DEFAULT_RECV_WINDOW)
    if not timestamp.isdigit() or not recv_window.isdigit():
        raise refuse(10001, "params error: X-BAPI-TIMESTAMP or X-BAPI-RECV-WINDOW", now_ms)
    sent_at, window = int(timestamp), int(recv_window)
    if not now_ms - window <= sent_at < now_ms + MAX_AHEAD_MS:
        raise refuse(
            10002,
            "invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{sent_at}],server_timestamp[{now_ms}],recv_window[{window}]",
            now_ms,
        )
    origin = timestamp + api_key + recv_window + request.query_string
    if not signatures_match(hmac_sha256_hex(account.credentials.secret, origin), signature.lower()):
        raise refuse(10004, f"error sign! origin_string[{origin}]", now_ms)
    return account

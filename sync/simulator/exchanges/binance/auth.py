"""Binance SIGNED endpoints: ``X-MBX-APIKEY`` plus an HMAC-SHA256 (hex) of the total params.

https://developers.binance.com/docs/binance-spot-api-docs/rest-api/endpoint-security-type
"totalParams" is the query string concatenated with the request body, signature excluded; the
simulator checks the raw bytes the client sent, so encoding quirks (ccxt does not escape ``@``
in sub-account emails) sign exactly as they do on Binance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.simulator.exchanges.binance.errors import INVALID_KEY_MESSAGE, bad_parameter, refuse
from sync.simulator.http import Request
from sync.simulator.signing import hmac_sha256_hex, signatures_match

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

MAX_RECV_WINDOW = 60_000
DEFAULT_RECV_WINDOW = 5_000
# Binance refuses timestamps more than a second in its future, whatever the recvWindow.
MAX_AHEAD_MS = 1_000


def _split_signature(raw: str) -> tuple[str, str | None]:
    kept, signature = [], None
    for part in raw.split("&") if raw else []:
        if part.startswith("signature="):
            signature = part[len("signature=") :]
        else:
            kept.append(part)
    return "&".join(kept), signature


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    api_key = request.header("x-mbx-apikey")
    if not api_key or len(api_key) != 64 or not api_key.isalnum():
        raise refuse(401, -2014, "API-key format invalid.")
    account = exchange.account_by_key(api_key)
    if account is None:
        raise refuse(401, -2015, INVALID_KEY_MESSAGE)
    params = request.params
    timestamp = params.get("timestamp", "")
    if not timestamp.isdigit():
        raise bad_parameter("timestamp")
    recv_window = params.get("recvWindow", str(DEFAULT_RECV_WINDOW))
    if not recv_window.isdigit():
        raise bad_parameter("recvWindow")
    if int(recv_window) > MAX_RECV_WINDOW:
        raise refuse(400, -1131, "recvWindow must be less than 60000")
    sent_at = int(timestamp)
    if sent_at >= now_ms + MAX_AHEAD_MS:
        raise refuse(
            400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."
        )
    if now_ms - sent_at > int(recv_window):
        raise refuse(400, -1021, "Timestamp for this request is outside of the recvWindow.")
    query, query_signature = _split_signature(request.query_string)
    body, body_signature = _split_signature(request.body.decode("utf-8", "replace"))
    signature = query_signature or body_signature
    if signature is None:
        raise bad_parameter("signature")
    expected = hmac_sha256_hex(account.credentials.secret, query + body)
    if not signatures_match(expected, signature.lower()):
        raise refuse(400, -1022, "Signature for this request is not valid.")
    return account

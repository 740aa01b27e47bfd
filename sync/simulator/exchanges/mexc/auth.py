"""MEXC's two signing schemes.

- Spot v3 (https://www.mexc.com/api-docs/spot-v3/general-info#signed): the key in
  ``X-MEXC-APIKEY``; ``signature`` = HMAC-SHA256 (lowercase hex) of the query string joined to
  the body, signature excluded; the request is valid while ``timestamp < serverTime + 1000``
  and ``serverTime - timestamp <= recvWindow`` (default 5000, at most 60000).
- Futures v1 (https://www.mexc.com/api-docs/futures/integration-guide#authentication-method):
  headers ``ApiKey``, ``Request-Time`` and ``Signature`` = HMAC-SHA256 (hex) of
  ``accessKey + Request-Time + parameters``, where GET parameters are sorted by name and joined
  with "&" and a POST signs its JSON body; Request-Time may be 10 seconds off either way, or up
  to the optional ``Recv-Window`` header (seconds, at most 60).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode

from sync.simulator.exchanges.mexc.common import is_contract
from sync.simulator.exchanges.mexc.errors import (
    BAD_SIGNATURE,
    NOT_LOGGED_IN,
    RECV_WINDOW_TOO_LONG,
    REQUEST_TIME_OUT_OF_RANGE,
    STALE_TIMESTAMP,
    UNKNOWN_KEY,
    VERIFY_FAILED,
    refuse_contract,
    refuse_spot,
    spot_bad_parameter,
)
from sync.simulator.http import Request
from sync.simulator.signing import hmac_sha256_hex, signatures_match

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.base import ExchangeSimulator

SPOT_DEFAULT_RECV_WINDOW = 5_000
SPOT_MAX_RECV_WINDOW = 60_000
SPOT_MAX_AHEAD_MS = 1_000
CONTRACT_DEFAULT_WINDOW_S = 10
CONTRACT_MAX_WINDOW_S = 60


def claimed_api_key(request: Request) -> str | None:
    if is_contract(request.path):
        return request.header("apikey")
    return request.header("x-mexc-apikey")


def authenticate(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    if is_contract(request.path):
        return _authenticate_contract(exchange, request, now_ms)
    return _authenticate_spot(exchange, request, now_ms)


def _without_signature(raw: str) -> tuple[str, str | None]:
    kept, signature = [], None
    for part in raw.split("&") if raw else []:
        if part.startswith("signature="):
            signature = part[len("signature=") :]
        else:
            kept.append(part)
    return "&".join(kept), signature


def _authenticate_spot(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    account = exchange.account_by_key(request.header("x-mexc-apikey"))
    if account is None:
        raise refuse_spot(UNKNOWN_KEY)
    params = request.params
    timestamp = params.get("timestamp", "")
    if not timestamp.isdigit():
        raise spot_bad_parameter("timestamp")
    recv_window = params.get("recvWindow", str(SPOT_DEFAULT_RECV_WINDOW))
    if not recv_window.isdigit():
        raise spot_bad_parameter("recvWindow")
    if int(recv_window) > SPOT_MAX_RECV_WINDOW:
        raise refuse_spot(RECV_WINDOW_TOO_LONG)
    sent_at = int(timestamp)
    if sent_at >= now_ms + SPOT_MAX_AHEAD_MS or now_ms - sent_at > int(recv_window):
        raise refuse_spot(STALE_TIMESTAMP)
    query, query_signature = _without_signature(request.query_string)
    body, body_signature = _without_signature(request.body.decode("utf-8", "replace"))
    signature = query_signature or body_signature
    if not signature:
        raise spot_bad_parameter("signature")
    expected = hmac_sha256_hex(account.credentials.secret, query + body)
    # MEXC accepts the signature in lowercase only
    if not signatures_match(expected, signature):
        raise refuse_spot(BAD_SIGNATURE)
    return account


def _contract_parameters(request: Request) -> str:
    if request.method == "POST":
        return request.body.decode("utf-8", "replace")
    pairs = sorted(
        (name, value)
        for name, value in parse_qsl(request.query_string, keep_blank_values=True)
        if value != ""
    )
    return urlencode(pairs, quote_via=lambda text, *_: quote(text, safe=""))


def _authenticate_contract(exchange: ExchangeSimulator, request: Request, now_ms: int) -> Account:
    api_key = request.header("apikey")
    account = exchange.account_by_key(api_key)
    if account is None or api_key is None:
        raise refuse_contract(NOT_LOGGED_IN)
    request_time = request.header("request-time") or ""
    window = request.header("recv-window") or str(CONTRACT_DEFAULT_WINDOW_S)
    if not request_time.isdigit() or not window.isdigit():
        raise refuse_contract(REQUEST_TIME_OUT_OF_RANGE)
    window_ms = min(int(window), CONTRACT_MAX_WINDOW_S) * 1000
    if abs(now_ms - int(request_time)) > window_ms:
        raise refuse_contract(REQUEST_TIME_OUT_OF_RANGE)
    expected = hmac_sha256_hex(
        account.credentials.secret, api_key + request_time + _contract_parameters(request)
    )
    if not signatures_match(expected, request.header("signature")):
        raise refuse_contract(VERIFY_FAILED)
    return account

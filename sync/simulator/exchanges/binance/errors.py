"""Binance's refusals, byte for byte where it matters to ccxt's ``handle_errors``.

ccxt (binance.py ``handle_errors``) raises DDoSProtection for any 418/429, then matches
``msg`` exactly, then ``code`` exactly, first in the table of the URL's host
(``https://api.binance.com/`` spot, ``https://fapi.`` linear, ``https://dapi.`` inverse), then
in the top-level table. Clients keep the real URLs (the relay sits under ccxt, see
``sync.exchanges.urls``), so these bodies meet exactly the tables they meet in production.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.http import Rejected, Request, Response

INVALID_KEY_MESSAGE = "Invalid API-key, IP, or permissions for action."


def binance_error(status: int, code: int, message: str, *headers: tuple[str, str]) -> Response:
    return Response.json({"code": code, "msg": message}, status, headers)


def refuse(status: int, code: int, message: str) -> Rejected:
    return Rejected(binance_error(status, code, message))


def bad_parameter(name: str) -> Rejected:
    return refuse(
        400, -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def invalid_parameter(name: str) -> Rejected:
    return refuse(400, -1130, f"Data sent for parameter '{name}' is not valid.")


def parameter_not_required(name: str) -> Rejected:
    """The refusal reported for a USDⓈ-M fromId query that sent no time at all
    (Binance-docs/Binance_Futures_python#98: "-1106: Parameter 'startTime' sent when not
    required."); ccxt raises BadRequest."""
    return refuse(400, -1106, f"Parameter '{name}' sent when not required.")


def invalid_combination() -> Rejected:
    return refuse(400, -1128, "Combination of optional parameters invalid.")


def invalid_symbol() -> Rejected:
    return refuse(400, -1121, "Invalid symbol.")


def window_too_long(hours: int) -> Rejected:
    return refuse(400, -1127, f"More than {hours} hours between startTime and endTime.")


def not_authorized() -> Rejected:
    """What a sub-account key gets from master-only endpoints (ccxt: AuthenticationError)."""
    return refuse(401, -1002, "You are not authorized to execute this request.")


def rejection(kind: str, request: Request, **detail: Any) -> Response:
    if kind == "maintenance":
        # ccxt maps this exact message to OnMaintenance on every Binance host
        return binance_error(503, 1, "System is under maintenance.")
    if kind == "rate_limit":
        limit = detail.get("limit") or 6000
        return binance_error(
            429,
            -1003,
            f"Too much request weight used; current limit is {limit} request weight per 1 "
            "MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
            ("Retry-After", str(detail.get("retry_after", 60))),
        )
    if kind == "ban":
        until = detail.get("banned_until_ms") or detail["now_ms"] + detail["retry_after"] * 1000
        return binance_error(
            418,
            -1003,
            f"Way too much request weight used; IP banned until {until}. "
            "Please use WebSocket Streams for live updates to avoid bans.",
            ("Retry-After", str(detail.get("retry_after", 120))),
        )
    if kind == "server_error":
        # the CDN answers a failing backend with an HTML page, which ccxt cannot parse and
        # sorts by HTTP status: 5xx -> ExchangeNotAvailable
        status = detail.get("status", 503)
        return Response.text(
            f"<html><body><h1>{status} Service Unavailable</h1></body></html>", status
        )
    if kind in ("expired_key", "revoked_key"):
        # Binance has no separate code for expired or deleted keys (exchanges.md 3.1)
        return binance_error(401, -2015, INVALID_KEY_MESSAGE)
    if kind == "ip_not_allowed":
        return binance_error(
            401, -2015, f"{INVALID_KEY_MESSAGE[:-1]}, request ip: {request.remote_addr}"
        )
    if kind == "no_read_permission":
        # a body Binance's wallet endpoints send; ccxt maps the message to PermissionDenied
        return Response.json({"msg": "You don't have permission.", "success": False}, 401)
    if kind == "not_found":
        return Response.text("<html><body><h1>404 Not Found</h1></body></html>", 404)
    raise ValueError(f"no Binance answer for {kind!r}")

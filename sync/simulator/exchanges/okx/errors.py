"""OKX's refusals: ``{"code": "<5 digits>", "msg": ..., "data": []}`` with the HTTP status of
OKX's error-code tables (https://www.okx.com/docs-v5/en/#error-code).

ccxt (okx.py ``handle_errors``) looks ``code`` up in its ``exceptions['exact']`` table before
it looks at the HTTP status, so the code decides the exception class:
50001 OnMaintenance, 50011 RateLimitExceeded, 50026 ExchangeNotAvailable, 50102 InvalidNonce,
50103-50107/50111-50114 AuthenticationError, 50110 PermissionDenied, 51000 BadRequest,
51001 BadSymbol, 51010 AccountNotEnabled. Codes ccxt does not list (50120 "no permission")
raise plain ExchangeError.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.http import Rejected, Request, Response

INVALID_KEY = ("50111", "Invalid OK-ACCESS-KEY")


def okx_error(status: int, code: str, message: str) -> Response:
    return Response.json({"msg": message, "code": code, "data": []}, status)


def refuse(status: int, code: str, message: str) -> Rejected:
    return Rejected(okx_error(status, code, message))


def missing(name: str) -> Rejected:
    return refuse(400, "50014", f"Parameter {name} can not be empty.")


def invalid(name: str) -> Rejected:
    return refuse(400, "51000", f"Parameter {name} error")


def unknown_instrument() -> Rejected:
    return refuse(400, "51001", "Instrument ID, Instrument ID code, or Spread ID doesn't exist.")


def mode_unsupported() -> Rejected:
    """A request the account mode (``acctLv``) does not serve, e.g. swap fills in Spot mode;
    OKX answers it with HTTP 200, like most 51xxx codes."""
    return refuse(200, "51010", "You can't complete this request under your current account mode.")


def ip_refusal(request: Request, reading: str) -> Response:
    """A request from an address the key does not allow. OKX's error table (API class,
    https://www.okx.com/docs-v5/en/#error-code-rest-api-api-class) has two codes for it and
    says nothing of which one a REST call gets: 50110 "Your IP {param0} is not included in your
    API key's IP whitelist." (HTTP 401; ccxt: PermissionDenied) and 50121 "You can't access
    our services through the IP address ({param0})" (HTTP 200; not in ccxt 4.5.90's table,
    so ExchangeError). Reading ``ip_refusal`` picks one."""
    if reading == "50121":
        return okx_error(
            200,
            "50121",
            f"You can't access our services through the IP address ({request.remote_addr})",
        )
    return okx_error(
        401,
        "50110",
        f"Your IP {request.remote_addr} is not included in your API key's IP whitelist.",
    )


def rejection(kind: str, request: Request, *, ip_reading: str, **detail: Any) -> Response:
    if kind == "maintenance":
        return okx_error(503, "50001", "Service temporarily unavailable. Please try again later.")
    if kind in ("rate_limit", "ban"):
        # OKX documents no REST ban and no Retry-After: a client that keeps going keeps
        # getting 50011 until the endpoint's window rolls over
        return okx_error(
            429,
            "50011",
            "Rate limit reached. Please refer to API documentation and throttle requests "
            "accordingly.",
        )
    if kind == "server_error":
        return okx_error(detail.get("status", 500), "50026", "System error. Try again later.")
    if kind in ("expired_key", "revoked_key"):
        # an expired (14 days unused) or deleted key is simply unknown to OKX
        return okx_error(401, *INVALID_KEY)
    if kind == "ip_not_allowed":
        return ip_refusal(request, ip_reading)
    if kind == "no_read_permission":
        # OKX's error table, API class: HTTP 200
        return okx_error(200, "50120", "This API key doesn't have permission to use this function")
    if kind == "not_found":
        return okx_error(404, "404", "Not Found")
    raise ValueError(f"no OKX answer for {kind!r}")

"""KuCoin's refusals: ``{"code": "400005", "msg": ...}`` with the gateway's HTTP status.

ccxt (kucoin.py ``handle_errors``) matches ``msg`` then ``code`` exactly against its
``exceptions['exact']`` table, then the raw body against ``exceptions['broad']``, and raises
ExchangeError for any other code than 200000; only a body that is not JSON falls through to
the HTTP status. The gateway codes are KuCoin's ("GATEWAY ERROR CODE",
https://www.kucoin.com/docs-new/error-code); ccxt maps 400001-400007 to AuthenticationError,
400002 to InvalidNonce, 429000 to RateLimitExceeded, 500000 to ExchangeNotAvailable.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.http import Rejected, Request, Response

MISSING_HEADERS = "400001"
BAD_TIMESTAMP = "400002"
KEY_NOT_FOUND = "400003"
BAD_PASSPHRASE = "400004"  # noqa: S105 - an error code, not a passphrase
BAD_SIGNATURE = "400005"
IP_NOT_ALLOWED = "400006"
ACCESS_DENIED = "400007"
BAD_KEY_VERSION = "400009"
BAD_PARAMETER = "400100"
TOO_MANY_REQUESTS = "429000"
SERVER_ERROR = "500000"

KEY_NOT_FOUND_MESSAGE = "KC-API-KEY does not exist."


def kucoin_error(
    status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    return Response.json({"code": code, "msg": message}, status, headers)


def refuse(status: int, code: str, message: str) -> Rejected:
    return Rejected(kucoin_error(status, code, message))


def bad_parameter(message: str) -> Rejected:
    """KuCoin answers every parameter problem with 400100 (ccxt: BadRequest)."""
    return refuse(400, BAD_PARAMETER, message)


def _html(status: int, title: str) -> Response:
    return Response.text(
        f"<html><head><title>{status} {title}</title></head><body><center><h1>{status} "
        f"{title}</h1></center></body></html>",
        status,
    )


def rate_limit_headers(limit: int, remaining: int, reset_ms: int) -> tuple[tuple[str, str], ...]:
    """KuCoin's quota headers, sent on every answer of a rate-limited resource pool."""
    return (
        ("gw-ratelimit-limit", str(limit)),
        ("gw-ratelimit-remaining", str(remaining)),
        ("gw-ratelimit-reset", str(reset_ms)),
    )


def rejection(kind: str, request: Request, **detail: Any) -> Response:
    if kind == "maintenance":
        # during an upgrade the gateway's load balancer answers with its own page and says when
        # to come back; ccxt cannot read the page as JSON and sorts it by status: 503 ->
        # ExchangeNotAvailable
        page = _html(503, "Service Temporarily Unavailable")
        return page.with_headers(("Retry-After", str(detail.get("retry_after", 120))))
    if kind == "rate_limit":
        # "http code:429, error code:429000" once a resource pool is spent
        # (https://www.kucoin.com/docs-new/rate-limit)
        limit = int(detail.get("limit") or 0)
        reset_ms = int(detail.get("retry_after", 30)) * 1000
        return kucoin_error(
            429, TOO_MANY_REQUESTS, "Too Many Requests", rate_limit_headers(limit, 0, reset_ms)
        )
    if kind == "ban":
        # Cloudflare's per-IP limit in front of KuCoin: "error code: 1015", a plain page with
        # status 429, which ccxt sorts by status -> RateLimitExceeded
        return Response.text(
            "error code: 1015",
            429,
            "text/plain; charset=UTF-8",
            (("Retry-After", str(detail.get("retry_after", 30))),),
        )
    if kind == "server_error":
        status = int(detail.get("status", 503))
        if status == 500:
            return kucoin_error(500, SERVER_ERROR, "Internal Server Error")
        return _html(status, "Service Unavailable" if status == 503 else "Bad Gateway")
    if kind in ("expired_key", "revoked_key"):
        # KuCoin deletes keys rather than expiring them: the key simply no longer exists
        return kucoin_error(401, KEY_NOT_FOUND, KEY_NOT_FOUND_MESSAGE)
    if kind == "ip_not_allowed":
        return kucoin_error(
            401,
            IP_NOT_ALLOWED,
            f"Invalid request IP, the current client IP is: {request.remote_addr}.",
        )
    if kind == "no_read_permission":
        # the key lacks "General"; ccxt maps 400007 to AuthenticationError
        return kucoin_error(403, ACCESS_DENIED, "Access denied, requires more permission.")
    if kind == "not_found":
        # the gateway's body for an unknown path (quoted in ccxt's kucoin.py); ccxt: '404'
        # -> NotSupported
        return Response.json(
            {"code": "404", "msg": "Not Found", "retry": False, "success": False}, 404
        )
    raise ValueError(f"no KuCoin answer for {kind!r}")

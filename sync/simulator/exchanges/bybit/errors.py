"""Bybit's refusals, shaped so ccxt's ``bybit.handle_errors`` raises the production class.

ccxt reads ``retCode`` from any JSON body and raises ExchangeError when it is missing, so
answers that are not Bybit business errors (maintenance, server errors, the IP limit) are not
JSON: ccxt then falls back to the HTTP status, and Bybit's own ``httpExceptions`` turn 403
into RateLimitExceeded (https://bybit-exchange.github.io/docs/v5/rate-limit: "403, access too
frequent" once an IP passes 600 requests in 5 seconds, lifted after 10 minutes).
"""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.bybit.auth import INVALID_KEY
from sync.simulator.exchanges.bybit.common import envelope, error_response
from sync.simulator.http import Request, Response

TOO_MANY_VISITS = "Too many visits!"
EXPIRED_KEY = "Your api key has expired."
PERMISSION_DENIED = "Permission denied, please check your API key permissions."
UNMATCHED_IP = "Unmatched IP, please check your API key's bound IP addresses."
SYSTEM_STATUS_PATH = "/v5/system/status"


def limit_headers(limit: int, remaining: int, reset_ms: int) -> tuple[tuple[str, str], ...]:
    """The per-UID limit headers Bybit puts on every private answer."""
    return (
        ("X-Bapi-Limit", str(limit)),
        ("X-Bapi-Limit-Status", str(max(0, remaining))),
        ("X-Bapi-Limit-Reset-Timestamp", str(reset_ms)),
    )


def ongoing_maintenance(now_ms: int) -> dict[str, Any]:
    """What ``/v5/system/status`` shows while the platform is down: it stays up to say so."""
    event = {
        "id": f"sim-maintenance-{now_ms // 3_600_000}",
        "title": "System maintenance",
        "state": "ongoing",
        "begin": str(now_ms - 60_000),
        "end": str(now_ms + 3_600_000),
        "href": "",
        "serviceTypes": [1, 2, 3, 4, 5],
        "product": [1, 2, 3, 4],
        "uidSuffix": [],
        "maintainType": 1,
        "env": 1,
    }
    return envelope({"list": [event]}, now_ms, "")


def rejection(kind: str, request: Request, per_ip: bool, now_ms: int, **detail: Any) -> Response:
    """The answer for a kind of ``base.REJECTION_KINDS``; ``per_ip`` when an IP limit is hit."""
    if kind == "maintenance":
        if request.path == SYSTEM_STATUS_PATH:
            return Response.json(ongoing_maintenance(now_ms))
        # Bybit has no maintenance retCode; the gateway answers 503: ExchangeNotAvailable
        return Response.text(
            "<html><body><h1>503 Service Temporarily Unavailable</h1>"
            "<p>System maintenance in progress.</p></body></html>",
            503,
        )
    if kind in ("rate_limit", "ban"):
        if per_ip or kind == "ban":
            return Response.text("access too frequent", 403, "text/plain")
        limit = detail.get("limit") or 0
        reset_ms = now_ms + detail.get("retry_after", 1) * 1000
        return error_response(10006, TOO_MANY_VISITS, now_ms, *limit_headers(limit, 0, reset_ms))
    if kind == "server_error":
        status = detail.get("status", 503)
        return Response.text(f"<html><body><h1>{status} Server Error</h1></body></html>", status)
    if kind == "expired_key":
        return error_response(33004, EXPIRED_KEY, now_ms)
    if kind == "revoked_key":
        # a deleted key is simply unknown to Bybit
        return error_response(10003, INVALID_KEY, now_ms)
    if kind == "no_read_permission":
        return error_response(10005, PERMISSION_DENIED, now_ms)
    if kind == "ip_not_allowed":
        return error_response(10010, UNMATCHED_IP, now_ms)
    if kind == "not_found":
        return Response.text("404 page not found", 404, "text/plain")
    raise ValueError(f"no Bybit answer for {kind!r}")

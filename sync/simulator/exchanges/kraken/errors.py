"""Kraken's refusals, chosen so that ccxt raises the class it raises in production.

Spot (kraken.py ``exceptions``): errors come back with HTTP 200 and an ``error`` list. ccxt maps
``EAPI:Invalid key`` to AuthenticationError, ``EGeneral:Permission denied`` to PermissionDenied,
``EAPI:Rate limit exceeded``, ``EGeneral:Too many requests`` and ``EGeneral:Temporary lockout``
to DDoSProtection and ``EService:Unavailable`` to ExchangeNotAvailable. It has no entry for
``EAPI:Invalid signature``, which therefore surfaces as a plain ExchangeError, as in production.
Kraken does not tell a key refused for its IP allow-list from one without the permission: both
read ``EGeneral:Permission denied``.

Futures (krakenfutures.py ``exceptions``): ``{"result": "error", "error": <code>}``;
``authenticationError`` is AuthenticationError, ``unavailable`` ExchangeNotAvailable, and any
429 DDoSProtection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sync.simulator.exchanges.kraken.common import futures_error, spot_error, spot_result
from sync.simulator.http import Request, Response

PERMISSION_DENIED = "EGeneral:Permission denied"


def _cloudflare_page(status: int) -> Response:
    # Kraken sits behind Cloudflare, whose error pages are HTML; ccxt sorts them by status
    return Response.text(
        f"<html><head><title>{status} | api.kraken.com</title></head>"
        f"<body><h1>Error {status}</h1></body></html>",
        status,
    )


def spot_rejection(kind: str, request: Request, **detail: Any) -> Response:
    if kind == "maintenance":
        if request.path == "/0/public/SystemStatus":
            # the status endpoint stays up and says why everything else is refused
            now = datetime.fromtimestamp(detail["now_ms"] / 1000, tz=UTC)
            return Response.json(
                spot_result(
                    {"status": "maintenance", "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
                )
            )
        return spot_error("EService:Unavailable")
    if kind == "rate_limit":
        if request.path.startswith("/0/public/"):
            return spot_error("EGeneral:Too many requests")
        return spot_error("EAPI:Rate limit exceeded")
    if kind == "ban":
        return spot_error("EGeneral:Temporary lockout")
    if kind == "server_error":
        return _cloudflare_page(detail.get("status", 503))
    if kind in ("expired_key", "revoked_key"):
        return spot_error("EAPI:Invalid key")
    if kind in ("no_read_permission", "ip_not_allowed"):
        return spot_error(PERMISSION_DENIED)
    if kind == "not_found":
        return spot_error("EGeneral:Unknown method", status=404)
    raise ValueError(f"no Kraken answer for {kind!r}")


def futures_rejection(kind: str, request: Request, **detail: Any) -> Response:
    now_ms = detail.get("now_ms") or int(datetime.now(tz=UTC).timestamp() * 1000)
    if kind == "maintenance":
        return futures_error("unavailable", now_ms, 503)
    if kind in ("rate_limit", "ban"):
        return futures_error("apiLimitExceeded", now_ms, 429).with_headers(
            ("Retry-After", str(detail.get("retry_after", 10)))
        )
    if kind == "server_error":
        return _cloudflare_page(detail.get("status", 503))
    if kind in ("expired_key", "revoked_key", "no_read_permission", "ip_not_allowed"):
        return futures_error("authenticationError", now_ms, 401)
    if kind == "not_found":
        return futures_error("notFound", now_ms, 404)
    raise ValueError(f"no Kraken Futures answer for {kind!r}")

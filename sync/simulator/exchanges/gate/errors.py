"""Gate's answers for the core's rejection kinds, chosen by ccxt's ``exceptions['exact']``.

- maintenance: 503 ``SERVER_ERROR`` saying so; ccxt maps SERVER_ERROR to
  ExchangeNotAvailable (it has no maintenance label for Gate, so OnMaintenance never occurs);
- rate_limit and ban: 429 ``TOO_MANY_REQUESTS`` (RateLimitExceeded). Gate documents no IP ban
  beyond its per-endpoint limits, so a ban is a longer 429;
- server_error: ``TOO_BUSY`` (503), ``SERVER_ERROR`` (500) or the gateway's HTML page (502,
  504), all ExchangeNotAvailable or RequestTimeout;
- expired or revoked keys are unknown keys to Gate: ``INVALID_KEY`` (AuthenticationError);
- no_read_permission: 403 ``FORBIDDEN`` (PermissionDenied);
- ip_not_allowed: ``IP_FORBIDDEN``, which ccxt maps to AuthenticationError;
- not_found (an unknown or retired path): 404 ``NOT_FOUND``, "request path does not exist" in
  Gate's label list (gateio/gateapi-python#18); ccxt: ExchangeError.
"""

from __future__ import annotations

import json
from typing import Any

from sync.simulator.exchanges.gate.common import gate_error, group_of
from sync.simulator.http import Request, Response

MAINTENANCE_MESSAGE = "System is under maintenance, please try again later"


def forbidden(request: Request) -> Response:
    group = group_of(request.path) or "this"
    return gate_error(403, "FORBIDDEN", f"Request API key does not have {group} permission")


def rejection(kind: str, request: Request, **detail: Any) -> Response:
    if kind == "maintenance":
        return gate_error(503, "SERVER_ERROR", MAINTENANCE_MESSAGE)
    if kind in ("rate_limit", "ban"):
        return gate_error(
            429,
            "TOO_MANY_REQUESTS",
            "Request Rate limit Exceeded",
            ("Retry-After", str(detail.get("retry_after", 10))),
        )
    if kind == "server_error":
        status = detail.get("status", 503)
        if status == 500:
            return gate_error(500, "SERVER_ERROR", "Internal server error")
        if status == 503:
            return gate_error(503, "TOO_BUSY", "Server is too busy at the moment")
        return Response.text(f"<html><body><h1>{status} Bad Gateway</h1></body></html>", status)
    if kind in ("expired_key", "revoked_key"):
        return gate_error(401, "INVALID_KEY", "Invalid key provided")
    if kind == "ip_not_allowed":
        return gate_error(
            403, "IP_FORBIDDEN", f"Request IP not in whitelist: {request.remote_addr}"
        )
    if kind == "no_read_permission":
        return forbidden(request)
    if kind == "not_found":
        return gate_error(404, "NOT_FOUND", "Not Found")
    raise ValueError(f"no Gate answer for {kind!r}")


def with_text_as_detail(response: Response) -> Response:
    """The same refusal with its text under ``detail``, as users printed Gate's bodies."""
    try:
        body = json.loads(response.body)
    except ValueError:
        return response
    if not isinstance(body, dict) or "message" not in body:
        return response
    body["detail"] = body.pop("message")
    return Response(response.status, json.dumps(body).encode(), response.headers)

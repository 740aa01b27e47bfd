"""Coinbase's refusals, in the shapes ccxt's ``coinbase.handle_errors`` reads.

- A JWT Coinbase does not accept (unknown key, bad signature, expired, wrong ``uri``, key
  deleted or outside its IP allow-list) is answered ``401`` with the plain-text body
  ``Unauthorized``: ccxt finds no JSON and falls back to the status, AuthenticationError.
- Advanced Trade (v3) errors are ``{"error", "error_details", "message"}``; a key without the
  scope an endpoint needs gets ``403 PERMISSION_DENIED "Missing required scopes"``, which ccxt
  maps exactly to PermissionDenied.
- Coinbase App (v2) errors are ``{"errors": [{"id", "message"}]}``; ccxt matches ``id``.
- Rate limits and outages come from the edge as HTML pages (429, 5xx), which ccxt sorts by
  status: RateLimitExceeded, ExchangeNotAvailable. A planned maintenance answers ``503`` with
  ``Retry-After`` (RFC 9110 §15.6.4), the one signal that tells it from an outage.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.http import Rejected, Request, Response

MISSING_SCOPES = "Missing required scopes"


def unauthorized() -> Rejected:
    return Rejected(Response.text("Unauthorized\n", 401, "text/plain; charset=utf-8"))


def v3_error(status: int, code: str, message: str) -> Response:
    return Response.json({"error": code, "error_details": message, "message": message}, status)


def v2_error(status: int, error_id: str, message: str) -> Response:
    return Response.json({"errors": [{"id": error_id, "message": message}]}, status)


def invalid_argument(message: str) -> Rejected:
    return Rejected(v3_error(400, "INVALID_ARGUMENT", message))


def limit_too_large(asked: int, largest: int) -> Rejected:
    """A page size Coinbase will not serve, in the error every Advanced Trade endpoint
    documents (``default: grpc.gateway.runtime.Error``: ``error``, ``code``, ``message``,
    ``details``; code 3 is gRPC's INVALID_ARGUMENT; the wording is ours). Whether Coinbase
    refuses a large ``limit`` at all is unknown: see fills.py, reading ``fills_max_limit``."""
    body = {
        "error": "INVALID_ARGUMENT",
        "code": 3,
        "message": f"limit {asked} is greater than the maximum of {largest}",
        "details": [],
    }
    return Rejected(Response.json(body, 400))


def _is_v2(request: Request) -> bool:
    return request.path.startswith("/v2/")


def _edge_page(status: int, title: str, *headers: tuple[str, str]) -> Response:
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return Response.text(page, status, headers=headers)


def rejection(kind: str, request: Request, **detail: Any) -> Response:
    if kind == "maintenance":
        retry_after = str(detail.get("retry_after", 120))
        return _edge_page(
            503, "Coinbase is down for scheduled maintenance", ("Retry-After", retry_after)
        )
    if kind == "rate_limit":
        if _is_v2(request):
            return v2_error(429, "rate_limit_exceeded", "Too many requests")
        return _edge_page(429, "429 Too Many Requests")
    if kind == "ban":
        # an address that keeps hammering is stopped at the CDN (Cloudflare error 1015)
        return _edge_page(429, "Error 1015: You are being rate limited")
    if kind == "server_error":
        status = detail.get("status", 503)
        return _edge_page(status, f"{status} Server Error")
    if kind in ("expired_key", "revoked_key", "ip_not_allowed"):
        # CDP keys say nothing more: an expired, deleted or IP-restricted key is just refused
        return unauthorized().response
    if kind == "no_read_permission":
        if _is_v2(request):
            return v2_error(403, "invalid_scope", "Invalid scope")
        return v3_error(403, "PERMISSION_DENIED", MISSING_SCOPES)
    if kind == "not_found":
        if _is_v2(request):
            return v2_error(404, "not_found", "Not found")
        return Response.text("404 page not found\n", 404, "text/plain; charset=utf-8")
    raise ValueError(f"no Coinbase answer for {kind!r}")

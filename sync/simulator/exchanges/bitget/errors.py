"""Bitget's answers for the simulator's rejection kinds, chosen for ccxt's ``exceptions`` map.

- maintenance: 40200 "Server upgrade" -> OnMaintenance;
- rate limits: HTTP 429 with code "429" -> DDoSProtection (Bitget documents no ban beyond the
  429, so a "ban" answers the same way);
- server errors: 40604 "Server is busy" -> ExchangeNotAvailable, whatever the 5xx status;
- expired or deleted keys: 40037 "Apikey does not exist" -> AuthenticationError;
- no read permission: 40014 "Incorrect permissions" -> PermissionDenied;
- a request from outside the key's IP list: 40018 "Invalid IP" -> PermissionDenied.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.bitget.common import bitget_error
from sync.simulator.http import Request, Response

# (HTTP status, code, message) for the kinds whose answer never varies
_FIXED: dict[str, tuple[int, str, str]] = {
    "expired_key": (400, "40037", "Apikey does not exist"),
    "revoked_key": (400, "40037", "Apikey does not exist"),
    "no_read_permission": (400, "40014", "Incorrect permissions"),
    "ip_not_allowed": (400, "40018", "Invalid IP"),
    "not_found": (404, "40404", "Request URL NOT FOUND"),
    "rate_limit": (429, "429", "Too Many Requests"),
    "ban": (429, "429", "Too Many Requests"),
}


def rejection(kind: str, request: Request, now_ms: int, **detail: Any) -> Response:
    if kind == "maintenance":
        return bitget_error(
            detail.get("status", 503), "40200", "Server upgrade, please try again later", now_ms
        )
    if kind == "server_error":
        return bitget_error(
            detail.get("status", 503), "40604", "Server is busy, please try again later", now_ms
        )
    if kind in _FIXED:
        status, code, message = _FIXED[kind]
        return bitget_error(status, code, message, now_ms)
    raise ValueError(f"no Bitget answer for {kind!r}")

"""Wire formats shared by MEXC's two APIs: spot v3 prints numbers as strings, the futures API
(v1) as JSON numbers inside ``{"success", "code", "data"}``."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Handler, Router
from sync.simulator.exchanges.mexc.catalog import CONTRACT_HOSTS
from sync.simulator.http import Rejected, Response
from sync.simulator.ratelimit import RateLimit

CONTRACT_PREFIX = "/api/v1/"
_EIGHT = Decimal(1).scaleb(-8)


def is_contract(path: str) -> bool:
    return path.startswith(CONTRACT_PREFIX)


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: "0.0002", "41995.51", "100"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def eight(value: Decimal) -> Decimal:
    """Money at MEXC's 8 decimals (balances, margins, PnL)."""
    return value.quantize(_EIGHT, rounding=ROUND_HALF_UP)


def _encode(value: Any) -> str:
    # Decimals go out as JSON number literals, digit for digit, never through a float.
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        items = ",".join(f"{json.dumps(str(key))}:{_encode(item)}" for key, item in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    return json.dumps(value)


def json_response(payload: Any, status: int = 200, *headers: tuple[str, str]) -> Response:
    body = _encode(payload).encode("utf-8")
    return Response(status, body, (("Content-Type", "application/json"), *headers))


def contract_ok(data: Any) -> Response:
    return json_response({"success": True, "code": 0, "data": data})


def optional_int(call: Call, name: str, invalid: Callable[[str], Rejected]) -> int | None:
    """An integer parameter, or None when absent; ``invalid(name)`` is raised when malformed."""
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise invalid(name)
    return int(raw)


# Every endpoint is limited on its own. Spot v3: 500 weight per 10 seconds, counted per IP
# (the docs mark every endpoint "Weight(IP)"), and a client that keeps going after a 429 has
# its IP banned with 418 for 2 minutes at first; futures v1: 20 calls per 2 seconds, per UID
# for private endpoints (one key per account here) and per IP for public ones.
RATE_LIMITS: dict[str, RateLimit] = {}


def _pool(name: str, limit: int, window_s: int, per: str, *, ban: bool = False) -> str:
    RATE_LIMITS[name] = RateLimit(name, limit, window_s=window_s, per=per, ban_after_429=ban)
    return name


def spot_pool(path: str) -> str:
    return _pool(f"spot {path}", 500, 10, "ip", ban=True)


def contract_pool(path: str, *, private: bool, limit: int = 20, window_s: int = 2) -> str:
    return _pool(f"contract {path}", limit, window_s, "key" if private else "ip")


def contract_get(router: Router, path: str, **options: Any) -> Callable[[Handler], Handler]:
    """Register a futures route on every host that serves the futures API."""

    def register(handler: Handler) -> Handler:
        for host in CONTRACT_HOSTS:
            router.get(host, path, **options)(handler)
        return handler

    return register

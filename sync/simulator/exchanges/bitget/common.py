"""Bitget's envelope, its refusals, and the parameter parsing the endpoints share.

Every answer is ``{"code", "msg", "requestTime", "data"}``; success is code "00000". Refusals
come with HTTP 400 and a code ccxt's ``handle_errors`` maps exactly (bitget.py ``exceptions``;
its ``exact`` table is matched on ``msg`` first, then on ``code``), the way WEEX, Bitget's
white-label twin, lists them with their statuses.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call
from sync.simulator.exchanges.bitget.catalog import PRODUCT_TYPES
from sync.simulator.http import Rejected, Response

SUCCESS = "00000"
_EIGHT = Decimal(1).scaleb(-8)


def envelope(code: str, message: str, now_ms: int, data: Any) -> dict[str, Any]:
    return {"code": code, "msg": message, "requestTime": now_ms, "data": data}


def ok(call: Call, data: Any) -> dict[str, Any]:
    return envelope(SUCCESS, "success", call.now_ms, data)


def bitget_error(
    status: int, code: str, message: str, now_ms: int, *headers: tuple[str, str]
) -> Response:
    return Response.json(envelope(code, message, now_ms, None), status, headers)


def refuse(call_or_now: Call | int, code: str, message: str, status: int = 400) -> Rejected:
    now_ms = call_or_now if isinstance(call_or_now, int) else call_or_now.now_ms
    return Rejected(bitget_error(status, code, message, now_ms))


def plain(value: Decimal) -> str:
    """Bitget prints numbers without trailing zeros: "0.0002", "37271.4", "100"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def fixed8(value: Decimal) -> str:
    """Balances, fees and PnL at Bitget's 8 decimals."""
    return format(value.quantize(_EIGHT, rounding=ROUND_HALF_UP), "f")


def optional_int(call: Call, name: str) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise refuse(call, "40017", f"Parameter {name} error")
    return int(raw)


def page_limit(call: Call, default: int, maximum: int) -> int:
    """Bitget serves at most ``maximum`` rows whatever ``limit`` asks for."""
    limit = optional_int(call, "limit")
    if limit is None or limit == 0:
        return default
    return min(limit, maximum)


def required(call: Call, name: str) -> str:
    value = call.params.get(name)
    if not value:
        raise refuse(call, "40019", f"Parameter {name} cannot be empty")
    return value


def product_type(call: Call) -> str:
    """The ``productType`` parameter; Bitget accepts it in any letter case."""
    value = required(call, "productType").upper()
    if value not in PRODUCT_TYPES:
        raise refuse(call, "40017", "Parameter productType error")
    return value

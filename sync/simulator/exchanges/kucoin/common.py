"""Envelopes, number formats, identifiers and parameters shared by the KuCoin endpoints."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call
from sync.simulator.exchanges.kucoin.errors import bad_parameter
from sync.simulator.trades import units_text

_EIGHT = Decimal(1).scaleb(-8)


def ok(data: Any) -> dict[str, Any]:
    """KuCoin wraps every successful answer in ``{"code": "200000", "data": ...}``."""
    return {"code": "200000", "data": data}


def plain(value: Decimal) -> str:
    """Decimal text without trailing zeros, as KuCoin spot prints prices and sizes."""
    return format(value.normalize(), "f") if value else "0"


def money(units: int) -> str:
    """Balances in money units (8 decimals), printed without trailing zeros."""
    return plain(Decimal(units_text(units, 8)))


def eight(value: Decimal) -> Decimal:
    return value.quantize(_EIGHT, rounding=ROUND_HALF_UP)


def number(value: Decimal) -> int | float:
    """A JSON number, as KuCoin Futures sends them; callers keep values within 15 significant
    digits, so the float prints back as the same decimal text."""
    return int(value) if value == value.to_integral_value() else float(value)


def object_id(seconds: int, serial: int) -> str:
    """A 24-hex MongoDB ObjectId, KuCoin's id for orders and accounts: time, then a serial."""
    return f"{seconds & 0xFFFFFFFF:08x}{serial & 0xFFFFFFFFFFFFFFFF:016x}"


def order_id(timestamp_ms: int, order: int) -> str:
    return object_id(timestamp_ms // 1000, order)


def optional_int(call: Call, name: str) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise bad_parameter(f"Parameter [{name}] is invalid.")
    return int(raw)


def bounded_int(call: Call, name: str, default: int, maximum: int) -> int:
    value = optional_int(call, name)
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise bad_parameter(f"{name} should be between 1 and {maximum}")
    return value

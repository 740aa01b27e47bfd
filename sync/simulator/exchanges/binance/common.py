"""Parameter parsing and number formatting shared by the Binance endpoints."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sync.simulator.exchanges.base import Call
from sync.simulator.exchanges.binance.errors import bad_parameter, invalid_parameter, invalid_symbol
from sync.simulator.instruments import Instrument
from sync.simulator.trades import units_text

_EIGHT = Decimal(1).scaleb(-8)


def fixed8(value: Decimal) -> str:
    """Binance prints balances, fees and PnL with exactly 8 decimals."""
    return format(value.quantize(_EIGHT, rounding=ROUND_HALF_UP), "f")


def money(units: int) -> str:
    return units_text(units, 8, 8)


def plain(value: Decimal) -> str:
    return format(value, "f")


def optional_int(call: Call, name: str) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise invalid_parameter(name)
    return int(raw)


def page_limit(call: Call, default: int, maximum: int) -> int:
    limit = optional_int(call, "limit")
    if limit is None:
        return default
    if not 1 <= limit <= maximum:
        raise invalid_parameter("limit")
    return limit


def required_instrument(call: Call, kind: str, name: str = "symbol") -> Instrument:
    """The market named by ``name``, of ``kind`` 'spot', 'swap' (USDⓈ-M) or 'inverse'."""
    market_id = call.params.get(name)
    if not market_id:
        raise bad_parameter(name)
    instrument = call.exchange.instrument(kind, market_id)
    if instrument is None:
        raise invalid_symbol()
    return instrument

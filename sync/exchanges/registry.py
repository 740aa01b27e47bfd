"""Our exchange id → its adapter. Adding an exchange: one module here and one line below."""

from __future__ import annotations

from .base import ExchangeAdapter
from .binance import BinanceAdapter

ADAPTERS: dict[str, ExchangeAdapter] = {
    adapter.exchange_id: adapter for adapter in (BinanceAdapter(),)
}


def adapter_for(exchange_id: str) -> ExchangeAdapter:
    return ADAPTERS[exchange_id]


def supported(exchange_id: str) -> bool:
    return exchange_id in ADAPTERS

"""Public endpoints: what ``load_markets``, ``fetch_time`` and ``fetch_status`` call, and the
futures fair (mark) price that open positions are valued at."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.mexc import catalog
from sync.simulator.exchanges.mexc.catalog import INSTRUMENTS, SPOT_HOST
from sync.simulator.exchanges.mexc.common import (
    contract_get,
    contract_ok,
    contract_pool,
    spot_pool,
)
from sync.simulator.exchanges.mexc.errors import CONTRACT_NOT_FOUND, refuse_contract
from sync.simulator.http import Response
from sync.simulator.instruments import Instrument

router = Router()


@router.get(SPOT_HOST, "/api/v3/ping", pool=spot_pool("/api/v3/ping"))
def ping(call: Call) -> dict[str, Any]:
    return {}


@router.get(SPOT_HOST, "/api/v3/time", pool=spot_pool("/api/v3/time"))
def server_time(call: Call) -> dict[str, Any]:
    return {"serverTime": call.now_ms}


@router.get(SPOT_HOST, "/api/v3/exchangeInfo", weight=10, pool=spot_pool("/api/v3/exchangeInfo"))
def exchange_info(call: Call) -> dict[str, Any]:
    symbol = call.params.get("symbol")
    symbols = call.params.get("symbols")
    wanted = None
    if symbol or symbols:
        wanted = {symbol} if symbol else set((symbols or "").split(","))
    return catalog.exchange_info(call.now_ms, wanted)


@contract_get(router, "/api/v1/contract/ping", pool=contract_pool("ping", private=False))
def contract_ping(call: Call) -> Response:
    return contract_ok(call.now_ms)


def _perpetuals() -> list[Instrument]:
    return [item for item in INSTRUMENTS if item.contract]


# MEXC allows the contract list once per 5 seconds: a client that loads markets for every
# task is refused with 510, so markets are worth caching.
@contract_get(
    router,
    "/api/v1/contract/detail",
    pool=contract_pool("detail", private=False, limit=1, window_s=5),
)
def contract_detail(call: Call) -> Response:
    symbol = call.params.get("symbol")
    if not symbol:
        return contract_ok([catalog.contract_detail(item) for item in _perpetuals()])
    instrument = call.exchange.instrument("swap", symbol)
    if instrument is None:
        raise refuse_contract(CONTRACT_NOT_FOUND)
    return contract_ok(catalog.contract_detail(instrument))


def fair_price(call: Call, instrument: Instrument) -> Decimal:
    """The mark price MEXC values positions at, on the instrument's price tick. It is the
    price at the simulator's anchor, where the seeded accounts' positions are valued."""
    state = call.exchange.state
    price = state.oracle.price(instrument.base, instrument.quote, state.anchor_ms)
    return Decimal(round(price * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)


def _register_fair_prices() -> None:
    # the symbol is part of the path (``fair_price/{symbol}``), so each has its own route
    pool = contract_pool("fair_price", private=False)
    for instrument in _perpetuals():

        def answer(call: Call, instrument: Instrument = instrument) -> Response:
            return contract_ok(
                {
                    "symbol": instrument.id,
                    "fairPrice": fair_price(call, instrument),
                    "timestamp": call.now_ms,
                }
            )

        contract_get(router, f"/api/v1/contract/fair_price/{instrument.id}", pool=pool)(answer)


_register_fair_prices()

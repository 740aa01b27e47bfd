"""Public endpoints ccxt's ``load_markets`` and ``fetch_time`` call.

With ccxt's default options ``load_markets`` asks for the currencies, the spot and margin pairs,
the perpetuals of both settle currencies, the USDT delivery contracts and, per option
underlying, the option contracts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.gate import catalog
from sync.simulator.exchanges.gate.common import (
    endpoint,
    gate,
    invalid_argument,
    missing,
    plain,
    settle_of,
)
from sync.simulator.prices import PriceOracle

router = Router()


@endpoint(router, "/spot/time")
def server_time(call: Call) -> dict[str, Any]:
    return {"server_time": call.now_ms}


@endpoint(router, "/spot/currencies")
def currencies(call: Call) -> list[dict[str, Any]]:
    return catalog.currency_rows()


@endpoint(router, "/spot/currency_pairs")
def currency_pairs(call: Call) -> list[dict[str, Any]]:
    return [catalog.spot_pair_row(item) for item in catalog.SPOT]


# Deprecated by Gate in favour of /margin/uni/currency_pairs, and still what ccxt calls.
@endpoint(router, "/margin/currency_pairs")
def margin_pairs(call: Call) -> list[dict[str, Any]]:
    return [catalog.margin_pair_row(item) for item in catalog.SPOT]


@endpoint(
    router,
    "/futures/{settle}/contracts",
    paths=("/futures/usdt/contracts", "/futures/btc/contracts"),
)
def perpetual_contracts(call: Call) -> list[dict[str, Any]]:
    settle = settle_of(call)
    oracle = call.exchange.state.oracle
    return [
        catalog.perpetual_row(item, catalog.mark_price(oracle, item, call.now_ms))
        for item in catalog.PERPETUALS
        if catalog.settle_id(item) == settle
    ]


@endpoint(router, "/delivery/{settle}/contracts", paths=("/delivery/usdt/contracts",))
def delivery_contracts(call: Call) -> list[dict[str, Any]]:
    simulator = gate(call)
    item = simulator.delivery
    mark = catalog.mark_price(simulator.state.oracle, item, call.now_ms)
    return [catalog.delivery_row(item, mark, simulator.expiry)]


@endpoint(router, "/options/underlyings")
def option_underlyings(call: Call) -> list[dict[str, Any]]:
    oracle = call.exchange.state.oracle
    return [
        {
            "name": name,
            "index_price": plain(_index(oracle, name, call.now_ms)),
            "index_time": call.now_ms // 1000,
        }
        for name in catalog.OPTION_UNDERLYINGS
    ]


@endpoint(router, "/options/contracts")
def option_contracts(call: Call) -> list[dict[str, Any]]:
    underlying = call.params.get("underlying")
    if not underlying:
        raise missing("underlying")
    if underlying not in catalog.OPTION_UNDERLYINGS:
        raise invalid_argument("underlying")
    index = _index(call.exchange.state.oracle, underlying, call.now_ms)
    return catalog.option_rows(underlying, index, call.now_ms)


def _index(oracle: PriceOracle, underlying: str, at_ms: int) -> Decimal:
    instrument = next(item for item in catalog.SPOT if item.id == underlying)
    return catalog.mark_price(oracle, instrument, at_ms)

"""Public endpoints ccxt's ``load_markets`` and ``fetch_time`` call.

``fetch_markets`` asks for spot symbols, the margin currencies (to mark which spot pairs
trade on margin) and the contracts of all six product types; ``fetch_currencies`` asks for the
coin list. Limits are per IP and second, from each endpoint's page.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bitget import catalog
from sync.simulator.exchanges.bitget.catalog import HOST, INSTRUMENTS, USDT_FUTURES
from sync.simulator.exchanges.bitget.common import ok, product_type

router = Router()


@router.get(HOST, "/api/v2/public/time", pool="public-time")
def server_time(call: Call) -> dict[str, Any]:
    return ok(call, {"serverTime": str(call.now_ms)})


@router.get(HOST, "/api/v2/spot/public/symbols", pool="spot-symbols")
def spot_symbols(call: Call) -> dict[str, Any]:
    wanted = call.params.get("symbol")
    return ok(
        call,
        [
            catalog.spot_symbol(item)
            for item in INSTRUMENTS
            if not item.contract and wanted in (None, item.id)
        ],
    )


@router.get(HOST, "/api/v2/margin/currencies", pool="margin-currencies")
def margin_currencies(call: Call) -> dict[str, Any]:
    return ok(call, [catalog.margin_currency(item) for item in INSTRUMENTS if not item.contract])


@router.get(HOST, "/api/v2/mix/market/contracts", pool="mix-contracts")
def contracts(call: Call) -> dict[str, Any]:
    kind = product_type(call)
    wanted = call.params.get("symbol")
    return ok(
        call,
        [
            catalog.contract(item)
            for item in INSTRUMENTS
            if item.linear and kind == USDT_FUTURES and wanted in (None, item.id)
        ],
    )


@router.get(HOST, "/api/v2/spot/public/coins", pool="spot-coins")
def coins(call: Call) -> dict[str, Any]:
    wanted = call.params.get("coin")
    return ok(call, [catalog.coin(code) for code in catalog.COINS if wanted in (None, code)])

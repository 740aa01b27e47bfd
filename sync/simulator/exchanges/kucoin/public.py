"""Public KuCoin endpoints, and the signed market lists ``load_markets`` asks for with a key.

With credentials set, ccxt's ``fetch_markets`` also calls the cross and isolated margin symbol
lists (signed, though they need no permission) and ``load_migration_status``; its
``fetch_currencies`` first asks for the account mode (``is_uta_enabled``), see accounts.py.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kucoin import catalog
from sync.simulator.exchanges.kucoin.catalog import FUTURES_HOST, INSTRUMENTS, SPOT_HOST
from sync.simulator.exchanges.kucoin.common import eight, ok, plain
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS

router = Router()
HOUR_MS = 3_600_000
_RATE = Decimal("0.0001")


def _mark(call: Call, instrument: Instrument, at_ms: int | None = None) -> Decimal:
    at_ms = call.now_ms if at_ms is None else at_ms
    price = call.exchange.state.oracle.price(instrument.base, instrument.quote, at_ms)
    return Decimal(repr(price)).quantize(catalog.step(instrument.price_decimals))


@router.get(SPOT_HOST, "/api/v1/timestamp", weight=3, pool="public")
def spot_time(call: Call) -> dict[str, Any]:
    return {"code": "200000", "msg": "success", "data": call.now_ms}


@router.get(FUTURES_HOST, "/api/v1/timestamp", weight=2, pool="public")
def futures_time(call: Call) -> dict[str, Any]:
    return ok(call.now_ms)


@router.get(SPOT_HOST, "/api/v1/status", weight=3, pool="public")
@router.get(FUTURES_HOST, "/api/v1/status", weight=4, pool="public")
def service_status(call: Call) -> dict[str, Any]:
    return ok({"status": "open", "msg": ""})


@router.get(SPOT_HOST, "/api/v2/symbols", weight=4, pool="public")
def spot_symbols(call: Call) -> dict[str, Any]:
    return ok([catalog.spot_symbol(item) for item in INSTRUMENTS if not item.contract])


@router.get(SPOT_HOST, "/api/v3/currencies", weight=3, pool="public")
def currencies(call: Call) -> dict[str, Any]:
    return ok([catalog.currency(code) for code in catalog.COINS])


@router.get(SPOT_HOST, "/api/v1/market/allTickers", weight=15, pool="public")
def all_tickers(call: Call) -> dict[str, Any]:
    """ "Get All Tickers" (https://www.kucoin.com/docs-new/api-3470167; weight 15 from the public
    pool): every spot pair, no filter, what ccxt's spot ``fetch_tickers`` asks whatever symbols
    it wants. Field names and texts as the documented example (Kucoin/kucoin-universal-sdk
    @78c90c77 sdk/golang/pkg/generate/spot/market/api_market_test.go), values from the oracle
    over the last 24 hours: ``buy`` is the best bid, ``sell`` the best ask, ``changeRate`` the
    change over the price 24 hours ago cut to four decimals (the example's -98.5 on 67291.5
    reads -0.0014), ``high``, ``low`` and ``averagePrice`` those of hourly marks standing in
    for the trades."""
    rows = []
    for item in INSTRUMENTS:
        if item.contract:
            continue
        tick = catalog.step(item.price_decimals)
        day = [_mark(call, item, call.now_ms - DAY_MS + hour * HOUR_MS) for hour in range(25)]
        opened, last = day[0], day[-1]
        change = last - opened
        rows.append(
            {
                "symbol": item.id,
                "symbolName": item.id,
                "buy": plain(last - tick),
                "bestBidSize": "1.5",
                "sell": plain(last + tick),
                "bestAskSize": "2.1",
                "changeRate": plain((change / opened).quantize(_RATE, rounding=ROUND_DOWN)),
                "changePrice": plain(change),
                "high": plain(max(day)),
                "low": plain(min(day)),
                "vol": "1000",
                "volValue": plain(last * 1000),
                "last": plain(last),
                "averagePrice": plain(eight(sum(day) / len(day))),
                # KuCoin's base spot rates, 0.1% each, times the pair's coefficient
                "takerFeeRate": "0.001",
                "makerFeeRate": "0.001",
                "takerCoefficient": "1",
                "makerCoefficient": "1",
            }
        )
    return ok({"time": call.now_ms, "ticker": rows})


@router.get(FUTURES_HOST, "/api/v1/contracts/active", weight=3, pool="public")
def active_contracts(call: Call) -> dict[str, Any]:
    contracts = [item for item in INSTRUMENTS if item.contract]
    return ok([catalog.contract(item, _mark(call, item), call.now_ms) for item in contracts])


@router.get(
    SPOT_HOST, "/api/v3/margin/symbols", weight=3, pool="spot", signed=True, needs_read=False
)
def cross_margin_symbols(call: Call) -> dict[str, Any]:
    items = [
        {**catalog.spot_symbol(item), "minFunds": "0.1"}
        for item in INSTRUMENTS
        if not item.contract
    ]
    return ok({"timestamp": call.now_ms, "items": items})


@router.get(
    SPOT_HOST, "/api/v1/isolated/symbols", weight=3, pool="spot", signed=True, needs_read=False
)
def isolated_margin_symbols(call: Call) -> dict[str, Any]:
    return ok([catalog.isolated_symbol(item) for item in INSTRUMENTS if not item.contract])

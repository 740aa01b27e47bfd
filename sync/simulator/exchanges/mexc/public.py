"""Public endpoints: what ``load_markets``, ``fetch_time``, ``fetch_status`` and
``fetch_tickers`` call, and the futures fair (mark) price that open positions are valued at."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.mexc import catalog
from sync.simulator.exchanges.mexc.catalog import INSTRUMENTS, SPOT_HOST
from sync.simulator.exchanges.mexc.common import (
    contract_get,
    contract_ok,
    contract_pool,
    plain,
    spot_pool,
)
from sync.simulator.exchanges.mexc.errors import CONTRACT_NOT_FOUND, refuse_contract, refuse_spot
from sync.simulator.http import Request, Response
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS, PriceOracle

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


def _ticker_weight(request: Request) -> int:
    return 1 if request.params.get("symbol") else 40


@router.get(
    SPOT_HOST,
    "/api/v3/ticker/24hr",
    weight=_ticker_weight,
    pool=spot_pool("/api/v3/ticker/24hr"),
)
def ticker_24hr(call: Call) -> dict[str, Any] | list[dict[str, Any]]:
    """24hr Ticker Price Change Statistics
    (https://www.mexc.com/api-docs/spot-v3/market-data-endpoints#24hr-ticker-price-change-statistics):
    one ``symbol`` answers an object (weight 1), none a list of every symbol (weight 40).
    ccxt's fetch_tickers sends the symbol only when it was given one, so a list costs 40
    (mexc.py fetch_tickers, spotPublicGetTicker24hr)."""
    spot = {item.id: item for item in INSTRUMENTS if item.market_type == "spot"}
    oracle = call.exchange.state.oracle
    symbol = call.params.get("symbol")
    if symbol is None:
        return [_ticker(oracle, item, call.now_ms) for item in spot.values()]
    if symbol not in spot:
        # ccxt's mexc.py exact table: -1121 BadSymbol
        raise refuse_spot((-1121, "Invalid symbol."))
    return _ticker(oracle, spot[symbol], call.now_ms)


def day_prices(
    oracle: PriceOracle, instrument: Instrument, now_ms: int
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(open, high, low, last) of the 24 hours to ``now_ms``, on the market's tick. The
    oracle's path is straight between its daily closes, so the day's extremes lie at either
    end of the window or at the one daily close inside it."""
    daily_close = now_ms - (now_ms - oracle.first_day_ms) % DAY_MS
    opened, closed, last = (
        _on_tick(oracle.price(instrument.base, instrument.quote, at), instrument)
        for at in (now_ms - DAY_MS, daily_close, now_ms)
    )
    return opened, max(opened, closed, last), min(opened, closed, last), last


def _on_tick(price: float, instrument: Instrument) -> Decimal:
    return Decimal(round(price * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)


def _ticker(oracle: PriceOracle, instrument: Instrument, now_ms: int) -> dict[str, Any]:
    """A row as the page's example prints it: the change a ratio to 8 decimals
    ("0.00400048"), sizes empty, quote volume and trade count null. The simulator keeps no
    market-wide book or tape: the best bid is the last price and the ask one tick above, and
    no volume."""
    opened, high, low, last = day_prices(oracle, instrument, now_ms)
    change = last - opened
    ratio = (change / opened).quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)
    return {
        "symbol": instrument.id,
        "priceChange": plain(change),
        "priceChangePercent": plain(ratio),
        "prevClosePrice": plain(opened),
        "lastPrice": plain(last),
        "bidPrice": plain(last),
        "bidQty": "",
        "askPrice": plain(last + Decimal(1).scaleb(-instrument.price_decimals)),
        "askQty": "",
        "openPrice": plain(opened),
        "highPrice": plain(high),
        "lowPrice": plain(low),
        "volume": "0",
        "quoteVolume": None,
        "openTime": now_ms - DAY_MS,
        "closeTime": now_ms,
        "count": None,
    }


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
    return _on_tick(
        state.oracle.price(instrument.base, instrument.quote, state.anchor_ms), instrument
    )


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

"""Public Bybit endpoints ccxt's ``load_markets``, ``fetch_time``, ``fetch_status`` and
``fetch_tickers`` call."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bybit import catalog
from sync.simulator.exchanges.bybit.catalog import HOST
from sync.simulator.exchanges.bybit.common import (
    envelope,
    fixed,
    page_limit,
    parameter_error,
    plain,
    required_category,
)
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS, PriceOracle

router = Router()

CATEGORIES = ("spot", "linear", "inverse", "option")


@router.get(HOST, "/v5/market/time", pool="ip")
def server_time(call: Call) -> dict[str, Any]:
    return envelope(
        {"timeSecond": str(call.now_ms // 1000), "timeNano": str(call.now_ms * 1_000_000)},
        call.now_ms,
    )


@router.get(HOST, "/v5/system/status", pool="ip")
def system_status(call: Call) -> dict[str, Any]:
    return envelope({"list": []}, call.now_ms, "")


@router.get(HOST, "/v5/market/instruments-info", pool="ip")
def instruments_info(call: Call) -> dict[str, Any]:
    """Markets of one category. Linear and inverse page with ``limit``/``cursor`` (default
    500, at most 1000); spot ignores both; ``status=PreLaunch`` lists pre-market contracts,
    of which the simulator has none."""
    category = required_category(call, CATEGORIES)
    result: dict[str, Any] = {"category": category, "list": []}
    if category != "spot":
        result["nextPageCursor"] = ""
    status = call.params.get("status") or "Trading"
    if category == "option" or status != "Trading":
        return envelope(result, call.now_ms)
    instruments = catalog.instruments_in(category)
    symbol = call.params.get("symbol")
    if symbol:
        instruments = [item for item in instruments if item.id == symbol]
    if category == "spot":
        result["list"] = [catalog.spot_row(item) for item in instruments]
        return envelope(result, call.now_ms)
    base = call.params.get("baseCoin")
    if base:
        instruments = [item for item in instruments if item.base == base]
    limit = page_limit(call, 500, 1000)
    start = _cursor_offset(call)
    page = instruments[start : start + limit]
    result["list"] = [catalog.contract_row(item) for item in page]
    if start + limit < len(instruments):
        result["nextPageCursor"] = (
            f"first%3D{page[0].id}%26last%3D{page[-1].id}%26offset%3D{start + limit}"
        )
    return envelope(result, call.now_ms)


def _cursor_offset(call: Call) -> int:
    cursor = call.params.get("cursor")
    if not cursor:
        return 0
    _, _, offset = cursor.rpartition("offset=")
    if not offset.isdigit():
        raise parameter_error(call, "params error: cursor invalid")
    return int(offset)


@router.get(HOST, "/v5/market/tickers", pool="ip")
def tickers(call: Call) -> dict[str, Any]:
    """Get Tickers (https://bybit-exchange.github.io/docs/v5/market/tickers): every market of
    the category, or the one ``symbol`` names; there is no list of symbols, so ccxt's
    fetch_tickers asks for the whole category and keeps the symbols it was given (bybit.py
    fetch_tickers; bybit-exchange/pybit#256). Public endpoints count only against the IP
    limit (https://bybit-exchange.github.io/docs/v5/rate-limit).

    Spot only: the simulator has no mark, index or funding prices for contract tickers."""
    category = required_category(call, CATEGORIES)
    if category != "spot":
        raise call.exchange.rejected("not_found", call.request)
    markets = catalog.instruments_in("spot")
    symbol = call.params.get("symbol")
    if symbol:
        markets = [item for item in markets if item.id == symbol]
        if not markets:
            # 10001, Bybit's parameter error (https://bybit-exchange.github.io/docs/v5/error)
            raise parameter_error(call, "Not supported symbols")
    oracle = call.exchange.state.oracle
    rows = [_spot_ticker(oracle, item, call.now_ms) for item in markets]
    return envelope({"category": "spot", "list": rows}, call.now_ms)


def day_prices(
    oracle: PriceOracle, instrument: Instrument, now_ms: int
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(open, high, low, last) of the 24 hours to ``now_ms``, on the market's tick. The
    oracle's path is straight between its daily closes, so the day's extremes lie at either
    end of the window or at the one daily close inside it."""
    daily_close = now_ms - (now_ms - oracle.first_day_ms) % DAY_MS
    opened, closed, last = (
        _on_tick(oracle.price(instrument.base, instrument.quote, at), instrument.price_decimals)
        for at in (now_ms - DAY_MS, daily_close, now_ms)
    )
    return opened, max(opened, closed, last), min(opened, closed, last), last


def _on_tick(price: float, decimals: int) -> Decimal:
    return Decimal(round(price * 10**decimals)).scaleb(-decimals)


def _spot_ticker(oracle: PriceOracle, instrument: Instrument, now_ms: int) -> dict[str, Any]:
    """A spot row as the page shows it: prices at the market's tick, the change a ratio to 4
    decimals ("0.0068"). The simulator keeps no market-wide book or tape: the best bid is the
    last price and the ask one tick above, with no sizes, and no volume."""
    opened, high, low, last = day_prices(oracle, instrument, now_ms)
    places = instrument.price_decimals
    change = ((last - opened) / opened).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    usd = Decimal(repr(round(oracle.usd(instrument.base, now_ms), 8)))
    return {
        "symbol": instrument.id,
        "bid1Price": fixed(last, places),
        "bid1Size": "0",
        "ask1Price": fixed(last + Decimal(1).scaleb(-places), places),
        "ask1Size": "0",
        "lastPrice": fixed(last, places),
        "prevPrice24h": fixed(opened, places),
        "price24hPcnt": format(change, "f"),
        "highPrice24h": fixed(high, places),
        "lowPrice24h": fixed(low, places),
        "turnover24h": "0",
        "volume24h": "0",
        "usdIndexPrice": plain(usd),
    }

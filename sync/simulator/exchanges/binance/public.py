"""Public Binance endpoints ccxt's ``load_markets``, ``fetch_time`` and ``fetch_tickers``
call."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.binance import catalog
from sync.simulator.exchanges.binance.catalog import COINM_HOST, INSTRUMENTS, SPOT_HOST, USDM_HOST
from sync.simulator.exchanges.binance.common import fixed8
from sync.simulator.exchanges.binance.errors import invalid_combination, invalid_symbol, refuse
from sync.simulator.http import Request
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS, PriceOracle

router = Router()


@router.get(SPOT_HOST, "/api/v3/ping", pool="spot")
@router.get(USDM_HOST, "/fapi/v1/ping", pool="fapi")
@router.get(COINM_HOST, "/dapi/v1/ping", pool="dapi")
def ping(call: Call) -> dict[str, Any]:
    return {}


@router.get(SPOT_HOST, "/api/v3/time", pool="spot")
@router.get(USDM_HOST, "/fapi/v1/time", pool="fapi")
@router.get(COINM_HOST, "/dapi/v1/time", pool="dapi")
def server_time(call: Call) -> dict[str, Any]:
    return {"serverTime": call.now_ms}


@router.get(SPOT_HOST, "/api/v3/exchangeInfo", weight=20, pool="spot")
def spot_exchange_info(call: Call) -> dict[str, Any]:
    return catalog.spot_exchange_info(call.now_ms)


@router.get(USDM_HOST, "/fapi/v1/exchangeInfo", pool="fapi")
def usdm_exchange_info(call: Call) -> dict[str, Any]:
    return catalog.usdm_exchange_info(call.now_ms)


@router.get(COINM_HOST, "/dapi/v1/exchangeInfo", pool="dapi")
def coinm_exchange_info(call: Call) -> dict[str, Any]:
    return catalog.coinm_exchange_info(call.now_ms)


@router.get(SPOT_HOST, "/sapi/v1/system/status", pool="sapi")
def system_status(call: Call) -> dict[str, Any]:
    return {"status": 0, "msg": "normal"}


# GET /api/v3/ticker/24hr, "24hr ticker price change statistics"
# (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#24hr-ticker-price-change-statistics):
# ``symbol`` answers one object; ``symbols``, a JSON list such as ["BTCUSDT","BNBUSDT"], or
# neither answers a list (all symbols). ccxt's fetch_tickers sends ``symbols`` (binance.py
# fetch_tickers, publicGetTicker24hr).
_SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'
_SYMBOLS = re.compile(r'\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}")*)?\]')


def ticker_weight(request: Request) -> int:
    """2 for one symbol or a list of up to 20, 40 up to 100, 80 beyond or for all symbols."""
    if request.params.get("symbol"):
        return 2
    listed = request.params.get("symbols")
    if not listed:
        return 80
    count = listed.count(",") + 1
    return 2 if count <= 20 else 40 if count <= 100 else 80


@router.get(SPOT_HOST, "/api/v3/ticker/24hr", weight=ticker_weight, pool="spot")
def ticker_24hr(call: Call) -> dict[str, Any] | list[dict[str, Any]]:
    symbol, listed = call.params.get("symbol"), call.params.get("symbols")
    if symbol and listed:
        raise invalid_combination()
    spot = {item.id: item for item in INSTRUMENTS if item.market_type == "spot"}
    oracle = call.exchange.state.oracle
    if symbol:
        if symbol not in spot:
            raise invalid_symbol()
        return _ticker(oracle, spot[symbol], call.now_ms)
    if listed is None:
        return [_ticker(oracle, item, call.now_ms) for item in spot.values()]
    if not _SYMBOLS.fullmatch(listed):
        # -1100 ILLEGAL_CHARS, "Illegal characters found in parameter '%s'; legal range is
        # '%s'." (https://developers.binance.com/docs/binance-spot-api-docs/errors); the range
        # is the list shape the ticker page shows
        raise refuse(
            400,
            -1100,
            f"Illegal characters found in parameter 'symbols'; legal range is '{_SYMBOLS_RANGE}'.",
        )
    wanted = json.loads(listed)
    if any(market_id not in spot for market_id in wanted):
        # one unknown symbol refuses the whole list
        raise invalid_symbol()
    return [_ticker(oracle, spot[market_id], call.now_ms) for market_id in dict.fromkeys(wanted)]


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


def _ticker(oracle: PriceOracle, instrument: Instrument, now_ms: int) -> dict[str, Any]:
    """The FULL ticker. The simulator keeps no market-wide order book or tape: the best bid
    is the last price and the ask one tick above, with no sizes, and no trades are counted
    (volumes 0, first and last trade id -1 as Binance prints them for a window without
    trades)."""
    opened, high, low, last = day_prices(oracle, instrument, now_ms)
    change = last - opened
    percent = (change * 100 / opened).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    zero = fixed8(Decimal(0))
    return {
        "symbol": instrument.id,
        "priceChange": fixed8(change),
        "priceChangePercent": format(percent, "f"),
        "weightedAvgPrice": zero,
        "prevClosePrice": fixed8(opened),
        "lastPrice": fixed8(last),
        "lastQty": zero,
        # ccxt reads a ticker with ``bidQty`` as spot; without it, as the USDⓈ-M contract of
        # the same id (binance.py parse_ticker)
        "bidPrice": fixed8(last),
        "bidQty": zero,
        "askPrice": fixed8(last + Decimal(1).scaleb(-instrument.price_decimals)),
        "askQty": zero,
        "openPrice": fixed8(opened),
        "highPrice": fixed8(high),
        "lowPrice": fixed8(low),
        "volume": zero,
        "quoteVolume": zero,
        "openTime": now_ms - DAY_MS,
        "closeTime": now_ms,
        "firstId": -1,
        "lastId": -1,
        "count": 0,
    }

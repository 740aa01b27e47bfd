"""Public endpoints ccxt's ``load_markets``, ``fetch_time`` and ``fetch_tickers`` call.

With ccxt's default options ``load_markets`` asks for the currencies, the spot and margin pairs,
the perpetuals of both settle currencies, the USDT delivery contracts and, per option
underlying, the option contracts.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.gate import catalog
from sync.simulator.exchanges.gate.common import (
    endpoint,
    gate,
    invalid_argument,
    missing,
    money,
    plain,
    refuse,
    settle_of,
)
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS, PriceOracle

router = Router()
HOUR_MS = 3_600_000
_PERCENT = Decimal("0.01")
TIMEZONES = ("utc0", "utc8", "all")


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


@endpoint(router, "/spot/tickers")
def spot_tickers(call: Call) -> list[dict[str, Any]]:
    """``GET /spot/tickers`` ("Get currency pair ticker information",
    https://www.gate.com/docs/developers/apiv4/en/#get-currency-pair-ticker-information):
    ``currency_pair`` alone, else every pair; one request for ccxt's spot ``fetch_tickers``,
    which adds ``timezone=utc0``. Fields as the documented example and gateapi-python
    docs/Ticker.md (@744afea9): ``change_percentage`` is the change over 24 hours in percent
    with two decimals, ``change_utc0`` and ``change_utc8`` since midnight UTC and UTC+8. The
    timezone does not change ``change_percentage``: answers ccxt printed with
    ``timezone=utc0`` carry three different values (ccxt/ccxt#21071). ``lowest_size`` and
    ``highest_size`` are "not available for batch queries", and the ``etf_*`` fields are an
    ETF token's: ordinary pairs here go without them. High, low and volumes come from hourly
    marks of the oracle standing in for the trades."""
    pair = call.params.get("currency_pair")
    timezone = call.params.get("timezone")
    if timezone is not None and timezone not in TIMEZONES:
        raise invalid_argument("timezone")
    items = catalog.SPOT
    if pair:
        items = tuple(item for item in catalog.SPOT if item.id == pair)
        if not items:
            # the label ccxt maps to BadSymbol; the message's wording is not documented [U]
            raise refuse(400, "INVALID_CURRENCY_PAIR", f"Invalid currency pair {pair}")
    oracle = call.exchange.state.oracle
    return [_ticker_row(oracle, item, call.now_ms) for item in items]


def _ticker_row(oracle: PriceOracle, item: Instrument, now_ms: int) -> dict[str, Any]:
    def mark(at_ms: int) -> Decimal:
        return catalog.mark_price(oracle, item, at_ms)

    def change(since: Decimal, last: Decimal) -> str:
        percent = ((last - since) * 100 / since).quantize(_PERCENT, rounding=ROUND_HALF_UP)
        return plain(percent)

    day = [mark(now_ms - DAY_MS + hour * HOUR_MS) for hour in range(25)]
    last, tick = day[-1], Decimal(1).scaleb(-item.price_decimals)
    midnight = now_ms - now_ms % DAY_MS
    # midnight at UTC+8 is 16:00 UTC, today's or yesterday's
    midnight_utc8 = midnight + 16 * HOUR_MS - (DAY_MS if now_ms % DAY_MS < 16 * HOUR_MS else 0)
    base_volume = Decimal(1000)
    return {
        "currency_pair": item.id,
        "last": plain(last),
        "lowest_ask": plain(last + tick),
        "highest_bid": plain(last - tick),
        "change_percentage": change(day[0], last),
        "change_utc0": change(mark(midnight), last),
        "change_utc8": change(mark(midnight_utc8), last),
        "base_volume": plain(base_volume),
        "quote_volume": money(base_volume * sum(day) / len(day)),
        "high_24h": plain(max(day)),
        "low_24h": plain(min(day)),
    }


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

"""Public endpoints ccxt's ``load_markets``, ``fetch_time`` and ``fetch_tickers`` call.

``fetch_markets`` asks for spot symbols, the margin currencies (to mark which spot pairs
trade on margin) and the contracts of all six product types; ``fetch_currencies`` asks for the
coin list. Limits are per IP and second, from each endpoint's page.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bitget import catalog
from sync.simulator.exchanges.bitget.catalog import HOST, INSTRUMENTS, USDT_FUTURES
from sync.simulator.exchanges.bitget.common import ok, plain, product_type
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS, PriceOracle

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


@router.get(HOST, "/api/v2/spot/market/tickers", pool="spot-tickers")
def spot_tickers(call: Call) -> dict[str, Any]:
    """Get Ticker Information (https://www.bitget.com/api-doc/spot/market/Get-Tickers): one
    ``symbol`` or every spot symbol. ccxt's fetch_tickers sends no symbol and keeps the ones
    it was given (bitget.py fetch_tickers, publicSpotGetV2SpotMarketTickers). A symbol the
    simulator does not list answers an empty list, as the symbols endpoint above does."""
    wanted = call.params.get("symbol")
    oracle = call.exchange.state.oracle
    return ok(
        call,
        [
            _spot_ticker(oracle, item, call.now_ms)
            for item in INSTRUMENTS
            if item.market_type == "spot" and wanted in (None, item.id)
        ],
    )


def day_prices(
    oracle: PriceOracle, instrument: Instrument, now_ms: int
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(open, high, low, last) of the 24 hours to ``now_ms``, on the market's tick. The
    oracle's path is straight between its daily closes, so the day's extremes lie at either
    end of the window or at the one daily close inside it."""
    daily_close = now_ms - (now_ms - oracle.first_day_ms) % DAY_MS
    opened, closed, last = (
        _on_tick(oracle, instrument, at) for at in (now_ms - DAY_MS, daily_close, now_ms)
    )
    return opened, max(opened, closed, last), min(opened, closed, last), last


def _on_tick(oracle: PriceOracle, instrument: Instrument, at_ms: int) -> Decimal:
    price = oracle.price(instrument.base, instrument.quote, at_ms)
    return Decimal(round(price * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)


def _ratio(last: Decimal, opened: Decimal) -> str:
    """A change as Bitget prints it: a ratio to 5 decimals ("0.00321"); ccxt multiplies it by
    100 (bitget.py parse_ticker)."""
    return plain(((last - opened) / opened).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))


def _spot_ticker(oracle: PriceOracle, instrument: Instrument, now_ms: int) -> dict[str, Any]:
    """A spot row, numbers unpadded; ``openUtc`` is the price at 00:00 UTC. The simulator
    keeps no market-wide book or tape: the best bid is the last price and the ask one tick
    above, with no sizes, and no volume."""
    opened, high, low, last = day_prices(oracle, instrument, now_ms)
    day_open = _on_tick(oracle, instrument, now_ms - now_ms % DAY_MS)
    return {
        "open": plain(opened),
        "symbol": instrument.id,
        "high24h": plain(high),
        "low24h": plain(low),
        "lastPr": plain(last),
        "quoteVolume": "0",
        "baseVolume": "0",
        "usdtVolume": "0",
        "ts": str(now_ms),
        "bidPr": plain(last),
        "askPr": plain(last + Decimal(1).scaleb(-instrument.price_decimals)),
        "bidSz": "0",
        "askSz": "0",
        "openUtc": plain(day_open),
        "changeUtc24h": _ratio(last, day_open),
        "change24h": _ratio(last, opened),
    }

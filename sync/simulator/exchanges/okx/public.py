"""Public OKX endpoints ccxt's ``load_markets``, ``fetch_time``, ``fetch_status`` and
``fetch_tickers`` call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.okx import catalog
from sync.simulator.exchanges.okx.catalog import HOST, INSTRUMENTS
from sync.simulator.exchanges.okx.common import ok, okx, plain
from sync.simulator.exchanges.okx.errors import invalid, missing, refuse
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS, PriceOracle

# OKX's day starts at 00:00 UTC (sodUtc0) and at 00:00 UTC+8 (sodUtc8).
_UTC8_MS = 8 * 3_600_000

router = Router()


@router.get(HOST, "/api/v5/public/time", pool="time")
def server_time(call: Call) -> dict[str, Any]:
    return ok([{"ts": str(call.now_ms)}])


@router.get(HOST, "/api/v5/system/status", pool="status")
def system_status(call: Call) -> dict[str, Any]:
    """No maintenance scheduled: OKX answers an empty list."""
    return ok([])


@router.get(HOST, "/api/v5/public/instruments", pool="instruments")
def instruments(call: Call) -> dict[str, Any]:
    kind = call.params.get("instType")
    if not kind:
        raise missing("instType")
    family = call.params.get("instFamily") or call.params.get("uly")
    if kind == "OPTION":
        if family not in catalog.OPTION_FAMILIES:
            if not family:
                raise refuse(400, "50015", "Either parameter uly or instFamily is required.")
            raise invalid("instFamily")
        base = family.split("-")[0]
        price = call.exchange.state.oracle.price(base, "USD", call.now_ms)
        rows = catalog.option_rows(family, price, call.now_ms, okx(call).options)
    elif kind in ("SPOT", "MARGIN"):
        # every spot pair here may be traded on margin too (lever "10")
        rows = [catalog.spot_row(item) for item in INSTRUMENTS if not item.contract]
        if kind == "MARGIN":
            rows = [{**row, "instType": "MARGIN"} for row in rows]
    elif kind in ("SWAP", "FUTURES"):
        rows = [
            catalog.contract_row(item)
            for item in INSTRUMENTS
            if item.contract and catalog.inst_type(item) == kind
        ]
        if family:
            rows = [row for row in rows if row["instFamily"] == family]
    else:
        raise invalid("instType")
    wanted = call.params.get("instId")
    if wanted:
        rows = [row for row in rows if row["instId"] == wanted]
    return ok(rows)


@router.get(HOST, "/api/v5/market/tickers", pool="tickers")
def tickers(call: Call) -> dict[str, Any]:
    """Get tickers (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-tickers):
    every instrument of ``instType``, 20 requests per 2 seconds per IP. ccxt's fetch_tickers
    asks for the instType of the symbols it was given and keeps those (okx.py fetch_tickers).

    Spot only: the simulator has no mark or index prices for derivative tickers."""
    kind = call.params.get("instType")
    if not kind:
        raise missing("instType")
    if kind in ("SWAP", "FUTURES", "OPTION"):
        raise call.exchange.rejected("not_found", call.request)
    if kind != "SPOT":
        raise invalid("instType")
    oracle = call.exchange.state.oracle
    return ok(
        [
            _spot_ticker(oracle, item, call.now_ms)
            for item in INSTRUMENTS
            if item.market_type == "spot"
        ]
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


def _spot_ticker(oracle: PriceOracle, instrument: Instrument, now_ms: int) -> dict[str, Any]:
    """A SPOT row, numbers unpadded. The simulator keeps no market-wide book or tape: the best
    bid is the last price and the ask one tick above, with no sizes, and no volume."""
    opened, high, low, last = day_prices(oracle, instrument, now_ms)
    return {
        "instType": "SPOT",
        "instId": instrument.id,
        "last": plain(last),
        "lastSz": "0",
        "askPx": plain(last + Decimal(1).scaleb(-instrument.price_decimals)),
        "askSz": "0",
        "bidPx": plain(last),
        "bidSz": "0",
        "open24h": plain(opened),
        "high24h": plain(high),
        "low24h": plain(low),
        "volCcy24h": "0",
        "vol24h": "0",
        "ts": str(now_ms),
        "sodUtc0": plain(_on_tick(oracle, instrument, now_ms - now_ms % DAY_MS)),
        "sodUtc8": plain(_on_tick(oracle, instrument, now_ms - (now_ms + _UTC8_MS) % DAY_MS)),
    }

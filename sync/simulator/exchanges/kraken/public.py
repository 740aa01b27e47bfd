"""Kraken spot's public endpoints: what ``load_markets``, ``fetch_time`` and
``fetch_tickers`` call.

With ``fetchCurrencies`` on, ccxt's ``load_markets`` asks ``Assets`` first, then
``AssetPairs``; with ``adjustForTimeDifference`` also ``Time``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kraken import catalog
from sync.simulator.exchanges.kraken.catalog import SPOT_HOST, SPOT_PAIRS, SpotPair
from sync.simulator.exchanges.kraken.common import padded, spot_refusal, spot_result
from sync.simulator.prices import DAY_MS

HOUR_MS = 3_600_000
_FIVE = Decimal("0.00001")

router = Router()


@router.get(SPOT_HOST, "/0/public/Time", pool="public")
def server_time(call: Call) -> dict[str, Any]:
    now = datetime.fromtimestamp(call.now_ms / 1000, tz=UTC)
    return spot_result({"unixtime": call.now_ms // 1000, "rfc1123": format_datetime(now, True)})


@router.get(SPOT_HOST, "/0/public/SystemStatus", pool="public")
def system_status(call: Call) -> dict[str, Any]:
    now = datetime.fromtimestamp(call.now_ms / 1000, tz=UTC)
    return spot_result({"status": "online", "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ")})


@router.get(SPOT_HOST, "/0/public/Assets", pool="public")
def assets(call: Call) -> dict[str, Any]:
    rows = catalog.asset_rows()
    wanted = call.params.get("asset")
    if wanted:
        names = set(wanted.split(","))
        rows = {key: row for key, row in rows.items() if key in names or row["altname"] in names}
    return spot_result(rows)


@router.get(SPOT_HOST, "/0/public/AssetPairs", pool="public")
def asset_pairs(call: Call) -> dict[str, Any]:
    rows = catalog.asset_pair_rows()
    wanted = call.params.get("pair")
    if wanted:
        names = set(wanted.split(","))
        rows = {key: row for key, row in rows.items() if key in names or row["altname"] in names}
    return spot_result(rows)


@router.get(SPOT_HOST, "/0/public/Ticker", pool="public")
def ticker(call: Call) -> dict[str, Any]:
    """``GET /0/public/Ticker`` (https://docs.kraken.com/api-reference/market-data/get-ticker-information):
    the pairs named in ``pair`` (keys or altnames, comma separated; all without it), each under
    its key, as Kraken's spec example answers ``pair=XBTUSD`` under ``XXBTZUSD``
    (github.com/krakenfx/api-specs @86715cf5 spot-rest/examples/responses/public/ticker.yaml).
    A name Kraken does not list fails the whole request with ``EQuery:Unknown asset pair``
    (https://docs.kraken.com/api/docs/guides/spot-errors), which ccxt maps to no class.

    ``c`` is the last price, ``o`` today's opening price: "today's prices start at midnight
    UTC", so ccxt's percentage, which it derives from ``o`` (kraken.py parse_ticker), is the
    change since midnight, not over 24 hours. Each pair of values is [today, last 24 hours].
    """
    wanted = call.params.get("pair")
    pairs = SPOT_PAIRS
    if wanted:
        by_name = {name: pair for pair in SPOT_PAIRS for name in (pair.instrument.id, pair.altname)}
        unknown = [name for name in wanted.split(",") if name not in by_name]
        if unknown:
            raise spot_refusal("EQuery:Unknown asset pair")
        pairs = tuple(dict.fromkeys(by_name[name] for name in wanted.split(",")))
    return spot_result({pair.instrument.id: _ticker_row(call, pair) for pair in pairs})


def _ticker_row(call: Call, pair: SpotPair) -> dict[str, Any]:
    instrument = pair.instrument
    oracle = call.exchange.state.oracle
    step = Decimal(pair.tick_size)

    def price_at(at_ms: int) -> Decimal:
        price = oracle.price(instrument.base, instrument.quote, at_ms)
        return Decimal(repr(price)).quantize(step)

    def average(prices: list[Decimal]) -> Decimal:
        return (sum(prices) / len(prices)).quantize(min(step, _FIVE))

    def text(value: Decimal) -> str:
        # prices with at least five decimals, as the spec's example prints XXBTZUSD's
        return padded(value, 5)

    midnight = call.now_ms - call.now_ms % DAY_MS
    # hourly marks of today and of the last 24 hours stand in for the trades
    today = [price_at(at) for at in range(midnight, call.now_ms, HOUR_MS)] + [price_at(call.now_ms)]
    day = [price_at(call.now_ms - DAY_MS + hour * HOUR_MS) for hour in range(25)]
    last = day[-1]
    return {
        "a": [text(last + step), "1", "1.000"],
        "b": [text(last - step), "2", "2.000"],
        "c": [text(last), "0.25000000"],
        "v": [f"{len(today) * 12.5:.8f}", f"{len(day) * 12.5:.8f}"],
        "p": [text(average(today)), text(average(day))],
        "t": [len(today) * 40, len(day) * 40],
        "l": [text(min(today)), text(min(day))],
        "h": [text(max(today)), text(max(day))],
        "o": text(today[0]),
    }

"""Transaction details: ``/api/v5/trade/fills`` (last 3 days) and ``/api/v5/trade/fills-history``
(last 3 months, ``instType`` required), as OKX pages them
(https://www.okx.com/docs-v5/en/#order-book-trading-trade-get-transaction-details-last-3-months).

- newest first, ``limit`` default and maximum 100;
- ``after``: rows with a smaller ``billId`` (older), ``before``: rows with a larger one
  (newer); with ``before`` alone, reading ``fills_before`` says which of them: the page right
  after the cursor ("next_page"), or the newest 100 ("latest");
- ``begin``/``end``: millisecond bounds on ``ts``, both inclusive;
- one request covers every instrument of the ``instType``;
- an account in Spot mode (``acctLv`` 1) is refused every instType but SPOT (51010).

A bill id orders an account's fills across instruments like OKX's do: it grows with time and
is unique per fill: (ts - epoch) << 22 | instrument index << 17 | place among the fills the
instrument printed in the same millisecond.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.okx import catalog
from sync.simulator.exchanges.okx.catalog import HOST
from sync.simulator.exchanges.okx.common import (
    ok,
    okx,
    optional_int,
    page_limit,
    plain,
    require_derivatives,
    rounded,
)
from sync.simulator.exchanges.okx.errors import invalid, missing, unknown_instrument
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import Fill, Series

router = Router()

HISTORY_RETENTION_MS = 90 * DAY_MS
RECENT_RETENTION_MS = 3 * DAY_MS
BILL_EPOCH_MS = 1_500_000_000_000
_INSTRUMENT_SHIFT = 17
_TIME_SHIFT = 22


def bill_id(indexes: dict[str, int], series: Series, index: int) -> int:
    """``indexes``: each instrument's place in the simulator's list."""
    timestamp = series.timestamps[index]
    place = index - bisect_left(series.timestamps, timestamp)
    return (
        (timestamp - BILL_EPOCH_MS) << _TIME_SHIFT
        | indexes[series.instrument.id] << _INSTRUMENT_SHIFT
        | place
    )


def _first_bill_at_least(indexes: dict[str, int], series: Series, bill: int) -> int:
    """Index of the first fill whose bill id is ``bill`` or more (bill ids grow with index)."""
    return bisect_left(range(len(series)), bill, key=lambda index: bill_id(indexes, series, index))


def _order_run(series: Series, order_id: int) -> tuple[int, int]:
    first = series.index_from_order(order_id)
    stop = first
    while stop < len(series) and series.order_ids[stop] == order_id:
        stop += 1
    return first, stop


def _selected_series(call: Call, kind: str | None) -> list[Series]:
    """The account's series the filters ``instType``, ``instFamily``/``uly``, ``instId`` keep."""
    if kind is not None and kind not in catalog.INST_TYPES:
        raise invalid("instType")
    wanted_id = call.params.get("instId")
    if wanted_id and wanted_id not in okx(call).by_id:
        raise unknown_instrument()
    family = call.params.get("instFamily") or call.params.get("uly")
    chosen = []
    for series in call.signed_account().series().values():
        instrument = series.instrument
        if kind is not None and catalog.inst_type(instrument) != kind:
            continue
        if wanted_id and instrument.id != wanted_id:
            continue
        if family and (
            not instrument.contract or f"{instrument.base}-{instrument.quote}" != family
        ):
            continue
        chosen.append(series)
    return chosen


def _page(call: Call, kind: str | None, retention_ms: int) -> list[tuple[int, Series, int]]:
    """(bill id, series, index) of the page asked for, newest first."""
    limit = page_limit(call)
    after, before = optional_int(call, "after"), optional_int(call, "before")
    begin, end = optional_int(call, "begin"), optional_int(call, "end")
    order_id = optional_int(call, "ordId")
    oldest = max(call.now_ms - retention_ms, begin or 0)
    # `before` alone: OKX's fills pages say only "records newer than the requested billId",
    # https://www.okx.com/docs-v5/en/#order-book-trading-trade-get-transaction-details-last-3-months
    # while of candles and history-trades (the wording is copied at
    # https://perpo.gitbook.io/api/market/trades-history) OKX says "The latest data will be
    # returned when using `before` individually". Hence a reading (real-API audit, M1).
    forward = (
        before is not None
        and after is None
        and call.exchange.reading("fills_before", call.signed_account()) == "next_page"
    )
    indexes = okx(call).indexes
    picked: list[tuple[int, Series, int]] = []
    for series in _selected_series(call, kind):
        low = series.index_from_time(oldest)
        high = len(series) if end is None else series.index_after_time(end)
        if order_id is not None:
            run_start, run_stop = _order_run(series, order_id)
            low, high = max(low, run_start), min(high, run_stop)
        if after is not None:
            high = min(high, _first_bill_at_least(indexes, series, after))
        if before is not None:
            low = max(low, _first_bill_at_least(indexes, series, before + 1))
        window = (
            range(low, min(high, low + limit)) if forward else range(max(low, high - limit), high)
        )
        picked.extend((bill_id(indexes, series, index), series, index) for index in window)
    chosen = heapq.nsmallest(limit, picked) if forward else heapq.nlargest(limit, picked)
    return sorted(chosen, reverse=True)


def _sub_type(fill: Fill) -> str:
    """1 buy, 2 sell (spot); 3/4 open long/short, 5/6 close long/short (contracts)."""
    buy = fill.side == "buy"
    if not fill.instrument.contract:
        return "1" if buy else "2"
    if fill.realized_pnl:
        return "6" if buy else "5"
    return "3" if buy else "4"


def _option_fields(call: Call, fill: Fill) -> dict[str, str]:
    """What an option fill adds: the underlying's index price, the premium in USD, and the
    volatility it was priced at (the simulator quotes at the oracle's, marks at it too)."""
    instrument = fill.instrument
    oracle = call.exchange.state.oracle
    index = Decimal(repr(oracle.price(instrument.base, "USD", fill.timestamp)))
    index = index.quantize(Decimal("0.01"))
    volatility = Decimal(repr(oracle.volatility(instrument.base))).quantize(Decimal("0.0001"))
    return {
        "fillIdxPx": plain(index),
        "fillFwdPx": plain(index),
        "fillMarkPx": plain(fill.price),
        "fillPxUsd": rounded(fill.price * index),
        "fillPxVol": plain(volatility),
        "fillMarkVol": plain(volatility),
    }


def _fee_rate(call: Call, fill: Fill) -> Decimal:
    fees = call.exchange.fee_policy
    if fill.instrument.option:
        return fees.option_maker if fill.maker else fees.option_taker
    if fill.instrument.contract:
        return fees.contract_maker if fill.maker else fees.contract_taker
    return fees.spot_maker if fill.maker else fees.spot_taker


def fill_row(call: Call, bill: int, fill: Fill) -> dict[str, Any]:
    instrument = fill.instrument
    row = {
        "instType": catalog.inst_type(instrument),
        "instId": instrument.id,
        "tradeId": str(fill.id),
        "ordId": str(fill.order_id),
        "clOrdId": "",
        "billId": str(bill),
        "subType": _sub_type(fill),
        "tag": "",
        "fillPx": plain(fill.price),
        "fillSz": plain(catalog.contracts(instrument, fill.amount)),
        "fillIdxPx": plain(fill.price) if instrument.contract else "",
        "fillPnl": plain(fill.realized_pnl or Decimal(0)),
        "fillPxVol": "",
        "fillPxUsd": "",
        "fillMarkVol": "",
        "fillFwdPx": "",
        "fillMarkPx": plain(fill.price) if instrument.contract else "",
        "side": fill.side,
        "posSide": "net",
        "execType": "M" if fill.maker else "T",
        # OKX signs fees from the account's side: a charge is negative
        "fee": plain(-fill.fee),
        "feeCcy": fill.fee_currency,
        "feeRate": plain(-_fee_rate(call, fill)),
        "ts": str(fill.timestamp),
        "fillTime": str(fill.timestamp),
        "tradeQuoteCcy": "" if instrument.contract else instrument.quote,
    }
    if instrument.option:
        row.update(_option_fields(call, fill))
    return row


def _rows(call: Call, kind: str | None, retention_ms: int) -> dict[str, Any]:
    if kind not in (None, "SPOT"):
        require_derivatives(call.signed_account())
    return ok(
        [
            fill_row(call, bill, series.fill(index))
            for bill, series, index in _page(call, kind, retention_ms)
        ]
    )


@router.get(HOST, "/api/v5/trade/fills", pool="fills", signed=True)
def recent_fills(call: Call) -> dict[str, Any]:
    return _rows(call, call.params.get("instType") or None, RECENT_RETENTION_MS)


@router.get(HOST, "/api/v5/trade/fills-history", pool="fills-history", signed=True)
def fills_history(call: Call) -> dict[str, Any]:
    kind = call.params.get("instType")
    if not kind:
        raise missing("instType")
    return _rows(call, kind, HISTORY_RETENTION_MS)

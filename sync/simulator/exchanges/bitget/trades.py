"""Account fills: spot per symbol, USDT-M per product type, newest first, paged by ``idLessThan``.

Windows, page sizes and retention follow Bitget's documentation:
- spot ``/api/v2/spot/trade/fills``: symbol required, limit 100 at most, startTime/endTime at
  most 90 days apart, and only the last 90 days at all ("older data can be downloaded from
  web"), https://www.bitget.com/api-doc/spot/trade/Get-Fills;
- ``/api/v2/mix/order/fills``: symbol optional, at most three months apart and three months
  back, https://www.bitget.com/api-doc/contract/trade/Get-Order-Fills;
- ``/api/v2/mix/order/fill-history``: symbol optional, at most a week apart (a week back
  when no time is given), https://www.bitget.com/api-doc/contract/trade/Get-Fill-History;
  how far back it reaches is not documented, so the simulator serves the whole history.

A time missing from a pair is completed with the endpoint's span, as the documentation says.
Each page holds the ``limit`` largest trade ids below ``idLessThan`` inside the window; the
next page starts below the page's smallest id (``endId`` for contracts). Bitget ignores a
``limit`` above the maximum and serves the maximum.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bitget.catalog import HOST, USDT_FUTURES
from sync.simulator.exchanges.bitget.common import (
    ok,
    optional_int,
    page_limit,
    plain,
    product_type,
    refuse,
    required,
)
from sync.simulator.exchanges.bitget.futures import require_futures
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import Fill, Series

router = Router()

PAGE_SIZE = 100
SPOT_SPAN_MS = 90 * DAY_MS
SPOT_RETENTION_MS = 90 * DAY_MS
MIX_FILLS_SPAN_MS = 90 * DAY_MS
MIX_FILLS_RETENTION_MS = 90 * DAY_MS
MIX_HISTORY_SPAN_MS = 7 * DAY_MS


def _window(call: Call, span_ms: int) -> tuple[int, int]:
    start, end = optional_int(call, "startTime"), optional_int(call, "endTime")
    if start is not None and end is not None:
        if start > end:
            raise refuse(call, "40707", "Start time is greater than end time")
        if end - start > span_ms:
            if span_ms == SPOT_SPAN_MS:
                raise refuse(call, "40705", "The start and end time cannot exceed 90 days")
            raise refuse(
                call,
                "00001",
                f"startTime and endTime interval cannot be greater than {span_ms // DAY_MS} days",
            )
        return start, end
    if start is not None:
        return start, start + span_ms
    if end is not None:
        return end - span_ms, end
    return call.now_ms - span_ms, call.now_ms


def _newest(
    series: Series, start: int, end: int, before: int | None, order_id: int | None, limit: int
) -> list[Fill]:
    """Up to ``limit`` fills in [start, end] with ids below ``before``, newest first."""
    first = series.index_from_time(start)
    stop = series.index_after_time(end)
    if before is not None:
        stop = min(stop, bisect_left(series.ids, before, first, max(first, stop)))
    if order_id is None:
        return series.fills(max(first, stop - limit), stop)[::-1]
    matching = [fill for fill in series.fills(first, stop) if fill.order_id == order_id]
    return matching[::-1][:limit]


def _select(
    call: Call, all_series: list[Series], span_ms: int, retention_ms: int | None
) -> list[Fill]:
    start, end = _window(call, span_ms)
    if retention_ms is not None:
        start = max(start, call.now_ms - retention_ms)
    limit = page_limit(call, PAGE_SIZE, PAGE_SIZE)
    before = optional_int(call, "idLessThan")
    order_id = optional_int(call, "orderId")
    pages = [_newest(item, start, end, before, order_id, limit) for item in all_series]
    merged = heapq.merge(*pages, key=lambda fill: fill.id, reverse=True)
    return list(merged)[:limit]


@router.get(HOST, "/api/v2/spot/trade/fills", pool="spot-fills", signed=True)
def spot_fills(call: Call) -> dict[str, Any]:
    market_id = required(call, "symbol")
    instrument = call.exchange.instrument("spot", market_id)
    if instrument is None:
        raise refuse(call, "40034", f"Parameter {market_id} does not exist")
    account = call.signed_account()
    series = account.series().get(instrument.symbol)
    fills = _select(call, [series] if series else [], SPOT_SPAN_MS, SPOT_RETENTION_MS)
    return ok(call, [_spot_row(fill, account.uid) for fill in fills])


def _fee_detail(fill: Fill) -> dict[str, Any]:
    return {
        "deduction": "no",
        "feeCoin": fill.fee_currency,
        "totalDeductionFee": "0",
        "totalFee": plain(-fill.fee),
    }


def _spot_row(fill: Fill, uid: int) -> dict[str, Any]:
    return {
        "userId": str(uid),
        "symbol": fill.instrument.id,
        "orderId": str(fill.order_id),
        "tradeId": str(fill.id),
        "orderType": "limit" if fill.maker else "market",
        "side": fill.side,
        "priceAvg": plain(fill.price),
        "size": plain(fill.amount),
        "amount": plain(fill.cost),
        "feeDetail": {**_fee_detail(fill), "totalDeductionFee": ""},
        "tradeScope": "maker" if fill.maker else "taker",
        "cTime": str(fill.timestamp),
        "uTime": str(fill.timestamp + 40),
    }


def _contract_series(call: Call) -> list[Series]:
    kind = product_type(call)
    require_futures(call)
    wanted = call.params.get("symbol")
    if wanted and call.exchange.instrument("swap", wanted.upper()) is None:
        raise refuse(call, "40034", f"Parameter {wanted} does not exist")
    return [
        item
        for item in call.signed_account().series().values()
        if kind == USDT_FUTURES
        and item.instrument.linear
        and wanted in (None, item.instrument.id.lower(), item.instrument.id)
    ]


def _contract_row(fill: Fill, history: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"tradeId": str(fill.id), "symbol": fill.instrument.id}
    if history:
        row["marginCoin"] = fill.instrument.settle
    row.update(
        {
            "orderId": str(fill.order_id),
            "price": plain(fill.price),
            "baseVolume": plain(fill.amount),
            "feeDetail": [_fee_detail(fill)],
            "side": fill.side,
            "quoteVolume": plain(fill.cost),
            "profit": plain(fill.realized_pnl or Decimal(0)),
            "enterPointSource": "api",
            "tradeSide": f"{fill.side}_single",
            "posMode": "one_way_mode",
            "tradeScope": "maker" if fill.maker else "taker",
            "cTime": str(fill.timestamp),
        }
    )
    return row


def _contract_page(fills: list[Fill], history: bool) -> dict[str, Any]:
    return {
        "fillList": [_contract_row(fill, history) for fill in fills],
        "endId": str(fills[-1].id) if fills else None,
    }


@router.get(HOST, "/api/v2/mix/order/fills", pool="mix-fills", signed=True)
def mix_fills(call: Call) -> dict[str, Any]:
    fills = _select(call, _contract_series(call), MIX_FILLS_SPAN_MS, MIX_FILLS_RETENTION_MS)
    return ok(call, _contract_page(fills, history=False))


@router.get(HOST, "/api/v2/mix/order/fill-history", pool="mix-fill-history", signed=True)
def mix_fill_history(call: Call) -> dict[str, Any]:
    fills = _select(call, _contract_series(call), MIX_HISTORY_SPAN_MS, None)
    return ok(call, _contract_page(fills, history=True))

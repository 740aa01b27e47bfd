"""Fills: spot ``/api/v3/myTrades`` and futures ``/api/v1/private/order/list/order_deals``.

- Spot (https://www.mexc.com/api-docs/spot-v3/spot-account-trade/account-trade-list): one
  symbol per call; only the last month is kept ("Only the transaction records in the past 1
  month can be queried"), older fills are simply absent; ``limit`` defaults to 100 and is at
  most 100; ``startTime``/``endTime`` bound the fills, and without ``startTime`` the latest
  ``limit`` fills come back. Which ``limit`` fills of a fuller window come back, MEXC does not
  document (audit M2; ccxt's recorded response holds one fill): the reading "window_order"
  answers its oldest, oldest first, or its newest, newest first.
- Futures (https://www.mexc.com/api-docs/futures/account-and-trading-endpoints): one symbol
  per call; ``start_time`` defaults to 7 days before ``end_time`` (default now) and the span
  is at most 90 days; nothing older than 90 days is kept, and a ``start_time`` before that is
  refused with the answer ccxt's exception table records (code 400); pages by ``page_num``
  (from 1) of ``page_size`` (default 20, at most 100), newest first. ``vol`` counts
  contracts and ``side`` is 1 open long, 2 close short, 3 open short, 4 close long.

Spot rows are byte-faithful to the real answer ccxt recorded (ts/src/test/static/response/
mexc.json @17e03701, fetchMyTrades): ``id`` is 32 hex digits, ``orderId`` "C02__" and digits,
``orderListId`` the string "-1", ``time`` milliseconds as a string.
"""

from __future__ import annotations

import hashlib
import threading
from array import array
from typing import Any
from weakref import WeakKeyDictionary

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.mexc.catalog import SPOT_HOST, contract_size
from sync.simulator.exchanges.mexc.common import (
    contract_get,
    contract_ok,
    contract_pool,
    optional_int,
    plain,
    spot_pool,
)
from sync.simulator.exchanges.mexc.errors import (
    CONTRACT_NOT_FOUND,
    PARAM_ERROR,
    refuse_contract,
    spot_bad_parameter,
    spot_bad_symbol,
)
from sync.simulator.http import Response
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import Fill, Series

router = Router()

SPOT_RETENTION_MS = 30 * DAY_MS
SPOT_PAGE = 100
CONTRACT_RETENTION_MS = 90 * DAY_MS
CONTRACT_MAX_SPAN_MS = 90 * DAY_MS
CONTRACT_DEFAULT_SPAN_MS = 7 * DAY_MS
CONTRACT_DEFAULT_PAGE = 20
CONTRACT_MAX_PAGE = 100
START_TOO_OLD = (400, "The start time cannot be earlier than 90 days")
TIME_RANGE_ERROR = (6003, "Time range error")

_RUNNING: WeakKeyDictionary[Series, array] = WeakKeyDictionary()
_RUNNING_LOCK = threading.Lock()


def positions_before(series: Series) -> array:
    """The signed position (amount units) held just before each fill of a perpetual."""
    with _RUNNING_LOCK:
        known = _RUNNING.setdefault(series, array("q"))
        # fills appended since (POST /_sim/accounts/<key>/trades) carry the position on
        held = 0
        if known:
            last = len(known) - 1
            held = known[last] + (
                -series.amounts[last] if series.fill(last).side == "sell" else series.amounts[last]
            )
        for index in range(len(known), len(series)):
            known.append(held)
            units = series.amounts[index]
            held += -units if series.fill(index).side == "sell" else units
        return known


def side_code(side: str, held_before: int) -> int:
    """MEXC's deal side: a fill against the position held closes it, otherwise it opens."""
    if side == "buy":
        return 2 if held_before < 0 else 1
    return 4 if held_before > 0 else 3


# -- spot -----------------------------------------------------------------------------------


SPOT_ORDER_PREFIX = "C02__"


def spot_trade_id(fill_id: int | str) -> str:
    """A spot fill's id as MEXC prints it: 32 hex digits, stable for the fill."""
    return hashlib.blake2b(f"mexc spot fill {fill_id}".encode(), digest_size=16).hexdigest()


def _spot_row(fill: Fill) -> dict[str, Any]:
    return {
        "symbol": fill.instrument.id,
        "id": spot_trade_id(fill.id),
        "orderId": f"{SPOT_ORDER_PREFIX}{fill.order_id}",
        "orderListId": "-1",
        "price": plain(fill.price),
        "qty": plain(fill.amount),
        "quoteQty": plain(fill.cost),
        "commission": plain(fill.fee),
        "commissionAsset": fill.fee_currency,
        "time": str(fill.timestamp),
        "isBuyer": fill.side == "buy",
        "isMaker": fill.maker,
        "isBestMatch": True,
        "isSelfTrade": False,
        "clientOrderId": None,
    }


def _spot_selection(call: Call, series: Series) -> list[Fill]:
    limit = optional_int(call, "limit", spot_bad_parameter) or SPOT_PAGE
    # MEXC documents no refusal for a larger limit: the page is capped at its maximum
    limit = min(max(limit, 1), SPOT_PAGE)
    start = optional_int(call, "startTime", spot_bad_parameter)
    end = optional_int(call, "endTime", spot_bad_parameter)
    floor = series.index_from_time(call.now_ms - SPOT_RETENTION_MS)
    first = floor if start is None else max(floor, series.index_from_time(start))
    stop = len(series) if end is None else series.index_after_time(end)
    order_id = (call.params.get("orderId") or "").removeprefix(SPOT_ORDER_PREFIX)
    if order_id:
        if not order_id.isdigit():
            return []
        first = max(first, series.index_from_order(int(order_id)))
        stop = min(stop, series.index_from_order(int(order_id) + 1))
    if start is None:
        # no start: the most recent fills of the range
        return series.fills(max(first, stop - limit), stop)
    if call.exchange.reading("window_order", call.signed_account()) == "newest_first":
        return series.fills(max(first, stop - limit), stop)[::-1]
    return series.fills(first, min(stop, first + limit))


@router.get(
    SPOT_HOST, "/api/v3/myTrades", weight=10, pool=spot_pool("/api/v3/myTrades"), signed=True
)
def spot_trades(call: Call) -> list[dict[str, Any]]:
    market_id = call.params.get("symbol")
    if not market_id:
        raise spot_bad_parameter("symbol")
    instrument = call.exchange.instrument("spot", market_id)
    if instrument is None:
        raise spot_bad_symbol()
    series = call.signed_account().series().get(instrument.symbol)
    if series is None:
        return []
    return [_spot_row(fill) for fill in _spot_selection(call, series)]


# -- futures --------------------------------------------------------------------------------


def contract_int(call: Call, name: str) -> int | None:
    return optional_int(call, name, lambda _: refuse_contract(PARAM_ERROR))


def _deal_row(fill: Fill, held_before: int) -> dict[str, Any]:
    instrument = fill.instrument
    return {
        "id": fill.id,
        "symbol": instrument.id,
        "side": side_code(fill.side, held_before),
        "vol": fill.amount / contract_size(instrument),
        "price": fill.price,
        "feeCurrency": fill.fee_currency,
        "fee": fill.fee,
        "timestamp": fill.timestamp,
        "profit": fill.realized_pnl,
        "category": 1,
        "orderId": fill.order_id,
        # one-way mode: one net position per symbol
        "positionMode": 2,
        "taker": not fill.maker,
    }


def _deal_window(call: Call) -> tuple[int, int]:
    end = contract_int(call, "end_time")
    start = contract_int(call, "start_time")
    end = call.now_ms if end is None else end
    start = end - CONTRACT_DEFAULT_SPAN_MS if start is None else start
    if start < call.now_ms - CONTRACT_RETENTION_MS:
        raise refuse_contract(START_TOO_OLD)
    if end < start or end - start > CONTRACT_MAX_SPAN_MS:
        raise refuse_contract(TIME_RANGE_ERROR)
    return start, end


def _page(call: Call) -> tuple[int, int]:
    page_num = contract_int(call, "page_num") or 1
    page_size = contract_int(call, "page_size") or CONTRACT_DEFAULT_PAGE
    if page_num < 1 or not 1 <= page_size <= CONTRACT_MAX_PAGE:
        raise refuse_contract(PARAM_ERROR)
    return page_num, page_size


@contract_get(
    router,
    "/api/v1/private/order/list/order_deals",
    pool=contract_pool("order_deals", private=True),
    signed=True,
)
def contract_deals(call: Call) -> Response:
    market_id = call.params.get("symbol")
    if not market_id:
        raise refuse_contract(PARAM_ERROR)
    instrument = call.exchange.instrument("swap", market_id)
    if instrument is None:
        raise refuse_contract(CONTRACT_NOT_FOUND)
    start, end = _deal_window(call)
    page_num, page_size = _page(call)
    series = call.signed_account().series().get(instrument.symbol)
    if series is None:
        return contract_ok([])
    held = positions_before(series)
    first = series.index_from_time(start)
    stop = series.index_after_time(end)
    # newest first: page 1 ends at the window's end
    page_stop = stop - (page_num - 1) * page_size
    page_start = max(first, page_stop - page_size)
    rows = [
        _deal_row(series.fill(index), held[index])
        for index in range(page_stop - 1, page_start - 1, -1)
    ]
    return contract_ok(rows)

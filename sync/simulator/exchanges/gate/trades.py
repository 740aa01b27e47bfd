"""Personal trade history, newest first, as Gate pages it.

- spot ``/spot/my_trades``: every pair at once (``currency_pair`` optional), ``limit`` 100 by
  default and at most 1000, ``page`` from 1 with ``limit * (page - 1) <= 1000``; ``from``/``to``
  in seconds at most 30 days apart; without them the last 7 days, with only one of them 7 days
  from (or up to) it (https://www.gate.com/docs/developers/apiv4/en/#list-personal-trading-history);
  ``account`` picks the books: ``spot`` (or ``unified``), ``margin`` (isolated margin) or
  ``cross_margin``; without it Gate answers spot, unified and isolated margin fills together.
  The rows do not say which account a fill was made in. Gate says "The parameters of the
  time range filter are processed according to the order end time" (gateapi-python
  ``docs/SpotApi.md``, ``list_my_trades``); whether ``from``/``to`` compare the fill's own
  time or its order's end is a reading, ``my_trades_time_filter`` (an order ends at its last
  fill here; rows come newest first by fill time either way);
- perpetual ``/futures/{settle}/my_trades_timerange``: ``from``/``to`` without a window limit
  (``to`` defaults to now, ``from`` to the beginning), ``offset`` paging, ``trade_id`` as text;
- perpetual ``/futures/{settle}/my_trades`` (only the last 6 months) and delivery
  ``/delivery/{settle}/my_trades``: ``offset`` or ``last_id`` paging, numeric ``id``; whether
  delivery reads ``last_id`` is a reading (``delivery_last_id``, see the simulator class).
"""

from __future__ import annotations

import heapq
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.gate.common import (
    endpoint,
    invalid_argument,
    missing,
    money,
    optional_int,
    page_limit,
    plain,
    refuse,
    seconds_param,
    seconds_with_fraction,
    settle_of,
)
from sync.simulator.exchanges.gate.derivatives import DELIVERY, opened_account, size_value
from sync.simulator.http import Response
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import Fill, Series

router = Router()

DAY_S = 86_400
SPOT_DEFAULT_SPAN_S = 7 * DAY_S
SPOT_MAX_SPAN_S = 30 * DAY_S
SPOT_MAX_SKIPPED = 1000
FUTURES_RETENTION_MS = 180 * DAY_MS

Row = tuple[int, int, Series, int]  # (timestamp, id, series, index)


def _newest_first(
    series_list: list[Series],
    start_ms: int | None,
    end_ms: int | None,
    keep: Callable[[Series, int], bool] | None = None,
    times: Callable[[Series], Sequence[int]] | None = None,
) -> Iterator[Row]:
    """Fills of all ``series_list`` inside the window, newest first, lazily; the window
    compares each fill's ``times`` (never falling along a series), by default its own."""

    def walk(series: Series) -> Iterator[Row]:
        axis = series.timestamps if times is None else times(series)
        low = 0 if start_ms is None else bisect_left(axis, start_ms)
        high = len(series) if end_ms is None else bisect_right(axis, end_ms)
        for index in range(high - 1, low - 1, -1):
            if keep is None or keep(series, index):
                yield series.timestamps[index], series.ids[index], series, index

    return heapq.merge(
        *(walk(item) for item in series_list), key=lambda row: (row[0], row[1]), reverse=True
    )


def _fills(rows: Iterator[Row], skip: int, limit: int) -> list[Fill]:
    return [series.fill(index) for _, _, series, index in islice(rows, skip, skip + limit)]


def _order_filter(order_id: int | None) -> Callable[[Series, int], bool] | None:
    if order_id is None:
        return None
    return lambda series, index: series.order_ids[index] == order_id


def _series(call: Call, wanted: Callable[[Instrument], bool]) -> list[Series]:
    return [item for item in call.signed_account().series().values() if wanted(item.instrument)]


# -- spot ----------------------------------------------------------------------------------


def _spot_window(call: Call) -> tuple[int, int]:
    """(first, last) second of the window Gate answers for."""
    start, end = seconds_param(call, "from"), seconds_param(call, "to")
    if start is None and end is None:
        end = call.now_ms // 1000
        return end - SPOT_DEFAULT_SPAN_S, end
    if end is None:
        assert start is not None
        return start, start + SPOT_DEFAULT_SPAN_S
    if start is None:
        return end - SPOT_DEFAULT_SPAN_S, end
    if end < start:
        raise invalid_argument("from")
    if end - start > SPOT_MAX_SPAN_S:
        raise refuse(400, "INVALID_PARAM_VALUE", "time range cannot exceed 30 days")
    return start, end


# ``account`` -> the margin modes of the books it answers for (None: spot)
ACCOUNT_BOOKS: dict[str, tuple[str | None, ...]] = {
    "": (None, "isolated"),
    "spot": (None,),
    "unified": (None,),
    "margin": ("isolated",),
    "cross_margin": ("cross",),
}


def _spot_row(fill: Fill) -> dict[str, Any]:
    timestamp = fill.timestamp
    return {
        "id": str(fill.id),
        "create_time": str(timestamp // 1000),
        # microseconds Gate adds to the millisecond; ccxt keeps the first 13 digits
        "create_time_ms": f"{timestamp}.{fill.id % 1000:03d}000",
        "currency_pair": fill.instrument.id,
        "side": fill.side,
        "role": "maker" if fill.maker else "taker",
        "amount": plain(fill.amount),
        "price": plain(fill.price),
        "order_id": str(fill.order_id),
        "fee": plain(fill.fee),
        "fee_currency": fill.fee_currency,
        "point_fee": "0",
        "gt_fee": "0",
        "amend_text": "-",
        "sequence_id": str(fill.id),
        "text": "web",
    }


@endpoint(router, "/spot/my_trades", signed=True)
def spot_trades(call: Call) -> list[dict[str, Any]]:
    limit = page_limit(call)
    page = optional_int(call, "page") or 1
    if page < 1:
        raise invalid_argument("page")
    if limit * (page - 1) > SPOT_MAX_SKIPPED:
        raise refuse(
            400, "INVALID_PARAM_VALUE", "limit * (page - 1) cannot exceed 1000, narrow the range"
        )
    pair, order_id = call.params.get("currency_pair"), call.params.get("order_id")
    if order_id and not pair:
        raise missing("currency_pair")
    instrument = None
    if pair:
        instrument = call.exchange.instrument("spot", pair)
        if instrument is None:
            raise refuse(400, "INVALID_CURRENCY_PAIR", f"Invalid currency pair {pair}")
    modes = ACCOUNT_BOOKS.get(call.params.get("account") or "")
    if modes is None:
        raise invalid_argument("account")
    start, end = _spot_window(call)
    if order_id and not order_id.isdigit():
        return []
    series_list = _series(
        call,
        lambda item: (
            not item.contract
            and item.margin_mode in modes
            and (instrument is None or item.id == instrument.id)
        ),
    )
    keep = _order_filter(int(order_id) if order_id else None)
    by_order = call.exchange.reading("my_trades_time_filter", call.signed_account())
    times = _order_ends if by_order == "order_end_time" else None
    rows = _newest_first(series_list, start * 1000, end * 1000 + 999, keep, times)
    return [_spot_row(fill) for fill in _fills(rows, limit * (page - 1), limit)]


_ORDER_ENDS: weakref.WeakKeyDictionary[Series, array] = weakref.WeakKeyDictionary()
_ORDER_ENDS_LOCK = threading.Lock()


def _order_ends(series: Series) -> array:
    """Per fill, when its order ended: at the order's last fill (an order's fills lie next to
    each other along a series), kept until fills are appended."""
    with _ORDER_ENDS_LOCK:
        cached = _ORDER_ENDS.get(series)
        if cached is not None and len(cached) == len(series):
            return cached
        ends = array("q", series.timestamps)
        for index in range(len(series) - 2, -1, -1):
            if series.order_ids[index] == series.order_ids[index + 1]:
                ends[index] = ends[index + 1]
        _ORDER_ENDS[series] = ends
        return ends


# -- perpetual and delivery ----------------------------------------------------------------

_CLOSE_SIZES: weakref.WeakKeyDictionary[Series, array] = weakref.WeakKeyDictionary()
_CLOSE_LOCK = threading.Lock()


def _close_sizes(series: Series) -> array:
    """Per fill, the signed part of it that closed the position held before it (Gate's
    ``close_size``): replayed once per series, then kept until fills are appended to it."""
    with _CLOSE_LOCK:
        cached = _CLOSE_SIZES.get(series)
        if cached is not None and len(cached) == len(series):
            return cached
        sizes = array("q")
        held = 0
        for index in range(len(series)):
            units = series.amounts[index]
            signed = -units if series.flags[index] & 1 else units
            closing = held != 0 and (held > 0) != (signed > 0)
            closed = min(abs(signed), abs(held)) if closing else 0
            sizes.append(closed if signed > 0 else -closed)
            held += signed
        _CLOSE_SIZES[series] = sizes
        return sizes


def _contract_row(call: Call, series: Series, index: int, id_field: str) -> dict[str, Any]:
    fill = series.fill(index)
    units = series.amounts[index]
    return {
        id_field: str(fill.id) if id_field == "trade_id" else fill.id,
        "create_time": seconds_with_fraction(fill.timestamp, fill.id),
        "contract": fill.instrument.id,
        "order_id": str(fill.order_id),
        "size": size_value(call, -units if fill.side == "sell" else units),
        "close_size": size_value(call, _close_sizes(series)[index]),
        "price": plain(fill.price),
        "role": "maker" if fill.maker else "taker",
        "text": "web",
        "fee": money(fill.fee),
        "point_fee": "0",
    }


def _contract_series(call: Call, book: str) -> list[Series]:
    """The account's series of one book ('usdt', 'btc' or delivery), narrowed to ``contract``."""
    opened_account(call, book)
    if book == DELIVERY:
        series_list = _series(call, lambda item: item.market_type == "future")
    else:
        inverse = book == "btc"
        series_list = _series(
            call, lambda item: item.market_type == "swap" and item.inverse == inverse
        )
    contract = call.params.get("contract")
    if contract is None:
        return series_list
    kind = "future" if book == DELIVERY else "inverse" if book == "btc" else "swap"
    if call.exchange.instrument(kind, contract) is None:
        raise refuse(400, "CONTRACT_NOT_FOUND", f"Contract {contract} not found")
    return [item for item in series_list if item.instrument.id == contract]


def _role_filter(call: Call) -> Callable[[Series, int], bool] | None:
    role = call.params.get("role")
    if role is None:
        return None
    if role not in ("maker", "taker"):
        raise invalid_argument("role")
    maker = role == "maker"
    return lambda series, index: bool(series.flags[index] & 2) == maker


def _offset(call: Call) -> int:
    offset = optional_int(call, "offset") or 0
    if offset < 0:
        raise invalid_argument("offset")
    return offset


def _paginated(rows: list[dict[str, Any]], limit: int, offset: int) -> Response:
    return Response.json(
        rows,
        headers=(("X-Pagination-Limit", str(limit)), ("X-Pagination-Offset", str(offset))),
    )


@endpoint(
    router,
    "/futures/{settle}/my_trades_timerange",
    paths=("/futures/usdt/my_trades_timerange", "/futures/btc/my_trades_timerange"),
    signed=True,
)
def futures_trades_by_time(call: Call) -> Response:
    limit, offset = page_limit(call), _offset(call)
    start, end = seconds_param(call, "from"), seconds_param(call, "to")
    end_ms = (call.now_ms // 1000 if end is None else end) * 1000 + 999
    start_ms = None if start is None else start * 1000
    series_list = _contract_series(call, settle_of(call))
    rows = _newest_first(series_list, start_ms, end_ms, _role_filter(call))
    fills = [
        _contract_row(call, series, index, "trade_id")
        for _, _, series, index in islice(rows, offset, offset + limit)
    ]
    return _paginated(fills, limit, offset)


def _after_last_id(rows: Iterator[Row], last_id: int) -> Iterator[Row]:
    """The rows that follow the one with id ``last_id`` (the previous page's last)."""
    for row in rows:
        if row[1] == last_id:
            break
    return rows


def _trade_list(
    call: Call, book: str, oldest_ms: int | None, *, reads_last_id: bool = True
) -> Response:
    """``reads_last_id`` False: ``last_id`` is checked and then disregarded, as a server that
    dropped it would (the reading ``delivery_last_id``)."""
    limit, offset = page_limit(call), _offset(call)
    last_id = optional_int(call, "last_id")
    series_list = _contract_series(call, book)
    keep = _order_filter(optional_int(call, "order"))
    rows = _newest_first(series_list, oldest_ms, None, keep)
    if last_id is not None and reads_last_id:
        rows = _after_last_id(rows, last_id)
    page = [
        _contract_row(call, series, index, "id")
        for _, _, series, index in islice(rows, offset, offset + limit)
    ]
    response = _paginated(page, limit, offset)
    if call.params.get("count_total") == "1":
        total = sum(1 for _ in _newest_first(series_list, oldest_ms, None, keep))
        response = response.with_headers(("X-Pagination-Total", str(total)))
    return response


@endpoint(
    router,
    "/futures/{settle}/my_trades",
    paths=("/futures/usdt/my_trades", "/futures/btc/my_trades"),
    signed=True,
)
def futures_trades(call: Call) -> Response:
    return _trade_list(call, settle_of(call), call.now_ms - FUTURES_RETENTION_MS)


@endpoint(router, "/delivery/{settle}/my_trades", paths=("/delivery/usdt/my_trades",), signed=True)
def delivery_trades(call: Call) -> Response:
    reading = call.exchange.reading("delivery_last_id", call.signed_account())
    return _trade_list(call, DELIVERY, None, reads_last_id=reading == "honoured")

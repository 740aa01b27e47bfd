"""``/v5/execution/list``: the account's fills of one category, newest first, by cursor.

https://bybit-exchange.github.io/docs/v5/order/execution:
- ``category`` is required (spot, linear, inverse, option); ``symbol`` is optional, so one
  request covers every market of the category;
- without startTime/endTime the last 7 days; only startTime: [start, start + 7 d]; only
  endTime: [end - 7 d, end]; both: at most 7 days apart;
- ``limit`` 1-100, default 50; ``nextPageCursor`` continues within the same query;
- "sorted by execTime in descending order. However, for Classic spot, they are sorted by
  execId in descending order": reading ``classic_spot_order`` (``exec_id``, the documented
  one, or ``exec_time``), per account;
- history reaches back 2 years on a Unified Trading Account; classic spot keeps 180 days
  (exchanges.md 3.2);
- orderId wins over symbol and baseCoin when both are sent;
- derivatives rows carry ``execPnl``, the fill's realized PnL before fees.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bybit.catalog import HOST, category_of, instruments_in
from sync.simulator.exchanges.bybit.common import (
    envelope,
    fixed,
    is_classic,
    optional_int,
    page_limit,
    parameter_error,
    plain,
    required_category,
)
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import Series, decimal_units

router = Router()

WINDOW_MS = 7 * DAY_MS
UTA_RETENTION_MS = 730 * DAY_MS
CLASSIC_SPOT_RETENTION_MS = 180 * DAY_MS

# The order Bybit lists fills in, read backwards, and what its cursor names: (timestamp,
# market id, trade id), or (trade id, market id, timestamp) where fills go by execId
RowKey = tuple[int, str, int]


def _window(call: Call) -> tuple[int, int]:
    start, end = optional_int(call, "startTime"), optional_int(call, "endTime")
    if start is not None and end is not None:
        if end < start:
            raise parameter_error(call, "params error: endTime must be greater than startTime")
        if end - start > WINDOW_MS:
            raise parameter_error(
                call,
                "params error: The time range between startTime and endTime cannot exceed 7 days",
            )
        return start, end
    if start is not None:
        return start, start + WINDOW_MS
    if end is not None:
        return end - WINDOW_MS, end
    return call.now_ms - WINDOW_MS, call.now_ms


def _retention_ms(account: Account, category: str) -> int:
    if is_classic(account) and category == "spot":
        return CLASSIC_SPOT_RETENTION_MS
    return UTA_RETENTION_MS


def _series_of(call: Call, account: Account, category: str) -> list[Series]:
    """The account's series in the category, narrowed by symbol, baseCoin or settleCoin."""
    symbol = call.params.get("symbol")
    base = call.params.get("baseCoin")
    settle = call.params.get("settleCoin")
    if settle and category == "spot":
        raise parameter_error(call, "params error: settleCoin only support linear, inverse")
    wanted = []
    for instrument in instruments_in(category):
        if symbol and instrument.id != symbol:
            continue
        if base and instrument.base != base:
            continue
        if settle and instrument.settle != settle:
            continue
        wanted.append(instrument.symbol)
    all_series = account.series()
    return [all_series[name] for name in wanted if name in all_series]


def _decode_cursor(call: Call) -> RowKey | None:
    raw = call.params.get("cursor")
    if not raw:
        return None
    parts = raw.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        raise parameter_error(call, "params error: cursor invalid")
    return int(parts[0]), parts[1], int(parts[2])


def _encode_cursor(key: RowKey) -> str:
    # Bybit hands cursors out percent-encoded and takes them back the same way
    return quote(f"{key[0]}:{key[1]}:{key[2]}", safe="")


def _by_exec_id(call: Call, account: Account, category: str) -> bool:
    """Whether the fills are listed by execId rather than execTime.

    https://bybit-exchange.github.io/docs/v5/order/execution: "Query users' execution records,
    sorted by execTime in descending order. However, for Classic spot, they are sorted by
    execId in descending order." No recorded answer shows a classic spot page of several
    markets, so reading "exec_time" keeps the UTA order for comparison. Our execIds grow per
    market (trades.generate_series) and say nothing about another market's times; Bybit
    promises no more.
    """
    return (
        is_classic(account)
        and category == "spot"
        and call.exchange.reading("classic_spot_order", account) == "exec_id"
    )


def _candidates(call: Call, account: Account, category: str) -> list[tuple[RowKey, Series, int]]:
    """Every fill the query selects, in Bybit's order, before the cursor and the limit."""
    by_exec_id = _by_exec_id(call, account, category)
    floor = call.now_ms - _retention_ms(account, category)
    order_id = optional_int(call, "orderId")
    if order_id is None:
        start, end = _window(call)
        candidates = _series_of(call, account, category)
    else:
        # orderId outranks symbol and baseCoin, and its fills are found at any age
        start, end = floor, call.now_ms
        candidates = [
            item for item in account.series().values() if category_of(item.instrument) == category
        ]
    start = max(start, floor)
    found: list[tuple[RowKey, Series, int]] = []
    for series in candidates:
        first, stop = series.index_from_time(start), series.index_after_time(end)
        if order_id is not None:
            first = max(first, series.index_from_order(order_id))
        for index in range(first, stop):
            if order_id is not None and series.order_ids[index] != order_id:
                break
            stamp, trade_id = series.timestamps[index], series.ids[index]
            if by_exec_id:
                key = (trade_id, series.instrument.id, stamp)
            else:
                key = (stamp, series.instrument.id, trade_id)
            found.append((key, series, index))
    found.sort(key=lambda item: item[0], reverse=True)
    return found


@router.get(HOST, "/v5/execution/list", pool="execution", signed=True)
def execution_list(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    allowed = (
        ("spot", "linear", "inverse")
        if is_classic(account)
        else ("spot", "linear", "inverse", "option")
    )
    category = required_category(call, allowed)
    limit = page_limit(call, 50, 100)
    cursor = _decode_cursor(call)
    exec_type = call.params.get("execType")
    rows: list[tuple[RowKey, Series, int]] = []
    if category != "option" and exec_type in (None, "", "Trade"):
        rows = _candidates(call, account, category)
    if cursor is not None:
        rows = [row for row in rows if row[0] < cursor]
    page = rows[:limit]
    next_cursor = _encode_cursor(page[-1][0]) if len(rows) > limit else ""
    return envelope(
        {
            "nextPageCursor": next_cursor,
            "category": category,
            "list": [_row(account, series, index) for _, series, index in page],
        },
        call.now_ms,
    )


def _order_span(series: Series, index: int) -> tuple[int, int]:
    """Indexes [first, stop) of the fills of the order that ``index`` belongs to."""
    order_id = series.order_ids[index]
    first = series.index_from_order(order_id)
    stop = index + 1
    while stop < len(series) and series.order_ids[stop] == order_id:
        stop += 1
    return first, stop


def _row(account: Account, series: Series, index: int) -> dict[str, Any]:
    fill = series.fill(index)
    instrument = fill.instrument
    amount_decimals = instrument.amount_decimals
    first, stop = _order_span(series, index)
    order_qty = decimal_units(sum(series.amounts[first:stop]), amount_decimals)
    leaves = decimal_units(sum(series.amounts[index + 1 : stop]), amount_decimals)
    policy = account.exchange.fee_policy
    if instrument.contract:
        rate = policy.contract_maker if fill.maker else policy.contract_taker
    else:
        rate = policy.spot_maker if fill.maker else policy.spot_taker
    mid = account.oracle.price(instrument.base, instrument.quote, fill.timestamp)
    mark = Decimal(round(mid * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)
    price = fixed(fill.price, instrument.price_decimals)
    row: dict[str, Any] = {
        "symbol": instrument.id,
        "orderType": "Limit" if fill.maker else "Market",
        "underlyingPrice": "",
        "orderLinkId": "",
        "side": "Sell" if fill.side == "sell" else "Buy",
        "indexPrice": "",
        "orderId": str(fill.order_id),
        "stopOrderType": "UNKNOWN" if instrument.contract else "",
        "leavesQty": plain(leaves),
        "execTime": str(fill.timestamp),
        "feeCurrency": fill.fee_currency,
        "isMaker": fill.maker,
        "execFee": plain(fill.fee),
        "feeRate": plain(rate),
        "execId": str(fill.id),
        "tradeIv": "",
        "blockTradeId": "",
        "markPrice": fixed(mark, instrument.price_decimals),
        "execPrice": price,
        "markIv": "",
        "orderQty": plain(order_qty),
        "orderPrice": price if fill.maker else "0",
        "execValue": plain(fill.cost),
        "execType": "Trade",
        "execQty": plain(fill.amount),
        "closedSize": "",
        "extraFees": "",
        "seq": fill.id * 10 + 7,
    }
    if instrument.contract:
        # derivatives rows carry createType; ccxt reads its presence as "not spot"
        row["createType"] = "CreateByUser"
        # the fill's realized PnL before fees (Bybit added execPnl to executions in 2025;
        # ccxt 4.5.90 does not read it)
        row["execPnl"] = plain(fill.realized_pnl or Decimal(0))
    return row

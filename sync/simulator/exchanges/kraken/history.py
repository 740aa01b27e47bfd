"""``TradesHistory`` and ``QueryTrades``: every pair in one list, newest first, 50 a page.

https://docs.kraken.com/api/docs/rest-api/get-trade-history: ``start`` (exclusive) and ``end``
(inclusive) take a unix time or a trade txid, ``ofs`` skips that many results, ``count`` is the
total of the whole selection; ``type`` narrows to position trades; ``consolidate_taker``
(default true) merges the fills of one taker order into one trade. Kraken keeps the complete
history, so nothing ages out.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kraken.book import (
    POSTXID_OFFSET,
    Row,
    View,
    book_of,
    market_index,
)
from sync.simulator.exchanges.kraken.catalog import PAIR_BY_SYMBOL, SPOT_HOST
from sync.simulator.exchanges.kraken.common import (
    padded,
    seconds_text,
    spot_refusal,
    spot_result,
    txid,
)

router = Router()

PAGE_SIZE = 50
# ccxt maps exactly this text to BadRequest
INVALID_ARGUMENTS = "EGeneral:Invalid arguments"
TRADE_TYPES = ("all", "any position", "closed position", "closing position", "no position")


def _flag(call: Call, name: str, default: bool) -> bool:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise spot_refusal(INVALID_ARGUMENTS)


def _bound(call: Call, view: View, name: str) -> int | None:
    """Index in ``view`` just past a bound: ``start`` excludes its trade or second and ``end``
    includes it, so both cut after it."""
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if raw in view.index_of:
        return view.index_of[raw] + 1
    try:
        seconds = Decimal(raw)
    except InvalidOperation:
        seconds = Decimal("NaN")
    if not seconds.is_finite():
        raise spot_refusal(INVALID_ARGUMENTS)
    millis = int((seconds * 1000).to_integral_value())
    return view.after_time(millis)


def _offset(call: Call) -> int:
    raw = call.params.get("ofs", "0") or "0"
    if not raw.isdigit():
        raise spot_refusal(INVALID_ARGUMENTS)
    return int(raw)


def trade_row(row: Row, with_trades: bool) -> dict[str, Any]:
    fill = row.first
    pair = PAIR_BY_SYMBOL[fill.instrument.symbol]
    index = market_index(fill.instrument.symbol)
    position = row.position
    body: dict[str, Any] = {
        "ordertxid": txid("O", index, fill.order_id),
        "postxid": position.id if position else txid("T", index + POSTXID_OFFSET, fill.id),
        "pair": fill.instrument.id,
        "time": seconds_text(fill.timestamp),
        "type": fill.side,
        "ordertype": "limit" if fill.maker else "market",
        "price": padded(row.price, fill.instrument.price_decimals),
        "cost": padded(row.cost, pair.cost_decimals),
        "fee": padded(row.fee, pair.cost_decimals),
        "vol": padded(row.amount, pair.lot_decimals),
        "margin": padded(position.margin if position else Decimal(0), pair.cost_decimals),
        "misc": "closing" if row.closing else "",
        "trade_id": fill.id,
        "maker": fill.maker,
    }
    if row.leverage is not None:
        body["leverage"] = str(row.leverage)
    if position is not None:
        body["posstatus"] = position.status
        if position.closed:
            decimals = fill.instrument.price_decimals
            body["cprice"] = padded(position.closing_cost / position.closed, decimals)
            body["ccost"] = padded(position.closing_cost, pair.cost_decimals)
            body["cvol"] = padded(position.closed, pair.lot_decimals)
            body["cmargin"] = padded(
                position.margin * position.closed / position.volume, pair.cost_decimals
            )
            body["net"] = padded(position.realized(), pair.cost_decimals)
        if with_trades:
            body["trades"] = list(position.closing_trades)
    return body


@router.post(SPOT_HOST, "/0/private/TradesHistory", weight=2, pool="private", signed=True)
def trades_history(call: Call) -> dict[str, Any]:
    kind = call.params.get("type") or "all"
    if kind not in TRADE_TYPES:
        raise spot_refusal(INVALID_ARGUMENTS)
    consolidate = _flag(call, "consolidate_taker", True)
    with_trades = _flag(call, "trades", False)
    without_count = _flag(call, "without_count", False)
    view = book_of(call.signed_account()).view(consolidate, kind)
    first = _bound(call, view, "start")
    stop = _bound(call, view, "end")
    first = 0 if first is None else first
    stop = len(view.rows) if stop is None else stop
    total = max(stop - first, 0)
    offset = _offset(call)
    # newest first: the page ends ``offset`` rows before the newest row of the selection
    page_stop = max(stop - offset, first)
    page_start = max(page_stop - PAGE_SIZE, first)
    rows = view.rows[page_start:page_stop][::-1]
    result: dict[str, Any] = {"trades": {row.txid: trade_row(row, with_trades) for row in rows}}
    if not without_count:
        result["count"] = total
    return spot_result(result)


@router.post(SPOT_HOST, "/0/private/QueryTrades", pool="private", signed=True)
def query_trades(call: Call) -> dict[str, Any]:
    wanted = [item for item in (call.params.get("txid") or "").split(",") if item]
    if not wanted or len(wanted) > 20:
        raise spot_refusal(INVALID_ARGUMENTS)
    with_trades = _flag(call, "trades", False)
    view = book_of(call.signed_account()).view(False, "all")
    result = {}
    for item in wanted:
        index = view.index_of.get(item)
        if index is None:
            raise spot_refusal("EQuery:Unknown trade")
        result[item] = trade_row(view.rows[index], with_trades)
    return spot_result(result)

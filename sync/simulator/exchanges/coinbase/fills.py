"""``GET /api/v3/brokerage/orders/historical/fills``: every fill of the key's portfolio.

https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/orders/list-fills
- One stream for all products, newest first; ``product_id``/``product_ids`` narrow it.
- ``start_sequence_timestamp`` (fills at or after) and ``end_sequence_timestamp`` (fills
  before) are RFC 3339 times, with no limit on the span and no retention cut-off.
- ``cursor`` continues where the last page stopped; an empty ``cursor`` means no more pages.
  The cursor is opaque: here it carries the position (time, product, fill) of the last row,
  so pages never skip or repeat fills that share a timestamp.
- ``limit``: Coinbase documents no default; ccxt's ``features`` give 3000 as the largest page,
  the simulator answers 100 when none is asked for and caps larger requests at 3000.
- Fill ids are UUIDs; ``catalog.trade_uuid`` maps the core's integer id to the one printed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, NamedTuple

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.coinbase.accounts import portfolio_uuid, user_uuid
from sync.simulator.exchanges.coinbase.catalog import HOST, order_uuid, trade_uuid
from sync.simulator.exchanges.coinbase.common import bounded_int, parse_time, repeated, rfc3339_ms
from sync.simulator.exchanges.coinbase.errors import invalid_argument
from sync.simulator.trades import Fill, Series

router = Router()

DEFAULT_LIMIT = 100
MAX_LIMIT = 3000


class Position(NamedTuple):
    """Where a fill sits in the newest-first stream; larger means newer."""

    timestamp: int
    product_id: str
    trade_id: int


def encode_cursor(position: Position) -> str:
    raw = json.dumps(list(position), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        timestamp, product_id, trade_id = json.loads(raw)
        if not isinstance(product_id, str):
            raise TypeError(product_id)
        return Position(int(timestamp), product_id, int(trade_id))
    except (ValueError, TypeError):
        raise invalid_argument("invalid cursor") from None


def _stop_before(series: Series, cursor: Position) -> int:
    """Index of the first fill of ``series`` not older than ``cursor`` in stream order."""
    product_id = series.instrument.id
    if product_id < cursor.product_id:
        return series.index_after_time(cursor.timestamp)
    if product_id > cursor.product_id:
        return series.index_from_time(cursor.timestamp)
    # ids grow with time along a series, so the id alone finds the place
    return series.index_from_id(cursor.trade_id)


def select(
    account: Account,
    products: set[str],
    start_ms: int | None,
    end_ms: int | None,
    cursor: Position | None,
    limit: int,
) -> tuple[list[Fill], bool]:
    """Up to ``limit`` fills, newest first, and whether older ones remain."""
    candidates: list[tuple[Position, Series, int]] = []
    for series in account.series().values():
        if products and series.instrument.id not in products:
            continue
        low = 0 if start_ms is None else series.index_from_time(start_ms)
        high = len(series) if end_ms is None else series.index_from_time(end_ms)
        if cursor is not None:
            high = min(high, _stop_before(series, cursor))
        for index in range(max(low, high - limit - 1), high):
            position = Position(series.timestamps[index], series.instrument.id, series.ids[index])
            candidates.append((position, series, index))
    candidates.sort(key=lambda item: item[0], reverse=True)
    page = [series.fill(index) for _, series, index in candidates[:limit]]
    return page, len(candidates) > limit


def _sequence_time(fill: Fill) -> str:
    """When the fill was sequenced: the same millisecond, with microseconds."""
    micros = fill.id * 7919 % 1000
    return rfc3339_ms(fill.timestamp)[:-1] + f"{micros:03d}Z"


def _row(account: Account, fill: Fill) -> dict[str, Any]:
    product_id = fill.instrument.id
    entry = hashlib.sha256(f"{account.seed_key}:{product_id}:{fill.id}".encode()).hexdigest()
    return {
        "entry_id": entry,
        "trade_id": trade_uuid(product_id, fill.id),
        "order_id": order_uuid(product_id, fill.order_id),
        "trade_time": rfc3339_ms(fill.timestamp),
        "trade_type": "FILL",
        "price": format(fill.price, "f"),
        "size": format(fill.amount, "f"),
        "commission": format(fill.fee.normalize(), "f"),
        "product_id": product_id,
        "sequence_timestamp": _sequence_time(fill),
        "liquidity_indicator": "MAKER" if fill.maker else "TAKER",
        "size_in_quote": False,
        "user_id": user_uuid(account),
        "side": fill.side.upper(),
        "retail_portfolio_id": portfolio_uuid(account),
    }


@router.get(HOST, "/api/v3/brokerage/orders/historical/fills", pool="v3_private", signed=True)
def list_fills(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    products = set(repeated(call, "product_id", "product_ids"))
    raw_cursor = call.params.get("cursor")
    page, more = select(
        account,
        products,
        parse_time(call, "start_sequence_timestamp"),
        parse_time(call, "end_sequence_timestamp"),
        decode_cursor(raw_cursor) if raw_cursor else None,
        bounded_int(call, "limit", DEFAULT_LIMIT, MAX_LIMIT),
    )
    last = page[-1] if page else None
    next_cursor = (
        encode_cursor(Position(last.timestamp, last.instrument.id, last.id))
        if more and last
        else ""
    )
    return {"fills": [_row(account, fill) for fill in page], "cursor": next_cursor}

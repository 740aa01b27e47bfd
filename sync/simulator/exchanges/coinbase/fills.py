"""``GET /api/v3/brokerage/orders/historical/fills``: every fill of the key's portfolio.

https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/orders/list-fills
- One stream for all products, newest first; ``product_id``/``product_ids`` narrow it.
- ``start_sequence_timestamp`` (fills at or after) and ``end_sequence_timestamp`` (fills
  before) are RFC 3339 times, with no limit on the span and no retention cut-off. The docs
  say both bounds compare "a trade time"; their names say the sequence timestamp. Which one
  Coinbase compares is a reading, ``fills_time_filter`` (``trade_time`` as the docs word it,
  or ``sequence_timestamp``).
- Each fill carries ``trade_time`` and ``sequence_timestamp``. How far apart they are is a
  reading, ``sequence_offset``: ``same`` (the same millisecond, with microseconds),
  ``later_1ms`` (ccxt's recorded fill, coinbase.py fetch_my_trades: trade_time
  ``01:37:38.091377090Z``, sequence_timestamp ``01:37:38.092520Z``) or ``earlier_60s`` (the
  docs' response example: trade_time ``09:59:59.000Z``, sequence_timestamp ``09:58:59.000Z``).
- ``cursor`` continues where the last page stopped; an empty ``cursor`` means no more pages.
  The cursor is opaque: here it carries the position (time, product, fill) of the last row,
  so pages never skip or repeat fills that share a timestamp.
- ``limit``: Coinbase documents neither a default nor a largest value ("The number of fills
  to display per page"). The simulator answers 100 when none is asked for; what it does with
  a larger one is a reading, ``fills_max_limit``: ``3000`` (ccxt 4.5.90's ``features`` give
  it as the largest page) caps it there, ``100`` cuts it to 100 without a word (the page then
  holds fewer fills and a cursor), ``error`` refuses anything above 100 with 400
  ``INVALID_ARGUMENT``.
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
from sync.simulator.exchanges.coinbase.errors import invalid_argument, limit_too_large
from sync.simulator.trades import Fill, Series

router = Router()

DEFAULT_LIMIT = 100
# ``fills_max_limit`` -> the largest page answered
MAX_LIMITS = {"3000": 3000, "100": 100, "error": 100}
# ``sequence_offset`` -> milliseconds from trade_time to sequence_timestamp
SEQUENCE_OFFSETS_MS = {"same": 0, "later_1ms": 1, "earlier_60s": -60_000}


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


def _sequence_time(fill: Fill, offset_ms: int) -> str:
    """When the fill was sequenced: ``offset_ms`` from its trade time, with microseconds."""
    micros = fill.id * 7919 % 1000
    return rfc3339_ms(fill.timestamp + offset_ms)[:-1] + f"{micros:03d}Z"


def _limit(call: Call, account: Account) -> int:
    reading = call.exchange.reading("fills_max_limit", account)
    largest = MAX_LIMITS[reading]
    if reading == "error":
        raw = call.params.get("limit") or ""
        if raw.isdigit() and int(raw) > largest:
            raise limit_too_large(int(raw), largest)
    return bounded_int(call, "limit", DEFAULT_LIMIT, largest)


def _row(account: Account, fill: Fill, offset_ms: int) -> dict[str, Any]:
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
        "sequence_timestamp": _sequence_time(fill, offset_ms),
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
    offset_ms = SEQUENCE_OFFSETS_MS[call.exchange.reading("sequence_offset", account)]
    # the bounds as trade times: a sequence timestamp is the trade time plus the offset
    by_sequence = call.exchange.reading("fills_time_filter", account) == "sequence_timestamp"
    shift = offset_ms if by_sequence else 0
    start_ms = parse_time(call, "start_sequence_timestamp")
    end_ms = parse_time(call, "end_sequence_timestamp")
    page, more = select(
        account,
        products,
        None if start_ms is None else start_ms - shift,
        None if end_ms is None else end_ms - shift,
        decode_cursor(raw_cursor) if raw_cursor else None,
        _limit(call, account),
    )
    last = page[-1] if page else None
    next_cursor = (
        encode_cursor(Position(last.timestamp, last.instrument.id, last.id))
        if more and last
        else ""
    )
    return {"fills": [_row(account, fill, offset_ms) for fill in page], "cursor": next_cursor}

"""Our own paging loops (never ccxt's `paginate`, which stops at the first empty window).

Both walkers yield one page per request with the cursor that resumes right after it, so the
engine commits each page with its cursor and a crash resumes exactly where it stopped. A full
page that leaves the cursor where it was would be asked for again and again: an exchange that
ignores the cursor's parameter gets a retryable failure instead of an endless walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .errors import ErrorCode, ExchangeCallFailed, failure_for
from .records import TradePage, TradeRecord

Convert = Callable[[list[dict[str, Any]]], list[TradeRecord]]
# After a completed walk the next sync starts this far back: a fill can become visible a
# moment after its own timestamp. What it re-reads is absorbed by the trade identity.
OVERLAP_MS = 60_000


def id_pages(
    *,
    fetch: Callable[[int], list[dict[str, Any]]],
    cursor: dict[str, Any],
    page_size: int,
    convert: Convert,
) -> Iterator[TradePage]:
    """Walk upward by trade id (`fromId`): no window limits, one request per full page."""
    from_id = int(cursor.get("from_id", 0))
    while True:
        trades = fetch(from_id)
        if trades:
            following = max(int(trade["id"]) for trade in trades) + 1
            if len(trades) >= page_size and following <= from_id:
                raise ExchangeCallFailed(failure_for(ErrorCode.BAD_RESPONSE))
            from_id = following
        yield TradePage(convert(trades), {"from_id": from_id})
        if len(trades) < page_size:
            return


def window_pages(
    *,
    fetch: Callable[[int, int], list[dict[str, Any]]],
    cursor: dict[str, Any],
    since_ms: int,
    now_ms: int,
    window_ms: int,
    page_size: int,
    convert: Convert,
) -> Iterator[TradePage]:
    """Walk forward through time windows no longer than the exchange allows.

    `fetch(start, end)` returns at most `page_size` fills, oldest first. A full page continues
    from its last timestamp inside the same window; the ids already seen at that timestamp
    are skipped, because fills sharing a timestamp straddle page boundaries.
    """
    start = int(cursor.get("from_ms", since_ms))
    seen = set(cursor.get("seen", []))
    while start <= now_ms:
        end = min(start + window_ms - 1, now_ms)
        trades = fetch(start, end)
        fresh = [trade for trade in trades if str(trade["id"]) not in seen]
        if len(trades) >= page_size and fresh:
            last = max(int(trade["timestamp"]) for trade in trades)
            at_last = {str(trade["id"]) for trade in trades if int(trade["timestamp"]) == last}
            if last < start or (last == start and at_last <= seen):
                raise ExchangeCallFailed(failure_for(ErrorCode.BAD_RESPONSE))
            seen = at_last | (seen if last == start else set())
            start = last
            yield TradePage(convert(fresh), {"from_ms": start, "seen": sorted(seen)})
            continue
        finished = end >= now_ms
        start = max(end + 1 - OVERLAP_MS, since_ms) if finished else end + 1
        seen = set()
        yield TradePage(convert(fresh), {"from_ms": start, "seen": []})
        if finished:
            return

"""MEXC's spot fills, walked by time windows that each answer less than a full page.

``/api/v3/myTrades`` answers at most 100 fills of a ``startTime``/``endTime`` window and MEXC
documents no order for them (https://www.mexc.com/api-docs/spot-v3/spot-account-trade/
account-trade-list; audit M2): without ``startTime`` it answers the newest, so a full page of a
window may be its newest 100 as well as its oldest. `walking.window_pages` continues after a
full page's newest fill, which is right only if the page held the oldest ones.

So the walk trusts no order: a window that comes back full is halved until it answers less
than a page, and an answer below a page is the whole window, whatever its order. There is no
id cursor (no ``fromId``; ``orderId`` narrows to one order, still 100 fills a page), so a
full page inside one millisecond cannot be split: its fills are kept and the millisecond is
recorded on the cursor (``crowded_ms``) and in the log, as a place where fills may be missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import ErrorCode, ExchangeCallFailed, failure_for
from ..records import TradePage, TradeRecord
from ..walking import OVERLAP_MS

logger = logging.getLogger(__name__)

Fetch = Callable[[int, int], list[dict[str, Any]]]
Convert = Callable[[list[dict[str, Any]]], list[TradeRecord]]


def split_window_pages(
    *,
    fetch: Fetch,
    cursor: dict[str, Any],
    since_ms: int,
    now_ms: int,
    window_ms: int,
    page_size: int,
    convert: Convert,
) -> Iterator[TradePage]:
    """Pages of [cursor's ``from_ms`` or `since_ms`, `now_ms`], one per window answered in full.

    `fetch(start, end)` returns the fills of [start, end], at most `page_size` of them, in any
    order (a fill outside the window is a bad response). The cursor is the next window's
    start and span (``from_ms``, ``span_ms``), so a resumed walk re-reads at most the window
    it was in; the span doubles again after a sparse window, so a busy day does not slow the
    rest of the month down. A cursor without ``span_ms`` (a finished walk, or one of the walk
    that trusted the order) starts with a whole window, and its ``seen`` ids are not needed:
    re-read fills are absorbed by the trade identity.
    """
    start = min(int(cursor.get("from_ms", since_ms)), now_ms)
    span = int(cursor.get("span_ms", window_ms))
    crowded = {int(ms) for ms in cursor.get("crowded_ms", []) if int(ms) >= since_ms}
    halved = False
    while True:
        end = min(start + span - 1, now_ms)
        trades = fetch(start, end)
        if any(not start <= int(trade["timestamp"]) <= end for trade in trades):
            # the window was ignored: halving it would never end
            raise ExchangeCallFailed(failure_for(ErrorCode.BAD_RESPONSE))
        if len(trades) >= page_size and end > start:
            span = (end - start + 1) // 2
            halved = True
            continue
        if len(trades) >= page_size:
            logger.warning(
                "MEXC answered a full page of fills in the one millisecond %s: any beyond "
                "those %s are out of reach",
                start,
                len(trades),
            )
            crowded.add(start)
        trades = sorted(trades, key=lambda trade: (int(trade["timestamp"]), str(trade["id"])))
        noted = {"crowded_ms": sorted(crowded)} if crowded else {}
        if end >= now_ms:
            yield TradePage(
                convert(trades), {"from_ms": max(end + 1 - OVERLAP_MS, since_ms), **noted}
            )
            return
        # right after a halving the next window is the full one's other half: growing it
        # would take in that full window again
        if len(trades) < page_size // 2 and not halved:
            span = min(span * 2, window_ms)
        halved = False
        start = end + 1
        yield TradePage(convert(trades), {"from_ms": start, "span_ms": span, **noted})

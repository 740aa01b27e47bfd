"""KuCoin's fill lists, walked forward by window and paged newest first inside each window.

Every KuCoin fill list answers at most 7 days per query, newest first: the HF lists page to
older fills by ``lastId``, the classic lists by ``currentPage``. `walking.window_pages` expects
oldest-first pages, so it would skip the older fills of a full window; this walker finishes
each window down to its oldest fill before moving to the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..records import TradePage, TradeRecord
from ..walking import OVERLAP_MS

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS

# fetch(start, end, after) -> (trades, the position of the next older page or None when the
# window is done); `after` is None for a window's newest page.
Fetch = Callable[[int, int, Any], tuple[list[dict[str, Any]], Any]]
Convert = Callable[[list[dict[str, Any]]], list[TradeRecord]]


def window_pages(
    *,
    fetch: Fetch,
    cursor: dict[str, Any],
    since_ms: int,
    now_ms: int,
    convert: Convert,
    window_ms: int = WEEK_MS,
) -> Iterator[TradePage]:
    """Pages of every window from the cursor (or `since_ms`) to `now_ms`, one per request.

    Inside a window the cursor keeps the window's bounds and the paging position, so a resumed
    walk finishes that window's older fills before going on; between windows it is the next
    window's start. Fills made while a window is paged lie above the paging position and after
    `now_ms`: the next sync reads them, starting `OVERLAP_MS` before this one's end.
    """
    start = int(cursor.get("from_ms", since_ms))
    end = cursor.get("to_ms")
    after = cursor.get("after")
    if end is None:
        start = min(max(start, since_ms), now_ms)
    while True:
        if end is None:
            end = min(start + window_ms - 1, now_ms)
        trades, after = fetch(start, int(end), after)
        if after is not None:
            yield TradePage(convert(trades), {"from_ms": start, "to_ms": end, "after": after})
            continue
        if end >= now_ms:
            yield TradePage(convert(trades), {"from_ms": max(end + 1 - OVERLAP_MS, since_ms)})
            return
        start, end = int(end) + 1, None
        yield TradePage(convert(trades), {"from_ms": start})


def last_id_fetch(
    call: Callable[[int, int, dict[str, Any]], list[dict[str, Any]]], page_size: int
) -> Fetch:
    """HF lists: a full page continues below its smallest record id (``lastId``), which keeps
    fills of one millisecond split across two pages; a short page ends the window."""

    def fetch(start: int, end: int, after: Any) -> tuple[list[dict[str, Any]], Any]:
        trades = call(start, end, {} if after is None else {"lastId": after})
        if len(trades) < page_size:
            return trades, None
        return trades, min(int(trade["info"]["id"]) for trade in trades)

    return fetch


def page_number_fetch(
    call: Callable[[int, int, dict[str, Any]], list[dict[str, Any]]], page_size: int
) -> Fetch:
    """Classic lists: ``currentPage`` from 1 until a short page. Fills arriving meanwhile push
    older ones down a page, so a later page can repeat a fill but never skip one."""

    def fetch(start: int, end: int, after: Any) -> tuple[list[dict[str, Any]], Any]:
        number = int(after or 1)
        trades = call(start, end, {"currentPage": number, "pageSize": page_size})
        return trades, (number + 1 if len(trades) >= page_size else None)

    return fetch

"""Walking Bitget's fills, which every endpoint serves newest first and pages downward.

Each page is yielded with the cursor that resumes right after it. Inside a walk the cursor
names the walk's window and the id to continue below (`idLessThan`), so a crash resumes in the
middle of a window; between walks it names where the next one starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..records import TradePage, TradeRecord
from ..walking import OVERLAP_MS

DAY_MS = 86_400_000
PAGE = 100
# GET /api/v2/spot/trade/fills: startTime and endTime at most 90 days apart, and only the
# last 90 days at all (https://www.bitget.com/api-doc/spot/trade/Get-Fills).
SPOT_REACH_DAYS = 90
SPOT_SPAN_MS = SPOT_REACH_DAYS * DAY_MS
# GET /api/v2/mix/order/fills: windows of up to 90 days, the last 90 days only
# (https://www.bitget.com/api-doc/contract/trade/Get-Order-Fills).
RECENT_SPAN_MS = 90 * DAY_MS
# GET /api/v2/mix/order/fill-history: windows of a week at most, the whole history
# (https://www.bitget.com/api-doc/contract/trade/Get-Fill-History).
HISTORY_SPAN_MS = 7 * DAY_MS
# order/fills is asked only for windows starting a day inside its reach, so that a slow walk
# never asks for a start the exchange has stopped serving meanwhile.
RECENT_MARGIN_MS = DAY_MS

# A request's time and paging parameters -> the raw fills of that page.
Fetch = Callable[[dict[str, Any]], list[dict[str, Any]]]
Convert = Callable[[list[dict[str, Any]]], list[TradeRecord]]


def _page_request(start: int, end: int, below: str | None) -> dict[str, Any]:
    request: dict[str, Any] = {"startTime": start, "endTime": end, "limit": PAGE}
    if below is not None:
        request["idLessThan"] = below
    return request


def _smallest_id(rows: list[dict[str, Any]]) -> str:
    """The id the next page continues below: the smallest of the page, read from the raw rows
    (ccxt re-sorts parsed trades by time)."""
    return str(min(int(row["tradeId"]) for row in rows))


def spot_pages(
    *, fetch: Fetch, convert: Convert, cursor: dict[str, Any], since_ms: int, now_ms: int
) -> Iterator[TradePage]:
    """One symbol's fills, a walk at a time, each walk from the top down.

    While a walk over [start, end] runs, the cursor holds it and the id to continue below;
    once it reaches the bottom, only its end (`newest_ms`). The next walk starts a little
    before that end and stops at its first short page: one request when nothing happened.
    """
    if int(cursor.get("end", -1)) >= since_ms:
        start, end, below = int(cursor["start"]), int(cursor["end"]), cursor.get("below")
    else:
        # No walk under way, or one whose fills have all passed out of Bitget's reach.
        newest = cursor.get("newest_ms")
        start = since_ms if newest is None else int(newest) - OVERLAP_MS
        end, below = now_ms, None
    start = max(start, since_ms, end - SPOT_SPAN_MS)
    while True:
        rows = fetch(_page_request(start, end, below))
        if len(rows) < PAGE:
            yield TradePage(convert(rows), {"newest_ms": end})
            return
        below = _smallest_id(rows)
        yield TradePage(convert(rows), {"start": start, "end": end, "below": below})


def mix_pages(
    *,
    fetch_recent: Fetch,
    fetch_history: Fetch,
    convert: Convert,
    cursor: dict[str, Any],
    since_ms: int,
    now_ms: int,
) -> Iterator[TradePage]:
    """A product type's fills, oldest window first, each window from the top down.

    Weeks of fill-history until the last 90 days, which order/fills serves in one window. The
    cursor is the next window's start (`from_ms`); inside a window that needs more than one
    page it also holds the window's end (`to_ms`) and the id to continue below.
    """
    start = max(int(cursor.get("from_ms", since_ms)), since_ms)
    end, below = cursor.get("to_ms"), cursor.get("below")
    while start <= now_ms:
        recent = start >= now_ms - RECENT_SPAN_MS + RECENT_MARGIN_MS
        span = RECENT_SPAN_MS if recent else HISTORY_SPAN_MS
        if end is None or not 0 <= int(end) - start <= span:
            # A new window, or one begun on order/fills that has since left its reach: walk
            # it again from its start (what is read twice is absorbed by the trade ids).
            end, below = (now_ms if recent else min(start + span - 1, now_ms)), None
        end = int(end)
        rows = (fetch_recent if recent else fetch_history)(_page_request(start, end, below))
        if len(rows) >= PAGE:
            below = _smallest_id(rows)
            yield TradePage(convert(rows), {"from_ms": start, "to_ms": end, "below": below})
            continue
        finished = end >= now_ms
        start = max(end + 1 - OVERLAP_MS, since_ms) if finished else end + 1
        end = below = None
        yield TradePage(convert(rows), {"from_ms": start})
        if finished:
            return

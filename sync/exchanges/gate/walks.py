"""Gate's two ways through a trade history, both newest first inside what one request covers.

- By time range and position (spot ``page``, perpetual ``offset``): the range's upper bound
  stays fixed while paging, so fills arriving meanwhile can only push older rows onto later
  pages (read twice, absorbed by the trade identity), never skip them.
- By ``last_id`` with no time filter (delivery): the walk goes back from the newest fill until
  it reaches what the previous walk had already read, or the start of the history.

Every page carries the cursor that resumes right after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..records import TradePage, TradeRecord
from ..walking import OVERLAP_MS

PAGE = 1000
OVERLAP_S = OVERLAP_MS // 1000

Trades = list[dict[str, Any]]
Convert = Callable[[Trades], list[TradeRecord]]


def range_pages(
    *,
    fetch: Callable[[int, int, int], Trades],
    cursor: dict[str, Any],
    since_s: int,
    now_s: int,
    span_s: int | None,
    max_skip: int | None,
    convert: Convert,
) -> Iterator[TradePage]:
    """Windows of at most ``span_s`` seconds (None: one window), oldest window first.

    ``fetch(start_s, to_s, skip)`` answers at most PAGE fills of ``[start_s, to_s]`` (whole
    seconds, both included), newest first, skipping the ``skip`` newest. Where the exchange
    refuses to skip more than ``max_skip`` rows, the walk narrows ``to_s`` to the oldest second
    it has read and starts skipping again from zero.
    """
    start = max(int(cursor.get("from_s", since_s)), since_s)
    end: int | None = cursor.get("end_s")
    top = int(cursor.get("to_s", end or 0))
    skip = int(cursor.get("skip", 0))
    if end is not None and top < start:
        end = None  # a window left unfinished so long ago that it is out of reach now
    while True:
        if end is None:
            end = now_s if span_s is None else min(start + span_s - 1, now_s)
            top, skip = end, 0
        trades = fetch(start, top, skip)
        full = len(trades) >= PAGE
        if full and (max_skip is None or skip + PAGE <= max_skip):
            skip += PAGE
        elif full:
            oldest = min(int(trade["timestamp"]) for trade in trades) // 1000
            # Gate pages no deeper into one range: the rest of it lies at or before the oldest
            # second read. Only a single second holding more fills than the deepest page
            # could still hide some; then the walk has to move below it.
            top, skip = (oldest if oldest < top else top - 1), 0
            full = top >= start
        if full:
            yield TradePage(
                convert(trades), {"from_s": start, "end_s": end, "to_s": top, "skip": skip}
            )
            continue
        # A fill can become visible a moment after its own time, and a window resumed from an
        # earlier sync ended at that sync's "now": the next window starts a little back.
        finished = end >= now_s
        start, end = max(end + 1 - OVERLAP_S, since_s), None
        yield TradePage(convert(trades), {"from_s": start})
        if finished:
            return


def last_id_pages(
    *,
    fetch: Callable[[str | None], Trades],
    cursor: dict[str, Any],
    since_ms: int,
    convert: Convert,
) -> Iterator[TradePage]:
    """Back from the newest fill by ``last_id`` until the walk meets the previous one.

    The cursor keeps ``stop_ms``, the newest fill time of the last completed walk; during a
    walk also ``top_ms``, the newest fill time of this one, and ``last_id``, where it resumes.
    """
    stop_ms: int | None = cursor.get("stop_ms")
    top_ms: int | None = cursor.get("top_ms")
    last_id: str | None = cursor.get("last_id")
    resumed = last_id is not None
    while True:
        floor = since_ms if stop_ms is None else max(since_ms, stop_ms - OVERLAP_MS)
        trades = fetch(last_id)
        if trades and top_ms is None:
            top_ms = max(int(trade["timestamp"]) for trade in trades)
        oldest = min(
            trades, key=lambda trade: (int(trade["timestamp"]), int(trade["id"])), default=None
        )
        if oldest is None or len(trades) < PAGE or int(oldest["timestamp"]) < floor:
            stop_ms = top_ms if top_ms is not None else stop_ms
            yield TradePage(convert(trades), {} if stop_ms is None else {"stop_ms": stop_ms})
            if not resumed:
                return
            # a walk resumed from an earlier sync: what came since is above where it began
            top_ms, last_id, resumed = None, None, False
            continue
        last_id = str(oldest["id"])
        yield TradePage(convert(trades), {"stop_ms": stop_ms, "top_ms": top_ms, "last_id": last_id})

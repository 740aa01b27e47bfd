"""Gate's two ways through a trade history, both newest first inside what one request covers.

- By time range and position (spot ``page``, perpetual ``offset``): the range's upper bound
  stays fixed while paging, so fills arriving meanwhile can only push older rows onto later
  pages (read twice, absorbed by the trade identity), never skip them.
- By ``last_id`` with no time filter (delivery): the walk goes back from the newest fill until
  it reaches what the previous walk had already read, or the start of the history; by
  ``offset`` where Gate turns out to ignore ``last_id``. Gate documents no time range for
  delivery fills (gateapi-python v6.104.3 ``docs/DeliveryApi.md``, ``get_my_delivery_trades``:
  contract, order, limit, offset, last_id, count_total), so offset is the only other way.

Every page carries the cursor that resumes right after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..errors import ErrorCode, ExchangeCallFailed, failure_for
from ..records import TradePage, TradeRecord
from ..walking import OVERLAP_MS

PAGE = 1000
OVERLAP_S = OVERLAP_MS // 1000

Trades = list[dict[str, Any]]
Convert = Callable[[Trades], list[TradeRecord]]


def _key(trade: dict[str, Any]) -> tuple[int, int]:
    """Where a fill sits in Gate's newest-first order: by time, then by id."""
    return int(trade["timestamp"]), int(trade["id"])


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
    refuses to skip more than ``max_skip`` rows, a range holding more is read as several
    narrower ranges, oldest first: the first from the same start, sized from how densely the
    pages read were filled, each next one from where the last ended. The ranges cut the time
    axis, never the rows of one range at a fill's own time: Gate may compare ``from``/``to``
    with the end time of a fill's order ("processed according to the order end time",
    gateapi-python ``docs/SpotApi.md``, ``list_my_trades``), and then a fill made before such
    a cut by an order that ended after it would fall outside both sides. A full page that
    reaches no further back than the one before it in the same range means the exchange
    ignored the skip: the walk fails (retryably) instead of asking for the same page forever.

    The cursor keeps the window (``from_s`` .. ``end_s``), the range being read (``from_s``
    .. ``to_s``) and ``skip``; what lies above ``to_s`` up to ``end_s`` is still to read.
    """
    start = max(int(cursor.get("from_s", since_s)), since_s)
    end: int | None = cursor.get("end_s")
    top = int(cursor.get("to_s", end or 0))
    skip = int(cursor.get("skip", 0))
    if end is not None and top < start:
        end = None  # a window left unfinished so long ago that it is out of reach now
    # the oldest fill of the page before, when this page skips past it in the same range
    before: tuple[int, int] | None = None
    while True:
        if end is None:
            end = now_s if span_s is None else min(start + span_s - 1, now_s)
            top, skip = end, 0
        trades = fetch(start, top, skip)
        full = len(trades) >= PAGE
        oldest_read = min(map(_key, trades), default=None)
        if full and before is not None and oldest_read is not None and oldest_read >= before:
            raise ExchangeCallFailed(failure_for(ErrorCode.BAD_RESPONSE))
        before = None
        read = skip + len(trades)
        if full and (max_skip is None or skip + PAGE <= max_skip):
            skip, before = skip + PAGE, oldest_read
        elif full and top > start:
            # Gate pages no deeper into this range: read a narrower one from its start
            top, skip = _narrower(start, top, read, oldest_read, max_skip), 0
        elif top < end:
            # this range is read (or is one second holding more than Gate pages, whose
            # fills beyond the deepest page no range can reach): on to the next one
            start, top, skip = top + 1, _next_top(start, top, read, end, max_skip), 0
        else:
            # A fill can become visible a moment after its own time, and a window resumed
            # from an earlier sync ended at that sync's "now": the next window starts a little
            # back. That "now" was rounded down to its second, so the overlap counts from the
            # second's start: a fill made up to OVERLAP_MS before that sync's "now" and seen
            # only after it is read.
            finished = end >= now_s
            start, end = max(end - OVERLAP_S, since_s), None
            yield TradePage(convert(trades), {"from_s": start})
            if finished:
                return
            continue
        yield TradePage(convert(trades), {"from_s": start, "end_s": end, "to_s": top, "skip": skip})


def _target(max_skip: int | None) -> int:
    """How many fills a narrower range is sized to hold: a fifth less than Gate serves of one
    range, so that one a little denser than the fills it is sized from still fits."""
    return ((max_skip or 0) + PAGE) * 4 // 5


def _narrower(
    start: int, top: int, read: int, oldest: tuple[int, int] | None, max_skip: int | None
) -> int:
    """The end of a range from ``start`` sized by the ``read`` newest fills of
    ``[start, top]``, which went back to the fill ``oldest``; always below ``top``."""
    reached = top - 1 if oldest is None else max(start, min(top, oldest[0] // 1000))
    span = (top - reached + 1) * _target(max_skip) // max(read, 1)
    return max(start, min(top - 1, start + span - 1))


def _next_top(start: int, top: int, read: int, end: int, max_skip: int | None) -> int:
    """The end of the range after ``[start, top]``, which held ``read`` fills: sized by that
    density, at most twice as wide (what lies ahead may be denser), never past ``end``."""
    width = top - start + 1
    span = min(2 * width, width * _target(max_skip) // max(read, 1))
    return min(end, top + max(span, 1))


def last_id_pages(
    *,
    fetch: Callable[[str | None, int], Trades],
    cursor: dict[str, Any],
    since_ms: int,
    convert: Convert,
) -> Iterator[TradePage]:
    """Back from the newest fill until the walk meets the previous one.

    ``fetch(last_id, offset)`` answers at most PAGE fills, newest first: those after the fill
    ``last_id`` when it is given, else those after the ``offset`` newest. Whether Gate still
    honours ``last_id`` here is unsettled (audit "Gate delivery last_id"), so a page asked for
    after a fill must hold nothing newer than that fill. One that does is the newest page
    again: the walk takes it as such and goes on by ``offset``, where every full page must
    reach further back than the one before; one that does not means Gate ignores the offset
    too, and the walk fails (retryably) instead of asking for the same page forever.

    The cursor keeps ``stop_ms``, the newest fill time of the last completed walk; during a
    walk also ``top_ms``, the newest fill time of this one, and where it resumes: after the
    oldest fill read (``last_id``, at ``last_ms``), or at ``offset``.
    """
    stop_ms: int | None = cursor.get("stop_ms")
    top_ms: int | None = cursor.get("top_ms")
    offset: int | None = cursor.get("offset")
    # the oldest fill read so far, where a page by last_id goes on from
    after: tuple[int, int] | None = None
    if "last_ms" in cursor:
        after = int(cursor["last_ms"]), int(cursor["last_id"])
    elif "last_id" in cursor:
        top_ms = None  # a cursor from before the fill's time was kept: walk again from the top
    resumed = after is not None or offset is not None
    # the oldest fill of the page read by offset before this one, in this run: after a break,
    # fills made meanwhile may fill the first page again with newer ones
    before: tuple[int, int] | None = None
    while True:
        floor = since_ms if stop_ms is None else max(since_ms, stop_ms - OVERLAP_MS)
        asked_after = after if offset is None else None
        trades = fetch(None if asked_after is None else str(asked_after[1]), offset or 0)
        keys = sorted(_key(trade) for trade in trades)
        if asked_after is not None and keys and keys[-1] > asked_after:
            offset = 0  # last_id ignored: this is the newest page, the first of a walk by offset
        full = len(trades) >= PAGE
        if full and offset is not None and before is not None and keys[0] >= before:
            raise ExchangeCallFailed(failure_for(ErrorCode.BAD_RESPONSE))
        if keys and top_ms is None:
            top_ms = keys[-1][0]
        if not full or keys[0][0] < floor:
            stop_ms = top_ms if top_ms is not None else stop_ms
            yield TradePage(convert(trades), {} if stop_ms is None else {"stop_ms": stop_ms})
            if not resumed:
                return
            # a walk resumed from an earlier sync: what came since is above where it began
            top_ms, after, offset, before, resumed = None, None, None, None, False
            continue
        walk = {"stop_ms": stop_ms, "top_ms": top_ms}
        if offset is None:
            after = keys[0]
            yield TradePage(
                convert(trades), {**walk, "last_id": str(after[1]), "last_ms": after[0]}
            )
        else:
            offset, before = offset + PAGE, keys[0]
            yield TradePage(convert(trades), {**walk, "offset": offset})

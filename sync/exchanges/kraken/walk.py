"""The newest-first walk both Kraken histories need, and a cursor that resumes it.

Kraken hands out spot trades and futures fills newest first, with no way to ask for what came
after a known trade in ascending order. So every sync walks down from the newest trade to a
lower bound, and the cursor keeps both ends:

- ``top``: the time (ms) of the newest trade of the last finished walk, and ``recent``: the ids
  of its trades no older than ``OVERLAP_MS`` below ``top``. The next walk stops at
  ``top - OVERLAP_MS`` (a trade can become visible a moment after its own timestamp) and skips
  the ids in ``recent``, so a sync with nothing new reads one page and yields nothing.
- ``walk``: an unfinished walk: its ``lower`` bound, the newest time it found (``upper``), the
  ids near ``upper`` (its future ``recent``) and ``at``, where the exchange-specific source
  resumes. A walk that was cut off is finished first; then one more walk from the new ``top``
  brings what arrived meanwhile.

Every page's cursor resumes right after that page, so a crash repeats at most one page, which
the trade identity absorbs, and skips nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..records import TradePage, TradeRecord
from ..walking import OVERLAP_MS

Row = dict[str, Any]


@dataclass(frozen=True)
class Batch:
    """One response: its rows (newest first), and where the walk goes on (None: it is done)."""

    rows: list[Row]
    at: dict[str, Any] | None


# (where to resume, or None for the newest page; the walk's lower bound in ms) -> one response
Fetch = Callable[[dict[str, Any] | None, int], Batch]
# a row -> (its id, its time in ms)
Identify = Callable[[Row], tuple[str, int]]
Convert = Callable[[list[Row]], list[TradeRecord]]


def newest_first_pages(
    *,
    fetch: Fetch,
    identify: Identify,
    convert: Convert,
    cursor: dict[str, Any],
    since_ms: int,
) -> Iterator[TradePage]:
    """Pages of one stream down to the last walk's ``top`` (or ``since_ms``), as described above."""
    top: int | None = cursor.get("top")
    recent: list[str] = list(cursor.get("recent") or [])
    walk: dict[str, Any] | None = cursor.get("walk")
    again = walk is not None
    while True:
        if walk is None:
            lower = since_ms if top is None else max(top - OVERLAP_MS, since_ms)
            walk = {"lower": lower, "upper": None, "recent": [], "at": None}
        known = set(recent)
        while True:
            batch = fetch(walk["at"], walk["lower"])
            stamped = [(row, *identify(row)) for row in batch.rows]
            upper = walk["upper"]
            if upper is None and stamped:
                upper = max(ms for _, _, ms in stamped)
            near_upper = list(walk["recent"])
            fresh = []
            for row, trade_id, ms in stamped:
                if upper is not None and ms >= upper - OVERLAP_MS and trade_id not in near_upper:
                    near_upper.append(trade_id)
                if ms >= walk["lower"] and trade_id not in known:
                    fresh.append(row)
            records = convert(fresh)
            if batch.at is None:
                if upper is not None:
                    top, recent = upper, near_upper
                walk = None
                yield TradePage(records, {} if top is None else {"top": top, "recent": recent})
                break
            walk = {"lower": walk["lower"], "upper": upper, "recent": near_upper, "at": batch.at}
            position: dict[str, Any] = {"walk": walk}
            if top is not None:
                position.update(top=top, recent=recent)
            yield TradePage(records, position)
        if not again:
            return
        again = False

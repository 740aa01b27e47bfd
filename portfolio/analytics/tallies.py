"""What the database adds up for the analytics page (GROUP BY), by UTC day, in a form that adds
up again.

Every figure is kept per day for all time, so any range is a filter (`between`) and a new day
needs nothing read again; every figure is a count, a sum, a largest or a smallest, so the
tallies of new trades merge into those kept from before (`merge`). FIFO is the only figure
that depends on order; it lives in fifo.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .fifo import Day


@dataclass
class Tallies:
    # (day, market type, symbol, quote) → [fills, cost, derivative fills without PnL]
    volume: dict[tuple[date, str, str, str], list] = field(default_factory=dict)
    # (day, exchange, fee currency) → [fills, fee]
    fees: dict[tuple[date, str, str], list] = field(default_factory=dict)
    # (day, hour) → fills
    clock: dict[tuple[date, int], int] = field(default_factory=dict)
    # (day, PnL currency) → the exchange-reported realized PnL of derivative fills
    derivatives: dict[tuple[date, str], Day] = field(default_factory=dict)
    # (day, asset) → [entries, amount] of the ledger's funding fees
    funding: dict[tuple[date, str], list] = field(default_factory=dict)

    def _parts(self) -> tuple[dict, ...]:
        return (self.volume, self.fees, self.clock, self.derivatives, self.funding)

    def merge(self, other: Tallies) -> None:
        for mine, theirs in zip(self._parts(), other._parts(), strict=True):
            for key, value in theirs.items():
                kept = mine.get(key)
                if kept is None:
                    mine[key] = value
                elif isinstance(kept, Day):
                    kept.merge(value)
                elif isinstance(kept, list):
                    mine[key] = [a + b for a, b in zip(kept, value, strict=True)]
                else:
                    mine[key] = kept + value

    def between(self, start: date, end: date) -> Tallies:
        """The days from `start` to `end`, both included (the values are shared, not copied:
        read them, do not change them)."""
        return Tallies(
            *({key: value for key, value in part.items() if start <= key[0] <= end}
              for part in self._parts())
        )  # fmt: skip

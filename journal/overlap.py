"""The same fill, whichever way it arrived: by the exchange's trade id, or, where an export has
none, by (time ±1 s, symbol, side, amount, price).

Used both ways: a CSV import skips fills the journal already holds (from the API, an earlier
file or a manual entry), and an API sync skips fills a CSV import brought first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from .models import Trade

TIME_SLACK = timedelta(seconds=1)
# Rows compared per query: a window of time that holds this many fills of the file.
CHUNK = 5000
# A fill imported from a file without the exchange's id gets one made of its own values.
NO_ID_PREFIX = "csv:"


@dataclass(frozen=True)
class Fill:
    """What identifies a fill when the exchange's id is missing."""

    symbol: str
    side: str
    amount: Decimal
    price: Decimal
    executed_at: datetime
    trade_id: str = ""

    @property
    def key(self) -> tuple[str, str, Decimal, Decimal]:
        return (self.symbol, self.side, self.amount.normalize(), self.price.normalize())


def matches(fills: Sequence[Fill], among: QuerySet[Trade]) -> dict[int, int]:
    """{index in `fills`: pk of the journal trade it is} for fills `among` already holds.

    Fills with an id are looked up by it (same symbol); the rest by their values, within a
    second. Each journal row answers for one fill at most.
    """
    found: dict[int, int] = {}
    with_id = [(index, fill) for index, fill in enumerate(fills) if fill.trade_id]
    for start in range(0, len(with_id), CHUNK):
        chunk = with_id[start : start + CHUNK]
        rows = among.filter(exchange_trade_id__in={fill.trade_id for _, fill in chunk})
        known = {
            (symbol, trade_id): pk
            for pk, symbol, trade_id in rows.values_list("pk", "symbol", "exchange_trade_id")
        }
        for index, fill in chunk:
            pk = known.get((fill.symbol, fill.trade_id))
            if pk is not None:
                found[index] = pk
    without_id = sorted(
        ((index, fill) for index, fill in enumerate(fills) if index not in found),
        key=lambda pair: pair[1].executed_at,
    )
    taken: set[int] = set(found.values())
    for start in range(0, len(without_id), CHUNK):
        chunk = without_id[start : start + CHUNK]
        index_of = _by_values(
            among,
            symbols={fill.symbol for _, fill in chunk},
            since=chunk[0][1].executed_at - TIME_SLACK,
            until=chunk[-1][1].executed_at + TIME_SLACK,
        )
        for index, fill in chunk:
            for executed_at, pk in index_of.get(fill.key, ()):
                if pk not in taken and abs(executed_at - fill.executed_at) <= TIME_SLACK:
                    found[index] = pk
                    taken.add(pk)
                    break
    return found


def _by_values(
    among: QuerySet[Trade], *, symbols: Iterable[str], since: datetime, until: datetime
) -> dict[tuple[str, str, Decimal, Decimal], list[tuple[datetime, int]]]:
    index: dict[tuple[str, str, Decimal, Decimal], list[tuple[datetime, int]]] = defaultdict(list)
    rows = among.filter(
        symbol__in=set(symbols), executed_at__gte=since, executed_at__lte=until
    ).values_list("pk", "symbol", "side", "amount", "price", "executed_at")
    for pk, symbol, side, amount, price, executed_at in rows:
        index[(symbol, side, amount.normalize(), price.normalize())].append((executed_at, pk))
    return index

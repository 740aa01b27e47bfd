"""Reads for the analytics page, always inside one workspace (and maybe one portfolio).

Two parts, both for all time and kept together in the cache between requests, so that one
entry per scope serves every range (and the default range, which moves every day):

- FIFO over every spot trade of the scope (fifo.py): a day's realized PnL never depends on
  the range asked;
- tallies per UTC day (tallies.py): GROUP BY queries for volume, fees, fills by hour,
  derivative PnL and funding; a range is a filter of the days.

How a kept result stays correct. On PostgreSQL every row version carries `xmin`, the
transaction that wrote it: any insert, update (an edit, a delete's tombstone, a connection's
data moving to another portfolio, an import taken over by the API) or delete of a row of the
scope changes the scope's (row count, sum of xmin). A kept result remembers that mark and the
highest id it read. On the next request one aggregate query reads the mark again, for the
whole scope and for the ids up to the kept one:

- unchanged: the kept result is the answer;
- only rows above the kept id are new (the ids up to it still have the same count and sum):
  the new rows alone are read and added — tallies merge, FIFO continues each account's lots —
  unless a new spot trade is older than its account's last one or re-prices a fee already
  converted (fifo.Fifo.in_order), when FIFO is computed again from the start;
- anything else: computed again.

Every read is capped at the highest id of the mark it is stored with, so a trade committed
meanwhile is read next time, never twice. (An update always gets a newer xid than the row
version it replaces, so the sum only grows; the wraparound of xids after four billion
transactions could hide one change from an entry that is kept at most a week.)

SQLite has no `xmin`: there the page is computed afresh on every request (the embedded
default holds far fewer trades).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection as db
from django.db.models import (
    BigIntegerField,
    Count,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import (
    Coalesce,
    NullIf,
    TruncDate,
    TruncHour,
)

from journal.models import LedgerEntry, Trade
from portfolio.models import AssetPrice, Portfolio
from thrive.models import Workspace

from .fifo import Day, Fifo, SpotRow, micros
from .tallies import Tallies

DERIVATIVES = ("swap", "future", "option")
# Part of every cache key: a change to what is kept bumps it, and old entries are never read.
VERSION = 1
KEEP_SECONDS = 7 * 24 * 3600
_SPOT_FIELDS = ("id", "executed_at", *SpotRow._fields[2:])
_WON, _LOST = Q(realized_pnl__gt=0), Q(realized_pnl__lt=0)
# A day's derivative results: PnL, fills, wins, losses, their sums, the best and the worst.
_RESULTS = {
    "pnl": Sum("realized_pnl"), "fills": Count("id"), "wins": Count("id", filter=_WON),
    "losses": Count("id", filter=_LOST), "win_sum": Sum("realized_pnl", filter=_WON),
    "loss_sum": Sum("realized_pnl", filter=_LOST), "best": Max("realized_pnl"),
    "worst": Min("realized_pnl"),
}  # fmt: skip


@dataclass(frozen=True)
class Mark:
    """A scope's rows as of one moment: count, highest id, sum of row versions (xmin)."""

    count: int
    top: int
    version: int


@dataclass
class Analytics:
    fifo: Fifo
    tallies: Tallies  # of the range only
    date_from: date
    date_to: date
    portfolio: Portfolio | None
    # How this request got its figures, per part: "kept", "added" ("added N" new spot trades
    # for FIFO) or "computed" (for the benchmark and the tests; the page does not show it).
    how: dict[str, str]


@dataclass
class Kept:
    """What the cache keeps per scope: the marks it was read at, FIFO, the daily tallies."""

    trades: Mark
    funding: Mark
    fifo: Fifo
    tallies: Tallies


def analytics_trades(*, workspace: Workspace | None, portfolio: Portfolio | None) -> QuerySet:
    """Every trade row of the scope, tombstones included (the mark counts them too)."""
    trades = Trade.objects.for_workspace(workspace)
    return trades.filter(portfolio=portfolio) if portfolio else trades


def analytics_funding(*, workspace: Workspace | None, portfolio: Portfolio | None) -> QuerySet:
    entries = LedgerEntry.objects.for_workspace(workspace).filter(kind=LedgerEntry.Kind.FUNDING)
    return entries.filter(portfolio=portfolio) if portfolio else entries


def analytics_get(
    *,
    workspace: Workspace,
    portfolio: Portfolio | None,
    date_from: date,
    date_to: date,
) -> Analytics:
    """The figures of the page: FIFO for all time, the tallies of [date_from, date_to] (UTC
    days, both included)."""
    trades = analytics_trades(workspace=workspace, portfolio=portfolio)
    funding = analytics_funding(workspace=workspace, portfolio=portfolio)
    if db.vendor != "postgresql":
        start = datetime.combine(date_from, time.min, tzinfo=UTC)
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
        live = trades.filter(deleted_at__isnull=True)
        tallies = _trade_tallies(live.filter(executed_at__gte=start, executed_at__lt=end))
        tallies.funding = _funding_tallies(
            funding.filter(deleted_at__isnull=True, occurred_at__gte=start, occurred_at__lt=end)
        )
        how = {"fifo": "computed", "tallies": "computed"}
        return Analytics(_fifo_compute(live), tallies, date_from, date_to, portfolio, how)

    key = cache_key(workspace, portfolio)
    kept, how = _kept(trades, funding, cache.get(key))
    if set(how.values()) != {"kept"}:
        cache.set(key, kept, KEEP_SECONDS)
    return Analytics(
        kept.fifo, kept.tallies.between(date_from, date_to), date_from, date_to, portfolio, how
    )


def cache_key(workspace: Workspace, portfolio: Portfolio | None) -> str:
    return f"analytics:{VERSION}:{workspace.pk}:{portfolio.pk if portfolio else 'all'}"


def _kept(trades: QuerySet, funding: QuerySet, kept: Kept | None) -> tuple[Kept, dict[str, str]]:
    """The kept figures brought up to date with the rows as they are now (see the module's
    docstring), and how each part got there."""
    trade_mark, trades_before = _mark(trades, [kept.trades.top] if kept else [])
    funding_mark, funding_before = _mark(funding, [kept.funding.top] if kept else [])
    live = trades.filter(deleted_at__isnull=True, id__lte=trade_mark.top)
    entries = funding.filter(deleted_at__isnull=True, id__lte=funding_mark.top)
    if kept is None:
        tallies = _trade_tallies(live)
        tallies.funding = _funding_tallies(entries)
        fresh = Kept(trade_mark, funding_mark, _fifo_compute(live), tallies)
        return fresh, {"fifo": "computed", "tallies": "computed"}

    how = {"fifo": "kept", "tallies": "kept"}
    if kept.trades != trade_mark:
        since = _appended(trade_mark, trades_before, kept.trades)
        if since is None:
            tallies = _trade_tallies(live)
            tallies.funding = kept.tallies.funding
            kept.fifo, kept.tallies = _fifo_compute(live), tallies
            how = {"fifo": "computed", "tallies": "computed"}
        else:
            new = live.filter(id__gt=since)
            kept.tallies.merge(_trade_tallies(new))
            how["tallies"] = "added"
            rows = list(_spot(new))
            if kept.fifo.in_order(rows):
                kept.fifo.apply(rows, _latest_usd())
                how["fifo"] = f"added {len(rows)}"
            else:
                kept.fifo, how["fifo"] = _fifo_compute(live), "computed"
    if kept.funding != funding_mark:
        since = _appended(funding_mark, funding_before, kept.funding)
        if since is None:
            kept.tallies.funding = _funding_tallies(entries)
            how["tallies"] = "computed"
        else:
            kept.tallies.merge(Tallies(funding=_funding_tallies(entries.filter(id__gt=since))))
            how["tallies"] = "added" if how["tallies"] == "kept" else how["tallies"]
    kept.trades, kept.funding = trade_mark, funding_mark
    return kept, how


# -- marks --------------------------------------------------------------------------------------


def _mark(rows: QuerySet, tops: list[int]) -> tuple[Mark, dict[int, tuple[int, int]]]:
    """The scope's mark now, and (count, version) of the rows up to each kept top id: one
    aggregate query over the scope's rows (PostgreSQL only: `xmin`)."""
    version = RawSQL("xmin::text::bigint", (), output_field=BigIntegerField())
    aggregates = {"count": Count("id"), "top": Max("id"), "version": Sum(version)}
    for index, top in enumerate(tops):
        upto = Q(id__lte=top)
        aggregates[f"count_{index}"] = Count("id", filter=upto)
        aggregates[f"version_{index}"] = Sum(version, filter=upto)
    found = rows.order_by().aggregate(**aggregates)
    mark = Mark(found["count"], found["top"] or 0, int(found["version"] or 0))
    before = {
        top: (found[f"count_{index}"], int(found[f"version_{index}"] or 0))
        for index, top in enumerate(tops)
    }
    return mark, before


def _appended(now: Mark, before: dict[int, tuple[int, int]], kept: Mark | None) -> int | None:
    """The kept top id when the rows up to it are exactly as kept (only newer rows were
    added), else None."""
    if kept is None or before.get(kept.top) != (kept.count, kept.version):
        return None
    return kept.top


# -- FIFO ---------------------------------------------------------------------------------------


def _spot(trades: QuerySet) -> Iterator[SpotRow]:
    """The spot rows in time order, their times in microseconds (see fifo.micros)."""
    rows = trades.filter(market_type="spot").order_by("executed_at", "id")
    for values in _with_micros(rows, _SPOT_FIELDS):
        yield SpotRow._make(values)


def _with_micros(rows: QuerySet, fields: Sequence[str]) -> Iterator[tuple]:
    """values_list(*fields) with its time field in microseconds: PostgreSQL computes them
    (Django's loader of aware datetimes is pure Python, and it was most of FIFO's time)."""
    if db.vendor == "postgresql":
        at = RawSQL("(extract(epoch from executed_at) * 1000000)::bigint", (), BigIntegerField())
        names = [("at" if name == "executed_at" else name) for name in fields]
        yield from rows.annotate(at=at).values_list(*names).iterator(chunk_size=20_000)
        return
    index = fields.index("executed_at")
    for values in rows.values_list(*fields).iterator(chunk_size=20_000):
        yield (*values[:index], micros(values[index]), *values[index + 1 :])


def _fifo_compute(live: QuerySet) -> Fifo:
    """FIFO over every spot trade of the scope, from the first."""
    fifo = Fifo()
    fifo.apply(_spot(live), _latest_usd())
    return fifo


def _latest_usd():
    """AssetPrice, read once and only if a fee needs it (market data: not a tenant's)."""
    prices: dict[str, Decimal] | None = None

    def latest(asset: str) -> Decimal | None:
        nonlocal prices
        if prices is None:
            prices = dict(AssetPrice.objects.values_list("asset", "price_usd"))
        return prices.get(asset)

    return latest


# -- tallies ------------------------------------------------------------------------------------


def _trade_tallies(trades: QuerySet) -> Tallies:
    """Volume, fees, fills by hour and derivative results, per UTC day: four GROUP BYs."""
    tallies = Tallies()
    day = TruncDate("executed_at", tzinfo=UTC)
    no_pnl = Q(market_type__in=DERIVATIVES, realized_pnl__isnull=True)
    volume = (
        trades.annotate(day=day)
        .values_list("day", "market_type", "symbol", "quote")
        .annotate(fills=Count("id"), total=Sum("cost"), no_pnl=Count("id", filter=no_pnl))
        .order_by()
    )
    for on, market, symbol, quote, fills, cost, missing in volume:
        tallies.volume[(on, market, symbol, quote)] = [fills, cost or 0, missing]
    fees = (
        trades.filter(fee__isnull=False)
        .exclude(fee=0)
        .annotate(day=day)
        .values_list("day", "exchange", "fee_currency")
        .annotate(fills=Count("id"), total=Sum("fee"))
        .order_by()
    )
    for on, exchange, currency, fills, total in fees:
        tallies.fees[(on, exchange, currency)] = [fills, total]
    clock = (
        trades.annotate(hour=TruncHour("executed_at", tzinfo=UTC))
        .values_list("hour")
        .annotate(fills=Count("id"))
        .order_by()
    )
    for hour, fills in clock:
        tallies.clock[(hour.date(), hour.hour)] = fills
    derivatives = (
        trades.filter(market_type__in=DERIVATIVES, realized_pnl__isnull=False)
        .annotate(day=day, currency=Coalesce(NullIf("settle", Value("")), "quote"))
        .values_list("day", "currency")
        .annotate(**_RESULTS)
        .order_by()
    )
    for on, currency, pnl, fills, wins, losses, win_sum, loss_sum, best, worst in derivatives:
        tallies.derivatives[(on, currency)] = Day(
            pnl=pnl, closes=fills, wins=wins, losses=losses, win_sum=win_sum or Decimal(0),
            loss_sum=loss_sum or Decimal(0), best=best, worst=worst,
        )  # fmt: skip
    return tallies


def _funding_tallies(entries: QuerySet) -> dict[tuple[date, str], list]:
    """The ledger's funding fees per UTC day and asset: one GROUP BY."""
    rows = (
        entries.annotate(day=TruncDate("occurred_at", tzinfo=UTC))
        .values_list("day", "asset")
        .annotate(entries=Count("id"), total=Sum("amount"))
        .order_by()
    )
    return {(day, asset): [count, amount] for day, asset, count, amount in rows}

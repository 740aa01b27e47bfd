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

Who computes again. Reading a million trades from the start takes seconds, so above
REQUEST_COMPUTES_UP_TO trades a request does not: it answers with the kept figures, marked with
the time they were read at (or, with nothing kept yet, says they are being computed), and asks
a worker to compute them (`refresh.py`, the `analytics` queue); the page polls until they are
current. Writes that
change trades (a sync that brought new ones, an import, an edit, a move) ask the worker first,
so the figures are usually current before anyone looks. New rows alone are added by the
request itself: that reads only them.

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
from django.utils import timezone

from journal.models import LedgerEntry, Trade
from portfolio.models import AssetPrice, Portfolio
from thrive.models import Workspace

from .fifo import Day, Fifo, SpotRow, micros
from .tallies import Tallies

DERIVATIVES = ("swap", "future", "option")
# Part of every cache key: a change to what is kept bumps it, and old entries are never read.
VERSION = 2
KEEP_SECONDS = 7 * 24 * 3600
BEHIND = {"fifo": "behind", "tallies": "behind"}
_UNCHANGED = -1  # ids are positive
# A request computes from the start itself up to this many trades (about half a second on
# PostgreSQL); above it, a worker does (refresh.py).
REQUEST_COMPUTES_UP_TO = 50_000
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
    # for FIFO), "computed", or "behind" (kept figures older than the trades, a worker is
    # bringing them up to date) — for the benchmark and the tests.
    how: dict[str, str]
    # Set when the figures are not yet current: when they were read (None: nothing yet).
    behind_since: datetime | None = None

    @property
    def behind(self) -> bool:
        return "behind" in self.how.values()


@dataclass
class Kept:
    """What the cache keeps per scope: the marks it was read at, FIFO, the daily tallies."""

    trades: Mark
    funding: Mark
    fifo: Fifo
    tallies: Tallies
    read_at: datetime


class Behind(Exception):
    """The kept figures need computing again from the start: a worker's part, not a request's."""


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
    stale = cache.get(key)
    try:
        kept, how = _kept(trades, funding, stale, compute_up_to=REQUEST_COMPUTES_UP_TO)
    except Behind:
        # refresh.py imports this module.
        from .refresh import analytics_refresh_request

        analytics_refresh_request(workspace_id=workspace.pk)
        if stale is None:
            return Analytics(Fifo(), Tallies(), date_from, date_to, portfolio, BEHIND, None)
        tallies = stale.tallies.between(date_from, date_to)
        return Analytics(stale.fifo, tallies, date_from, date_to, portfolio, BEHIND, stale.read_at)
    if set(how.values()) != {"kept"}:
        cache.set(key, kept, KEEP_SECONDS)
    return Analytics(
        kept.fifo, kept.tallies.between(date_from, date_to), date_from, date_to, portfolio, how
    )


def analytics_keep(*, workspace: Workspace, portfolio: Portfolio | None) -> tuple[Mark, str]:
    """Bring the kept figures of one scope up to date, computing from the start if need be
    (the worker's part, see refresh.py): the scope's mark and how FIFO got there."""
    trades = analytics_trades(workspace=workspace, portfolio=portfolio)
    funding = analytics_funding(workspace=workspace, portfolio=portfolio)
    key = cache_key(workspace, portfolio)
    kept, how = _kept(trades, funding, cache.get(key), compute_up_to=None)
    if set(how.values()) != {"kept"}:
        cache.set(key, kept, KEEP_SECONDS)
    return kept.trades, how["fifo"]


def analytics_share(*, workspace: Workspace, source: Portfolio | None, to: Portfolio) -> bool:
    """Keep one scope's figures for another holding exactly the same rows (a workspace whose
    one portfolio holds every trade): its marks decide, one aggregate query each."""
    kept = cache.get(cache_key(workspace, source))
    if kept is None:
        return False
    trades, _ = _mark(analytics_trades(workspace=workspace, portfolio=to), [])
    funding, _ = _mark(analytics_funding(workspace=workspace, portfolio=to), [])
    if (trades, funding) != (kept.trades, kept.funding):
        return False
    cache.set(cache_key(workspace, to), kept, KEEP_SECONDS)
    return True


def cache_key(workspace: Workspace, portfolio: Portfolio | None) -> str:
    return f"analytics:{VERSION}:{workspace.pk}:{portfolio.pk if portfolio else 'all'}"


def _kept(
    trades: QuerySet, funding: QuerySet, kept: Kept | None, *, compute_up_to: int | None
) -> tuple[Kept, dict[str, str]]:
    """The kept figures brought up to date with the rows as they are now (see the module's
    docstring), and how each part got there. Raises Behind where FIFO and the tallies would
    have to be computed from the start over more than `compute_up_to` trades (None: any),
    before it changes anything of `kept`."""
    read_at = timezone.now()
    trade_mark, trades_before = _mark(trades, [kept.trades.top] if kept else [])
    funding_mark, funding_before = _mark(funding, [kept.funding.top] if kept else [])
    live = trades.filter(deleted_at__isnull=True, id__lte=trade_mark.top)
    entries = funding.filter(deleted_at__isnull=True, id__lte=funding_mark.top)
    # Per part: unchanged, appended above a kept id, or None (to compute from the start).
    trades_since = funding_since = _UNCHANGED
    if kept is not None:
        if kept.trades != trade_mark:
            trades_since = _appended(trade_mark, trades_before, kept.trades)
        if kept.funding != funding_mark:
            funding_since = _appended(funding_mark, funding_before, kept.funding)
    # Funding entries are few (three a day per account): a request computes them itself.
    too_many = compute_up_to is not None and trade_mark.count > compute_up_to
    if too_many and (kept is None or trades_since is None):
        raise Behind
    if kept is None:
        tallies = _trade_tallies(live)
        tallies.funding = _funding_tallies(entries)
        fresh = Kept(trade_mark, funding_mark, _fifo_compute(live), tallies, read_at)
        return fresh, {"fifo": "computed", "tallies": "computed"}

    how = {"fifo": "kept", "tallies": "kept"}
    if trades_since is None:
        tallies = _trade_tallies(live)
        tallies.funding = kept.tallies.funding
        kept.fifo, kept.tallies = _fifo_compute(live), tallies
        how = {"fifo": "computed", "tallies": "computed"}
    elif trades_since != _UNCHANGED:
        new = live.filter(id__gt=trades_since)
        rows = list(_spot(new))
        if not kept.fifo.in_order(rows):
            if too_many:
                raise Behind
            kept.fifo, how["fifo"] = _fifo_compute(live), "computed"
        else:
            kept.fifo.apply(rows, _latest_usd())
            how["fifo"] = f"added {len(rows)}"
        kept.tallies.merge(_trade_tallies(new))
        how["tallies"] = "added"
    if funding_since is None:
        kept.tallies.funding = _funding_tallies(entries)
        how["tallies"] = "computed"
    elif funding_since != _UNCHANGED:
        kept.tallies.merge(Tallies(funding=_funding_tallies(entries.filter(id__gt=funding_since))))
        how["tallies"] = "added" if how["tallies"] == "kept" else how["tallies"]
    kept.trades, kept.funding, kept.read_at = trade_mark, funding_mark, read_at
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

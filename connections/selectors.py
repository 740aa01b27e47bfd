"""Reads for connections, always inside one workspace."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min, QuerySet
from django.http import Http404
from django.utils import timezone

from journal.models import Trade
from sync.lease import lease_held
from sync.models import SyncRun
from sync.names import families_in_order, market_family, market_in_words, progress_in_words
from thrive.models import Workspace

from .models import AuditEvent, ExchangeConnection

Status = ExchangeConnection.Status
# Each exchange's mark on its card: a coloured badge with its initials (CSS: .mark-<exchange>).
MARKS = {
    "binance": "B",
    "bybit": "By",
    "okx": "OK",
    "bitget": "Bg",
    "coinbase": "C",
    "kraken": "K",
    "kucoin": "Ku",
    "mexc": "M",
    "gate": "G",
}


def connection_list(*, workspace: Workspace | None) -> QuerySet[ExchangeConnection]:
    return ExchangeConnection.objects.for_workspace(workspace).select_related("portfolio")


def connection_get(
    *, workspace: Workspace | None, public_id: uuid.UUID | str
) -> ExchangeConnection:
    """This workspace's connection; another workspace's answers exactly like a missing one."""
    connection = connection_list(workspace=workspace).filter(public_id=public_id).first()
    if connection is None:
        raise Http404("No such connection.")
    return connection


def live_connection_count(*, workspace: Workspace) -> int:
    return (
        ExchangeConnection.objects.for_workspace(workspace)
        .exclude(status=ExchangeConnection.Status.DISCONNECTED)
        .count()
    )


def audit_list(*, connection: ExchangeConnection) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.for_workspace(connection.workspace)
        .filter(connection=connection)
        .select_related("actor")
    )


def reconnected_note(*, connection: ExchangeConnection) -> str | None:
    """What a person is told when Connect brought back an account connected before."""
    event = (
        audit_list(connection=connection)
        .filter(action__in=[AuditEvent.Action.ADDED, AuditEvent.Action.RECONNECTED])
        .first()
    )
    if event is None or event.action != AuditEvent.Action.RECONNECTED:
        return None
    trades = event.details.get("trades_kept", 0)
    kept = f"its {trades:,} trade{'s are' if trades != 1 else ' is'} kept"
    return (
        f"This {connection.get_exchange_display()} account was connected before as "
        f"“{event.details.get('earlier_label', '')}”; {kept} and syncing resumes from where it "
        "stopped."
    )


def connection_syncing(*, connection: ExchangeConnection) -> bool:
    """Whether a sync of this connection is running or on its way: the card and the page poll
    while it is, and stop when it is not."""
    if connection.is_disconnected:
        return False
    requested = connection.sync_requested_until
    return (
        connection.status == Status.PENDING
        or lease_held(connection)
        or (requested is not None and requested > timezone.now())
    )


@dataclass(frozen=True)
class Badge:
    label: str
    css: str


def connection_access_badge(*, connection: ExchangeConnection) -> Badge | None:
    """The key's permissions as a badge. A key that stopped working, or was deleted, is not
    "verified" of anything now: muted and in the past tense, or not shown at all."""
    if not connection.access or connection.is_disconnected:
        return None
    label = connection.get_access_display()
    if connection.status == Status.NEEDS_ATTENTION:
        if connection.access == ExchangeConnection.Access.READ_ONLY:
            label = "Read-only"
        return Badge(f"{label} when last checked", "access-muted")
    return Badge(label, f"access-{connection.access}")


@dataclass(frozen=True)
class MarketCoverage:
    name: str
    trades: int
    since: datetime


@dataclass
class Coverage:
    """What the journal holds from one connection: trades, since when, which markets."""

    trades: int = 0
    since: datetime | None = None
    families: list[str] = field(default_factory=list)
    markets: list[MarketCoverage] = field(default_factory=list)

    @property
    def trades_in_words(self) -> str:
        return f"{self.trades:,} trade{'' if self.trades == 1 else 's'}"


def trade_coverage_map(
    *, workspace: Workspace | None, connections: Iterable[ExchangeConnection]
) -> dict[int, Coverage]:
    """Coverage of each connection, in one grouped query whatever their number."""
    by_id = {connection.pk: connection for connection in connections}
    rows = (
        Trade.objects.for_workspace(workspace)
        .filter(connection_id__in=list(by_id), deleted_at__isnull=True)
        .values("connection_id", "market_type", "symbol")
        .annotate(trades=Count("id"), since=Min("executed_at"))
        .order_by()
    )
    families: dict[int, set[str]] = defaultdict(set)
    found: dict[int, Coverage] = {pk: Coverage() for pk in by_id}
    for row in rows:
        exchange = by_id[row["connection_id"]].exchange
        coverage = found[row["connection_id"]]
        coverage.trades += row["trades"]
        if coverage.since is None or row["since"] < coverage.since:
            coverage.since = row["since"]
        families[row["connection_id"]].add(
            market_family(exchange, row["market_type"], row["symbol"])
        )
        coverage.markets.append(
            MarketCoverage(
                name=market_in_words(exchange, row["market_type"], row["symbol"]),
                trades=row["trades"],
                since=row["since"],
            )
        )
    for pk, coverage in found.items():
        coverage.families = families_in_order(families[pk])
        coverage.markets.sort(key=lambda market: (market.since, market.name))
    return found


@dataclass(frozen=True)
class ConnectionCard:
    """One connection as its card on Settings → Connections shows it."""

    connection: ExchangeConnection
    syncing: bool
    access: Badge | None
    # While syncing: what the running sync is doing, in words; else what it brought.
    progress: str
    coverage: Coverage | None

    @property
    def mark(self) -> str:
        return MARKS.get(self.connection.exchange, self.connection.exchange[:1].upper())


def _cards(
    workspace: Workspace | None, connections: list[ExchangeConnection]
) -> list[ConnectionCard]:
    syncing = {c.pk for c in connections if connection_syncing(connection=c)}
    # While a connection syncs its card shows the run's progress instead of the coverage, which
    # it would count again every two seconds.
    settled = [c for c in connections if c.pk not in syncing]
    coverage = trade_coverage_map(workspace=workspace, connections=settled) if settled else {}
    running: dict[int, SyncRun] = {}
    if syncing:
        for run in (
            SyncRun.objects.for_workspace(workspace)
            .filter(connection_id__in=syncing, status=SyncRun.Status.RUNNING)
            .order_by("created_at", "pk")
        ):
            running[run.connection_id] = run
    return [
        ConnectionCard(
            connection=connection,
            syncing=connection.pk in syncing,
            access=connection_access_badge(connection=connection),
            progress=connection_progress(connection=connection, run=running.get(connection.pk))
            if connection.pk in syncing
            else "",
            coverage=coverage.get(connection.pk),
        )
        for connection in connections
    ]


def connection_progress(*, connection: ExchangeConnection, run: SyncRun | None) -> str:
    """What a sync of the connection is doing, in words; `run` is the running one, if any."""
    if run is None:
        return "Sync requested · starting in a moment"
    return progress_in_words(
        connection.exchange,
        first=run.kind == SyncRun.Kind.INITIAL,
        progress=run.progress,
        trades=run.trades_inserted,
    )


def connection_card_list(*, workspace: Workspace | None) -> list[ConnectionCard]:
    """Every card of the workspace in a constant number of queries: the connections, their
    coverage grouped in one query, and the running syncs of those that sync."""
    return _cards(workspace, list(connection_list(workspace=workspace)))


def connection_card_get(
    *, workspace: Workspace | None, connection: ExchangeConnection
) -> ConnectionCard:
    return _cards(workspace, [connection])[0]

"""The sync engine's public face: run a sync, and dispatch the ones that are due."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from connections.models import ExchangeConnection

from .lease import sync_request
from .models import ExchangePause, SyncCursor, SyncRun
from .runner import MAINTENANCE_PAUSE_AFTER, MAINTENANCE_PROBE_EVERY, REWIND
from .runner import sync_connection as sync_connection  # the engine's entry point
from .schedule import BALANCES_EVERY, TRADES_EVERY

logger = logging.getLogger(__name__)

Status = ExchangeConnection.Status
NOT_SCHEDULED = (Status.DISCONNECTED, Status.NEEDS_ATTENTION)
# Connections per scheduled message: 10,000 due connections are 1,000 messages.
DISPATCH_BATCH = 10


def sync_now_request(*, connection: ExchangeConnection) -> bool:
    """Queue a full sync on the manual queue; False (and nothing queued) while one is queued
    or runs, however many presses arrive at once."""
    from .tasks import sync_connection as sync_connection_task  # tasks import this module

    if not sync_request(connection_id=connection.pk):
        return False
    sync_connection_task.apply_async(
        args=[connection.pk, SyncRun.Kind.FULL, SyncRun.Trigger.MANUAL], queue="manual"
    )
    return True


def cursor_rewind(*, connection: ExchangeConnection, stream: str, since: datetime) -> bool:
    """Make the next trades sync walk `stream` again from `since`; False if it has no cursor.

    Idempotent: every trade already in the journal is absorbed by the trade identity's unique
    constraint. Call it while no sync holds the lease (a running one would write its own
    cursor over this): the caller locks the row and requests the sync that follows.
    """
    return bool(
        SyncCursor.objects.filter(connection=connection, stream=stream).update(
            position={REWIND: int(since.timestamp() * 1000)}
        )
    )


def _paused_exchanges(now: datetime) -> tuple[set[str], set[str]]:
    """(paused, to probe now): an exchange in a maintenance streak is probed with one sync."""
    paused: set[str] = set()
    probe: set[str] = set()
    for pause in ExchangePause.objects.filter(consecutive_maintenance__gte=MAINTENANCE_PAUSE_AFTER):
        if pause.paused_until and pause.paused_until > now:
            paused.add(pause.exchange)
        else:
            probe.add(pause.exchange)
    if probe:
        ExchangePause.objects.filter(exchange__in=probe).update(
            paused_until=now + MAINTENANCE_PROBE_EVERY
        )
    return paused, probe


def dispatch_due() -> int:
    """Enqueue every connection whose trades or balances sync is due; returns how many.

    A constant number of queries whatever the count: one read, two updates that push the
    schedules one period on (so the next tick does not enqueue them again), and the
    messages sent over one broker connection, each carrying a small batch of connection ids
    (publishing costs about a millisecond a message; scheduled syncs are incremental and
    short, so a batch runs one after another on one worker). A message lost in a broker
    restart heals itself: the row stays due until its sync actually runs and reschedules it.
    """
    from .tasks import sync_due as sync_due_task  # tasks import this module

    now = timezone.now()
    paused, probe = _paused_exchanges(now)
    # Cross-tenant by design: the dispatcher schedules every workspace's connections.
    scheduled = ExchangeConnection.objects.exclude(status__in=NOT_SCHEDULED).filter(
        schedules_paused_at__isnull=True
    )
    due = (
        scheduled.exclude(exchange__in=paused | probe)
        .filter(Q(next_trades_sync_at__lte=now) | Q(next_balances_sync_at__lte=now))
        .filter(Q(sync_lease_token__isnull=True) | Q(sync_lease_until__lt=now))
    )
    rows = list(due.values_list("pk", "next_trades_sync_at", "next_balances_sync_at"))
    for exchange in probe:
        first = (
            scheduled.filter(exchange=exchange)
            .values_list("pk", "next_trades_sync_at", "next_balances_sync_at")
            .first()
        )
        if first is not None:
            rows.append(first)
    if not rows:
        return 0
    ids = [pk for pk, _, _ in rows]
    ExchangeConnection.objects.filter(pk__in=ids, next_trades_sync_at__lte=now).update(
        next_trades_sync_at=now + TRADES_EVERY
    )
    ExchangeConnection.objects.filter(pk__in=ids, next_balances_sync_at__lte=now).update(
        next_balances_sync_at=now + BALANCES_EVERY
    )
    by_kind: dict[str, list[int]] = defaultdict(list)
    for pk, trades_at, balances_at in rows:
        trades_due = trades_at is not None and trades_at <= now
        balances_due = balances_at is not None and balances_at <= now
        kind = (
            SyncRun.Kind.FULL
            if trades_due and balances_due
            else SyncRun.Kind.BALANCES
            if balances_due
            else SyncRun.Kind.TRADES
        )
        by_kind[kind].append(pk)
    with sync_due_task.app.producer_or_acquire() as producer:
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), DISPATCH_BATCH):
                sync_due_task.apply_async(
                    args=[kind, ids[start : start + DISPATCH_BATCH]],
                    queue="sync",
                    producer=producer,
                    expires=(TRADES_EVERY - timedelta(minutes=1)).total_seconds(),
                )
    logger.info("dispatched %s syncs", len(rows))
    return len(rows)

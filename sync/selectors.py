"""Reads of sync history, always for a connection already resolved within its workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from connections.models import ExchangeConnection

from .models import SyncCursor, SyncRun


def sync_run_list(*, connection: ExchangeConnection) -> QuerySet[SyncRun]:
    return SyncRun.objects.for_workspace(connection.workspace).filter(connection=connection)


def stream_reach_list(*, connection: ExchangeConnection) -> QuerySet[SyncCursor]:
    """Streams whose history the exchange's API cannot reach for 12 months (CSV needed)."""
    return SyncCursor.objects.filter(connection=connection, reaches_back_to__isnull=False).order_by(
        "stream"
    )

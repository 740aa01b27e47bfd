"""Reads of sync history, always for a connection already resolved within its workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from connections.models import ExchangeConnection

from .exchanges.capabilities import describe
from .models import SyncCursor, SyncRun


def sync_run_list(*, connection: ExchangeConnection) -> QuerySet[SyncRun]:
    return SyncRun.objects.for_workspace(connection.workspace).filter(connection=connection)


def stream_reach_list(*, connection: ExchangeConnection) -> QuerySet[SyncCursor]:
    """Streams whose history the exchange's API cannot reach for 12 months (CSV needed)."""
    return SyncCursor.objects.filter(connection=connection, reaches_back_to__isnull=False).order_by(
        "stream"
    )


def account_parts_in_words(*, connection: ExchangeConnection) -> list[str]:
    """What the key can see, in words: ["Spot", "USDⓈ-M futures: not opened", …]."""
    exchange = connection.get_exchange_display()
    return ["Spot"] + [
        describe(entry, exchange)
        for entry in sorted(
            connection.capabilities.values(),
            key=lambda entry: (entry.get("availability") != "available", entry.get("label", "")),
        )
    ]

"""Reads of sync history, always for a connection already resolved within its workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from connections.models import ExchangeConnection

from .exchanges.capabilities import Availability, describe
from .models import SyncCursor, SyncRun


def sync_run_list(*, connection: ExchangeConnection) -> QuerySet[SyncRun]:
    return SyncRun.objects.for_workspace(connection.workspace).filter(connection=connection)


def stream_reach_list(*, connection: ExchangeConnection) -> QuerySet[SyncCursor]:
    """Streams whose history the exchange's API cannot reach for 12 months (CSV needed)."""
    return SyncCursor.objects.filter(connection=connection, reaches_back_to__isnull=False).order_by(
        "stream"
    )


def stream_walks_completed(*, connection: ExchangeConnection) -> dict[str, datetime]:
    """When each stream of trades was last walked to its end (the start of that run): its
    cursor is at least that far, so walking it again from any earlier date skips nothing."""
    completed: dict[str, datetime] = {}
    runs = sync_run_list(connection=connection).filter(
        status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL], started_at__isnull=False
    )
    for run in runs.only("progress", "started_at")[:50]:
        for name, entry in run.progress.items():
            walked = isinstance(entry, dict) and "before" in entry and "error" not in entry
            if walked and name not in completed:
                completed[name] = run.started_at
    return completed


@dataclass(frozen=True)
class AccountParts:
    """What a key can see, in words: the parts it reads, then each missing part and why."""

    readable: list[str]
    missing: list[str]

    @property
    def sentences(self) -> list[str]:
        return [" · ".join(self.readable), *self.missing]


def account_parts_in_words(*, connection: ExchangeConnection) -> AccountParts:
    exchange = connection.get_exchange_display()
    entries = sorted(connection.capabilities.values(), key=lambda entry: entry.get("label", ""))
    return AccountParts(
        readable=["Spot"]
        + [
            entry["label"]
            for entry in entries
            if entry.get("availability") == Availability.AVAILABLE
        ],
        missing=[
            describe(entry, exchange)
            for entry in entries
            if entry.get("availability") != Availability.AVAILABLE
        ],
    )

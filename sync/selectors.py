"""Reads of sync history, always for a connection already resolved within its workspace."""

from __future__ import annotations

from dataclasses import dataclass

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

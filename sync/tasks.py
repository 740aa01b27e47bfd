"""Celery tasks for syncing. Thin: ids in, one service call. Never a secret in an argument."""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

from . import services
from .models import SyncRun

MAX_RETRIES = 3


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 30 s, then 60 s, then 120 s."""
    return random.uniform(0, 30 * 2**attempt)


@shared_task(name="sync.tasks.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    """Beat's one entry, every minute: enqueue the connections whose syncs are due."""
    return services.dispatch_due()


@shared_task(
    name="sync.tasks.sync_connection", bind=True, ignore_result=True, max_retries=MAX_RETRIES
)
def sync_connection(
    self, connection_id: int, kind: str, trigger: str = SyncRun.Trigger.SCHEDULE
) -> str:  # type: ignore[no-untyped-def]
    result = services.sync_connection(connection_id=connection_id, kind=kind, trigger=trigger)
    if result.status == "busy" and trigger != SyncRun.Trigger.SCHEDULE:
        # A person is waiting and another sync (perhaps a dead worker's) holds the lease: try
        # again once it has lapsed. Scheduled syncs simply wait for the next tick.
        if self.request.retries < MAX_RETRIES:
            raise self.retry(countdown=settings.THRIVE_SYNC_LEASE_SECONDS)
        return result.status
    if result.retryable and self.request.retries < MAX_RETRIES:
        raise self.retry(
            args=[connection_id, kind, SyncRun.Trigger.RETRY],
            countdown=backoff_seconds(self.request.retries),
        )
    return result.status


@shared_task(name="sync.tasks.sync_due", ignore_result=True)
def sync_due(kind: str, connection_ids: list[int]) -> None:
    """A batch of scheduled syncs from the dispatcher, one after another. One that fails in a
    way worth retrying gets its own retry task, so the rest of the batch never waits on it."""
    for connection_id in connection_ids:
        result = services.sync_connection(
            connection_id=connection_id, kind=kind, trigger=SyncRun.Trigger.SCHEDULE
        )
        if result.retryable:
            sync_connection.apply_async(
                args=[connection_id, kind, SyncRun.Trigger.RETRY],
                countdown=backoff_seconds(0),
                queue="sync",
            )

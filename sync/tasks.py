"""Celery tasks for syncing. Thin: ids in, one service call. Never a secret in an argument."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="sync.tasks.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    """Beat's one entry, every minute: enqueue the connections whose syncs are due."""
    return services.dispatch_due()


@shared_task(name="sync.tasks.sync_connection", ignore_result=True)
def sync_connection(connection_id: int, kind: str) -> str:
    return services.sync_connection(connection_id=connection_id, kind=kind)

"""Celery tasks for syncing. Thin: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="sync.tasks.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    """Beat's one entry, every minute: enqueue the connections whose syncs are due."""
    return services.dispatch_due()

"""Celery tasks of the portfolio app. Thin: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from .analytics.refresh import analytics_refresh_run


@shared_task(name="portfolio.tasks.analytics_refresh", ignore_result=True)
def analytics_refresh(workspace_id: int) -> None:
    """Compute a workspace's kept analytics again (see analytics/refresh.py)."""
    analytics_refresh_run(workspace_id=workspace_id)

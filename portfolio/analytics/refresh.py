"""Computing the kept analytics again, on a worker (the `analytics` queue), not in a request.

A request that finds the kept figures behind the trades answers with them as they are, marked,
and asks for a refresh; so do the writes that change trades, right after they commit. One
message per workspace waits at a time: a second ask while one waits adds nothing, and an ask
that comes while a refresh runs (the waiting mark is cleared when it starts) sends the next
one, so a change is never left out.

If no worker takes the message (none runs the queue), the waiting mark lapses after
WAIT_SECONDS and the next request asks again.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection as db
from django.db import transaction

from portfolio.models import Portfolio
from thrive.models import Workspace

from .selectors import analytics_keep, analytics_share

logger = logging.getLogger(__name__)

QUEUE = "analytics"
WAIT_SECONDS = 120


def waiting_key(workspace_id: int) -> str:
    return f"analytics:refresh-waiting:{workspace_id}"


def analytics_refresh_request(*, workspace_id: int) -> None:
    """Ask a worker to bring the workspace's kept analytics up to date once the current
    transaction commits. Only PostgreSQL keeps them (see selectors.py)."""
    if db.vendor != "postgresql":
        return

    def send() -> None:
        from portfolio.tasks import analytics_refresh

        if cache.add(waiting_key(workspace_id), True, WAIT_SECONDS):
            analytics_refresh.apply_async(args=[workspace_id], queue=QUEUE)

    transaction.on_commit(send)


def analytics_refresh_run(*, workspace_id: int) -> dict[str, str]:
    """Every scope the page offers (all portfolios, each portfolio), brought up to date: how
    each one's FIFO got there, by scope name."""
    cache.delete(waiting_key(workspace_id))
    if db.vendor != "postgresql":
        return {}
    # Cross-tenant by design: a task receives an id and takes the workspace from the row.
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    _, how = analytics_keep(workspace=workspace, portfolio=None)
    done = {"all": how}
    for portfolio in Portfolio.objects.filter(workspace=workspace).order_by("pk"):
        if analytics_share(workspace=workspace, source=None, to=portfolio):
            done[portfolio.name] = "shared"
            continue
        done[portfolio.name] = analytics_keep(workspace=workspace, portfolio=portfolio)[1]
    logger.info("analytics of workspace %s refreshed: %s", workspace_id, done)
    return done

"""Analytics computed again on a worker (issue 12): above what a request computes itself, the
page shows the kept figures, marked and polling, asks the `analytics` queue once, and a real
worker brings them up to date; writes that change trades ask it first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection as db

from journal.entry_services import trade_update
from journal.models import Trade
from portfolio.analytics import selectors
from portfolio.analytics.refresh import QUEUE, analytics_refresh_run, waiting_key
from tests.broker import decoded, purge, queued_messages
from tests.integration.journal.journal_rows import at, make_trade
from tests.worker import Worker, wait_for

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="results are kept on PostgreSQL only"),
]


@pytest.fixture(autouse=True)
def large_journal(monkeypatch, workspace):
    """Requests leave computing from the start to the worker, as on a journal of more trades
    than a request computes itself; the queue and the waiting mark start empty."""
    monkeypatch.setattr(selectors, "REQUEST_COMPUTES_UP_TO", 0)
    purge(QUEUE)
    from django.core.cache import cache

    cache.delete(waiting_key(workspace.pk))
    yield
    purge(QUEUE)


def asked_for(workspace) -> int:
    """How many refreshes of this workspace wait in the queue."""
    return sum(
        f"[[{workspace.pk}]" in decoded(raw)["decoded_body"] for raw in queued_messages(QUEUE)
    )


def a_sale_for_50(workspace) -> Trade:
    make_trade(workspace, executed_at=at(1), amount="1", price="100", side="buy")
    return make_trade(workspace, executed_at=at(2), amount="1", price="150", side="sell")


def test_a_look_at_figures_not_kept_yet_says_they_are_computed_and_asks_a_worker_once(
    owner_client, workspace
):
    a_sale_for_50(workspace)

    first = owner_client.get("/analytics/", MARCH).content.decode()
    second = owner_client.get("/analytics/", MARCH).content.decode()

    assert "Computing your analytics" in first and "+50 USD" not in first
    assert 'hx-trigger="every 3s"' in second
    assert asked_for(workspace) == 1


def test_after_an_edit_the_page_shows_the_kept_figures_marked_until_the_worker_is_done(
    owner_client, workspace
):
    sale = a_sale_for_50(workspace)
    analytics_refresh_run(workspace_id=workspace.pk)
    assert "+50 USD" in owner_client.get("/analytics/", MARCH).content.decode()
    purge(QUEUE)

    trade_update(
        trade=sale, executed_at=sale.executed_at, amount=sale.amount, price=Decimal("170"),
        fee=None, fee_currency="", note="",
    )  # fmt: skip
    assert asked_for(workspace) == 1  # the edit asked, once it committed
    behind = owner_client.get("/analytics/", MARCH).content.decode()

    assert "Your latest trades or changes are being added" in behind
    assert "+50 USD" in behind and 'hx-trigger="every 3s"' in behind
    assert asked_for(workspace) == 1  # the look found it asked already

    analytics_refresh_run(workspace_id=workspace.pk)
    current = owner_client.get("/analytics/", MARCH).content.decode()

    assert "+70 USD" in current
    assert "being added" not in current and "hx-trigger" not in current


def test_a_real_worker_on_the_analytics_queue_brings_the_page_up_to_date(owner_client, workspace):
    sale = a_sale_for_50(workspace)
    owner_client.get("/analytics/", MARCH)
    worker = Worker(queues=QUEUE)
    try:
        wait_for(
            lambda: "+50 USD" in owner_client.get("/analytics/", MARCH).content.decode(),
            timeout=60,
            what="the worker to compute the figures",
        )
        trade_update(
            trade=sale, executed_at=sale.executed_at, amount=sale.amount, price=Decimal("120"),
            fee=None, fee_currency="", note="",
        )  # fmt: skip
        wait_for(
            lambda: "+20 USD" in owner_client.get("/analytics/", MARCH).content.decode(),
            timeout=60,
            what="the worker to compute the edited figures",
        )
    finally:
        worker.stop()
    assert asked_for(workspace) == 0


def test_one_portfolio_holding_every_trade_is_computed_once(workspace):
    a_sale_for_50(workspace)

    done = analytics_refresh_run(workspace_id=workspace.pk)

    assert list(done.values()) == ["computed", "shared"]

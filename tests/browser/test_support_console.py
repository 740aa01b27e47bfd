"""A support person finds a failing connection in the admin, sees why, and fixes it."""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from sync.services import sync_connection
from tests.broker import purge
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.exchange_keys import secret_of
from tests.worker import Worker, wait_for
from thrive.support import support_user_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def start_worker():
    """Starts a worker on the manual queue once the test has set the scene."""
    started: list[Worker] = []

    def start() -> Worker:
        purge("manual")
        started.append(Worker(queues="manual"))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def test_a_support_person_finds_a_failing_connection_sees_why_and_fixes_it(
    page, owner, workspace, routed_to_simulator, start_worker
):
    demo = routed_to_simulator.account("binance", "demo")
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Demo account",
        portfolio=None,
        secret=secret_of(demo),
    )
    assert sync_connection(connection_id=connection.pk, kind="initial").status == "succeeded"
    # The person restricted the key to IP addresses that are not ours: the next sync fails.
    routed_to_simulator.add_fault("ip_not_allowed", api_key=demo["api_key"])
    sync_connection(connection_id=connection.pk, kind="full")
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.NEEDS_ATTENTION
    support = support_user_create(email="alice.support@thrive.example", password=PASSWORD)
    start_worker()

    page.goto("/admin/")
    page.fill("input[name=username]", support.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.click("text=Connections that need attention")
    row = page.locator("#result_list tbody tr", has_text="Demo account")
    assert "Needs attention" in row.inner_text()
    assert "authentication_failed" in row.inner_text()
    screenshot(page, "support-needs-attention")

    row.locator("a", has_text="Demo account").click()
    assert connection.status_message in page.inner_text("#content")
    screenshot(page, "support-connection-why")

    # The person fixes the key's IP list; support re-checks it.
    routed_to_simulator.ok("DELETE", "/faults")
    page.click("button:has-text('Re-check permissions')")
    assert "permission check queued" in page.inner_text(".messagelist")
    wait_for(
        lambda: (
            ExchangeConnection.objects.get(pk=connection.pk).status
            == ExchangeConnection.Status.CONNECTED
        ),
        timeout=90,
        what="the worker's balances sync to re-check the key",
    )
    page.reload()
    assert "Connected" in page.inner_text(".field-status")
    assert "Verified read-only" in page.inner_text(".field-access")
    assert "Permission check requested" in page.inner_text("#audit-trail")
    screenshot(page, "support-connection-fixed")

    page.goto("/admin/connections/exchangeconnection/health/")
    assert "Binance" in page.inner_text("#health-binance")
    screenshot(page, "support-exchange-health")
    assert page.console_errors == []

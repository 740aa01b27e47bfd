"""Connection cards live: Sync now shows Syncing at once and the new run when it ends, and a
first import shows how far it has got, all without reloading the page. A real Celery worker
runs the syncs against the exchange simulator."""

from __future__ import annotations

import re

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from sync.models import SyncRun
from sync.services import sync_connection
from tests.broker import purge
from tests.browser.conftest import screenshot
from tests.browser.test_connections import sign_in
from tests.exchange_keys import secret_of
from tests.worker import Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRESS = re.compile(r"Importing .+ · [\d,]+ trades? so far · market \d+ of \d+")


@pytest.fixture
def worker():
    """A worker on the queue of Sync now and of first imports, started once the test queued
    what it wants run."""
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(queues="manual", env={"THRIVE_EXCHANGE_RETRY_BASE_MS": "5"}))
        return started[-1]

    yield start
    for running in started:
        running.stop()


def connect(workspace, owner, account, label: str) -> ExchangeConnection:
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange=account["exchange"],
        label=label,
        portfolio=None,
        secret=secret_of(account),
    )


def test_sync_now_shows_syncing_at_once_then_the_new_run_without_a_reload(
    page, owner, workspace, routed_to_simulator, worker
):
    demo = routed_to_simulator.account("binance", "demo")
    connection = connect(workspace, owner, demo, "Main account")
    sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    purge("manual")  # the first import queued by Connect has just run here
    worker()
    sign_in(page, owner)

    page.goto("/settings/connections/")
    card = page.locator(f"#card-{connection.public_id}")
    assert "Connected" in card.inner_text()
    page.evaluate("window.notReloaded = true")
    card.get_by_role("button", name="Sync now").click()
    page.wait_for_selector(f"#card-{connection.public_id} .status-syncing")
    screenshot(page, "connection-card-syncing")
    # the card polls for itself until the run has ended, then stops
    page.wait_for_selector(f"#card-{connection.public_id}:not([hx-trigger]) .status-connected")
    assert "Trades synced just now" in card.inner_text()
    assert SyncRun.objects.filter(connection=connection, trigger="manual").count() == 1
    screenshot(page, "connection-card-synced")

    page.click(f"#card-{connection.public_id} h2 a")
    page.wait_for_url(f"**/settings/connections/{connection.public_id}/")
    page.evaluate("window.notReloaded = true")
    runs = page.locator("table.runs tbody tr")
    before = runs.count()
    page.locator(".heading-row").get_by_role("button", name="Sync now").click()
    page.wait_for_selector("#connection-status .status-syncing")
    screenshot(page, "connection-detail-syncing")
    page.wait_for_selector("#connection-status:not([hx-trigger]) .status-connected", timeout=60_000)
    assert runs.count() == before + 1
    newest = runs.first.inner_text()
    assert "Sync now" in newest and "Succeeded" in newest
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "connection-detail-new-run")
    assert page.console_errors == []


def test_a_card_during_the_first_import_shows_how_far_it_has_got(
    page, owner, workspace, routed_to_simulator, worker
):
    demo = routed_to_simulator.account("binance", "demo")
    connection = connect(workspace, owner, demo, "Main account")  # queues the first import
    # slow enough to watch the import page by page
    routed_to_simulator.add_fault("latency", api_key=demo["api_key"], latency_ms=250)
    worker()
    sign_in(page, owner)

    page.goto("/settings/connections/")
    page.evaluate("window.notReloaded = true")
    card = page.locator(f"#card-{connection.public_id}")
    assert "Syncing" in card.inner_text()
    page.wait_for_function(
        "([selector, pattern]) => new RegExp(pattern).test("
        "document.querySelector(selector)?.innerText ?? '')",
        arg=[f"#card-{connection.public_id} .card-progress", PROGRESS.pattern],
        timeout=90_000,
    )
    progress = card.locator(".card-progress").inner_text()
    assert PROGRESS.fullmatch(progress), progress
    assert ":" not in progress.split(" · ")[0]  # a market in words, not a stream id
    screenshot(page, "connection-card-first-import")

    routed_to_simulator.ok("DELETE", "/faults")
    page.wait_for_selector(
        f"#card-{connection.public_id}:not([hx-trigger]) .status-connected", timeout=120_000
    )
    words = card.inner_text()
    assert re.search(r"[\d,]+ trades · since \d+ \w{3} \d{4} · Spot", words), words
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "connection-card-imported")
    assert page.console_errors == []

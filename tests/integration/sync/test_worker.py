"""Queue behaviour with real Celery workers (Redis under CI, the file broker otherwise)."""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from sync.models import SyncRun
from sync.tasks import sync_connection as sync_connection_task
from tests.broker import purge
from tests.integration.connections.conftest import secret_of
from tests.worker import Worker, wait_for
from thrive.models import Workspace

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def connection_for(workspace, owner):
    workspace.plan = Workspace.Plan.PRO
    workspace.save()

    def make(account: dict, label: str) -> ExchangeConnection:
        return connection_create(
            workspace=workspace,
            actor=owner,
            exchange="binance",
            label=label,
            portfolio=None,
            secret=secret_of(account),
        )

    return make


@pytest.fixture
def workers():
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        if not started:
            # Connecting queues each connection's first sync; a test enqueues its own.
            purge("sync")
            purge("manual")
        worker = Worker(**kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def test_a_worker_killed_mid_import_and_restarted_ends_with_exactly_the_ground_truth(
    routed_to_simulator, connection_for, workers, settings
):
    settings.THRIVE_SYNC_LEASE_SECONDS = 3
    account = routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 30000, "ETH/USDT": 10000},
        days=200,
        permissions=["read"],
    )
    connection = connection_for(account, "Killed")
    truth = len(routed_to_simulator.ground_truth(account["api_key"]))
    # Slow every answer down so the kill lands in the middle of the import.
    routed_to_simulator.ok(
        "POST", "/faults", {"kind": "latency", "latency_ms": 150, "api_key": account["api_key"]}
    )
    env = {"THRIVE_SYNC_LEASE_SECONDS": "3"}
    first = workers(queues="manual", env=env)
    sync_connection_task.apply_async(args=[connection.pk, "initial", "initial"], queue="manual")
    wait_for(
        lambda: Trade.objects.filter(connection=connection).count() >= 2000,
        timeout=120,
        what="the import to be well under way",
    )
    first.kill()
    partial = Trade.objects.filter(connection=connection).count()
    assert 0 < partial < truth
    routed_to_simulator.ok("DELETE", "/faults")

    workers(queues="manual", env=env)
    sync_connection_task.apply_async(args=[connection.pk, "initial", "retry"], queue="manual")
    wait_for(
        lambda: SyncRun.objects.filter(connection=connection, status="succeeded").exists(),
        timeout=120,
        what="the restarted import to finish",
    )
    assert Trade.objects.filter(connection=connection).count() == truth
    lost = SyncRun.objects.get(connection=connection, error_code="worker_lost")
    assert lost.status == "failed" and lost.finished_at is not None


def test_a_manual_sync_never_waits_behind_scheduled_ones(
    routed_to_simulator, connection_for, workers
):
    slow = routed_to_simulator.create_account(
        exchange="binance", trades={"BTC/USDT": 3000}, days=60, permissions=["read"]
    )
    quick = routed_to_simulator.create_account(
        exchange="binance", trades={"ETH/USDT": 10}, days=10, permissions=["read"]
    )
    scheduled = connection_for(slow, "Scheduled")
    manual = connection_for(quick, "Manual")
    routed_to_simulator.ok(
        "POST", "/faults", {"kind": "latency", "latency_ms": 3000, "api_key": slow["api_key"]}
    )
    workers(queues="sync", concurrency=1)
    workers(queues="manual", concurrency=1)
    sync_connection_task.apply_async(args=[scheduled.pk, "initial", "schedule"], queue="sync")
    wait_for(
        lambda: SyncRun.objects.filter(connection=scheduled, status="running").exists(),
        timeout=60,
        what="the scheduled sync to start",
    )
    sync_connection_task.apply_async(args=[manual.pk, "full", "manual"], queue="manual")
    wait_for(
        lambda: SyncRun.objects.filter(connection=manual, status="succeeded").exists(),
        timeout=60,
        what="the manual sync to finish",
    )
    assert SyncRun.objects.get(connection=scheduled).status == "running"

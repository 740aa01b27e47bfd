"""The sync engine's guarantees, shown on Binance through the simulator."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection as db_connection
from django.utils import timezone

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from sync.lease import lease_claim
from sync.models import ExchangePause, SyncRun
from sync.services import dispatch_due, sync_connection
from tests.broker import purge, queued_messages
from tests.integration.connections.conftest import secret_of
from thrive.models import Workspace


@pytest.fixture
def account(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 2500, "ETH/USDT": 600},
        days=120,
        permissions=["read"],
    )


@pytest.fixture
def connection(workspace, owner, account):
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Engine",
        portfolio=None,
        secret=secret_of(account),
    )


def test_a_sync_already_running_makes_a_second_one_stand_down(connection):
    assert lease_claim(connection_id=connection.pk) is not None
    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
    assert result.status == "busy"
    assert not SyncRun.objects.filter(connection=connection).exists()
    assert not Trade.objects.filter(connection=connection).exists()


@pytest.mark.django_db(transaction=True)
def test_two_syncs_started_together_give_exactly_one_runs_rows(
    routed_to_simulator, account, connection
):
    results = []

    def run() -> None:
        try:
            results.append(
                sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
            )
        finally:
            db_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(result.status for result in results)
    truth = routed_to_simulator.ground_truth(account["api_key"])
    assert Trade.objects.filter(connection=connection).count() == len(truth)
    assert statuses in (["busy", "succeeded"], ["succeeded", "succeeded"])


def test_a_duplicate_delivery_after_the_first_adds_nothing(
    routed_to_simulator, account, connection
):
    first = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    second = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    assert first.status == second.status == "succeeded"
    assert Trade.objects.filter(connection=connection).count() == len(
        routed_to_simulator.ground_truth(account["api_key"])
    )
    assert SyncRun.objects.get(pk=second.run_id).trades_inserted == 0


def test_an_incremental_sync_without_new_trades_makes_the_minimum_requests(connection):
    sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    # the second sync also asks, once, for USDⓈ-M contracts traded before income's reach
    sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")
    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")
    run = SyncRun.objects.get(pk=result.run_id)
    spot_streams = [name for name in run.progress if name.startswith("spot:")]
    # One page per stream, plus the spot balance that finds the symbols.
    assert run.requests_made <= len(run.progress) + 1 + 10  # income discovery windows
    assert run.trades_inserted == 0
    assert len(spot_streams) >= 2


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ({"kind": "maintenance"}, "maintenance", "maintenance"),
        ({"kind": "revoked_key"}, "needs_attention", "authentication_failed"),
        ({"kind": "rate_limit"}, "warning", "rate_limited"),
        ({"kind": "server_error"}, "warning", "exchange_unavailable"),
    ],
)
def test_each_fault_becomes_a_state_and_leaves_a_sync_run(
    routed_to_simulator, account, connection, fault, status, code
):
    routed_to_simulator.ok("POST", "/faults", {**fault, "exchange": "binance"})
    result = sync_connection(connection_id=connection.pk, kind="full", trigger="schedule")
    connection.refresh_from_db()
    assert connection.status == status
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.error_code == code
    assert run.message == connection.status_message
    if status == "needs_attention":
        assert connection.next_trades_sync_at is None
        assert dispatch_due() == 0


def test_repeated_maintenance_pauses_the_exchange_and_one_probe_resumes_it(
    routed_to_simulator, connection, workspace, owner, account
):
    routed_to_simulator.ok("POST", "/faults", {"kind": "maintenance", "exchange": "binance"})
    for _ in range(3):
        sync_connection(connection_id=connection.pk, kind="balances", trigger="schedule")
    pause = ExchangePause.objects.get(exchange="binance")
    assert pause.paused_until > timezone.now()
    ExchangeConnection.objects.filter(pk=connection.pk).update(
        next_trades_sync_at=timezone.now() - timedelta(minutes=1)
    )
    purge("sync")
    assert dispatch_due() == 0
    pause.paused_until = timezone.now() - timedelta(seconds=1)
    pause.save()
    assert dispatch_due() == 1  # exactly one probe
    routed_to_simulator.ok("DELETE", "/faults")
    assert (
        sync_connection(connection_id=connection.pk, kind="balances", trigger="schedule").status
        == "succeeded"
    )
    assert not ExchangePause.objects.filter(exchange="binance").exists()


def test_the_dispatcher_enqueues_due_connections_once(connection, django_assert_max_num_queries):
    purge("sync")
    ExchangeConnection.objects.filter(pk=connection.pk).update(
        next_trades_sync_at=timezone.now() - timedelta(minutes=1),
        next_balances_sync_at=timezone.now() + timedelta(minutes=30),
    )
    with django_assert_max_num_queries(6):
        assert dispatch_due() == 1
    assert dispatch_due() == 0
    assert len(queued_messages("sync")) == 1


def test_sync_now_queues_on_the_manual_queue_and_is_refused_while_running(owner_client, connection):
    purge("manual")
    url = f"/settings/connections/{connection.public_id}/sync/"
    response = owner_client.post(url, follow=True)
    assert "Sync started" in response.content.decode()
    assert len(queued_messages("manual")) == 1
    lease_claim(connection_id=connection.pk)
    response = owner_client.post(url, follow=True)
    assert "already running" in response.content.decode()
    assert len(queued_messages("manual")) == 1


def test_sync_now_is_404_for_an_outsider(outsider_client, connection):
    purge("manual")
    assert (
        outsider_client.post(f"/settings/connections/{connection.public_id}/sync/").status_code
        == 404
    )
    assert queued_messages("manual") == []


def test_the_support_command_runs_a_sync_and_prints_its_summary(connection, capsys):
    call_command("sync_connection", str(connection.public_id), "--kind", "trades")
    out = capsys.readouterr().out
    assert "Trades sync succeeded" in out
    assert "requests:" in out and "spot:BTC/USDT" in out
    with pytest.raises(CommandError, match="No connection"):
        call_command("sync_connection", "not-a-uuid")


def test_the_journal_and_portfolio_show_what_was_imported(
    owner_client, outsider_client, connection
):
    sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    journal = owner_client.get("/journal/").content.decode()
    assert "BTC/USDT" in journal and "Older entries" in journal
    export = owner_client.get("/journal/export.csv")
    assert len(b"".join(export.streaming_content).decode().splitlines()) == 3100 + 1
    portfolio = owner_client.get("/portfolio/").content.decode()
    assert "USDT" in portfolio
    assert "Older entries" not in outsider_client.get("/journal/").content.decode()
    assert outsider_client.get("/journal/export.csv").getvalue().decode().count("\n") == 1


def test_schedules_spread_a_thousand_connections_over_the_window():
    from collections import Counter

    from sync.schedule import BALANCES_EVERY, TRADES_EVERY, next_slot

    now = timezone.now()
    for every, minutes in ((TRADES_EVERY, 15), (BALANCES_EVERY, 60)):
        slots = [next_slot(pk, every, now) for pk in range(1, 1001)]
        assert all(now < slot <= now + every for slot in slots)
        per_minute = Counter(int((slot - now).total_seconds() // 60) for slot in slots)
        assert len(per_minute) == minutes  # every minute of the window gets some
        assert max(per_minute.values()) <= 2 * 1000 / minutes  # and none gets a pile
        # The phase is stable: the slot after a slot is exactly one period later.
        assert next_slot(7, every, slots[6]) == slots[6] + every


def test_a_dispatched_batch_runs_each_sync_and_retries_only_the_one_that_failed(
    routed_to_simulator, connection, workspace, owner, django_capture_on_commit_callbacks
):
    from sync.tasks import sync_due

    other_account = routed_to_simulator.create_account(
        exchange="binance", trades={"ETH/USDT": 20}, days=30, permissions=["read"]
    )
    other = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Other",
        portfolio=None,
        secret=secret_of(other_account),
    )
    routed_to_simulator.ok(
        "POST",
        "/faults",
        {"kind": "server_error", "api_key": other_account["api_key"]},
    )
    purge("sync")
    sync_due("trades", [connection.pk, other.pk])
    assert SyncRun.objects.get(connection=connection).status == "succeeded"
    assert SyncRun.objects.get(connection=other).error_code == "exchange_unavailable"
    retries = [m for m in queued_messages("sync") if '"retry"' in m or "retry" in m]
    assert len(queued_messages("sync")) == 1 and retries

"""Races a person can start from the pages: disconnecting during a sync, Connects that arrive
together, Sync now pressed twice. Real threads against the simulator over HTTP; the database
is PostgreSQL under CI."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.db import connection as db_connection

import connections.services
from connections.models import ExchangeConnection
from connections.services import connection_create, connection_disconnect
from journal.models import Trade
from sync.models import SyncRun
from sync.services import sync_connection
from tests.broker import purge, queued_messages
from tests.conftest import signed_in
from tests.exchange_keys import secret_of
from tests.integration.connections.conftest import form_data
from thrive.models import Workspace

pytestmark = pytest.mark.django_db(transaction=True)


def together(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads at once; their results (or exceptions), in order."""
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            results[index] = call()
        except Exception as exc:  # the test looks at what each got
            results[index] = exc
        finally:
            db_connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def checks_arrive_together(monkeypatch):
    """Every Connect's key check returns, then all of them go on at the same moment: the
    window in which a check-then-insert without a lock lets them all through."""

    def hold(parties: int) -> None:
        barrier = threading.Barrier(parties, timeout=60)
        check = connections.services.credential_check

        def checked_then_wait(**kwargs):
            result = check(**kwargs)
            barrier.wait()
            return result

        monkeypatch.setattr(connections.services, "credential_check", checked_then_wait)

    return hold


def test_six_connects_at_once_on_a_starter_plan_leave_three(
    routed_to_simulator, workspace, owner, checks_arrive_together
):
    assert workspace.plan == Workspace.Plan.STARTER
    accounts = [
        routed_to_simulator.create_account(exchange="binance", profile="spot-only")
        for _ in range(6)
    ]
    checks_arrive_together(6)
    clients = [signed_in(owner) for _ in accounts]

    responses = together(
        *(
            lambda client=client, account=account: client.post(
                "/settings/connections/add/?exchange=binance", form_data(account)
            )
            for client, account in zip(clients, accounts, strict=True)
        )
    )

    assert sorted(response.status_code for response in responses) == [200] * 3 + [302] * 3
    live = ExchangeConnection.objects.filter(workspace=workspace).exclude(status="disconnected")
    assert live.count() == 3
    refused = [r.content.decode() for r in responses if r.status_code == 200]
    assert all("Your Starter plan allows 3 connections" in body for body in refused)


def test_two_connects_of_one_key_at_once_give_one_connection_and_a_clear_message(
    routed_to_simulator, workspace, owner, checks_arrive_together
):
    account = routed_to_simulator.create_account(exchange="binance", profile="spot-only")
    checks_arrive_together(2)
    first, second = signed_in(owner), signed_in(owner)

    responses = together(
        lambda: first.post("/settings/connections/add/?exchange=binance", form_data(account)),
        lambda: second.post("/settings/connections/add/?exchange=binance", form_data(account)),
    )

    assert sorted(response.status_code for response in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200).content.decode()
    assert "already connected here as “Main account”" in refused
    assert ExchangeConnection.objects.filter(workspace=workspace).count() == 1


def test_sync_now_pressed_twice_queues_one_sync(routed_to_simulator, workspace, owner):
    account = routed_to_simulator.create_account(exchange="binance", profile="spot-only")
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main",
        portfolio=None,
        secret=secret_of(account),
    )
    purge("manual")
    url = f"/settings/connections/{connection.public_id}/sync/"
    clients = [signed_in(owner) for _ in range(3)]
    presses = together(*(lambda client=client: client.post(url) for client in clients))

    assert len(queued_messages("manual")) == 1
    said = [str(m) for press in presses for m in get_messages(press.wsgi_request)]
    assert sorted(said) == [
        "A sync is already running for this connection; it will finish soon.",
        "A sync is already running for this connection; it will finish soon.",
        "Sync started. New trades appear in your journal as they arrive.",
    ]
    # Once that sync has run, Sync now works again.
    purge("manual")
    sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
    assert signed_in(owner).post(url).status_code == 302
    assert len(queued_messages("manual")) == 1


def test_disconnecting_during_a_sync_stops_it_before_its_next_request(
    routed_to_simulator, workspace, owner
):
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    account = routed_to_simulator.create_account(
        exchange="binance", trades={"BTC/USDT": 3000, "ETH/USDT": 3000}, days=300
    )
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main",
        portfolio=None,
        secret=secret_of(account),
    )
    key = account["api_key"]
    routed_to_simulator.add_fault("latency", exchange="binance", latency_ms=60)

    def requests_seen() -> int:
        return routed_to_simulator.stats()["api_keys"].get(key, {}).get("requests", 0)

    thread = threading.Thread(
        target=lambda: (
            sync_connection(connection_id=connection.pk, kind="initial", trigger="initial"),
            db_connection.close(),
        )
    )
    thread.start()
    deadline = time.monotonic() + 60
    while requests_seen() < 12 and time.monotonic() < deadline:
        time.sleep(0.02)
    connection_disconnect(connection=connection, actor=owner)
    seen, kept = requests_seen(), Trade.objects.filter(connection=connection).count()
    thread.join(timeout=60)

    assert not thread.is_alive()
    # the request on its way when the disconnect committed is the last one
    assert requests_seen() <= seen + 1
    assert Trade.objects.filter(connection=connection).count() == kept
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.DISCONNECTED
    assert connection.next_trades_sync_at is None and connection.next_balances_sync_at is None
    assert connection.sync_lease_token is None
    run = SyncRun.objects.get(connection=connection)
    assert (run.status, run.error_code) == ("failed", "disconnected")

"""A request lost on the way is sent again; a part that still fails leaves the others going.

Shown on Binance through the simulator: the network faults are the simulator's (a dropped
connection, a proxy's 502 page, a body cut halfway), retried inside ccxt's signing and our
shared budget (sync/exchanges/client.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.models import SyncRun
from sync.services import sync_connection
from tests.integration.connections.conftest import secret_of
from thrive.models import Workspace

ACCOUNT = "/api/v3/account"
MY_TRADES = "/api/v3/myTrades"
RESTRICTIONS = "/sapi/v1/account/apiRestrictions"


@pytest.fixture
def account(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 300, "ETH/USDT": 100, "BTC/USDT:USDT": 40},
        days=30,
    )


@pytest.fixture
def connection(workspace, owner, account):
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Retries",
        portfolio=None,
        secret=secret_of(account),
    )


def requests_to(simulator, path: str | None = None) -> int:
    endpoints = simulator.stats()["endpoints"]
    if path is None:
        # Binance's own: a sync's count leaves out the reference exchange's public ticker
        return sum(e["requests"] for name, e in endpoints.items() if name.startswith("binance "))
    endpoint = endpoints.get(f"binance {path}")
    return endpoint["requests"] if endpoint else 0


def full_sync(connection) -> SyncRun:
    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
    return SyncRun.objects.get(pk=result.run_id)


@pytest.fixture
def counted(routed_to_simulator, connection):
    """Counters from here on: the connect-time check's requests are not the sync's."""
    routed_to_simulator.ok("POST", "/reset")
    return routed_to_simulator


@pytest.mark.parametrize("kind", ["dropped", "bad_gateway", "cut_body", "server_error"])
def test_a_request_lost_on_the_way_once_is_sent_again_and_the_sync_ends_clean(
    routed_to_simulator, account, connection, kind
):
    routed_to_simulator.add_fault(kind, exchange="binance", path=MY_TRADES, requests=1)
    routed_to_simulator.add_fault(kind, exchange="binance", path=ACCOUNT, requests=1)

    run = full_sync(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    truth = routed_to_simulator.ground_truth(account["api_key"])
    assert Trade.objects.filter(connection=connection).count() == len(truth)
    assert BalanceSnapshot.objects.filter(connection=connection, is_latest=True).exists()


def test_retries_are_bounded_and_counted_among_the_runs_requests(counted, account, connection):
    counted.add_fault("bad_gateway", exchange="binance", path=MY_TRADES)

    run = full_sync(connection)

    # every spot stream's first request, tried THRIVE_EXCHANGE_ATTEMPTS times, then given up
    spot_streams = [name for name in run.progress if name.startswith("spot:")]
    assert spot_streams
    assert requests_to(counted, MY_TRADES) == len(spot_streams) * settings.THRIVE_EXCHANGE_ATTEMPTS
    assert run.requests_made == requests_to(counted)
    assert run.status == SyncRun.Status.PARTIAL
    assert run.progress["missed"] == {"trades": "exchange_unavailable"}


@pytest.mark.parametrize("kind", ["maintenance", "rate_limit"])
def test_maintenance_and_slow_down_answers_are_not_hammered(counted, account, connection, kind):
    counted.add_fault(kind, exchange="binance", path=ACCOUNT)

    full_sync(connection)

    assert requests_to(counted, ACCOUNT) == 1


def test_balances_that_cannot_be_read_leave_the_trades_going_and_the_last_balances_standing(
    routed_to_simulator, account, connection
):
    assert full_sync(connection).status == SyncRun.Status.SUCCEEDED
    before = set(
        BalanceSnapshot.objects.filter(connection=connection, is_latest=True).values_list(
            "asset", "total"
        )
    )
    routed_to_simulator.ok(
        "POST", f"/accounts/{account['api_key']}/trades", {"symbol": "BTC/USDT", "count": 20}
    )
    # the key's permissions cannot be read for now (Binance's trade list needs the spot
    # balance, so the account endpoint itself would stop the trades too)
    routed_to_simulator.add_fault("dropped", exchange="binance", path=RESTRICTIONS)

    run = full_sync(connection)

    assert run.status == SyncRun.Status.PARTIAL
    assert run.progress["missed"] == {"balances": "network_error"}
    assert run.message.startswith("Balances not updated this time. We could not reach")
    assert run.trades_inserted == 20
    after = set(
        BalanceSnapshot.objects.filter(connection=connection, is_latest=True).values_list(
            "asset", "total"
        )
    )
    assert after == before
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.WARNING


def test_an_optional_part_that_cannot_be_read_for_now_keeps_its_last_positions_and_balances(
    routed_to_simulator, account, connection
):
    """USDⓈ-M is optional on Binance: a 502 there never fails the sync, but the portfolio
    keeps the last positions and balances instead of totals without the futures wallet."""
    assert full_sync(connection).status == SyncRun.Status.SUCCEEDED
    latest = {
        "positions": Position.objects.filter(connection=connection, is_latest=True).count(),
        "balances": BalanceSnapshot.objects.filter(connection=connection, is_latest=True).count(),
    }
    assert latest["positions"]
    routed_to_simulator.add_fault("bad_gateway", exchange="binance", path="/fapi/")

    run = full_sync(connection)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.progress["kept"] == {
        "balances": "exchange_unavailable",
        "positions": "exchange_unavailable",
    }
    assert run.parts["usdm"]["availability"] == "failed"
    assert latest == {
        "positions": Position.objects.filter(connection=connection, is_latest=True).count(),
        "balances": BalanceSnapshot.objects.filter(connection=connection, is_latest=True).count(),
    }


def test_markets_loaded_by_one_process_serve_the_next_and_age_out_after_an_hour(
    counted, account, connection
):
    """A new worker process starts with empty memory: the shared cache gives it the markets
    another loaded, without a request; after an hour they are loaded again."""
    from sync import markets

    markets.markets_forget()
    exchange_info = "/api/v3/exchangeInfo"
    full_sync(connection)
    assert requests_to(counted, exchange_info) == 1
    route = settings.THRIVE_EXCHANGE_URLS["binance"]
    assert 0 <= markets.markets_age("binance", route) < 60

    markets._local.clear()  # what a new process starts with
    assert full_sync(connection).status == SyncRun.Status.SUCCEEDED
    assert requests_to(counted, exchange_info) == 1

    with time_machine.travel(timedelta(hours=1, minutes=1)):
        markets._local.clear()
        assert markets.markets_age("binance", route) is None
        full_sync(connection)
    assert requests_to(counted, exchange_info) == 2

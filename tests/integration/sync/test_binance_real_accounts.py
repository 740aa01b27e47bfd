"""Binance accounts as most people have them (audit H2-H4): what a sync asks of parts the
account does not have, and an ordinary key's sub-account refusal under each reading of the
evidence."""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from portfolio.models import BalanceSnapshot
from sync.services import sync_connection
from tests.integration.connections.conftest import secret_of

FUTURES_PATHS = ("binance /fapi/", "binance /dapi/")


def connect(workspace, owner, account: dict) -> ExchangeConnection:
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label=account["label"],
        portfolio=None,
        secret=secret_of(account),
    )


def futures_requests(simulator) -> list[str]:
    return [name for name in simulator.stats()["endpoints"] if name.startswith(FUTURES_PATHS)]


def test_a_trades_sync_of_a_spot_only_key_leaves_futures_alone_and_a_balance_sync_asks_again(
    routed_to_simulator, workspace, owner
):
    connection = connect(workspace, owner, routed_to_simulator.account("binance", "spot-only"))
    assert connection.capabilities["usdm"]["availability"] == "no_access"
    routed_to_simulator.reset()

    trades = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert trades.status == "succeeded"
    assert futures_requests(routed_to_simulator) == []

    balances = sync_connection(connection_id=connection.pk, kind="balances", trigger="schedule")

    assert balances.status == "succeeded"
    assert futures_requests(routed_to_simulator), "a balance sync probes the futures API again"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.capabilities["usdm"]["exchange_code"] == "-2015"


@pytest.mark.parametrize(
    ("reading", "availability", "code"),
    [
        # "Sub-account function is not enabled." carries no code (binance-connector-python#237)
        ("not_enabled", "not_opened", ""),
        ("broker", "not_opened", "-10038"),
        ("not_authorized", "no_access", "-1002"),
    ],
)
def test_a_key_that_is_not_a_master_syncs_whichever_way_binance_refuses_its_sub_accounts(
    routed_to_simulator, workspace, owner, reading, availability, code
):
    routed_to_simulator.ok(
        "POST", "/config", {"readings": {"binance.sub_account_refusal": reading}}
    )
    connection = connect(workspace, owner, routed_to_simulator.account("binance", "not-master"))

    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")

    assert result.status == "succeeded"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    entry = connection.capabilities["sub_accounts"]
    assert (entry["availability"], entry["exchange_code"]) == (availability, code)
    kept = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    assert kept.filter(account_type="spot").exists()
    assert set(kept.values_list("account", flat=True)) == {"main"}

"""Exactly once over a connection's whole life: fills belong to the exchange account, whatever
connection or key brought them in. Through the pages, ccxt and the simulator, on Binance."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.messages import get_messages

from connections.models import AuditEvent, ExchangeConnection
from connections.services import (
    ConnectionRefused,
    connection_create,
    connection_replace_credentials,
)
from journal.models import Trade
from journal.services import trades_record
from portfolio.models import BalanceSnapshot
from sync.exchanges.records import TradeRecord
from sync.exchanges.registry import ADAPTERS
from sync.models import SyncRun
from sync.services import sync_connection
from tests.exchange_keys import secret_of

from .conftest import form_data


@pytest.fixture
def account(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange="binance", profile="spot-only", trades={"BTC/USDT": 300, "ETH/USDT": 100}
    )


def _connect(client, account, label="Main") -> tuple[object, list[str]]:
    response = client.post(
        "/settings/connections/add/?exchange=binance", form_data(account, label=label)
    )
    return response, [str(message) for message in get_messages(response.wsgi_request)]


def _sync(connection: ExchangeConnection) -> SyncRun:
    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
    assert result.status == "succeeded", result
    return SyncRun.objects.get(pk=result.run_id)


def test_disconnect_then_reconnect_lists_every_fill_once(owner_client, workspace, account):
    response, _ = _connect(owner_client, account)
    assert response.status_code == 302
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert _sync(connection).trades_inserted == 400
    balances = BalanceSnapshot.objects.filter(connection=connection, is_latest=True).count()
    owner_client.post(f"/settings/connections/{connection.public_id}/disconnect/")

    response, said = _connect(owner_client, account, label="Main again")

    assert response.status_code == 302
    assert said[-1:] == [
        "This Binance account was connected before as “Main”; its 400 trades are kept and "
        "syncing resumes from where it stopped."
    ]
    again = ExchangeConnection.objects.get(workspace=workspace)
    assert again.pk == connection.pk and again.label == "Main again"
    assert again.status == ExchangeConnection.Status.PENDING
    run = _sync(again)
    assert (run.trades_inserted, Trade.objects.filter(workspace=workspace).count()) == (0, 400)
    assert BalanceSnapshot.objects.filter(workspace=workspace, is_latest=True).count() == balances
    journal = owner_client.get("/journal/").content.decode()
    assert "Main again" in journal
    assert AuditEvent.objects.filter(connection=connection, action="reconnected").exists()


def test_a_fill_is_the_accounts_whichever_connection_brings_it(
    workspace, owner, portfolio, account
):
    first = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="First",
        portfolio=portfolio,
        secret=secret_of(account),
    )
    _sync(first)
    records = list(
        Trade.objects.filter(connection=first).values_list("exchange_trade_id", flat=True)
    )
    # Another connection row of the same account, as connections made before accounts were
    # named left behind: its import of the same fills adds nothing.
    second = ExchangeConnection.objects.get(pk=first.pk)
    second.pk, second.public_id, second.status = None, uuid.uuid4(), "disconnected"
    second.label = "Second"
    second.save()
    replay = [
        TradeRecord(
            account=row.account,
            market_type=row.market_type,
            symbol=row.symbol,
            base=row.base,
            quote=row.quote,
            settle=row.settle,
            side=row.side,
            price=row.price,
            amount=row.amount,
            cost=row.cost,
            fee=row.fee,
            fee_currency=row.fee_currency,
            executed_at=row.executed_at,
            trade_id=row.exchange_trade_id,
            order_id=row.order_id,
            taker_or_maker=row.taker_or_maker,
            realized_pnl=row.realized_pnl,
        )
        for row in Trade.objects.filter(connection=first)
    ]
    assert trades_record(connection=second, records=replay) == (0, len(records))
    assert Trade.objects.filter(workspace=workspace).count() == len(records)


def test_balances_of_a_disconnected_connection_are_history_not_holdings(
    owner_client, workspace, account
):
    _connect(owner_client, account)
    connection = ExchangeConnection.objects.get(workspace=workspace)
    _sync(connection)
    before = owner_client.get("/portfolio/").content.decode()
    assert "No longer connected" not in before

    owner_client.post(f"/settings/connections/{connection.public_id}/disconnect/")

    page = owner_client.get("/portfolio/").content.decode()
    holdings, _, history = page.partition("No longer connected")
    assert history, "the disconnected connection's last balances are kept as history"
    assert "<h2>Balances</h2>" not in holdings
    assert "not counted in your holdings" in history
    as_of = BalanceSnapshot.objects.filter(connection=connection, is_latest=True).first().as_of
    assert as_of.strftime("%Y-%m-%d %H:%M") in history


def test_the_connection_page_names_the_exchange_account_or_says_it_cannot(
    routed_to_simulator, owner_client, workspace, account
):
    _connect(owner_client, account)
    binance = ExchangeConnection.objects.get(workspace=workspace, exchange="binance")
    uid = account["email"].split("@")[0].rsplit(".", 1)[1]  # label.uid@binance.sim.invalid
    assert binance.exchange_account_id == uid
    page = owner_client.get(f"/settings/connections/{binance.public_id}/").content.decode()
    assert f'<span class="mono">{uid}</span>' in page

    # MEXC names the account through its own request (GET /api/v3/uid); when that fails, the
    # key stands for the account and the page says so.
    routed_to_simulator.fail_next_request("server_error", exchange="mexc", path="/api/v3/uid")
    mexc = connection_create(
        workspace=workspace,
        actor=None,
        exchange="mexc",
        label="MEXC",
        portfolio=None,
        secret=secret_of(routed_to_simulator.account("mexc", "read-only")),
    )
    assert mexc.exchange_account_id == "" and mexc.account_ref.startswith("key:")
    page = owner_client.get(f"/settings/connections/{mexc.public_id}/").content.decode()
    assert "MEXC did not tell us which account this key belongs to" in page


@pytest.mark.parametrize("exchange", sorted(ADAPTERS))
def test_every_exchange_tells_one_account_from_another(
    routed_to_simulator, workspace, owner, exchange
):
    workspace.plan = "pro"
    workspace.save()
    spot_only = routed_to_simulator.account(exchange, "spot-only")
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange=exchange,
        label="Main",
        portfolio=None,
        secret=secret_of(spot_only),
    )
    assert connection.exchange_account_id, f"{exchange} names the key's account"
    second_key = {**spot_only, **routed_to_simulator.add_key(spot_only["api_key"])}

    with pytest.raises(ConnectionRefused, match="account is already connected here as “Main”"):
        connection_create(
            workspace=workspace,
            actor=owner,
            exchange=exchange,
            label="Again",
            portfolio=None,
            secret=secret_of(second_key),
        )
    with pytest.raises(ConnectionRefused, match=r"This key belongs to another .* account"):
        connection_replace_credentials(
            connection=connection,
            actor=owner,
            secret=secret_of(routed_to_simulator.account(exchange, "read-only")),
        )
    replaced = connection_replace_credentials(
        connection=connection, actor=owner, secret=secret_of(second_key)
    )
    assert replaced.api_key_hint == second_key["api_key"][-4:]
    assert replaced.account_ref == connection.account_ref

"""What the person changed stays changed (issue 11): a fill from the API or a CSV may be
corrected or deleted, and a later sync that fetches the same fills again neither brings a
deleted one back nor overwrites a correction. The sync inserts with ON CONFLICT DO NOTHING on
the trade's identity, so the deletion must leave a tombstone: a hard delete would free the
identity, and the fill would come back (shown below)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.entry_services import trade_delete, trade_update
from journal.models import LedgerEntry, Trade
from journal.selectors import trade_list
from journal.services import trades_record
from portfolio.services import portfolio_default_ensure
from sync.exchanges.records import TradeRecord
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from tests.exchange_keys import secret_of
from tests.factories import ExchangeConnectionFactory

from .journal_rows import make_entry, make_trade

FILLS = 12


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def connected(routed_to_simulator, workspace, owner) -> ExchangeConnection:
    account = routed_to_simulator.create_account(
        exchange="binance", profile="spot-only", trades={"BTC/USDT": FILLS}
    )
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main",
        portfolio=portfolio_default_ensure(workspace=workspace),
        secret=secret_of(account),
    )


def sync_everything_again(connection: ExchangeConnection) -> SyncRun:
    """A full sync from the very start: without its cursors the sync fetches every fill of
    the account again, as a first import would."""
    SyncCursor.objects.filter(connection=connection).delete()
    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
    assert result.status == "succeeded", result
    return SyncRun.objects.get(pk=result.run_id)


def replay_of(trade: Trade) -> TradeRecord:
    """The record the exchange would send again for this fill, as it first sent it."""
    return TradeRecord(
        account=trade.account,
        market_type=trade.market_type,
        symbol=trade.symbol,
        base=trade.base,
        quote=trade.quote,
        settle=trade.settle,
        side=trade.side,
        price=Decimal("100"),
        amount=Decimal("1"),
        cost=Decimal("100"),
        fee=None,
        fee_currency="",
        executed_at=datetime(2024, 1, 2, 12, 0, tzinfo=UTC),
        trade_id=trade.exchange_trade_id,
        order_id="",
        taker_or_maker="",
    )


# -- through the pages, ccxt and the simulator ------------------------------------------------


def test_a_deleted_api_trade_stays_deleted_when_the_sync_fetches_it_again(
    owner_client, workspace, connected
):
    first = sync_everything_again(connected)
    assert first.trades_inserted == FILLS
    gone = Trade.objects.filter(connection=connected).order_by("executed_at").first()
    confirm = owner_client.get(f"/journal/trades/{gone.public_id}/delete/")
    assert "a later sync or re-import will not bring it back" in page_text(confirm)

    response = owner_client.post(f"/journal/trades/{gone.public_id}/delete/")

    assert response.status_code == 302
    again = sync_everything_again(connected)
    assert (again.trades_inserted, again.trades_existing) == (0, FILLS)
    gone.refresh_from_db()
    assert gone.deleted_at is not None
    assert Trade.objects.filter(workspace=workspace).count() == FILLS
    listed = set(trade_list(workspace=workspace).values_list("pk", flat=True))
    assert gone.pk not in listed and len(listed) == FILLS - 1
    assert owner_client.get(f"/journal/trades/{gone.public_id}/").status_code == 404


def test_an_edited_api_trade_keeps_the_edit_when_the_sync_fetches_it_again(
    owner_client, workspace, connected
):
    sync_everything_again(connected)
    fill = Trade.objects.filter(connection=connected).order_by("executed_at").first()
    original = (fill.symbol, fill.side, fill.exchange_trade_id, fill.executed_at)
    form = owner_client.get(f"/journal/trades/{fill.public_id}/edit/")
    assert set(form.context["form"].fields) == {
        "time", "timezone", "amount", "price", "fee", "fee_currency", "note",
    }  # fmt: skip
    assert "a later sync never overwrites your correction" in page_text(form)
    sent = {key: value for key, value in form.context["form"].initial.items() if value is not None}

    response = owner_client.post(
        f"/journal/trades/{fill.public_id}/edit/",
        {
            **sent,
            "price": "12345.678",
            "note": "Price fixed from my statement",
            "symbol": "ETH/USDT",
            "side": "sell",
        },
    )

    assert response.status_code == 302
    again = sync_everything_again(connected)
    assert (again.trades_inserted, again.trades_existing) == (0, FILLS)
    fill.refresh_from_db()
    assert fill.price == Decimal("12345.678")
    assert fill.cost == pytest.approx(fill.amount * Decimal("12345.678"), rel=Decimal("1e-15"))
    assert fill.note == "Price fixed from my statement"
    assert fill.edited_at is not None and fill.deleted_at is None
    # What the fill is stays as the exchange reported it: the identity the sync meets.
    assert (fill.symbol, fill.side, fill.exchange_trade_id, fill.executed_at) == original
    assert "edited" in page_text(owner_client.get(f"/journal/trades/{fill.public_id}/"))


# -- at the journal's write, with the same records replayed -----------------------------------


@pytest.fixture
def api_trade(workspace):
    connection = ExchangeConnectionFactory(
        workspace=workspace, exchange="bybit", account_ref="id:777"
    )
    fill = make_trade(
        workspace,
        executed_at=datetime(2024, 1, 2, 12, 0, tzinfo=UTC),
        connection=connection,
        exchange_trade_id="bybit-fill-1",
    )
    return connection, fill


def test_replaying_a_deleted_fill_inserts_nothing(api_trade):
    connection, fill = api_trade
    trade_delete(trade=fill)

    assert trades_record(connection=connection, records=[replay_of(fill)]) == (0, 1)

    assert Trade.objects.get(pk=fill.pk).deleted_at is not None
    assert Trade.objects.filter(workspace=fill.workspace).count() == 1


def test_replaying_an_edited_fill_leaves_the_edit(api_trade):
    connection, fill = api_trade
    trade_update(
        trade=fill,
        executed_at=fill.executed_at,
        amount=Decimal("2"),
        price=Decimal("150"),
        fee=Decimal("0.3"),
        fee_currency="USDT",
        note="Corrected",
    )

    assert trades_record(connection=connection, records=[replay_of(fill)]) == (0, 1)

    fill.refresh_from_db()
    assert (fill.amount, fill.price, fill.cost, fill.fee, fill.note) == (
        Decimal("2"), Decimal("150"), Decimal("300"), Decimal("0.3"), "Corrected",
    )  # fmt: skip


def test_a_hard_delete_would_bring_the_fill_back_so_deleting_keeps_a_tombstone(api_trade):
    connection, fill = api_trade
    # What trade_delete must never do:
    Trade.objects.filter(pk=fill.pk).delete()

    assert trades_record(connection=connection, records=[replay_of(fill)]) == (1, 0)
    assert trade_list(workspace=fill.workspace).count() == 1


def test_an_api_trade_may_not_be_rewritten_into_another_fill(api_trade):
    _, fill = api_trade
    with pytest.raises(ValueError, match="Only a manual trade"):
        trade_update(
            trade=fill,
            executed_at=fill.executed_at,
            amount=fill.amount,
            price=fill.price,
            fee=None,
            fee_currency="",
            note="",
            symbol="ETH/USDT",
        )


def test_saving_an_api_trade_untouched_marks_nothing_edited(owner_client, api_trade):
    _, fill = api_trade
    form = owner_client.get(f"/journal/trades/{fill.public_id}/edit/").context["form"]
    sent = {key: value for key, value in form.initial.items() if value is not None}

    owner_client.post(f"/journal/trades/{fill.public_id}/edit/", sent)

    assert Trade.objects.get(pk=fill.pk).edited_at is None


def test_a_csv_entry_is_corrected_keeping_its_sign_and_deleted_as_a_tombstone(
    owner_client, workspace
):
    entry = make_entry(
        workspace,
        occurred_at=datetime(2024, 1, 5, 9, 30, tzinfo=UTC),
        amount="-5",
        kind=LedgerEntry.Kind.WITHDRAWAL,
        source="csv",
        exchange="kraken",
        external_id="LQ-1",
    )
    form = owner_client.get(f"/journal/entries/{entry.public_id}/edit/").context["form"]
    assert form.initial["amount"] == "5"

    owner_client.post(
        f"/journal/entries/{entry.public_id}/edit/",
        {
            "time": "2024-01-05T10:30",
            "timezone": "Europe/Berlin",
            "amount": "4.5",
            "note": "Network fee was separate",
        },
    )

    entry.refresh_from_db()
    assert (entry.amount, entry.note, entry.external_id) == (
        Decimal("-4.5"), "Network fee was separate", "LQ-1",
    )  # fmt: skip
    assert entry.occurred_at == datetime(2024, 1, 5, 9, 30, tzinfo=UTC)
    assert entry.edited_at is not None
    owner_client.post(f"/journal/entries/{entry.public_id}/delete/")
    assert LedgerEntry.objects.get(pk=entry.pk).deleted_at is not None

"""Importing a Coinbase Advanced account end to end: ccxt over HTTP to the simulator, into the
journal. Fills of every product come in one newest-first cursor stream; Coinbase names them by
UUID, which `trade_uuid` maps from the simulator's integer ids."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.exchanges.coinbase import CoinbaseAdapter
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from sync.simulator.exchanges.coinbase.catalog import trade_uuid
from tests.integration.connections.conftest import secret_of

EXCHANGE = "coinbase"
YEAR = timedelta(days=365)
FILLS_PATH = "/api/v3/brokerage/orders/historical/fills"


def expected_trades(simulator, account) -> list[dict]:
    """The ground truth an import must reach: the last 12 months (Coinbase keeps them all)."""
    now = timezone.now()
    return [
        fill
        for fill in simulator.ground_truth(account["api_key"])
        if now - datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        < YEAR - timedelta(minutes=5)
    ]


def coinbase_id(fill: dict) -> str:
    return trade_uuid(fill["symbol"].replace("/", "-"), int(fill["id"]))


def sums(rows, amount, cost, fee) -> dict[str, tuple[int, Decimal, Decimal, Decimal]]:
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for row in rows:
        entry = totals[row["symbol"]]
        entry[0] += 1
        entry[1] += Decimal(str(row[amount]))
        entry[2] += Decimal(str(row[cost]))
        entry[3] += Decimal(str(row[fee] or 0))
    return {symbol: tuple(values) for symbol, values in totals.items()}


def assert_imported_exactly(simulator, account, connection) -> None:
    truth = expected_trades(simulator, account)
    imported = list(Trade.objects.filter(connection=connection).values())
    assert len(imported) == len(truth)
    assert {row["exchange_trade_id"] for row in imported} == {coinbase_id(f) for f in truth}
    assert sums(imported, "amount", "cost", "fee") == sums(truth, "amount", "cost", "fee")
    assert {(row["symbol"], row["fee_currency"]) for row in imported} == {
        (fill["symbol"], fill["fee_currency"]) for fill in truth
    }


def fills_requests(simulator) -> int:
    endpoint = simulator.stats()["endpoints"].get(f"{EXCHANGE} {FILLS_PATH}") or {}
    return int(endpoint.get("requests", 0))


@pytest.fixture(scope="module")
def account(simulator):
    """More fills than two largest pages, across four products and more than 12 months."""
    return simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 3000, "ETH/USDT": 2200, "SOL/USDT": 800, "BTC/USD": 1400},
        days=400,
        permissions=["read"],
    )


def connect(workspace, owner, account) -> ExchangeConnection:
    from thrive.models import Workspace

    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange=EXCHANGE,
        label="Import",
        portfolio=None,
        secret=secret_of(account),
    )


@pytest.fixture
def connection(routed_to_simulator, workspace, owner, account):
    return connect(workspace, owner, account)


def initial(connection):
    return sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")


def trades_only(connection):
    return sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")


# -- trades ----------------------------------------------------------------------------------


def test_the_first_sync_imports_every_reachable_fill_exactly(
    routed_to_simulator, account, connection
):
    result = initial(connection)
    assert result.status == "succeeded", result

    assert_imported_exactly(routed_to_simulator, account, connection)
    truth = expected_trades(routed_to_simulator, account)
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.trades_inserted == len(truth)
    # one cursor walk of 3000-fill pages, no windows and nothing to discover
    assert fills_requests(routed_to_simulator) == len(truth) // 3000 + 1
    assert set(
        Trade.objects.filter(connection=connection).values_list("market_type", flat=True)
    ) == {"spot"}
    cursor = SyncCursor.objects.get(connection=connection, stream="spot")
    assert cursor.reaches_back_to is None
    assert set(cursor.position) == {"synced_to"}
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.last_trades_sync_at and connection.last_balances_sync_at
    # one row field by field
    fill = truth[-1]
    trade = Trade.objects.get(connection=connection, exchange_trade_id=coinbase_id(fill))
    assert trade.symbol == fill["symbol"] and trade.side == fill["side"]
    assert (trade.base, trade.quote) == tuple(fill["symbol"].split("/"))
    assert trade.price == Decimal(fill["price"]) and trade.amount == Decimal(fill["amount"])
    assert trade.cost == Decimal(fill["cost"]) and trade.fee == Decimal(fill["fee"])
    assert trade.fee_currency == fill["fee_currency"]
    assert trade.taker_or_maker == fill["taker_or_maker"]
    assert int(trade.executed_at.timestamp() * 1000) == fill["timestamp"]
    assert len(trade.order_id) == 36


def test_a_second_sync_changes_nothing_in_one_request(routed_to_simulator, account, connection):
    initial(connection)
    before = Trade.objects.filter(connection=connection).count()

    result = trades_only(connection)

    run = SyncRun.objects.get(pk=result.run_id)
    assert result.status == "succeeded"
    assert Trade.objects.filter(connection=connection).count() == before
    assert run.trades_inserted == 0
    # markets come from the process cache: the one request is the fills page
    assert run.requests_made == 1


def test_an_incremental_sync_walks_only_what_is_new(routed_to_simulator, account, connection):
    """As if the last sync had ended ten days ago: the next one reads those ten days alone."""
    initial(connection)
    cut = timezone.now() - timedelta(days=10)
    Trade.objects.filter(connection=connection, executed_at__gte=cut).delete()
    SyncCursor.objects.filter(connection=connection, stream="spot").update(
        position={"synced_to": int(cut.timestamp() * 1000)}
    )
    walked = fills_requests(routed_to_simulator)

    result = trades_only(connection)

    assert result.status == "succeeded"
    assert_imported_exactly(routed_to_simulator, account, connection)
    assert fills_requests(routed_to_simulator) == walked + 1


# -- crashes and resumes -----------------------------------------------------------------------


def test_a_walk_interrupted_after_every_page_resumes_to_exactly_the_ground_truth(
    routed_to_simulator, account, connection, monkeypatch
):
    """Small pages, and a server error on the request after each committed page: every sync
    moves one page on, resuming from the stored cursor, and the end is exact."""
    monkeypatch.setattr(CoinbaseAdapter, "page_size", 700)
    original = CoinbaseAdapter.trade_pages

    def one_page_then_fail(self, client, stream, cursor, **bounds):
        for page in original(self, client, stream, cursor, **bounds):
            yield page
            routed_to_simulator.fail_next_request(
                "server_error", exchange=EXCHANGE, api_key=account["api_key"]
            )

    monkeypatch.setattr(CoinbaseAdapter, "trade_pages", one_page_then_fail)
    resumed_walks = 0
    for _ in range(20):
        result = trades_only(connection)
        if result.status == "succeeded":
            break
        assert result.failure.code.value == "exchange_unavailable"
        position = SyncCursor.objects.get(connection=connection, stream="spot").position
        resumed_walks += "walk" in position
    assert result.status == "succeeded"
    assert resumed_walks > 5
    assert_imported_exactly(routed_to_simulator, account, connection)
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED


def test_a_crash_mid_walk_then_a_full_sync_ends_exact(
    routed_to_simulator, account, connection, monkeypatch
):
    original = CoinbaseAdapter.trade_pages

    def crash_after_first_page(self, client, stream, cursor, **bounds):
        pages = original(self, client, stream, cursor, **bounds)
        yield next(pages)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(CoinbaseAdapter, "trade_pages", crash_after_first_page)
    crashed = initial(connection)
    assert crashed.status == "partial"
    assert 0 < Trade.objects.filter(connection=connection).count() == 3000
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.WARNING

    monkeypatch.setattr(CoinbaseAdapter, "trade_pages", original)
    assert initial(connection).status == "succeeded"
    assert_imported_exactly(routed_to_simulator, account, connection)


def first_walk_interrupted_after_every_page(simulator, account, monkeypatch) -> None:
    """Every page the first walk reads is followed by a server error on the next request
    (later walks run through: they start again inside the last minutes, which would break
    off as often)."""
    original = CoinbaseAdapter.trade_pages

    def one_page_then_fail(self, client, stream, cursor, **bounds):
        for page in original(self, client, stream, cursor, **bounds):
            yield page
            if "walk" in page.cursor and page.cursor["synced_to"] is None:
                simulator.fail_next_request(
                    "server_error", exchange=EXCHANGE, api_key=account["api_key"]
                )

    monkeypatch.setattr(CoinbaseAdapter, "trade_pages", one_page_then_fail)


@pytest.mark.parametrize("compared", ["trade_time", "sequence_timestamp"])
@pytest.mark.parametrize("offset", ["same", "later_1ms", "earlier_60s"])
def test_fills_import_exactly_whatever_the_sequence_timestamp_says(
    routed_to_simulator, workspace, owner, monkeypatch, offset, compared
):
    """A fill's sequence_timestamp may lie a minute before its trade_time (the docs' example)
    or a millisecond after (ccxt's recorded fill), and the time bounds may compare either:
    a walk broken off after every page, inside a minute of 600 fills, resumes without losing
    one, and fills made while it ran and after it are all imported by the next sync."""
    simulator = routed_to_simulator
    account = simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 200, "ETH/USD": 100},
        days=30,
        permissions=["read"],
        readings={"sequence_offset": offset, "fills_time_filter": compared},
    )
    trading = f"/accounts/{account['api_key']}/trades"
    simulator.ok("POST", trading, {"symbol": "BTC/USDT", "count": 600})
    connection = connect(workspace, owner, account)
    monkeypatch.setattr(CoinbaseAdapter, "page_size", 100)
    first_walk_interrupted_after_every_page(simulator, account, monkeypatch)

    resumed = 0
    for _ in range(30):
        result = trades_only(connection)
        if result.status == "succeeded":
            break
        resumed += 1
    assert result.status == "succeeded"
    assert resumed >= 8
    assert_imported_exactly(simulator, account, connection)

    monkeypatch.undo()
    simulator.ok("POST", trading, {"symbol": "ETH/USD", "count": 150})
    result = trades_only(connection)

    assert result.status == "succeeded"
    assert SyncRun.objects.get(pk=result.run_id).trades_inserted == 150
    assert_imported_exactly(simulator, account, connection)


@pytest.mark.parametrize(
    ("largest", "requests"),
    # 3000: one page; 100: the page is cut and the walk follows the cursor; error: the
    # refused page size is dropped for the rest of the sync
    [("3000", 1), ("100", 5), ("error", 1 + 5)],
)
def test_the_first_sync_is_exact_whatever_page_size_coinbase_serves(
    routed_to_simulator, workspace, owner, largest, requests
):
    simulator = routed_to_simulator
    account = simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 300, "ETH/USDT": 150},
        days=60,
        permissions=["read"],
        readings={"fills_max_limit": largest},
    )
    connection = connect(workspace, owner, account)

    result = initial(connection)

    assert result.status == "succeeded", result
    assert_imported_exactly(simulator, account, connection)
    assert fills_requests(simulator) == requests
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED


# -- balances and positions --------------------------------------------------------------------


@pytest.mark.parametrize("wallet_ids", ["same", "other_uuid", "currency_code"])
def test_balances_are_the_spot_wallets_and_the_staked_coins(
    routed_to_simulator, account, connection, wallet_ids
):
    """Whether a wallet's v2 id is its v3 uuid is undocumented: trading wallets are never
    counted again as staked, whichever id the v2 list gives them."""
    routed_to_simulator.ok("POST", "/config", {"readings": {"coinbase.wallet_ids": wallet_ids}})
    initial(connection)

    truth = routed_to_simulator.balances(account["api_key"])
    rows = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    spot = {row.asset: row for row in rows if row.account_type == "spot"}
    expected = {
        asset: Decimal(item["balance"])
        for asset, item in truth["wallets"]["spot"].items()
        if Decimal(item["balance"])
    }
    assert {asset: row.total for asset, row in spot.items()} == expected
    assert all(row.free == row.total and row.used == 0 for row in spot.values())
    earn = {row.asset: row.total for row in rows if row.account_type == "earn"}
    assert earn == {asset: Decimal(amount) for asset, amount in truth["earn_locked"].items()}
    assert {row.account_type for row in rows} == {"spot", "earn"}
    # spot only: Coinbase Advanced has no positions to hold here
    assert not Position.objects.filter(connection=connection).exists()
    connection.refresh_from_db()
    assert connection.capabilities["earn"]["availability"] == "available"


def test_a_refused_wallet_list_is_recorded_and_spot_goes_on(
    routed_to_simulator, account, connection
):
    """The Coinbase App wallet list (staked coins) is optional: its failure is recorded."""
    routed_to_simulator.add_fault(
        "no_read_permission", exchange=EXCHANGE, api_key=account["api_key"], path="/v2/accounts"
    )

    assert initial(connection).status == "succeeded"

    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    earn = connection.capabilities["earn"]
    assert (earn["availability"], earn["exchange_code"]) == ("no_access", "invalid_scope")
    assert not BalanceSnapshot.objects.filter(connection=connection, account_type="earn").exists()
    assert_imported_exactly(routed_to_simulator, account, connection)


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("maintenance", ExchangeConnection.Status.MAINTENANCE),
        ("revoked_key", ExchangeConnection.Status.NEEDS_ATTENTION),
        ("rate_limit", ExchangeConnection.Status.WARNING),
    ],
)
def test_faults_become_connection_states(routed_to_simulator, account, connection, kind, status):
    routed_to_simulator.add_fault(kind, exchange=EXCHANGE, api_key=account["api_key"], requests=5)

    result = initial(connection)

    assert result.status == "failed"
    connection.refresh_from_db()
    assert connection.status == status
    assert not Trade.objects.filter(connection=connection).exists()


def test_a_fill_of_a_product_no_longer_listed_is_still_recorded(routed_to_simulator, account):
    """Coinbase delists products; their fills stay in the stream and must not stop the walk."""
    from sync.markets import markets_ensure

    adapter = CoinbaseAdapter()
    client = adapter.client(secret_of(account))
    markets_ensure(client, key=adapter.ccxt_id, route=adapter.markets_route)
    row = {
        "trade_id": "6a1d2c1e-0000-4000-8000-000000000001",
        "order_id": "6a1d2c1e-0000-4000-8000-000000000002",
        "trade_time": "2025-01-18T01:37:38.091377090Z",
        "sequence_timestamp": "2025-01-18T01:37:38.092520Z",
        "trade_type": "FILL",
        "price": "0.5",
        "size": "120",
        "commission": "0.72",
        "product_id": "OLD-USD",
        "liquidity_indicator": "TAKER",
        "size_in_quote": False,
        "side": "SELL",
    }

    record = adapter.record_of(client, client.parse_trade(row))

    assert (record.symbol, record.base, record.quote, record.market_type) == (
        "OLD/USD",
        "OLD",
        "USD",
        "spot",
    )
    assert (record.amount, record.cost, record.fee) == (Decimal(120), Decimal(60), Decimal("0.72"))
    assert record.fee_currency == "USD" and record.trade_id == row["trade_id"]

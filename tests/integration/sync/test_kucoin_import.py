"""Importing a KuCoin account end to end: ccxt over HTTP to the simulator, into the journal."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.exchanges.errors import ErrorCode
from sync.exchanges.kucoin import FUTURES, KucoinAdapter
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from tests.integration.connections.conftest import secret_of

EXCHANGE = "kucoin"
YEAR = timedelta(days=365)
# KuCoin keeps futures fills for three months
FUTURES_REACH = timedelta(days=90)


def expected_trades(simulator, account, run: SyncRun) -> list[dict]:
    """The ground truth an import must reach: 12 months back from the sync, 3 for futures."""
    kept = []
    for fill in simulator.ground_truth(account["api_key"]):
        at = datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        reach = FUTURES_REACH if fill["market_type"] == "swap" else YEAR
        if at >= run.started_at - reach:
            kept.append(fill)
    return kept


def sums(rows, amount, cost, fee) -> dict[tuple, tuple[int, Decimal, Decimal, Decimal]]:
    """Count, amount, cost and fee per (market type, symbol): margin fills share their pair's
    symbol."""
    totals: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for row in rows:
        entry = totals[(row["market_type"], row["symbol"])]
        entry[0] += 1
        entry[1] += Decimal(str(row[amount]))
        entry[2] += Decimal(str(row[cost]))
        entry[3] += Decimal(str(row[fee] or 0))
    return {symbol: tuple(values) for symbol, values in totals.items()}


def assert_imported_exactly(simulator, account, connection, run: SyncRun) -> None:
    truth = expected_trades(simulator, account, run)
    imported = list(Trade.objects.filter(connection=connection).values())
    assert sorted(
        (row["market_type"], row["symbol"], row["exchange_trade_id"]) for row in imported
    ) == sorted((fill["market_type"], fill["symbol"], fill["id"]) for fill in truth)
    assert sums(imported, "amount", "cost", "fee") == sums(truth, "amount", "cost", "fee")
    fee_currencies = {(row["symbol"], row["fee_currency"]) for row in imported}
    assert fee_currencies == {(fill["symbol"], fill["fee_currency"]) for fill in truth}


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


def sync(connection, kind: str = "initial") -> SyncRun:
    trigger = "initial" if kind == "initial" else "schedule"
    result = sync_connection(connection_id=connection.pk, kind=kind, trigger=trigger)
    return SyncRun.objects.get(pk=result.run_id)


@pytest.fixture
def account(routed_to_simulator):
    """A year and more of spot, cross and isolated margin and futures, on the HF engine, with
    margin and earn holdings. SOL is traded on cross margin only and XRP on isolated margin
    only: their books are found from the margin balances the fills left."""
    return routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={
            "BTC/USDT": 300,
            "ETH/USDT": 120,
            "BTC/USDT cross margin": 150,
            "SOL/USDT cross margin": 40,
            "ETH/USDT isolated margin": 80,
            "XRP/USDT isolated margin": 30,
            "BTC/USDT:USDT": 400,
            "BTC/USD:BTC": 150,
        },
        days=400,
        permissions=["read"],
    )


@pytest.fixture
def busy(routed_to_simulator):
    """Ten busy days: several ``lastId`` pages per spot week, several futures pages."""
    return routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 450, "XRP/USDT": 120, "BTC/USDT:USDT": 2300},
        days=10,
        permissions=["read"],
    )


@pytest.fixture
def connection(workspace, owner, account):
    return connect(workspace, owner, account)


# -- trades ------------------------------------------------------------------------------------


def test_the_first_sync_imports_every_reachable_trade_exactly(
    routed_to_simulator, account, connection
):
    run = sync(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert_imported_exactly(routed_to_simulator, account, connection, run)
    assert run.trades_inserted == Trade.objects.filter(connection=connection).count()
    types = set(Trade.objects.filter(connection=connection).values_list("market_type", "symbol"))
    assert types == {
        ("spot", "BTC/USDT"),
        ("spot", "ETH/USDT"),
        ("margin", "BTC/USDT"),
        ("margin", "SOL/USDT"),
        ("margin", "ETH/USDT"),
        ("margin", "XRP/USDT"),
        ("swap", "BTC/USDT:USDT"),
        ("swap", "BTC/USD:BTC"),
    }
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.last_trades_sync_at and connection.last_balances_sync_at
    cursors = SyncCursor.objects.filter(connection=connection)
    streams = dict(cursors.values_list("stream", "reaches_back_to"))
    # HF spot by symbol (bases held), cross margin by symbol (bases held there: seeded BTC,
    # traded SOL), isolated margin by pair held, futures in one walk
    assert set(streams) == {
        "futures",
        "spot:BTC/USDT",
        "spot:ETH/USDT",
        "margin:BTC/USDT",
        "margin:SOL/USDT",
        "isolated:ETH/USDT",
        "isolated:XRP/USDT",
    }
    assert streams["futures"] is not None and streams["spot:BTC/USDT"] is None
    # trade by trade: futures sizes are lots x contractSize (KuCoin Futures calls bitcoin
    # XBT); margin fills as their pair's spot fills would be
    truth = {
        (fill["market_type"], fill["symbol"], fill["id"]): fill
        for fill in routed_to_simulator.ground_truth(account["api_key"])
    }
    for trade in Trade.objects.filter(connection=connection, market_type__in=["swap", "margin"]):
        fill = truth[(trade.market_type, trade.symbol, trade.exchange_trade_id)]
        assert (trade.amount, trade.cost, trade.fee, trade.fee_currency) == (
            Decimal(fill["amount"]),
            Decimal(fill["cost"]),
            Decimal(fill["fee"]),
            fill["fee_currency"],
        )
        assert (trade.price, trade.side, trade.taker_or_maker) == (
            Decimal(fill["price"]),
            fill["side"],
            fill["taker_or_maker"],
        )
        assert int(trade.executed_at.timestamp() * 1000) == fill["timestamp"]


def test_a_second_sync_changes_nothing_and_asks_once_per_stream(
    routed_to_simulator, account, connection
):
    first = sync(connection)
    before = Trade.objects.filter(connection=connection).count()

    again = sync(connection, kind="trades")

    assert again.status == SyncRun.Status.SUCCEEDED
    assert Trade.objects.filter(connection=connection).count() == before
    assert again.trades_inserted == 0
    streams = SyncCursor.objects.filter(connection=connection).count()
    # one request per stream, plus the holdings (accounts, isolated margin) and the HF probe
    # that cached markets no longer answer
    assert again.requests_made == streams + 3
    assert first.requests_made > again.requests_made


class WorkerDied(BaseException):
    """What the engine cannot catch: the worker process ending mid-sync."""


def once_mid_window(monkeypatch, kind: str, action) -> list[dict]:
    """Runs `action` once, right after the engine committed a page of a `kind` stream that
    ends inside a window (more pages of that window to come); returns that page's cursor."""
    original = KucoinAdapter.trade_pages
    done: list[dict] = []

    def trade_pages(self, client, stream, cursor, **window):
        for page in original(self, client, stream, cursor, **window):
            yield page
            if not done and stream.name.startswith(kind) and "after" in page.cursor:
                done.append(page.cursor)
                action()

    monkeypatch.setattr(KucoinAdapter, "trade_pages", trade_pages)
    return done


def test_crashes_inside_a_window_resume_there_and_lose_nothing(
    routed_to_simulator, busy, workspace, owner, monkeypatch
):
    connection = connect(workspace, owner, busy)

    # 1. the worker dies inside a futures week (currentPage paging), the first stream walked
    def die() -> None:
        raise WorkerDied

    died_at = once_mid_window(monkeypatch, "futures", die)
    with pytest.raises(WorkerDied):
        sync(connection)
    assert SyncCursor.objects.get(connection=connection, stream="futures").position == died_at[0]
    monkeypatch.undo()

    # 2. the exchange fails inside a spot week (lastId paging): that stream stops, the others
    # go on, and the run says so
    def fail_next_request() -> None:
        routed_to_simulator.fail_next_request(
            "server_error", exchange=EXCHANGE, api_key=busy["api_key"]
        )

    failed_at = once_mid_window(monkeypatch, "spot:", fail_next_request)
    second = sync(connection)

    assert second.progress["futures"]["before"] == died_at[0]
    assert second.status == SyncRun.Status.PARTIAL
    assert second.error_code == ErrorCode.UNAVAILABLE
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.WARNING
    stream = next(name for name, p in second.progress.items() if p.get("error"))
    assert second.progress[stream]["after"] == failed_at[0]
    monkeypatch.undo()

    # 3. the next sync resumes that spot week where it stopped and ends with the ground truth
    third = sync(connection, kind="trades")

    assert third.status == SyncRun.Status.SUCCEEDED
    assert third.progress[stream]["before"] == failed_at[0]
    assert_imported_exactly(routed_to_simulator, busy, connection, third)
    endpoints = routed_to_simulator.stats()["endpoints"]
    # several lastId pages in a spot week, a second currentPage page in a futures week
    assert endpoints["kucoin /api/v1/hf/fills"]["requests"] > 2 * 53 + 4
    assert endpoints["kucoin /api/v1/fills"]["requests"] > 13 + 1


def test_a_low_frequency_account_imports_every_pair_in_one_walk(
    routed_to_simulator, workspace, owner
):
    account = routed_to_simulator.account(EXCHANGE, "low-frequency")
    connection = connect(workspace, owner, account)

    run = sync(connection)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert_imported_exactly(routed_to_simulator, account, connection, run)
    streams = set(SyncCursor.objects.filter(connection=connection).values_list("stream", flat=True))
    # every pair of a trade type at once: spot, cross and isolated margin
    assert {"spot", "margin", "isolated"} <= streams
    assert not any(":" in name for name in streams - {"futures"})
    assert {row[0] for row in Trade.objects.values_list("market_type")} == {"spot", "margin"}


# -- balances and positions --------------------------------------------------------------------


def test_balances_of_every_account_type_and_positions_are_recorded(
    routed_to_simulator, account, connection
):
    sync(connection, kind="balances")

    truth = routed_to_simulator.balances(account["api_key"])
    recorded = {
        (row.account_type, row.asset): row.total
        for row in BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    }
    expected = {}
    for account_type, wallet in (("spot", "spot"), ("futures", "linear"), ("futures", "inverse")):
        for asset, row in truth["wallets"].get(wallet, {}).items():
            expected[(account_type, asset)] = Decimal(row["balance"])
    for account_type, side in (
        ("funding", "funding"),
        ("margin", "margin"),
        ("lending", "earn_flexible"),
        ("earn", "earn_locked"),
    ):
        for asset, amount in truth[side].items():
            expected[(account_type, asset)] = Decimal(amount)
    # cross margin fills are booked in a wallet of their own, served with the seeded one
    for asset, row in truth["wallets"]["cross_margin"].items():
        key = ("margin", asset)
        expected[key] = expected.get(key, Decimal(0)) + Decimal(row["balance"])
    for asset, amount in truth["margin_borrowed"].items():
        expected[("margin_debt", asset)] = -Decimal(amount)
    client = routed_to_simulator.client(account)
    # one record per asset across the isolated pairs (USDT backs ETH-USDT and XRP-USDT)
    for pair in client.private_get_isolated_accounts()["data"]["assets"]:
        for side in (pair["baseAsset"], pair["quoteAsset"]):
            for key, amount in (
                (("isolated", side["currency"]), Decimal(side["total"])),
                (("isolated_debt", side["currency"]), -Decimal(side["liability"])),
            ):
                expected[key] = expected.get(key, Decimal(0)) + amount
    assert recorded == {key: value for key, value in expected.items() if value}

    latest = Position.objects.filter(connection=connection, is_latest=True)
    positions = {position.symbol: position for position in latest}
    assert set(positions) == {row["symbol"] for row in truth["positions"]}
    for row in truth["positions"]:
        position = positions[row["symbol"]]
        amount = Decimal(row["amount"])
        assert position.contracts * position.contract_size == abs(amount)
        assert position.side == ("long" if amount > 0 else "short")
        assert position.entry_price == Decimal(row["entry_price"])
        assert position.mark_price == Decimal(row["mark_price"])
        assert position.leverage == row["leverage"]
        assert position.margin_mode == row["margin_mode"]
        assert position.liquidation_price > 0 and position.unrealized_pnl
        assert position.market_type == "swap"


# -- failures become states --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "status"),
    [
        ("maintenance", {}, ExchangeConnection.Status.MAINTENANCE),
        ("revoked_key", {}, ExchangeConnection.Status.NEEDS_ATTENTION),
        # "slow down" stops the run: going on would get the address banned
        ("rate_limit", {"requests": 1}, ExchangeConnection.Status.WARNING),
    ],
)
def test_exchange_failures_become_connection_states(
    routed_to_simulator, account, connection, kind, options, status
):
    routed_to_simulator.add_fault(kind, exchange=EXCHANGE, api_key=account["api_key"], **options)

    run = sync(connection)

    assert run.status == SyncRun.Status.FAILED
    connection.refresh_from_db()
    assert connection.status == status
    assert not Trade.objects.filter(connection=connection).exists()


def test_futures_maintenance_alone_is_recorded_on_the_futures_part(
    routed_to_simulator, account, connection
):
    """Futures are optional: the futures host under maintenance (its own 503 with
    Retry-After) leaves spot syncing and says so on the part."""
    routed_to_simulator.add_fault(
        "maintenance",
        exchange=EXCHANGE,
        api_key=account["api_key"],
        path="/api/v1/account-overview",
    )

    run = sync(connection, kind="balances")

    assert run.status == SyncRun.Status.SUCCEEDED
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert run.parts["futures"]["availability"] == "failed"
    assert run.parts["futures"]["error_code"] == ErrorCode.MAINTENANCE.value


# -- accounts without margin, lending or futures -------------------------------------------------


def configure(simulator, **readings: str) -> None:
    simulator.ok("POST", "/config", {"readings": {f"kucoin.{k}": v for k, v in readings.items()}})


def spot_fills(simulator, account) -> int:
    return sum(
        1 for fill in simulator.ground_truth(account["api_key"]) if fill["market_type"] == "spot"
    )


@pytest.mark.parametrize("reading", ["101030", "130306"])
def test_a_margin_disabled_account_syncs_and_shows_margin_not_opened(
    routed_to_simulator, workspace, owner, reading
):
    configure(routed_to_simulator, margin_not_enabled=reading)
    margin_disabled = routed_to_simulator.account(EXCHANGE, "margin-disabled")
    connection = connect(workspace, owner, margin_disabled)

    run = sync(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    for part in ("margin", "isolated"):
        assert connection.capabilities[part]["availability"] == "not_opened"
        assert connection.capabilities[part]["exchange_code"] == reading
    assert Trade.objects.filter(connection=connection, market_type="spot").count() == spot_fills(
        routed_to_simulator, margin_disabled
    )


def test_a_trades_only_sync_finds_spot_symbols_without_asking_margin(
    routed_to_simulator, workspace, owner
):
    """held_assets: spot symbols are found from the spot wallet even when margin refuses."""
    margin_disabled = routed_to_simulator.account(EXCHANGE, "margin-disabled")
    connection = connect(workspace, owner, margin_disabled)

    run = sync(connection, kind="trades")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert Trade.objects.filter(connection=connection, market_type="spot").count() == spot_fills(
        routed_to_simulator, margin_disabled
    )


@pytest.mark.parametrize("fields", ["table", "example"])
@pytest.mark.parametrize("currency", ["required", "optional"])
def test_lending_is_recorded_under_every_reading_of_the_subscription_list(
    routed_to_simulator, account, connection, currency, fields
):
    configure(routed_to_simulator, lending_currency=currency, lending_fields=fields)

    run = sync(connection, kind="balances")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert run.parts["lending"]["availability"] == "available"
    lent = routed_to_simulator.balances(account["api_key"])["earn_flexible"]
    recorded = {
        row.asset: row.total
        for row in BalanceSnapshot.objects.filter(
            connection=connection, is_latest=True, account_type="lending"
        )
    }
    assert lent and recorded == {asset: Decimal(amount) for asset, amount in lent.items()}


def test_a_spot_only_account_refused_by_the_futures_host_still_syncs(
    routed_to_simulator, workspace, owner
):
    configure(routed_to_simulator, futures_not_opened="key_not_exists")
    spot_only = routed_to_simulator.account(EXCHANGE, "spot-only")
    connection = connect(workspace, owner, spot_only)

    run = sync(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.capabilities["futures"]["availability"] == "no_access"
    assert connection.capabilities["futures"]["exchange_code"] == "400003"
    assert Trade.objects.filter(connection=connection).count() == spot_fills(
        routed_to_simulator, spot_only
    )


def test_a_first_sync_does_not_walk_the_weeks_of_a_futures_wallet_never_funded(
    routed_to_simulator, workspace, owner
):
    """The futures host answers a spot-only account a wallet of zero: its account overview (one
    request a settle coin) says there is nothing to walk, where 13 empty weekly windows of fills
    would each cost a request. The stream then starts at the sync: a scheduled sync asks only
    the newest week, as for any account."""
    spot_only = routed_to_simulator.account(EXCHANGE, "spot-only")
    connection = connect(workspace, owner, spot_only)

    def futures_requests() -> dict[str, int]:
        endpoints = routed_to_simulator.stats()["endpoints"]
        return {
            path: endpoints.get(f"kucoin {path}", {}).get("requests", 0)
            for path in ("/api/v1/fills", "/api/v1/account-overview")
        }

    checked = futures_requests()

    first = sync(connection, kind="trades")

    assert first.status == SyncRun.Status.SUCCEEDED, first.message
    assert Trade.objects.filter(connection=connection).count() == spot_fills(
        routed_to_simulator, spot_only
    )
    settles = futures_requests()["/api/v1/account-overview"] - checked["/api/v1/account-overview"]
    assert settles >= 1
    assert futures_requests()["/api/v1/fills"] == checked["/api/v1/fills"]
    cursor = SyncCursor.objects.get(connection=connection, stream=FUTURES)
    assert cursor.position["from_ms"] > first.started_at.timestamp() * 1000 - 60_000
    connection.refresh_from_db()
    assert connection.capabilities["futures"]["availability"] == "available"
    streams = SyncCursor.objects.filter(connection=connection).count()

    noop = sync(connection, kind="trades")

    # the balances that name the held pairs (/api/v1/accounts, /api/v3/isolated/accounts) and
    # one request per stream, the futures one included
    assert noop.requests_made == 2 + streams
    assert futures_requests()["/api/v1/fills"] == checked["/api/v1/fills"] + 1

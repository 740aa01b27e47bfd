"""Importing a Bitget account end to end: ccxt over HTTP to the simulator, into the journal."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import ccxt
import pytest
from django.utils import timezone

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.exchanges.bitget import BitgetAdapter, limits
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from tests.integration.connections.conftest import secret_of

EXCHANGE = "bitget"
YEAR = timedelta(days=365)
# Bitget keeps spot fills for 90 days (GET /api/v2/spot/trade/fills).
SPOT_REACH = timedelta(days=90)
TRADES = {"BTC/USDT": 1300, "ETH/USDT": 400, "BTC/USDT:USDT": 500, "ETH/USDT:USDT": 200}


def expected_trades(simulator, account) -> list[dict]:
    """The ground truth an import must reach: 12 months, and 90 days for spot."""
    now = timezone.now()
    kept = []
    for fill in simulator.ground_truth(account["api_key"]):
        age = now - datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        reach = SPOT_REACH if fill["market_type"] == "spot" else YEAR
        if age < reach - timedelta(minutes=5):
            kept.append(fill)
    return kept


def sums(rows, symbol_key, amount, cost, fee) -> dict[str, tuple[int, Decimal, Decimal, Decimal]]:
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for row in rows:
        entry = totals[row[symbol_key]]
        entry[0] += 1
        entry[1] += Decimal(str(row[amount]))
        entry[2] += Decimal(str(row[cost]))
        entry[3] += Decimal(str(row[fee] or 0))
    return {symbol: tuple(values) for symbol, values in totals.items()}


def imported_within_reach(connection) -> list[dict]:
    """What the journal holds, minus the few minutes at the edge of the reach that the test's
    clock and the exchange's may see differently."""
    now = timezone.now()
    rows = []
    for row in Trade.objects.filter(connection=connection).values():
        reach = SPOT_REACH if row["market_type"] == "spot" else YEAR
        if now - row["executed_at"] < reach - timedelta(minutes=5):
            rows.append(row)
    return rows


def assert_exactly_the_truth(simulator, account, connection) -> None:
    truth = expected_trades(simulator, account)
    imported = imported_within_reach(connection)
    assert len(imported) == len(truth)
    assert {(row["symbol"], row["exchange_trade_id"]) for row in imported} == {
        (fill["symbol"], fill["id"]) for fill in truth
    }
    assert sums(imported, "symbol", "amount", "cost", "fee") == sums(
        truth, "symbol", "amount", "cost", "fee"
    )


@pytest.fixture
def unthrottled(routed_to_simulator, monkeypatch):
    """Bitget's per-second limits off, and the adapter's pacing to them with them, for tests
    about walks and cursors (tests/integration/sync/test_real_rate_limits.py keeps both on)."""
    routed_to_simulator.ok("POST", "/config", {"rate_limit_scale": 0})
    monkeypatch.setattr(limits, "WINDOW_S", 0)
    return routed_to_simulator


@pytest.fixture
def account(unthrottled):
    return unthrottled.create_account(
        exchange=EXCHANGE, trades=TRADES, days=400, permissions=["read"]
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
def connection(workspace, owner, account):
    return connect(workspace, owner, account)


def initial_sync(connection):
    return sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")


# -- trades --------------------------------------------------------------------------------


def test_the_first_sync_imports_every_reachable_trade_exactly(unthrottled, account, connection):
    result = initial_sync(connection)
    assert result.status == "succeeded", result

    assert_exactly_the_truth(unthrottled, account, connection)
    imported = Trade.objects.filter(connection=connection)
    assert {row.market_type for row in imported} == {"spot", "swap"}
    swap = imported.filter(market_type="swap")
    assert swap.filter(realized_pnl__isnull=False).count() == swap.count()
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.trades_inserted == imported.count()
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.last_trades_sync_at and connection.next_trades_sync_at > timezone.now()
    cursors = {c.stream: c for c in SyncCursor.objects.filter(connection=connection)}
    assert set(cursors) == {"mix:USDT-FUTURES", "spot:BTC/USDT", "spot:ETH/USDT"}
    assert cursors["spot:BTC/USDT"].reaches_back_to is not None
    assert cursors["mix:USDT-FUTURES"].reaches_back_to is None


def test_a_second_sync_changes_nothing_with_one_request_per_stream(
    unthrottled, account, connection
):
    initial_sync(connection)
    before = Trade.objects.filter(connection=connection).count()

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Trade.objects.filter(connection=connection).count() == before
    assert run.trades_inserted == 0
    streams = SyncCursor.objects.filter(connection=connection).count()
    # the spot assets (which symbols to walk), then one page per stream
    assert run.requests_made == 1 + streams


def test_trades_made_since_the_last_sync_are_imported_by_the_next(unthrottled, account, connection):
    """As if the last sync had been 45 days ago: more than a page of new spot fills each."""
    initial_sync(connection)
    cut = timezone.now() - timedelta(days=45)
    cut_ms = int(cut.timestamp() * 1000)
    missing, _ = Trade.objects.filter(connection=connection, executed_at__gte=cut).delete()
    for cursor in SyncCursor.objects.filter(connection=connection):
        cursor.position = (
            {"newest_ms": cut_ms} if cursor.stream.startswith("spot:") else {"from_ms": cut_ms}
        )
        cursor.save()

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    run = SyncRun.objects.get(pk=result.run_id)
    assert run.trades_inserted == missing > 200
    assert run.progress["spot:BTC/USDT"]["fetched"] > 100
    assert_exactly_the_truth(unthrottled, account, connection)


def test_the_first_sync_pages_within_bitget_s_windows(unthrottled, account, connection):
    result = initial_sync(connection)

    endpoints = unthrottled.stats()["endpoints"]
    history = endpoints["bitget /api/v2/mix/order/fill-history"]
    recent = endpoints["bitget /api/v2/mix/order/fills"]
    spot = endpoints["bitget /api/v2/spot/trade/fills"]
    # 275 days of weeks before the last 90 days, which order/fills serves in one window
    assert 39 <= sum(history["statuses"].values()) <= 45
    assert 1 <= sum(recent["statuses"].values()) <= 4
    assert set(history["statuses"]) == set(recent["statuses"]) == set(spot["statuses"]) == {"200"}
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.requests_made < 80


def test_a_crash_mid_walk_resumes_to_exactly_the_truth(
    unthrottled, account, connection, monkeypatch
):
    walk = BitgetAdapter.trade_pages

    def crashing(self, client, stream, cursor, **window):
        for number, page in enumerate(walk(self, client, stream, cursor, **window)):
            if number == 2:
                raise ccxt.ExchangeNotAvailable("connection reset")
            yield page

    monkeypatch.setattr(BitgetAdapter, "trade_pages", crashing)
    first = initial_sync(connection)
    assert first.status == "partial"
    cursors = {c.stream: c.position for c in SyncCursor.objects.filter(connection=connection)}
    assert "below" in cursors["spot:BTC/USDT"] and "from_ms" in cursors["mix:USDT-FUTURES"]

    monkeypatch.setattr(BitgetAdapter, "trade_pages", walk)
    second = initial_sync(connection)

    assert second.status == "succeeded", second
    assert_exactly_the_truth(unthrottled, account, connection)


def test_walks_left_long_ago_are_walked_again_within_today_s_reach(
    unthrottled, account, connection
):
    """A spot walk whose window has left Bitget's 90 days, and a USDT-M window begun on
    order/fills that fill-history's weeks must now cover, end in exactly the truth."""
    now_ms = int(timezone.now().timestamp() * 1000)
    day = 86_400_000
    SyncCursor.objects.create(
        connection=connection,
        stream="spot:BTC/USDT",
        position={"start": now_ms - 200 * day, "end": now_ms - 120 * day, "below": "1"},
    )
    SyncCursor.objects.create(
        connection=connection,
        stream="mix:USDT-FUTURES",
        position={"from_ms": now_ms - 400 * day, "to_ms": now_ms - 320 * day, "below": "1"},
    )

    assert initial_sync(connection).status == "succeeded"

    assert_exactly_the_truth(unthrottled, account, connection)


def test_a_server_error_mid_import_is_made_good_by_the_next_sync(unthrottled, account, connection):
    unthrottled.fail_next_request(
        "server_error",
        exchange=EXCHANGE,
        api_key=account["api_key"],
        path="/api/v2/spot/trade/fills",
    )
    first = initial_sync(connection)
    assert first.status == "partial"
    assert first.failure.code.value == "exchange_unavailable"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.WARNING

    assert initial_sync(connection).status == "succeeded"
    assert_exactly_the_truth(unthrottled, account, connection)


# -- balances and positions ----------------------------------------------------------------


def test_balances_and_positions_agree_with_the_exchange(unthrottled, account, connection):
    initial_sync(connection)

    truth = unthrottled.balances(account["api_key"])
    latest = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    spot = {row.asset: row.total for row in latest.filter(account_type="spot")}
    assert spot == {
        asset: Decimal(row["balance"])
        for asset, row in truth["wallets"]["spot"].items()
        if Decimal(row["balance"])
    }
    unrealized = sum(
        Decimal(p["amount"]) * (Decimal(p["mark_price"]) - Decimal(p["entry_price"]))
        for p in truth["positions"]
    )
    futures = latest.get(account_type="futures", asset="USDT")
    equity = Decimal(truth["wallets"]["linear"]["USDT"]["balance"]) + unrealized
    assert futures.total == equity.quantize(Decimal("1E-8"))

    positions = Position.objects.filter(connection=connection, is_latest=True)
    assert {(p.symbol, p.side, p.contracts) for p in positions} == {
        (
            p["symbol"],
            "long" if Decimal(p["amount"]) > 0 else "short",
            abs(Decimal(p["amount"])),
        )
        for p in truth["positions"]
    }
    for position in positions:
        seeded = next(p for p in truth["positions"] if p["symbol"] == position.symbol)
        assert position.entry_price == Decimal(seeded["entry_price"])
        assert position.mark_price == Decimal(seeded["mark_price"])
        assert position.leverage == seeded["leverage"]
        assert position.liquidation_price > 0
        assert position.unrealized_pnl is not None


def test_copy_trades_listed_in_all_position_too_are_counted_once(unthrottled, workspace, owner):
    follower = unthrottled.account(EXCHANGE, "copy-follower")
    connection = connect(workspace, owner, follower)

    result = sync_connection(connection_id=connection.pk, kind="balances", trigger="initial")

    assert result.status == "succeeded", result
    seeded = unthrottled.balances(follower["api_key"])["positions"]
    positions = Position.objects.filter(connection=connection, is_latest=True)
    assert len(seeded) == 2
    assert sorted(p.symbol for p in positions) == sorted(p["symbol"] for p in seeded)
    assert {p.account for p in positions} == {"main"}
    assert all(p.mark_price for p in positions)


def test_copy_trades_missing_from_all_position_come_from_the_copy_list(
    unthrottled, workspace, owner, monkeypatch
):
    """Where all-position leaves a follower's copy trades out, they are still recorded."""
    follower = unthrottled.account(EXCHANGE, "copy-follower")
    connection = connect(workspace, owner, follower)
    monkeypatch.setattr(ccxt.bitget, "fetch_positions", lambda self, symbols=None, params=None: [])

    result = sync_connection(connection_id=connection.pk, kind="balances", trigger="initial")

    assert result.status == "succeeded", result
    seeded = {p["symbol"]: p for p in unthrottled.balances(follower["api_key"])["positions"]}
    positions = Position.objects.filter(connection=connection, is_latest=True)
    assert {p.symbol for p in positions} == set(seeded)
    for position in positions:
        truth = seeded[position.symbol]
        assert position.account == "copy-trading"
        assert position.contracts == abs(Decimal(truth["amount"]))
        assert position.side == ("long" if Decimal(truth["amount"]) > 0 else "short")
        assert position.entry_price == Decimal(truth["entry_price"])
        assert position.leverage == truth["leverage"]


# -- accounts without futures or copy trading ------------------------------------------------


def sync_spot_only(simulator, workspace, owner, readings):
    simulator.ok("POST", "/config", {"readings": readings})
    spot_only = simulator.account(EXCHANGE, "spot-only")
    connection = connect(workspace, owner, spot_only)
    result = initial_sync(connection)
    connection.refresh_from_db()
    return spot_only, connection, result


@pytest.mark.parametrize("futures", ["zero_rows", "abnormal_account"])
@pytest.mark.parametrize("copy", ["not_follower", "empty"])
def test_a_spot_only_account_imports_its_spot_trades_under_every_reading(
    unthrottled, workspace, owner, futures, copy
):
    spot_only, connection, result = sync_spot_only(
        unthrottled,
        workspace,
        owner,
        {"bitget.futures_not_opened": futures, "bitget.copy_not_follower": copy},
    )

    assert result.status == "succeeded", SyncRun.objects.get(pk=result.run_id).message
    assert connection.status == ExchangeConnection.Status.CONNECTED
    truth = unthrottled.ground_truth(spot_only["api_key"])
    assert truth and all(fill["market_type"] == "spot" for fill in truth)
    assert Trade.objects.filter(connection=connection).count() == len(truth)
    parts = connection.capabilities
    if futures == "abnormal_account":
        # an answer nobody documented: recorded, shown, and asked again next cycle
        assert parts["usdt_futures"]["availability"] == "failed"
        assert parts["usdt_futures"]["exchange_code"] == "40710"
    else:
        assert parts["usdt_futures"]["availability"] == "available"
    expected_copy = "not_opened" if copy == "not_follower" else "available"
    assert parts["copy_trading"]["availability"] == expected_copy
    assert BalanceSnapshot.objects.filter(connection=connection, account_type="spot").exists()
    assert not Position.objects.filter(connection=connection).exists()


def test_a_follower_s_copy_trading_part_is_available(unthrottled, workspace, owner):
    follower = unthrottled.account(EXCHANGE, "copy-follower")
    connection = connect(workspace, owner, follower)

    sync_connection(connection_id=connection.pk, kind="balances", trigger="initial")

    connection.refresh_from_db()
    assert connection.capabilities["copy_trading"]["availability"] == "available"


# -- faults become states ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("maintenance", ExchangeConnection.Status.MAINTENANCE),
        ("revoked_key", ExchangeConnection.Status.NEEDS_ATTENTION),
        ("rate_limit", ExchangeConnection.Status.WARNING),
    ],
)
def test_faults_become_connection_states(unthrottled, account, connection, kind, status):
    unthrottled.add_fault(kind, exchange=EXCHANGE, api_key=account["api_key"])

    result = initial_sync(connection)

    assert result.status == "failed"
    connection.refresh_from_db()
    assert connection.status == status
    assert not Trade.objects.filter(connection=connection).exists()

"""Importing a Bybit account end to end: ccxt over HTTP to the simulator, into the journal."""

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
from sync.exchanges.bybit import executions
from sync.exchanges.registry import adapter_for
from sync.models import SyncCursor, SyncRun
from sync.selectors import account_parts_in_words
from sync.services import sync_connection
from tests.integration.connections.conftest import secret_of

EXCHANGE = "bybit"
YEAR = timedelta(days=365)
CLASSIC_SPOT_REACH = timedelta(days=180)
EXECUTIONS = "bybit /v5/execution/list"
WEEK_MS = 7 * 86_400_000


def expected_trades(simulator, account, spot_reach: timedelta = YEAR) -> list[dict]:
    """The ground truth an import must reach: 12 months (a classic account's spot: 180 days)."""
    now = timezone.now()
    kept = []
    for fill in simulator.ground_truth(account["api_key"]):
        age = now - datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        reach = spot_reach if fill["market_type"] == "spot" else YEAR
        if age < reach - timedelta(minutes=5):
            kept.append(fill)
    return kept


def sums(rows, amount, cost, fee) -> dict[str, tuple[int, Decimal, Decimal, Decimal]]:
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for row in rows:
        entry = totals[row["symbol"]]
        entry[0] += 1
        entry[1] += Decimal(str(row[amount]))
        entry[2] += Decimal(str(row[cost]))
        entry[3] += Decimal(str(row[fee] or 0))
    return {symbol: tuple(values) for symbol, values in totals.items()}


def assert_imported_exactly(connection, truth: list[dict]) -> None:
    imported = list(Trade.objects.filter(connection=connection).values())
    assert len(imported) == len(truth)
    assert {row["exchange_trade_id"] for row in imported} == {fill["id"] for fill in truth}
    assert sums(imported, "amount", "cost", "fee") == sums(truth, "amount", "cost", "fee")
    fee_currencies = {(row["symbol"], row["fee_currency"]) for row in imported}
    assert fee_currencies == {(fill["symbol"], fill["fee_currency"]) for fill in truth}
    assert realized(imported, "realized_pnl") == realized(truth, "realized_pnl")


def realized(rows, pnl) -> dict[str, Decimal | None]:
    """Realized PnL per symbol: None for spot, the sum of Bybit's execPnl for contracts."""
    totals: dict[str, Decimal | None] = {}
    for row in rows:
        value = row[pnl]
        before = totals.get(row["symbol"])
        if value is None:
            totals.setdefault(row["symbol"], None)
        else:
            totals[row["symbol"]] = (before or Decimal(0)) + Decimal(str(value))
    return totals


def executions_requested(simulator) -> int:
    return simulator.stats()["endpoints"].get(EXECUTIONS, {}).get("requests", 0)


def connect(workspace, owner, account, label: str = "Import") -> ExchangeConnection:
    from thrive.models import Workspace

    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange=EXCHANGE,
        label=label,
        portfolio=None,
        secret=secret_of(account),
    )


def initial(connection):
    return sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")


@pytest.fixture
def limits_off(routed_to_simulator):
    """Bybit's per-second limits off, so request counts are the walk's alone (the pacing has
    its own test)."""
    routed_to_simulator.ok("POST", "/config", {"rate_limit_scale": 0})


@pytest.fixture
def account(routed_to_simulator):
    """A Unified Trading Account: a year and more of spot, USDT and inverse perpetual fills."""
    return routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={
            "BTC/USDT": 700,
            "ETH/USDT": 250,
            "BTC/USDT:USDT": 400,
            "ETH/USDT:USDT": 150,
            "BTC/USD:BTC": 250,
        },
        days=400,
        permissions=["read"],
    )


@pytest.fixture
def connection(workspace, owner, account):
    return connect(workspace, owner, account)


@pytest.fixture
def busy(routed_to_simulator):
    """Three weeks busy enough that every 7-day window spans several 100-fill pages."""
    return routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 700, "BTC/USDT:USDT": 450, "BTC/USD:BTC": 350},
        days=20,
        permissions=["read"],
    )


# -- trades -----------------------------------------------------------------------------------


def test_the_first_sync_imports_every_category_exactly_and_a_second_changes_nothing(
    routed_to_simulator, limits_off, account, connection
):
    result = initial(connection)
    assert result.status == "succeeded", result

    truth = expected_trades(routed_to_simulator, account)
    assert {fill["symbol"] for fill in truth} == {
        "BTC/USDT",
        "ETH/USDT",
        "BTC/USDT:USDT",
        "ETH/USDT:USDT",
        "BTC/USD:BTC",
    }
    assert_imported_exactly(connection, truth)
    assert all(
        realized(truth, "realized_pnl")[symbol] for symbol in ("BTC/USDT:USDT", "BTC/USD:BTC")
    )
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.trades_inserted == len(truth)
    # 53 seven-day windows a category, one request each unless a window holds over 100 fills
    assert executions_requested(routed_to_simulator) == least_requests(truth, run.started_at)
    cursors = {c.stream: c for c in SyncCursor.objects.filter(connection=connection)}
    assert set(cursors) == {"spot", "linear", "inverse"}
    assert all(c.reaches_back_to is None for c in cursors.values())
    assert all(set(c.position) == {"from_ms"} for c in cursors.values())
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.last_trades_sync_at and connection.last_balances_sync_at

    routed_to_simulator.reset()
    again = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert again.status == "succeeded"
    assert Trade.objects.filter(connection=connection).count() == len(truth)
    rerun = SyncRun.objects.get(pk=again.run_id)
    assert rerun.trades_inserted == 0
    assert rerun.requests_made == 3
    endpoints = routed_to_simulator.stats()["endpoints"]
    assert {name: row["requests"] for name, row in endpoints.items()} == {EXECUTIONS: 3}


def test_inverse_fills_keep_bybit_s_coin_value_and_fee(
    routed_to_simulator, limits_off, workspace, owner
):
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={"BTC/USD:BTC": 120}, days=30, permissions=["read"]
    )
    connection = connect(workspace, owner, account)
    assert initial(connection).status == "succeeded"

    truth = {fill["id"]: fill for fill in expected_trades(routed_to_simulator, account)}
    trades = list(Trade.objects.filter(connection=connection))
    assert len(trades) == len(truth)
    for trade in trades:
        fill = truth[trade.exchange_trade_id]
        # contracts are one US dollar each: the cost is in BTC, not contracts times price
        assert (trade.amount, trade.cost) == (Decimal(fill["amount"]), Decimal(fill["cost"]))
        assert (trade.price, trade.side) == (Decimal(fill["price"]), fill["side"])
        assert (trade.fee, trade.fee_currency) == (Decimal(fill["fee"]), "BTC")
        assert (trade.market_type, trade.symbol, trade.settle) == ("swap", "BTC/USD:BTC", "BTC")
        assert trade.order_id == fill["order_id"]
        assert trade.taker_or_maker == fill["taker_or_maker"]
        assert int(trade.executed_at.timestamp() * 1000) == fill["timestamp"]


def least_requests(truth: list[dict], started: datetime, spot_reach: timedelta = YEAR) -> int:
    """One request a 7-day window, one more for every further 100 fills in it."""
    per_window: dict[tuple[str, int], int] = defaultdict(int)
    for fill in truth:
        reach = spot_reach if fill["market_type"] == "spot" else YEAR
        since_ms = int((started - reach).timestamp() * 1000)
        per_window[category_of(fill), (fill["timestamp"] - since_ms) // WEEK_MS] += 1
    windows = sum(-(-reach.days // 7) for reach in (spot_reach, YEAR, YEAR))
    return windows + sum(-(-count // 100) - 1 for count in per_window.values())


def category_of(fill: dict) -> str:
    if fill["market_type"] == "spot":
        return "spot"
    return "inverse" if fill["symbol"].endswith(":BTC") else "linear"


def test_busy_windows_are_read_page_by_page_and_a_10006_is_waited_out(
    routed_to_simulator, limits_off, busy, workspace, owner
):
    connection = connect(workspace, owner, busy)
    # Bybit's per-second limit, once, in the middle of the walk; it lifts a second later
    routed_to_simulator.add_fault(
        "rate_limit",
        exchange=EXCHANGE,
        api_key=busy["api_key"],
        path="/v5/execution/list",
        requests=1,
        retry_after=1,
    )

    result = initial(connection)

    assert result.status == "succeeded"
    truth = expected_trades(routed_to_simulator, busy)
    assert_imported_exactly(connection, truth)
    least = least_requests(truth, SyncRun.objects.get(pk=result.run_id).started_at)
    assert least > 3 * 53 + 8
    # only the refused request is repeated: the cursor re-reads nothing
    assert executions_requested(routed_to_simulator) == least + 1


def failing_mid_window(monkeypatch, stream_name: str) -> None:
    """From the third page of `stream_name` on, the first that ends inside a window is the
    last: the request after it fails for good (a 503 that outlasts any resend)."""
    adapter = adapter_for(EXCHANGE)
    original = adapter.trade_pages

    def trade_pages(client, stream, cursor, **kwargs):
        for number, page in enumerate(original(client, stream, cursor, **kwargs), 1):
            yield page
            if stream.name == stream_name and number >= 3 and "page" in page.cursor:
                raise ccxt.ExchangeNotAvailable("bybit GET /v5/execution/list 503")

    monkeypatch.setattr(adapter, "trade_pages", trade_pages)


def test_a_sync_that_fails_mid_window_resumes_where_it_stopped(
    routed_to_simulator, limits_off, busy, workspace, owner, monkeypatch
):
    connection = connect(workspace, owner, busy)
    failing_mid_window(monkeypatch, "spot")
    first = initial(connection)
    monkeypatch.undo()

    assert first.status == "partial"
    spot = SyncCursor.objects.get(connection=connection, stream="spot")
    assert set(spot.position) == {"from_ms", "window_end", "page"}
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.WARNING

    second = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert second.status == "succeeded"
    assert_imported_exactly(connection, expected_trades(routed_to_simulator, busy))
    run = SyncRun.objects.get(pk=second.run_id)
    # the resumed walk goes on from Bybit's cursor, re-reading nothing; the other categories,
    # finished in the first run, re-read only their last minute
    assert run.trades_existing <= 10


# -- classic accounts -------------------------------------------------------------------------


def test_a_classic_account_imports_180_days_of_spot_and_a_year_of_contracts(
    routed_to_simulator, limits_off, workspace, owner
):
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        label="classic-import",
        trades={"BTC/USDT": 300, "BTC/USDT:USDT": 200, "BTC/USD:BTC": 100},
        days=300,
        permissions=["read"],
    )
    connection = connect(workspace, owner, account)

    assert initial(connection).status == "succeeded"

    truth = expected_trades(routed_to_simulator, account, spot_reach=CLASSIC_SPOT_REACH)
    assert_imported_exactly(connection, truth)
    cursors = {c.stream: c for c in SyncCursor.objects.filter(connection=connection)}
    assert set(cursors) == {"classic-spot", "linear", "inverse"}
    reach = cursors["classic-spot"].reaches_back_to
    assert abs(reach - (timezone.now() - CLASSIC_SPOT_REACH)) < timedelta(minutes=5)
    assert cursors["linear"].reaches_back_to is None
    balances = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    assert {row.account_type for row in balances} >= {"spot", "contract", "funding"}
    wallets = routed_to_simulator.balances(account["api_key"])["wallets"]
    spot = {row.asset: row.total for row in balances if row.account_type == "spot"}
    assert spot == nonzero(wallets, "spot")
    contract = {row.asset: row.total for row in balances if row.account_type == "contract"}
    assert contract == nonzero(wallets, "linear", "inverse")


# Several spot markets, busy enough that each 7-day window spans several 100-fill pages: by
# execId, a page holds the newest fills of one market next to far older ones of the next.
CLASSIC_SPOT_TRADES = {"BTC/USDT": 450, "ETH/USDT": 300, "SOL/USDT": 200, "XRP/USDT": 100}
SPOT_ORDERS = ("exec_id", "exec_time")


def classic_account(simulator, label: str, order: str, trades: dict[str, int]) -> dict:
    return simulator.create_account(
        exchange=EXCHANGE,
        label=label,
        trades=trades,
        days=20,
        permissions=["read"],
        readings={"classic_spot_order": order},
    )


@pytest.mark.parametrize("order", SPOT_ORDERS)
def test_a_classic_account_s_busy_spot_markets_import_exactly_whichever_order_bybit_lists(
    routed_to_simulator, limits_off, workspace, owner, order
):
    account = classic_account(
        routed_to_simulator, f"classic-busy-{order}", order, CLASSIC_SPOT_TRADES
    )
    connection = connect(workspace, owner, account)

    result = initial(connection)

    assert result.status == "succeeded"
    truth = expected_trades(routed_to_simulator, account, spot_reach=CLASSIC_SPOT_REACH)
    assert {fill["symbol"] for fill in truth} == set(CLASSIC_SPOT_TRADES)
    assert_imported_exactly(connection, truth)
    started = SyncRun.objects.get(pk=result.run_id).started_at
    least = least_requests(truth, started, spot_reach=CLASSIC_SPOT_REACH)
    assert least >= 26 + 2 * 53 + 8
    assert executions_requested(routed_to_simulator) == least
    spot = SyncCursor.objects.get(connection=connection, stream="classic-spot")
    assert set(spot.position) == {"from_ms"}


def test_a_classic_spot_walk_that_fails_mid_window_resumes_at_bybit_s_cursor(
    routed_to_simulator, limits_off, workspace, owner, monkeypatch
):
    account = classic_account(
        routed_to_simulator, "classic-resumed", "exec_id", CLASSIC_SPOT_TRADES
    )
    connection = connect(workspace, owner, account)
    failing_mid_window(monkeypatch, "classic-spot")
    first = initial(connection)
    monkeypatch.undo()

    assert first.status == "partial"
    spot = SyncCursor.objects.get(connection=connection, stream="classic-spot")
    assert set(spot.position) == {"from_ms", "window_end", "page"}
    imported = Trade.objects.filter(connection=connection).count()

    second = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert second.status == "succeeded"
    truth = expected_trades(routed_to_simulator, account, spot_reach=CLASSIC_SPOT_REACH)
    assert_imported_exactly(connection, truth)
    run = SyncRun.objects.get(pk=second.run_id)
    # the cursor goes on after the last page kept: nothing is read twice
    assert (run.trades_existing, run.trades_inserted) == (0, len(truth) - imported)


@pytest.mark.parametrize("order", SPOT_ORDERS)
def test_fills_of_several_markets_made_between_two_syncs_of_a_classic_account_are_imported(
    routed_to_simulator, limits_off, workspace, owner, order
):
    account = classic_account(
        routed_to_simulator, f"classic-trading-{order}", order, {"BTC/USDT": 60, "ETH/USDT": 40}
    )
    connection = connect(workspace, owner, account)
    assert initial(connection).status == "succeeded"

    # in the minute before the next sync: more than a page, on two markets
    for symbol, count in (("BTC/USDT", 150), ("ETH/USDT", 120)):
        routed_to_simulator.ok(
            "POST", f"/accounts/{account['api_key']}/trades", {"symbol": symbol, "count": count}
        )
    again = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert again.status == "succeeded"
    truth = expected_trades(routed_to_simulator, account, spot_reach=CLASSIC_SPOT_REACH)
    assert_imported_exactly(connection, truth)
    assert SyncRun.objects.get(pk=again.run_id).trades_inserted == 270


# -- balances and positions -------------------------------------------------------------------


def nonzero(wallets: dict, *names: str) -> dict[str, Decimal]:
    total: dict[str, Decimal] = defaultdict(Decimal)
    for name in names:
        for coin, row in wallets.get(name, {}).items():
            total[coin] += Decimal(row["balance"])
    return {coin: amount for coin, amount in total.items() if amount}


def test_the_unified_and_funding_wallets_and_open_positions_are_recorded(
    routed_to_simulator, account, connection
):
    routed_to_simulator.reset()  # count this sync's requests, not the connect-time check
    result = sync_connection(connection_id=connection.pk, kind="balances", trigger="schedule")

    assert result.status == "succeeded"
    # the key, the account mode, the one wallet of a UTA 2.0, funding, positions of both
    # categories (markets come from the process's cache, or load once)
    endpoints = routed_to_simulator.stats()["endpoints"]
    assert {
        name: row["requests"]
        for name, row in endpoints.items()
        if "/market/" not in name and "/coin/query-info" not in name
    } == {
        "bybit /v5/user/query-api": 1,
        "bybit /v5/account/info": 1,
        "bybit /v5/account/wallet-balance": 1,
        "bybit /v5/asset/transfer/query-account-coins-balance": 1,
        "bybit /v5/position/list": 2,
        # Bybit lists no USDT/USD market: USDT's own dollar price comes from Kraken's ticker
        "kraken /0/public/Ticker": 1,
    }

    seeded = routed_to_simulator.balances(account["api_key"])
    balances = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    assert {row.account_type for row in balances} == {"unified", "funding"}
    unified = {row.asset: row for row in balances if row.account_type == "unified"}
    assert {asset: row.total for asset, row in unified.items()} == nonzero(
        seeded["wallets"], "spot", "linear", "inverse"
    )
    assert all(row.free + row.used == row.total for row in unified.values())
    funding = {row.asset: row.total for row in balances if row.account_type == "funding"}
    assert funding == {
        coin: Decimal(amount) for coin, amount in seeded["funding"].items() if Decimal(amount)
    }

    positions = {row.symbol: row for row in Position.objects.filter(connection=connection)}
    assert all(row.is_latest for row in positions.values())
    assert set(positions) == {row["symbol"] for row in seeded["positions"]}
    for truth in seeded["positions"]:
        position = positions[truth["symbol"]]
        amount = Decimal(truth["amount"])
        assert position.contracts == abs(amount)
        assert position.side == ("long" if amount > 0 else "short")
        assert position.entry_price == Decimal(truth["entry_price"])
        assert position.mark_price == Decimal(truth["mark_price"])
        assert position.leverage == truth["leverage"]
        assert position.margin_mode == truth["margin_mode"]
        assert position.unrealized_pnl is not None and position.liquidation_price is not None


# -- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("maintenance", ExchangeConnection.Status.MAINTENANCE),
        ("revoked_key", ExchangeConnection.Status.NEEDS_ATTENTION),
        ("rate_limit", ExchangeConnection.Status.WARNING),
    ],
)
def test_a_fault_becomes_the_connection_s_status(
    routed_to_simulator, workspace, owner, kind, status
):
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={"BTC/USDT": 20}, days=30, permissions=["read"]
    )
    connection = connect(workspace, owner, account)
    scope = {} if kind == "maintenance" else {"api_key": account["api_key"]}
    routed_to_simulator.add_fault(kind, exchange=EXCHANGE, **scope)

    result = initial(connection)

    connection.refresh_from_db()
    assert result.status == "failed"
    assert connection.status == status
    assert not Trade.objects.filter(connection=connection).exists()


# -- a market no longer listed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "market_id", "symbol"),
    [
        ("spot", "LUNAUSDT", "LUNA/USDT"),
        ("linear", "LUNA2USDT", "LUNA2/USDT:USDT"),
        ("linear", "LUNAPERP", "LUNA/USDC:USDC"),
        ("inverse", "LUNAUSD", "LUNA/USD:LUNA"),
        ("spot", "ZZZQQQ", "ZZZQQQ"),
    ],
)
def test_a_fill_of_a_delisted_market_is_kept_under_ccxt_s_name(category, market_id, symbol):
    market = executions.unlisted_market(market_id, category, {"USDT", "USDC", "BTC"})
    row = {
        "symbol": market_id,
        "side": "Buy",
        "execPrice": "2",
        "execQty": "3",
        "execValue": "",
        "execFee": "0.01",
        "feeCurrency": "",
        "execTime": "1700000000000",
        "execId": "e1",
        "orderId": "o1",
        "isMaker": False,
    }

    record = executions.fill_record(row, market, category=category)

    assert record.symbol == symbol
    assert record.cost == (Decimal("1.5") if category == "inverse" else Decimal(6))


# -- the walk itself, against a stand-in for execution/list -----------------------------------


# Bybit's two orders of execution/list, read backwards: by execTime, and by execId on a
# classic account's spot (https://bybit-exchange.github.io/docs/v5/order/execution)
ORDERS = {
    "exec_time": lambda row: (int(row["execTime"]), row["execId"]),
    "exec_id": lambda row: row["execId"],
}


def stand_in_fetch(rows: list[dict], order: str = "exec_time"):
    """execution/list over `rows`: in `order`, 100 a page, an offset as Bybit's cursor."""

    def fetch(start: int, end: int, page_cursor: str) -> tuple[list[dict], str]:
        assert 0 <= end - start <= executions.WINDOW_MS
        chosen = sorted(
            (row for row in rows if start <= int(row["execTime"]) <= end),
            key=ORDERS[order],
            reverse=True,
        )
        offset = int(page_cursor or 0)
        more = str(offset + 100) if offset + 100 < len(chosen) else ""
        return chosen[offset : offset + 100], more

    return fetch


@pytest.mark.parametrize("order", list(ORDERS))
def test_the_walk_resumes_exactly_from_every_cursor_even_inside_one_busy_millisecond(order):
    now_ms = 1_700_000_000_000
    since_ms = now_ms - 20 * 86_400_000
    stamps = [since_ms + 5] * 3 + [now_ms - 86_400_000] * 250  # a page and more in one ms
    # three a second, going back in time as the ids grow: by execId, oldest first
    stamps += [now_ms - 3_600_000 - (n // 3) * 1000 for n in range(330)]
    stamps += [since_ms + 9 * 86_400_000 + n for n in range(40)]
    rows = [{"execId": f"{n:04d}", "execTime": str(stamp)} for n, stamp in enumerate(stamps)]
    fetch = stand_in_fetch(rows, order)

    def walk(cursor: dict) -> list[tuple[list[str], dict]]:
        pages = executions.execution_pages(
            fetch=fetch,
            cursor=cursor,
            since_ms=since_ms,
            now_ms=now_ms,
            convert=lambda chunk: [row["execId"] for row in chunk],
        )
        return [(page.trades, page.cursor) for page in pages]

    pages = walk({})
    delivered = [trade_id for trades, _ in pages for trade_id in trades]
    assert sorted(delivered) == sorted(row["execId"] for row in rows)
    assert len(pages) >= 2 + 580 // 100  # two quiet windows, a busy one page by page
    for number, (_, cursor) in enumerate(pages):
        before = {trade_id for trades, _ in pages[: number + 1] for trade_id in trades}
        after = [trade_id for trades, _ in walk(cursor) for trade_id in trades]
        assert before | set(after) == {row["execId"] for row in rows}
        assert not before & set(after)  # nothing read twice: no fill lies in the last minute


def test_a_cursor_of_the_walk_that_narrowed_end_time_reads_its_window_again_from_the_top():
    """Under execId order the old walk may have narrowed past fills of its window."""
    now_ms = 1_700_000_000_000
    since_ms = now_ms - 3 * 86_400_000
    rows = [
        {"execId": f"{n:04d}", "execTime": str(now_ms - 3_600_000 + (n % 7) * 1000)}
        for n in range(150)
    ]
    old = {
        "from_ms": since_ms,
        "window_end": now_ms,
        "until_ms": now_ms - 3_600_000,
        "seen": ["0000", "0007"],
    }

    pages = list(
        executions.execution_pages(
            fetch=stand_in_fetch(rows, "exec_id"),
            cursor=old,
            since_ms=since_ms,
            now_ms=now_ms + 60_000,
            convert=lambda chunk: [row["execId"] for row in chunk],
        )
    )

    assert sorted(trade for page in pages for trade in page.trades) == sorted(
        row["execId"] for row in rows
    )
    assert pages[-1].cursor == {"from_ms": now_ms + 1}


# -- optional parts ---------------------------------------------------------------------------


def balances_sync(connection):
    return sync_connection(connection_id=connection.pk, kind="balances", trigger="schedule")


FUND = "bybit /v5/asset/transfer/query-account-coins-balance"


def fund_requests(simulator) -> int:
    return simulator.stats()["endpoints"].get(FUND, {}).get("requests", 0)


def test_a_key_refused_the_funding_wallet_stays_connected_and_is_not_asked_again(
    routed_to_simulator, workspace, owner
):
    account = routed_to_simulator.account(EXCHANGE, "no-transfer")
    connection = connect(workspace, owner, account)
    assert fund_requests(routed_to_simulator) == 1  # the connect-time check asked, refused
    routed_to_simulator.reset()

    assert balances_sync(connection).status == "succeeded"

    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    # query-api still shows no Wallet rights: asking again would only be refused again
    assert fund_requests(routed_to_simulator) == 0
    assert "Funding wallet: not available to this key (Bybit 10005)" in (
        account_parts_in_words(connection=connection).missing
    )
    balances = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    assert {row.account_type for row in balances} == {"unified"}


def test_a_key_that_has_wallet_rights_is_asked_for_the_funding_wallet_again(
    routed_to_simulator, workspace, owner
):
    # refused earlier (e.g. before the owner ticked the Wallet boxes); query-api now grants them
    account = routed_to_simulator.account(EXCHANGE, "read-only")
    connection = connect(workspace, owner, account)
    refused = {**connection.capabilities["funding"], "availability": "no_access"}
    ExchangeConnection.objects.filter(pk=connection.pk).update(
        capabilities={**connection.capabilities, "funding": refused}
    )
    routed_to_simulator.reset()

    assert balances_sync(connection).status == "succeeded"

    connection.refresh_from_db()
    assert fund_requests(routed_to_simulator) == 1
    assert connection.capabilities["funding"]["availability"] == "available"
    balances = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    assert "funding" in {row.account_type for row in balances}


def test_in_the_any_read_key_reading_a_key_without_wallet_rights_imports_the_funding_wallet(
    routed_to_simulator, workspace, owner
):
    routed_to_simulator.ok("POST", "/config", {"readings": {"bybit.fund_access": "any_read_key"}})
    account = routed_to_simulator.account(EXCHANGE, "no-transfer")
    connection = connect(workspace, owner, account)

    assert balances_sync(connection).status == "succeeded"

    connection.refresh_from_db()
    assert connection.capabilities["funding"]["availability"] == "available"
    seeded = routed_to_simulator.balances(account["api_key"])["funding"]
    balances = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    funding = {row.asset: row.total for row in balances if row.account_type == "funding"}
    assert funding == {coin: Decimal(amount) for coin, amount in seeded.items() if Decimal(amount)}
    assert funding


def test_an_unseen_error_on_the_perpetuals_keeps_spot_and_names_the_part(
    routed_to_simulator, workspace, owner
):
    account = routed_to_simulator.account(EXCHANGE, "demo")
    connection = connect(workspace, owner, account)
    routed_to_simulator.add_fault("unknown_error", exchange=EXCHANGE, path="/v5/position/list")

    assert balances_sync(connection).status == "succeeded"

    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    for key in ("linear", "inverse"):
        entry = connection.capabilities[key]
        assert (entry["availability"], entry["exchange_code"]) == ("failed", "198765")
    assert BalanceSnapshot.objects.filter(
        connection=connection, is_latest=True, account_type="unified"
    ).exists()


def test_a_walk_resumed_later_inside_the_newest_window_reads_the_fills_that_came_since():
    """Issue 9, point 2: the window end is the interrupted run's "now", not the resuming one's,
    or the fills between the two runs count as read."""
    first_now = 1_700_000_000_000
    since_ms = first_now - 3 * 86_400_000
    # the newest window is busy enough to be interrupted between two of its pages
    rows = [
        {"execId": f"a{n:04d}", "execTime": str(first_now - 3_600_000 - n * 1000)}
        for n in range(250)
    ]
    first = executions.execution_pages(
        fetch=stand_in_fetch(rows),
        cursor={},
        since_ms=since_ms,
        now_ms=first_now,
        convert=lambda chunk: [row["execId"] for row in chunk],
    )
    page = next(first)
    assert "page" in page.cursor, "the first page ends inside the window"
    later_now = first_now + 600_000
    later = [{"execId": f"b{n:02d}", "execTime": str(first_now + 1000 * n)} for n in range(9)]

    resumed = executions.execution_pages(
        fetch=stand_in_fetch(rows + later),
        cursor=page.cursor,
        since_ms=since_ms,
        now_ms=later_now,
        convert=lambda chunk: [row["execId"] for row in chunk],
    )

    delivered = set(page.trades) | {trade for more in resumed for trade in more.trades}
    assert delivered == {row["execId"] for row in rows + later}

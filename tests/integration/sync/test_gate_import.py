"""Importing a Gate account end to end: ccxt over HTTP to the simulator, into the journal."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import ccxt
import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.exchanges.gate import GateAdapter
from sync.exchanges.registry import adapter_for
from sync.markets import markets_ensure, markets_forget
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from tests.integration.connections.conftest import secret_of

EXCHANGE = "gate"
TRADE_ENDPOINTS = (
    "/spot/my_trades",
    "/futures/usdt/my_trades_timerange",
    "/futures/btc/my_trades_timerange",
    "/delivery/usdt/my_trades",
)


def delivery_symbol(simulator) -> str:
    """The simulator's delivery contract expires after its anchor, so its name varies."""
    demo = simulator.account(EXCHANGE, "demo")
    return next(symbol for symbol in demo["trades_by_symbol"] if symbol.count("-") == 1)


def sums(rows, symbol_key, amount, cost, fee) -> dict[tuple, tuple[int, Decimal, Decimal, Decimal]]:
    """Count, amount, cost and fee per (market type, symbol): margin fills share their pair's
    symbol."""
    totals: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for row in rows:
        entry = totals[(row["market_type"], row[symbol_key])]
        entry[0] += 1
        entry[1] += Decimal(str(row[amount]))
        entry[2] += Decimal(str(row[cost]))
        entry[3] += Decimal(str(row[fee] or 0))
    return {symbol: tuple(values) for symbol, values in totals.items()}


def assert_imported_exactly(simulator, account, connection) -> None:
    """Every fill once, by the exchange's id, with the ground truth's amount, cost and fee."""
    truth = simulator.ground_truth(account["api_key"])
    imported = list(Trade.objects.filter(connection=connection).values())
    assert len(imported) == len(truth)
    assert {(row["market_type"], row["symbol"], row["exchange_trade_id"]) for row in imported} == {
        (fill["market_type"], fill["symbol"], fill["id"]) for fill in truth
    }
    assert sums(imported, "symbol", "amount", "cost", "fee") == sums(
        truth, "symbol", "amount", "cost", "fee"
    )
    fee_currencies = {(row["symbol"], row["fee_currency"]) for row in imported}
    assert fee_currencies == {(fill["symbol"], fill["fee_currency"]) for fill in truth}


def requests_to(simulator, path: str) -> int:
    endpoints = simulator.stats()["endpoints"]
    return endpoints.get(f"gate /api/v4{path}", {}).get("requests", 0)


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


def initial_sync(connection):
    return sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")


@pytest.fixture
def account(routed_to_simulator):
    """Twelve months of every market type, isolated and cross margin on the pairs traded on
    spot too; each contract book needs two pages."""
    return routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={
            "BTC/USDT": 500,
            "ETH/USDT": 300,
            "BTC/USDT isolated margin": 200,
            "ETH/USDT isolated margin": 60,
            "ETH/USDT cross margin": 120,
            "BTC/USDT:USDT": 1000,
            "ETH/USDT:USDT": 100,
            "BTC/USD:BTC": 1020,
            delivery_symbol(routed_to_simulator): 1020,
        },
        days=360,
        permissions=["read"],
    )


@pytest.fixture
def connection(workspace, owner, account):
    return connect(workspace, owner, account)


# -- trades ------------------------------------------------------------------------------


def test_the_first_sync_imports_every_market_type_exactly(routed_to_simulator, account, connection):
    markets_forget()

    result = initial_sync(connection)

    assert result.status == "succeeded", result
    assert_imported_exactly(routed_to_simulator, account, connection)
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.trades_inserted == run.trades_fetched == Trade.objects.count()
    # 12 months of spot, isolated and cross margin in 13 windows of 30 days each; each
    # contract book in two pages of 1000
    assert [requests_to(routed_to_simulator, path) for path in TRADE_ENDPOINTS] == [39, 2, 2, 2]
    # markets 7 (ccxt's mode probe among them), key permissions 1, balances 6 (spot, isolated
    # margin, lending, two perpetual accounts, delivery), positions 3
    # and the public tickers of what the account holds, 1
    assert run.requests_made == 7 + 1 + 6 + 3 + 45 + 1
    assert set(
        SyncCursor.objects.filter(connection=connection).values_list("stream", flat=True)
    ) == {
        "spot",
        "margin:isolated",
        "margin:cross",
        "perpetual:usdt",
        "perpetual:btc",
        "delivery:usdt",
    }
    # each account asked for by name: Gate's rows do not say which one a fill is from
    margin = Trade.objects.filter(connection=connection, market_type="margin")
    assert {(row.symbol, row.settle) for row in margin} == {("BTC/USDT", ""), ("ETH/USDT", "")}
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.last_trades_sync_at and connection.last_balances_sync_at
    # contract fills count base coin (USD for the inverse perpetual), not contracts
    fill = Trade.objects.filter(connection=connection, symbol="BTC/USDT:USDT").first()
    assert fill.market_type == "swap" and fill.settle == "USDT" and fill.fee_currency == "USDT"
    assert fill.cost == fill.amount * fill.price
    inverse = Trade.objects.filter(connection=connection, symbol="BTC/USD:BTC").first()
    assert inverse.fee_currency == "BTC"
    assert abs(inverse.cost - inverse.amount / inverse.price) < Decimal("1E-8")
    delivery = Trade.objects.filter(connection=connection, market_type="future").first()
    assert delivery.symbol == delivery_symbol(routed_to_simulator)


def test_the_first_sync_records_every_balance_and_a_second_asks_once_per_stream(
    routed_to_simulator, account, connection
):
    initial_sync(connection)
    before = Trade.objects.filter(connection=connection).count()
    # the connect-time check may have asked it (ccxt's first market load with a key does,
    # unless another test left the markets cached): only the trades sync's own count
    detail_before = requests_to(routed_to_simulator, "/account/detail")

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    run = SyncRun.objects.get(pk=result.run_id)
    assert result.status == "succeeded"
    assert Trade.objects.filter(connection=connection).count() == before
    assert run.trades_inserted == 0
    # one request per stream: the key's mode (spot or unified account) is the one the first
    # sync's balances read, so ccxt does not probe it again
    streams = SyncCursor.objects.filter(connection=connection).count()
    assert run.requests_made == streams
    assert requests_to(routed_to_simulator, "/account/detail") == detail_before
    assert_balances_and_positions_agree(routed_to_simulator, account, connection)


def assert_balances_and_positions_agree(simulator, account, connection) -> None:
    """Every account type against the simulator's books; positions against its seeds."""
    seeded = simulator.balances(account["api_key"])
    rows = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    balances = {(row.account_type, row.asset): row.total for row in rows}
    spot = {asset: total for (kind, asset), total in balances.items() if kind == "spot"}
    assert spot == {
        asset: Decimal(row["balance"])
        for asset, row in seeded["wallets"]["spot"].items()
        if Decimal(row["balance"])
    }
    # the seeded isolated position, and the pairs traded on isolated margin, per asset
    margin = {asset: Decimal(free) for asset, free in seeded["margin"].items()}
    for wallet, assets in seeded["wallets"].items():
        if wallet.startswith("isolated_margin:"):
            for asset, row in assets.items():
                margin[asset] = margin.get(asset, Decimal(0)) + Decimal(row["balance"])
    assert {asset: balances[("margin", asset)] for asset in margin} == margin
    for asset, owed in seeded["margin_borrowed"].items():
        assert balances[("margin_borrowed", asset)] == -Decimal(owed)
    # Gate retired the classic cross margin account (audit H7): its fills are imported, its
    # balance is no longer asked for
    assert seeded["wallets"]["cross_margin"]
    assert not {kind for kind, _ in balances if kind.startswith("cross_margin")}
    assert requests_to(simulator, "/margin/cross/accounts") == 0
    assert balances[("lending", "USDT")] == Decimal(seeded["funding"]["USDT"])
    assert balances[("futures", "BTC")] == Decimal(seeded["wallets"]["inverse"]["BTC"]["balance"])
    gate = simulator.client(account)
    usdt = gate.private_futures_get_settle_accounts({"settle": "usdt"})
    delivery = gate.private_delivery_get_settle_accounts({"settle": "usdt"})
    assert balances[("futures", "USDT")] == Decimal(usdt["total"])
    assert balances[("delivery", "USDT")] == Decimal(delivery["total"])
    # the simulator books every USDT-settled fill in one wallet; Gate splits it in two
    assert balances[("futures", "USDT")] + balances[("delivery", "USDT")] - Decimal(
        delivery["history"]["dnw"]
    ) == Decimal(seeded["wallets"]["linear"]["USDT"]["balance"])

    positions = {row.symbol: row for row in Position.objects.filter(connection=connection)}
    expected = {row["symbol"]: row for row in seeded["positions"]}
    assert set(positions) == set(expected)
    for symbol, truth in expected.items():
        position = positions[symbol]
        amount = Decimal(truth["amount"])
        assert position.is_latest
        assert position.contracts * position.contract_size == abs(amount)
        assert position.side == ("long" if amount > 0 else "short")
        assert position.entry_price == Decimal(truth["entry_price"])
        assert position.mark_price == Decimal(truth["mark_price"])
        assert position.margin_mode == truth["margin_mode"]
        assert position.leverage == truth["leverage"]
        assert position.liquidation_price > 0
        assert position.unrealized_pnl is not None


def test_a_unified_key_imports_its_fills_and_pooled_balance(routed_to_simulator, workspace, owner):
    account = routed_to_simulator.account(EXCHANGE, "unified")
    connection = connect(workspace, owner, account)

    result = initial_sync(connection)

    assert result.status == "succeeded", result
    assert_imported_exactly(routed_to_simulator, account, connection)
    balances = {
        (row.account_type, row.asset): row.total
        for row in BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    }
    assert not {account_type for account_type, _ in balances} & {"spot", "margin"}
    seeded = routed_to_simulator.client(account).fetch_balance()
    assert balances[("unified", "USDT")] == seeded["USDT"]["total"]
    assert balances[("unified_borrowed", "BTC")] == -seeded["BTC"]["debt"]
    assert requests_to(routed_to_simulator, "/futures/usdt/accounts") == 0


def test_a_spot_window_denser_than_gate_pages_is_narrowed(routed_to_simulator, workspace, owner):
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={"BTC/USDT": 4200, "ETH/USDT": 300}, days=20
    )
    connection = connect(workspace, owner, account)

    assert initial_sync(connection).status == "succeeded"

    assert_imported_exactly(routed_to_simulator, account, connection)
    # 20 days fall into one or two windows of 30 days: one of them holds more than the two
    # pages Gate serves, so the walk went on below the oldest second it had read
    assert requests_to(routed_to_simulator, "/spot/my_trades") >= 13 + 3


@pytest.mark.parametrize("reading", ["fill_time", "order_end_time"])
def test_a_dense_spot_range_loses_no_fill_whichever_time_gate_compares(
    routed_to_simulator, workspace, owner, reading
):
    """Gate may compare from/to with the end of a fill's order ("processed according to the
    order end time", gateapi-python docs/SpotApi.md, list_my_trades). An ETH order rests on
    the book for days, then fills again after 3000 BTC fills in a minute: a range too dense to
    page through is read as narrower ranges of time, so the ETH order's older fill, made
    before any fill-time cut inside the minute but ended after it, is still imported; and so
    is everything traded between two syncs."""
    simulator = routed_to_simulator
    account = simulator.create_account(
        exchange=EXCHANGE,
        trades={"ETH/USDT": 30, "BTC/USDT": 200},
        days=20,
        readings={"my_trades_time_filter": reading},
    )
    trading = f"/accounts/{account['api_key']}/trades"
    rested = [f for f in simulator.ground_truth(account["api_key"]) if f["symbol"] == "ETH/USDT"]
    burst = simulator.ok("POST", trading, {"symbol": "BTC/USDT", "count": 3000})
    again = simulator.ok("POST", trading, {"symbol": "ETH/USDT", "count": 1, "same_order": True})
    assert again[0]["order_id"] == rested[-1]["order_id"]
    assert rested[-1]["timestamp"] < burst[0]["timestamp"]
    connection = connect(workspace, owner, account)

    assert initial_sync(connection).status == "succeeded"

    assert_imported_exactly(simulator, account, connection)
    simulator.ok("POST", trading, {"symbol": "BTC/USDT", "count": 40})
    simulator.ok("POST", trading, {"symbol": "ETH/USDT", "count": 2, "same_order": True})
    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")
    assert result.status == "succeeded"
    assert SyncRun.objects.get(pk=result.run_id).trades_inserted == 42
    assert_imported_exactly(simulator, account, connection)


def test_an_account_that_never_opened_futures_imports_its_spot_fills(
    routed_to_simulator, workspace, owner
):
    """Gate answers USER_NOT_FOUND for a futures or delivery account never funded."""
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={"ETH/USDT": 200}, days=60
    )
    connection = connect(workspace, owner, account)

    result = initial_sync(connection)

    assert result.status == "succeeded", result
    assert_imported_exactly(routed_to_simulator, account, connection)
    kinds = set(
        BalanceSnapshot.objects.filter(connection=connection).values_list("account_type", flat=True)
    )
    assert "spot" in kinds and not kinds & {"futures", "delivery"}
    assert not Position.objects.filter(connection=connection).exists()
    with pytest.raises(ccxt.AccountNotEnabled, match="USER_NOT_FOUND"):
        routed_to_simulator.client(account).fetch_balance({"type": "swap"})


@pytest.mark.parametrize("margin", ["empty", "inactive"])
def test_a_spot_only_account_names_its_unopened_futures_and_later_syncs_skip_them(
    routed_to_simulator, workspace, owner, margin
):
    """USER_NOT_FOUND on every perpetual and delivery account: recorded as not opened, and a
    trades-only sync asks only spot and isolated margin, whichever way Gate lists a margin
    account never opened."""
    routed_to_simulator.ok("POST", "/config", {"readings": {"gate.margin_not_opened": margin}})
    account = routed_to_simulator.account(EXCHANGE, "spot-only")
    connection = connect(workspace, owner, account)

    assert initial_sync(connection).status == "succeeded"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert {key: entry["availability"] for key, entry in connection.capabilities.items()} == {
        "margin": "available",
        "lending": "available",
        "perpetual_usdt": "not_opened",
        "perpetual_btc": "not_opened",
        "delivery_usdt": "not_opened",
        # the cross margin fills list answers (empty): walked to its end, so readable
        "cross_margin": "available",
        # a classic key: kept so that trades-only syncs need not ask the mode
        "unified": "not_opened",
    }
    assert connection.capabilities["perpetual_usdt"]["exchange_code"] == "USER_NOT_FOUND"
    kinds = set(
        BalanceSnapshot.objects.filter(connection=connection).values_list("account_type", flat=True)
    )
    assert kinds == {"spot"}
    assert_imported_exactly(routed_to_simulator, account, connection)
    futures_calls = sum(requests_to(routed_to_simulator, path) for path in TRADE_ENDPOINTS[1:])

    later = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert later.status == "succeeded"
    assert sum(requests_to(routed_to_simulator, path) for path in TRADE_ENDPOINTS[1:]) == (
        futures_calls
    )


@pytest.mark.parametrize("margin", ["empty", "inactive"])
def test_a_spot_only_account_pays_for_its_spot_fills_and_not_for_empty_margin_years(
    routed_to_simulator, workspace, owner, margin
):
    """/margin/accounts lists no isolated pair: isolated margin fills are not walked (13 empty
    30-day windows), cross margin ones are (nothing tells whether the account traded them), and
    no sync after the connect-time check asks the key's mode again."""
    routed_to_simulator.ok("POST", "/config", {"readings": {"gate.margin_not_opened": margin}})
    account = routed_to_simulator.account(EXCHANGE, "spot-only")
    connection = connect(workspace, owner, account)
    paths = ("/spot/my_trades", "/margin/accounts", "/account/detail")
    checked = {path: requests_to(routed_to_simulator, path) for path in paths}

    first = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")

    assert first.status == "succeeded", first
    assert_imported_exactly(routed_to_simulator, account, connection)
    # a year of spot and of cross margin in 13 windows of 30 days each (none holds a full
    # page), and the margin list
    assert {path: requests_to(routed_to_simulator, path) - checked[path] for path in paths} == {
        "/spot/my_trades": 2 * 13,
        "/margin/accounts": 1,
        "/account/detail": 0,
    }
    assert SyncRun.objects.get(pk=first.run_id).requests_made == 2 * 13 + 1
    streams = set(SyncCursor.objects.filter(connection=connection).values_list("stream", flat=True))
    assert streams == {"spot", "margin:cross"}
    detail = requests_to(routed_to_simulator, "/account/detail")

    noop = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    # the spot and cross margin streams, and the margin list asked again (isolated margin may
    # have been opened since)
    assert SyncRun.objects.get(pk=noop.run_id).requests_made == 3
    assert requests_to(routed_to_simulator, "/account/detail") == detail


def test_a_margin_stream_walked_before_is_walked_though_the_margin_list_is_empty(
    routed_to_simulator, workspace, owner
):
    """A cursor says the stream was walked (an earlier walk may have broken off): it goes on."""
    account = routed_to_simulator.account(EXCHANGE, "spot-only")
    connection = connect(workspace, owner, account)
    SyncCursor.objects.create(connection=connection, stream="margin:isolated", position={})

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")

    assert result.status == "succeeded", result
    streams = set(SyncCursor.objects.filter(connection=connection).values_list("stream", flat=True))
    assert streams == {"spot", "margin:isolated", "margin:cross"}
    # all three walked a year in 30-day windows
    assert requests_to(routed_to_simulator, "/spot/my_trades") == 3 * 13


def test_a_fill_of_an_expired_delivery_contract_is_named_from_its_id(routed_to_simulator, account):
    adapter = adapter_for(EXCHANGE)
    client = adapter.client(secret_of(account))
    markets_ensure(client, key=adapter.ccxt_id, route=adapter.markets_route)
    row = {
        "id": 7,
        "create_time": 1585296000.1231,
        "contract": "BTC_USDT_20200327",
        "order_id": "11",
        "size": "-30",
        "price": "6500.5",
        "role": "taker",
        "fee": "0.0975075",
    }

    record = adapter.record_of(client, client.parse_trades([row])[0])

    assert (record.symbol, record.market_type, record.settle) == (
        "BTC/USDT:USDT-200327",
        "future",
        "USDT",
    )
    assert (record.side, record.amount, record.cost) == (
        "sell",
        Decimal("0.0030"),
        Decimal("19.50150"),
    )
    assert (record.fee, record.fee_currency) == (Decimal("0.0975075"), "USDT")


# -- delivery: whether or not Gate reads last_id -------------------------------------------

DELIVERY_STREAM = "delivery:usdt"
DELIVERY_TRADES = "/delivery/usdt/my_trades"
# No walk below needs more than eight delivery pages; the old walk asked for the same one
# forever when Gate ignored last_id.
MAX_DELIVERY_PAGES = 12
LAST_ID_READINGS = ("honoured", "ignored")


@pytest.fixture
def bounded_delivery_walk(monkeypatch) -> list[int]:
    """Stops a delivery walk after MAX_DELIVERY_PAGES pages (the sync then records the part
    as failed) so that a walk that never ends fails its test instead of hanging it; the list
    names each walk that was stopped by its page count."""
    runaway: list[int] = []
    walk = GateAdapter.trade_pages

    def bounded(self, client, stream, cursor, **window):
        for count, page in enumerate(walk(self, client, stream, cursor, **window), 1):
            if stream.name == DELIVERY_STREAM and count > MAX_DELIVERY_PAGES:
                runaway.append(count)
                raise RuntimeError("the delivery walk does not end")
            yield page

    monkeypatch.setattr(GateAdapter, "trade_pages", bounded)
    return runaway


def delivery_account(simulator, reading: str, count: int = 3500) -> dict:
    """Only delivery fills, enough for several pages of 1000, in a month; ``reading`` is
    whether this account's Gate reads last_id on delivery my_trades."""
    return simulator.create_account(
        exchange=EXCHANGE,
        trades={delivery_symbol(simulator): count},
        days=30,
        readings={"delivery_last_id": reading},
    )


def delivery_cursor(connection) -> dict:
    return SyncCursor.objects.get(connection=connection, stream=DELIVERY_STREAM).position


def assert_delivery_readable(connection) -> None:
    connection.refresh_from_db()
    assert connection.capabilities["delivery_usdt"]["availability"] == "available"


@pytest.mark.parametrize(
    ("reading", "requests"),
    [
        # four pages by last_id, the last one short
        ("honoured", 4),
        # the page asked for by last_id is the newest again: taken as the first page by
        # offset, then three more by offset
        ("ignored", 5),
    ],
)
def test_the_delivery_history_is_imported_exactly_whether_gate_reads_last_id_or_not(
    routed_to_simulator, workspace, owner, bounded_delivery_walk, reading, requests
):
    account = delivery_account(routed_to_simulator, reading)
    connection = connect(workspace, owner, account)

    result = initial_sync(connection)

    assert not bounded_delivery_walk
    assert result.status == "succeeded", result
    assert_delivery_readable(connection)
    assert_imported_exactly(routed_to_simulator, account, connection)
    assert requests_to(routed_to_simulator, DELIVERY_TRADES) == requests
    newest = max(fill["timestamp"] for fill in routed_to_simulator.ground_truth(account["api_key"]))
    assert delivery_cursor(connection) == {"stop_ms": newest}


@pytest.mark.parametrize("reading", LAST_ID_READINGS)
@pytest.mark.parametrize("count", [150, 2500])
def test_delivery_fills_made_between_syncs_are_imported_exactly(
    routed_to_simulator, workspace, owner, bounded_delivery_walk, reading, count
):
    """150 new fills fit on the newest page with the ones already read; 2500 make the next
    walk page back (by last_id or by offset) to where the first one began."""
    account = delivery_account(routed_to_simulator, reading)
    connection = connect(workspace, owner, account)
    assert initial_sync(connection).status == "succeeded"
    routed_to_simulator.ok(
        "POST",
        f"/accounts/{account['api_key']}/trades",
        {"symbol": delivery_symbol(routed_to_simulator), "count": count},
    )
    asked = requests_to(routed_to_simulator, DELIVERY_TRADES)

    later = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert not bounded_delivery_walk
    assert later.status == "succeeded", later
    assert_delivery_readable(connection)
    assert_imported_exactly(routed_to_simulator, account, connection)
    assert SyncRun.objects.get(pk=later.run_id).trades_inserted == count
    pages = {(150, "honoured"): 1, (150, "ignored"): 1, (2500, "honoured"): 3}
    walked = requests_to(routed_to_simulator, DELIVERY_TRADES) - asked
    assert walked == pages.get((count, reading), 4)


@pytest.mark.parametrize("reading", LAST_ID_READINGS)
def test_a_delivery_walk_broken_off_mid_way_resumes_exactly_after_more_fills(
    routed_to_simulator, workspace, owner, bounded_delivery_walk, monkeypatch, reading
):
    """The cursor names where the walk broke off (after a fill, or at an offset); 1500 fills
    made before the next sync push the rows an offset points at further back."""
    account = delivery_account(routed_to_simulator, reading)
    connection = connect(workspace, owner, account)
    walk = GateAdapter.trade_pages

    def breaking_off(self, client, stream, cursor, **window):
        """After the second delivery page Gate answers 503 until this sync is over (however
        often the request is tried again)."""
        for count, page in enumerate(walk(self, client, stream, cursor, **window), 1):
            yield page
            if stream.name == DELIVERY_STREAM and count == 2:
                routed_to_simulator.add_fault(
                    "server_error",
                    exchange=EXCHANGE,
                    api_key=account["api_key"],
                    path=f"/api/v4{DELIVERY_TRADES}",
                )

    monkeypatch.setattr(GateAdapter, "trade_pages", breaking_off)
    first = initial_sync(connection)
    monkeypatch.setattr(GateAdapter, "trade_pages", walk)
    routed_to_simulator.ok("DELETE", "/faults")

    # an optional part that fails is recorded, never the sync's failure
    assert first.status == "succeeded", first
    connection.refresh_from_db()
    assert connection.capabilities["delivery_usdt"]["availability"] == "failed"
    cursor = delivery_cursor(connection)
    imported = Trade.objects.filter(connection=connection).count()
    if reading == "honoured":
        assert set(cursor) == {"stop_ms", "top_ms", "last_id", "last_ms"}
        assert imported == 2000
    else:
        # the second page was the first one again, and the walk went on by offset
        assert set(cursor) == {"stop_ms", "top_ms", "offset"} and cursor["offset"] == 1000
        assert imported == 1000
    routed_to_simulator.ok(
        "POST",
        f"/accounts/{account['api_key']}/trades",
        {"symbol": delivery_symbol(routed_to_simulator), "count": 1500},
    )

    second = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert not bounded_delivery_walk
    assert second.status == "succeeded", second
    assert_delivery_readable(connection)
    assert_imported_exactly(routed_to_simulator, account, connection)


def test_a_delivery_cursor_written_before_last_ms_was_kept_walks_again_from_the_top(
    routed_to_simulator, workspace, owner, bounded_delivery_walk
):
    """An interrupted walk's cursor of the old form ({stop_ms, top_ms, last_id}) cannot tell
    whether Gate read its last_id: the walk starts again from the newest fill."""
    account = delivery_account(routed_to_simulator, "ignored")
    connection = connect(workspace, owner, account)
    truth = sorted(
        routed_to_simulator.ground_truth(account["api_key"]), key=lambda fill: fill["timestamp"]
    )
    SyncCursor.objects.create(
        connection=connection,
        stream=DELIVERY_STREAM,
        position={"stop_ms": None, "top_ms": truth[-1]["timestamp"], "last_id": truth[-1000]["id"]},
    )

    result = initial_sync(connection)

    assert not bounded_delivery_walk
    assert result.status == "succeeded", result
    assert_imported_exactly(routed_to_simulator, account, connection)
    assert delivery_cursor(connection) == {"stop_ms": truth[-1]["timestamp"]}


# -- crashes and faults -------------------------------------------------------------------


def test_a_sync_that_breaks_off_mid_stream_resumes_exactly(
    routed_to_simulator, workspace, owner, monkeypatch
):
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={
            "BTC/USDT": 4200,
            "BTC/USDT:USDT": 2100,
            "BTC/USD:BTC": 100,
            delivery_symbol(routed_to_simulator): 2100,
        },
        days=25,
    )
    connection = connect(workspace, owner, account)
    walk = GateAdapter.trade_pages

    def breaking_off(self, client, stream, cursor, **window):
        """After the second page that ends inside a range (spot: below the narrowed bound;
        perpetual: at offset 2000; delivery: at a last_id), Gate answers a 503."""
        inside = 0
        for page in walk(self, client, stream, cursor, **window):
            yield page
            inside += bool(set(page.cursor) & {"skip", "last_id"})
            if inside == 2:
                routed_to_simulator.fail_next_request(
                    "server_error", exchange=EXCHANGE, api_key=account["api_key"]
                )

    monkeypatch.setattr(GateAdapter, "trade_pages", breaking_off)
    first = initial_sync(connection)
    monkeypatch.undo()

    assert first.status == "partial"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.WARNING
    run = SyncRun.objects.get(pk=first.run_id)
    assert 0 < run.trades_inserted < len(routed_to_simulator.ground_truth(account["api_key"]))
    cursors = dict(
        SyncCursor.objects.filter(connection=connection).values_list("stream", "position")
    )
    assert cursors["spot"]["to_s"] < cursors["spot"]["end_s"]
    assert cursors["perpetual:usdt"]["skip"] == 2000
    assert cursors["delivery:usdt"]["last_id"]

    second = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert second.status == "succeeded", second
    assert_imported_exactly(routed_to_simulator, account, connection)


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("maintenance", ExchangeConnection.Status.MAINTENANCE),
        ("revoked_key", ExchangeConnection.Status.NEEDS_ATTENTION),
        ("rate_limit", ExchangeConnection.Status.WARNING),
    ],
)
@pytest.mark.parametrize("text", ["message", "detail"])
def test_exchange_faults_become_connection_states(
    routed_to_simulator, workspace, owner, kind, status, text
):
    # whichever field Gate's refusal puts its words in (its SDK: message; users: detail)
    routed_to_simulator.ok("POST", "/config", {"readings": {"gate.error_text": text}})
    account = routed_to_simulator.account(EXCHANGE, "read-only")
    connection = connect(workspace, owner, account)
    routed_to_simulator.add_fault(kind, exchange=EXCHANGE, api_key=account["api_key"])

    result = initial_sync(connection)

    assert result.status == "failed"
    connection.refresh_from_db()
    assert connection.status == status
    assert not Trade.objects.filter(connection=connection).exists()

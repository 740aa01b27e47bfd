"""Importing a Binance account end to end: ccxt over HTTP to the simulator, into the journal."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import ccxt
import pytest
from django.utils import timezone

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from tests.integration.connections.conftest import secret_of

YEAR = timedelta(days=365)
DAY_MS = 86_400_000
USDM_REACH = timedelta(days=180)


def expected_trades(simulator, account) -> list[dict]:
    """The ground truth an import must reach: 12 months, and 6 for USDⓈ-M (Binance's limit)."""
    now = timezone.now()
    kept = []
    for fill in simulator.ground_truth(account["api_key"]):
        age = now - datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        reach = USDM_REACH if fill["symbol"].endswith(":USDT") else YEAR
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


@pytest.fixture
def account(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 1300, "ETH/USDT": 400, "BTC/USDT:USDT": 300, "BTC/USD:BTC": 200},
        days=400,
        permissions=["read"],
    )


@pytest.fixture
def connection(workspace, owner, account):
    from thrive.models import Workspace

    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Import",
        portfolio=None,
        secret=secret_of(account),
    )


def test_the_first_sync_imports_every_reachable_trade_exactly(
    routed_to_simulator, account, connection
):
    result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    assert result.status == "succeeded", result

    truth = expected_trades(routed_to_simulator, account)
    imported = list(Trade.objects.filter(connection=connection).values())
    assert len(imported) == len(truth)
    assert sums(imported, "symbol", "amount", "cost", "fee") == sums(
        truth, "symbol", "amount", "cost", "fee"
    )
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.trades_inserted == len(truth)
    assert run.requests_made > 0
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.last_trades_sync_at and connection.last_balances_sync_at
    assert connection.next_trades_sync_at > timezone.now()
    assert BalanceSnapshot.objects.filter(connection=connection, is_latest=True).exists()
    assert Position.objects.filter(connection=connection, is_latest=True).exists()
    usdm = SyncCursor.objects.get(connection=connection, stream="usdm:BTC/USDT:USDT")
    assert usdm.reaches_back_to is not None


def test_a_second_sync_changes_nothing(routed_to_simulator, account, connection):
    sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    before = Trade.objects.filter(connection=connection).count()
    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")
    run = SyncRun.objects.get(pk=result.run_id)
    assert Trade.objects.filter(connection=connection).count() == before
    assert run.trades_inserted == 0


def test_a_master_key_records_its_sub_accounts_balances_and_positions(
    routed_to_simulator, workspace, owner
):
    master = routed_to_simulator.account("binance", "master")
    sub = routed_to_simulator.account("binance", "sub-1")
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Master",
        portfolio=None,
        secret=secret_of(master),
    )
    assert sync_connection(connection_id=connection.pk, kind="balances").status == "succeeded"
    recorded = {
        row.asset: row.total
        for row in BalanceSnapshot.objects.filter(
            connection=connection, is_latest=True, account=sub["email"], account_type="spot"
        )
    }
    truth = routed_to_simulator.balances(sub["api_key"])["wallets"]["spot"]
    assert recorded == {
        asset: Decimal(row["balance"]).quantize(Decimal("1E-8"))
        for asset, row in truth.items()
        if Decimal(row["balance"])
    }
    positions = {
        row.symbol: row
        for row in Position.objects.filter(
            connection=connection, is_latest=True, account=sub["email"]
        )
    }
    seeded = routed_to_simulator.balances(sub["api_key"])["positions"]
    assert seeded, "sub-1 is seeded with an open USDⓈ-M position"
    assert set(positions) == {row["symbol"] for row in seeded}
    for row in seeded:
        assert positions[row["symbol"]].contracts == abs(Decimal(row["amount"]))
        assert positions[row["symbol"]].entry_price == Decimal(row["entry_price"])


def test_a_key_without_sub_accounts_records_only_its_own(account, connection):
    sync_connection(connection_id=connection.pk, kind="balances")
    accounts = set(
        BalanceSnapshot.objects.filter(connection=connection).values_list("account", flat=True)
    )
    assert accounts == {"main"}


def test_the_first_trades_import_asks_each_income_history_once_and_no_futures_wallet(
    routed_to_simulator, account, connection
):
    routed_to_simulator.reset()

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")

    assert result.status == "succeeded"
    endpoints = routed_to_simulator.stats()["endpoints"]
    # 500 futures fills, one COMMISSION row each: one page per family, whatever their age
    assert endpoints["binance /fapi/v1/income"]["requests"] == 1
    assert endpoints["binance /dapi/v1/income"]["requests"] == 1
    assert not {"binance /fapi/v3/account", "binance /dapi/v1/account"} & set(endpoints)
    # The first search reads income alone. USDⓈ-M: BTC/USDT:USDT's first week and one page by
    # id; COIN-M: BTCUSD_PERP walked in one page.
    assert endpoints["binance /fapi/v1/userTrades"]["requests"] == 2
    assert endpoints["binance /dapi/v1/userTrades"]["requests"] == 1
    truth = expected_trades(routed_to_simulator, account)
    assert Trade.objects.filter(connection=connection).count() == len(truth)

    routed_to_simulator.reset()
    sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")

    # The second searches what income cannot show: the 5 other USDⓈ-M contracts for the 13
    # weeks income does not reach (65), BTC/USDT:USDT's next page; ETHUSD_PERP asked once
    # from id 0, BTCUSD_PERP's next page.
    endpoints = routed_to_simulator.stats()["endpoints"]
    assert endpoints["binance /fapi/v1/userTrades"]["requests"] == 5 * 13 + 1
    assert endpoints["binance /dapi/v1/userTrades"]["requests"] == 1 + 1


class _WorkerKilled(BaseException):
    """What a SIGKILL does to a sync: nothing after it runs, nothing catches it."""


def _kill_after(monkeypatch, rows: int) -> None:
    """Stop the next sync dead once it has written `rows` trades."""
    import sync.runner

    written = 0
    record = sync.runner.trades_record

    def record_then_die(**kwargs):
        nonlocal written
        if written >= rows:
            raise _WorkerKilled
        result = record(**kwargs)
        written += result[0]
        return result

    monkeypatch.setattr(sync.runner, "trades_record", record_then_die)


def test_an_interrupted_first_import_still_walks_every_futures_symbol_found_before_the_stop(
    routed_to_simulator, workspace, owner, monkeypatch
):
    """Futures symbols are found in the income history (three months back on a first
    search, a day back later); a first import stopped before it reached them must not
    forget the old ones."""
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 3000, "ETH/USDT:USDT": 4, "ETH/USD:ETH": 4},
        days=80,
    )
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Stopped",
        portfolio=None,
        secret=secret_of(created),
    )
    _kill_after(monkeypatch, 1000)
    with pytest.raises(_WorkerKilled):
        sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    assert 0 < Trade.objects.filter(connection=connection).count() < 3008
    monkeypatch.undo()

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")

    assert result.status == "succeeded", result
    truth = expected_trades(routed_to_simulator, created)
    imported = Trade.objects.filter(connection=connection)
    assert sorted(imported.values_list("symbol", "exchange_trade_id")) == sorted(
        (fill["symbol"], fill["id"]) for fill in truth
    )


def test_a_futures_search_that_failed_is_made_again_over_the_whole_reach(
    routed_to_simulator, workspace, owner
):
    created = routed_to_simulator.create_account(
        exchange="binance", trades={"BTC/USDT": 20, "ETH/USDT:USDT": 4}, days=60
    )
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Income down",
        portfolio=None,
        secret=secret_of(created),
    )
    routed_to_simulator.add_fault("server_error", exchange="binance", path="/fapi/v1/income")
    first = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")
    assert first.status == "succeeded"
    assert not Trade.objects.filter(connection=connection, symbol="ETH/USDT:USDT").exists()
    routed_to_simulator.ok("DELETE", "/faults")

    sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")

    assert Trade.objects.filter(connection=connection, symbol="ETH/USDT:USDT").count() == 4
    searched = SyncCursor.objects.get(connection=connection, stream="search:usdm")
    assert searched.position["through_ms"] > 0


# -- what USDⓈ-M answers a fromId older than its 6 months (audit M4), and contracts traded
#    before the income history begins (audit M5) ---------------------------------------------

M4_READINGS = ["clamp", "empty", "error"]
FUTURES_MIX = {"BTC/USDT": 50, "ETH/USDT:USDT": 40, "BTC/USDT:USDT": 30, "ETH/USD:ETH": 10}


def _connect(workspace, owner, account, label: str) -> ExchangeConnection:
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label=label,
        portfolio=None,
        secret=secret_of(account),
    )


def _assert_exact(simulator, account, connection) -> None:
    truth = expected_trades(simulator, account)
    imported = Trade.objects.filter(connection=connection)
    assert sorted(imported.values_list("symbol", "exchange_trade_id")) == sorted(
        (fill["symbol"], fill["id"]) for fill in truth
    )
    assert sums(imported.values(), "symbol", "amount", "cost", "fee") == sums(
        truth, "symbol", "amount", "cost", "fee"
    )


@pytest.mark.parametrize("reading", M4_READINGS)
def test_the_first_import_is_exact_whatever_usdm_answers_a_from_id_older_than_six_months(
    routed_to_simulator, workspace, owner, reading
):
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades=FUTURES_MIX,
        days=250,
        readings={"usdm_from_id_beyond_retention": reading},
    )
    connection = _connect(workspace, owner, created, "M4")

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")

    assert result.status == "succeeded", result
    _assert_exact(routed_to_simulator, created, connection)
    usdm = SyncCursor.objects.get(connection=connection, stream="usdm:BTC/USDT:USDT")
    assert set(usdm.position) == {"from_id", "at_ms"}


@pytest.mark.parametrize("reading", M4_READINGS)
def test_futures_contracts_traded_only_before_the_income_history_begins_are_imported(
    routed_to_simulator, workspace, owner, reading
):
    """USDⓈ-M income keeps three months, its trades six; COIN-M income may keep three months
    too. An account that stopped trading 100 days ago shows no income at all."""
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 20, "SOL/USDT:USDT": 20, "ETH/USD:ETH": 10},
        days=150,
        anchor_ms=int(timezone.now().timestamp() * 1000) - 100 * 86_400_000,
        readings={
            "usdm_from_id_beyond_retention": reading,
            "coinm_income_retention": "three_months",
        },
    )
    connection = _connect(workspace, owner, created, "M5")

    # the first sync reads income; the second asks for the contracts income cannot show
    first = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")
    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")

    assert first.status == result.status == "succeeded", result
    _assert_exact(routed_to_simulator, created, connection)
    symbols = set(Trade.objects.filter(connection=connection).values_list("symbol", flat=True))
    assert symbols == {"BTC/USDT", "SOL/USDT:USDT", "ETH/USD:ETH"}
    older = SyncCursor.objects.get(connection=connection, stream="search:usdm-older")
    assert older.position["through_ms"] > int(timezone.now().timestamp() * 1000) - 60_000


@pytest.mark.parametrize("reading", ["empty", "error"])
def test_an_interrupted_first_import_resumes_to_exactly_the_ground_truth(
    routed_to_simulator, workspace, owner, monkeypatch, reading
):
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades=FUTURES_MIX,
        days=250,
        readings={"usdm_from_id_beyond_retention": reading},
    )
    connection = _connect(workspace, owner, created, "Stopped")
    # spot's 50 fills are one page: the stop falls inside the first USDⓈ-M walk
    _kill_after(monkeypatch, 51)
    with pytest.raises(_WorkerKilled):
        sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")
    assert Trade.objects.filter(connection=connection, symbol="BTC/USDT:USDT").exists()
    monkeypatch.undo()

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")

    assert result.status == "succeeded", result
    _assert_exact(routed_to_simulator, created, connection)


@pytest.mark.parametrize("reading", ["empty", "error"])
def test_fills_made_between_two_syncs_are_imported_exactly(
    routed_to_simulator, workspace, owner, reading
):
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades=FUTURES_MIX,
        days=250,
        readings={"usdm_from_id_beyond_retention": reading},
    )
    connection = _connect(workspace, owner, created, "Appended")
    sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")
    key = created["api_key"]
    routed_to_simulator.ok(
        "POST", f"/accounts/{key}/trades", {"symbol": "BTC/USDT:USDT", "count": 30}
    )

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    assert result.status == "succeeded", result
    _assert_exact(routed_to_simulator, created, connection)


@pytest.mark.parametrize("dated", [False, True], ids=["undated", "dated"])
@pytest.mark.parametrize("reading", ["empty", "error"])
def test_a_usdm_cursor_whose_id_left_the_six_months_walks_on_by_time(
    routed_to_simulator, workspace, owner, reading, dated
):
    """A cursor right after a fill made seven months ago: an id Binance no longer keeps. One
    written before cursors were dated (`from_id` alone) may be that old too."""
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades={"ETH/USDT:USDT": 60},
        days=250,
        readings={"usdm_from_id_beyond_retention": reading},
    )
    connection = _connect(workspace, owner, created, "Old cursor")
    sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")
    horizon = timezone.now() - USDM_REACH
    gone = [
        fill
        for fill in routed_to_simulator.ground_truth(created["api_key"])
        if datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC) < horizon
    ]
    position = {"from_id": int(gone[-1]["id"]) + 1}
    if dated:
        position["at_ms"] = gone[-1]["timestamp"]
    SyncCursor.objects.filter(connection=connection, stream="usdm:ETH/USDT:USDT").update(
        position=position
    )
    Trade.objects.filter(connection=connection).delete()

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")

    assert result.status == "succeeded", result
    _assert_exact(routed_to_simulator, created, connection)


def test_the_search_for_older_usdm_contracts_goes_on_where_the_last_sync_stopped(
    routed_to_simulator, workspace, owner, monkeypatch
):
    """A sync spends a bounded number of requests on it: here, one week for every contract."""
    import sync.exchanges.binance

    monkeypatch.setattr(sync.exchanges.binance, "OLDER_SEARCH_REQUESTS", 1)
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 5, "SOL/USDT:USDT": 20},
        days=150,
        anchor_ms=int(timezone.now().timestamp() * 1000) - 100 * 86_400_000,
    )
    connection = _connect(workspace, owner, created, "Bounded")
    reached = []
    sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")
    assert not SyncCursor.objects.filter(connection=connection, stream="search:usdm-older")
    for _ in range(14):
        sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")
        older = SyncCursor.objects.get(connection=connection, stream="search:usdm-older")
        reached.append(older.position["through_ms"])
    now_ms = int(timezone.now().timestamp() * 1000)

    # 90 days between the 6 months' edge and income's three months: 13 weeks, one a sync
    weeks = [later - earlier for earlier, later in pairwise(reached[:12])]
    assert weeks == [7 * 86_400_000] * 11
    assert reached[11] < now_ms - 90 * 86_400_000 < reached[12]
    _assert_exact(routed_to_simulator, created, connection)


# -- the sign of a futures fill's commission (audit, lower risk) and a COIN-M income startTime
#    older than what COIN-M keeps refused outright (audit, could not verify) ------------------


@pytest.mark.parametrize("sign", ["positive", "negative"])
def test_futures_fees_are_stored_as_paid_whichever_sign_the_commission_comes_with(
    routed_to_simulator, workspace, owner, sign
):
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 10, "BTC/USDT:USDT": 30, "BTC/USD:BTC": 20},
        days=60,
        readings={"futures_commission_sign": sign},
    )
    answered = routed_to_simulator.client(created).fetch_my_trades(
        "BTC/USDT:USDT", None, 1000, {"fromId": 0}
    )
    assert {row["info"]["commission"][0] == "-" for row in answered} == {sign == "negative"}
    connection = _connect(workspace, owner, created, "Fees")

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")

    assert result.status == "succeeded", result
    truth = {
        (fill["symbol"], fill["id"]): Decimal(str(fill["fee"]))
        for fill in routed_to_simulator.ground_truth(created["api_key"])
    }
    stored = {
        (symbol, trade_id): fee
        for symbol, trade_id, fee in Trade.objects.filter(connection=connection).values_list(
            "symbol", "exchange_trade_id", "fee"
        )
    }
    assert stored == truth


def test_coinm_income_refusing_a_start_older_than_it_keeps_still_finds_every_contract(
    routed_to_simulator, workspace, owner
):
    """Under the `error` reading COIN-M income keeps three months and refuses an older
    startTime (-1127). ETHUSD_PERP last traded 100 days ago: income cannot show it, the second
    sync's search for older contracts does. BTCUSD_PERP trades today: the first sync asks
    income again from inside the three months and imports it."""
    now_ms = int(timezone.now().timestamp() * 1000)
    created = routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 10, "ETH/USD:ETH": 10},
        days=60,
        anchor_ms=now_ms - 100 * DAY_MS,
        readings={"coinm_income_retention": "error"},
    )
    key = created["api_key"]
    routed_to_simulator.ok(
        "POST", f"/accounts/{key}/trades", {"symbol": "BTC/USD:BTC", "count": 15}
    )
    with pytest.raises(ccxt.BadRequest, match="-1127"):
        routed_to_simulator.client(created).dapiprivate_get_income(
            {"incomeType": "COMMISSION", "startTime": now_ms - 365 * DAY_MS, "endTime": now_ms}
        )
    connection = _connect(workspace, owner, created, "COIN-M refuses")

    first = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")

    assert first.status == "succeeded", first
    connection.refresh_from_db()
    assert connection.capabilities["coinm"]["availability"] == "available"
    coinm = Trade.objects.filter(connection=connection, market_type="swap")
    assert set(coinm.values_list("symbol", flat=True)) == {"BTC/USD:BTC"}
    assert coinm.count() == 15

    second = sync_connection(connection_id=connection.pk, kind="trades", trigger="manual")

    assert second.status == "succeeded", second
    _assert_exact(routed_to_simulator, created, connection)
    assert Trade.objects.filter(connection=connection, symbol="ETH/USD:ETH").count() == 10

"""Importing a MEXC account end to end: ccxt over HTTP to the simulator, into the journal.

Spot fills reach back a month and perpetual fills 90 days: the import must bring back exactly
what the API can reach, with MEXC's own fee, side and contract-size fields read where ccxt
4.5.90 loses them, and survive a crash at any page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.exchanges.mexc import trades as mexc_trades
from sync.exchanges.mexc.walk import split_window_pages
from sync.exchanges.records import from_millis
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from sync.simulator.exchanges.mexc.trades import spot_trade_id
from tests.integration.connections.conftest import secret_of
from thrive.models import Workspace

EXCHANGE = "mexc"
DAY_MS = 86_400_000
REACH_DAYS = {"spot": 30, "swap": 90}
# fills this close to the edge of what MEXC keeps may or may not be reachable
EDGE_MS = 15 * 60_000


def market_type(symbol: str) -> str:
    return "swap" if ":" in symbol else "spot"


def reachable(fill_symbol: str, timestamp_ms: int, now_ms: int) -> bool | None:
    """Whether MEXC's API still serves a fill; None within EDGE_MS of its retention edge."""
    edge = now_ms - REACH_DAYS[market_type(fill_symbol)] * DAY_MS
    if abs(timestamp_ms - edge) < EDGE_MS:
        return None
    return timestamp_ms > edge


def imported_and_truth(simulator, account, connection) -> tuple[list[dict], list[dict]]:
    """The imported trades and the ground truth, both without the fills at the edge."""
    now_ms = int(timezone.now().timestamp() * 1000)
    truth = [
        fill
        for fill in simulator.ground_truth(account["api_key"])
        if reachable(fill["symbol"], fill["timestamp"], now_ms)
    ]
    imported = [
        row
        for row in Trade.objects.filter(connection=connection).values()
        if reachable(row["symbol"], int(row["executed_at"].timestamp() * 1000), now_ms) is not None
    ]
    return imported, truth


def sums(rows) -> dict[str, tuple]:
    """Per symbol: count, and the sums of amount, cost, fee and realized PnL."""
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0), None])
    for row in rows:
        entry = totals[row["symbol"]]
        entry[0] += 1
        entry[1] += Decimal(str(row["amount"]))
        entry[2] += Decimal(str(row["cost"]))
        entry[3] += Decimal(str(row["fee"]))
        if row["realized_pnl"] is not None:
            entry[4] = (entry[4] or Decimal(0)) + Decimal(str(row["realized_pnl"]))
    return {symbol: tuple(values) for symbol, values in totals.items()}


def wire_id(fill: dict) -> str:
    """MEXC prints a spot fill's id as 32 hex digits (ccxt's recorded response)."""
    return spot_trade_id(fill["id"]) if fill["market_type"] == "spot" else fill["id"]


def assert_exactly_the_truth(simulator, account, connection) -> None:
    imported, truth = imported_and_truth(simulator, account, connection)
    assert len(imported) == len(truth)
    assert sums(imported) == sums(truth)
    # the unified side is wrong for perpetual deal sides 2 to 4: each fill's side is checked
    assert {(row["symbol"], row["exchange_trade_id"], row["side"]) for row in imported} == {
        (fill["symbol"], wire_id(fill), fill["side"]) for fill in truth
    }
    assert {row["fee_currency"] for row in imported} == {fill["fee_currency"] for fill in truth}


def connect(workspace, owner, account) -> ExchangeConnection:
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
def account(routed_to_simulator):
    """Several pages per stream, all within the month spot keeps."""
    return routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 260, "ETH/USDT": 90, "BTC/USDT:USDT": 320, "DOGE/USDT:USDT": 130},
        days=28,
        permissions=["read"],
    )


@pytest.fixture
def connection(workspace, owner, account):
    return connect(workspace, owner, account)


def initial(connection) -> SyncRun:
    result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    return SyncRun.objects.get(pk=result.run_id)


# -- trades ------------------------------------------------------------------------------------


def test_the_first_sync_imports_every_spot_and_perpetual_fill_exactly(
    routed_to_simulator, account, connection
):
    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert_exactly_the_truth(routed_to_simulator, account, connection)
    assert run.trades_inserted == len(routed_to_simulator.ground_truth(account["api_key"]))
    cursors = {c.stream: c for c in SyncCursor.objects.filter(connection=connection)}
    assert set(cursors) == {
        "spot:BTC/USDT",
        "spot:ETH/USDT",
        "swap:BTC/USDT:USDT",
        "swap:DOGE/USDT:USDT",
    }
    spot_reach = timezone.now() - cursors["spot:BTC/USDT"].reaches_back_to
    swap_reach = timezone.now() - cursors["swap:BTC/USDT:USDT"].reaches_back_to
    assert timedelta(days=30) <= spot_reach < timedelta(days=30, minutes=5)
    assert timedelta(days=90) <= swap_reach < timedelta(days=90, minutes=5)
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.permissions["futures_read"] is True


def test_perpetual_amounts_are_in_base_coin_and_carry_the_realized_pnl(
    routed_to_simulator, account, connection
):
    initial(connection)

    truth = {
        fill["id"]: fill
        for fill in routed_to_simulator.ground_truth(account["api_key"])
        if fill["symbol"] == "DOGE/USDT:USDT"
    }
    rows = Trade.objects.filter(connection=connection, symbol="DOGE/USDT:USDT")
    assert rows.count() == len(truth)
    for row in rows:
        fill = truth[row.exchange_trade_id]
        # DOGE perpetuals count contracts of 100 DOGE
        assert row.amount == Decimal(fill["amount"])
        assert row.cost == Decimal(fill["cost"]) == row.price * row.amount
        assert row.fee == Decimal(fill["fee"])
        assert row.realized_pnl == Decimal(fill["realized_pnl"])
        assert (row.market_type, row.settle, row.order_id) == ("swap", "USDT", fill["order_id"])


def test_a_second_sync_inserts_nothing_with_one_request_per_stream(
    routed_to_simulator, account, connection
):
    initial(connection)
    before = Trade.objects.filter(connection=connection).count()

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Trade.objects.filter(connection=connection).count() == before
    assert run.trades_inserted == 0
    streams = [name for name in run.progress if ":" in name]
    # discovery: the spot account, the open positions, one page of closed positions
    assert run.requests_made == len(streams) + 3


def test_fills_beyond_what_mexc_keeps_are_out_of_reach_and_the_rest_is_exact(
    routed_to_simulator, workspace, owner
):
    """Also more than 20 pages of perpetual fills: MEXC answers futures 20 calls per 2
    seconds, which the walk keeps to rather than being refused (510)."""
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={"ETH/USDT": 300, "ETH/USDT:USDT": 4500},
        days=120,
        permissions=["read"],
    )
    connection = connect(workspace, owner, account)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert_exactly_the_truth(routed_to_simulator, account, connection)
    everything = routed_to_simulator.ground_truth(account["api_key"])
    assert Trade.objects.filter(connection=connection).count() < len(everything)
    oldest = {
        kind: min(
            row.executed_at for row in Trade.objects.filter(connection=connection, market_type=kind)
        )
        for kind in ("spot", "swap")
    }
    assert timezone.now() - oldest["spot"] < timedelta(days=30)
    assert timedelta(days=60) < timezone.now() - oldest["swap"] < timedelta(days=90)
    deals = routed_to_simulator.stats()["endpoints"]["mexc /api/v1/private/order/list/order_deals"]
    assert deals["requests"] > 20


RESUMES_WITH = {"spot_pages": "span_ms", "deal_pages": "page"}


class Crash(BaseException):
    """The worker dying mid-import: not an Exception, so nothing on the way catches it."""


@pytest.mark.parametrize(
    ("how", "cut"),
    [
        # a spot page resumes from the next window's start and span
        ("crash", {"spot_pages": 1}),
        # a perpetual page resumes inside its window by page number
        ("crash", {"deal_pages": 2}),
        # the exchange refusing a request (an error no retry undoes): that stream stops, the
        # others go on
        ("refusal", {"spot_pages": 1, "deal_pages": 2}),
    ],
    ids=["crash-spot", "crash-perpetual", "refusal"],
)
def test_an_import_cut_off_mid_stream_resumes_to_exactly_the_truth(
    routed_to_simulator, account, connection, monkeypatch, how, cut
):
    walks = {"spot_pages": mexc_trades.spot_pages, "deal_pages": mexc_trades.deal_pages}

    def cutting(name: str, after: int):
        def walk(client, symbol, cursor, **kwargs):
            for number, page in enumerate(walks[name](client, symbol, cursor, **kwargs), 1):
                yield page
                # only mid-stream, so that the next request is this stream's
                if number == after and RESUMES_WITH[name] in page.cursor:
                    if how == "crash":
                        raise Crash
                    routed_to_simulator.add_fault(
                        "unknown_error", exchange=EXCHANGE, api_key=account["api_key"], requests=1
                    )

        return walk

    for name, after in cut.items():
        monkeypatch.setattr(mexc_trades, name, cutting(name, after))
    if how == "crash":
        with pytest.raises(Crash):
            initial(connection)
    else:
        run = initial(connection)
        assert run.status == SyncRun.Status.PARTIAL
        connection.refresh_from_db()
        assert connection.status == ExchangeConnection.Status.WARNING
    # each cut left a cursor inside its stream: a next spot window, a next page
    positions = SyncCursor.objects.filter(connection=connection).values_list("position", flat=True)
    for name in cut:
        assert any(position.get(RESUMES_WITH[name]) for position in positions), name
    imported = Trade.objects.filter(connection=connection).count()
    assert 0 < imported < len(routed_to_simulator.ground_truth(account["api_key"]))
    for name, walk in walks.items():
        monkeypatch.setattr(mexc_trades, name, walk)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert_exactly_the_truth(routed_to_simulator, account, connection)


# -- a pair busier than a page, in whatever order MEXC answers (audit M2) ----------------------

WINDOW_ORDERS = ["oldest_first", "newest_first"]


def busy_account(simulator, window_order: str) -> dict:
    """600 fills of one pair over three days: six pages' worth in the first window tried."""
    return simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 600},
        days=3,
        permissions=["read"],
        readings={"window_order": window_order},
    )


@pytest.mark.parametrize("window_order", WINDOW_ORDERS)
def test_a_pair_busier_than_a_page_imports_exactly_whichever_fills_a_full_window_answers(
    routed_to_simulator, workspace, owner, window_order
):
    account = busy_account(routed_to_simulator, window_order)
    connection = connect(workspace, owner, account)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert_exactly_the_truth(routed_to_simulator, account, connection)
    assert run.trades_inserted == len(routed_to_simulator.ground_truth(account["api_key"]))


@pytest.mark.parametrize("how", ["crash", "refusal"])
def test_a_busy_pair_cut_off_mid_walk_resumes_to_exactly_the_truth(
    routed_to_simulator, workspace, owner, monkeypatch, how
):
    account = busy_account(routed_to_simulator, "newest_first")
    connection = connect(workspace, owner, account)
    original = mexc_trades.spot_pages

    def cutting(client, symbol, cursor, **kwargs):
        cut = False
        for page in original(client, symbol, cursor, **kwargs):
            yield page
            # after the first page with fills, the oldest window of the busy days
            if page.trades and not cut:
                cut = True
                if how == "crash":
                    raise Crash
                routed_to_simulator.add_fault(
                    "unknown_error", exchange=EXCHANGE, api_key=account["api_key"], requests=1
                )

    monkeypatch.setattr(mexc_trades, "spot_pages", cutting)
    if how == "crash":
        with pytest.raises(Crash):
            initial(connection)
    else:
        assert initial(connection).status == SyncRun.Status.PARTIAL
    cursor = SyncCursor.objects.get(connection=connection, stream="spot:BTC/USDT").position
    assert set(cursor) == {"from_ms", "span_ms"}
    imported = Trade.objects.filter(connection=connection).count()
    assert 0 < imported < len(routed_to_simulator.ground_truth(account["api_key"]))
    monkeypatch.setattr(mexc_trades, "spot_pages", original)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert_exactly_the_truth(routed_to_simulator, account, connection)
    # a resumed walk starts at the window it stopped before: nothing read twice
    assert run.trades_existing == 0


def test_a_cursor_left_by_the_walk_that_trusted_the_order_resumes_exactly(
    routed_to_simulator, workspace, owner
):
    """That walk stopped at a timestamp with the ids it had read there ("seen")."""
    account = busy_account(routed_to_simulator, "newest_first")
    connection = connect(workspace, owner, account)
    initial(connection)
    fills = sorted(
        routed_to_simulator.ground_truth(account["api_key"]), key=lambda fill: fill["timestamp"]
    )
    stopped_at = fills[300]["timestamp"]
    seen = [wire_id(fill) for fill in fills if fill["timestamp"] == stopped_at]
    later = Trade.objects.filter(connection=connection, executed_at__gt=from_millis(stopped_at))
    assert later.delete()[0] > mexc_trades.PAGE
    SyncCursor.objects.filter(connection=connection, stream="spot:BTC/USDT").update(
        position={"from_ms": stopped_at, "seen": seen}
    )

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert_exactly_the_truth(routed_to_simulator, account, connection)


def test_fills_made_between_two_syncs_of_a_busy_pair_are_imported_exactly(
    routed_to_simulator, workspace, owner
):
    account = busy_account(routed_to_simulator, "newest_first")
    connection = connect(workspace, owner, account)
    initial(connection)
    routed_to_simulator.ok(
        "POST", f"/accounts/{account['api_key']}/trades", {"symbol": "BTC/USDT", "count": 150}
    )

    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")

    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert run.trades_inserted == 150
    assert_exactly_the_truth(routed_to_simulator, account, connection)


def fills_at(timestamps: list[int]) -> list[dict]:
    return [{"timestamp": ms, "id": f"{index:032x}"} for index, ms in enumerate(timestamps)]


def walk(fetch, since_ms: int, now_ms: int) -> list:
    return list(
        split_window_pages(
            fetch=fetch,
            cursor={},
            since_ms=since_ms,
            now_ms=now_ms,
            window_ms=DAY_MS,
            page_size=mexc_trades.PAGE,
            convert=list,
        )
    )


def test_a_full_page_inside_one_millisecond_is_kept_and_the_millisecond_recorded():
    """No window is narrower than a millisecond, and MEXC pages by no id (no fromId; orderId
    is capped at 100 too): the fills answered are kept, and the cursor names the millisecond
    where more may hide. (The simulator never puts 100 fills in one millisecond.)"""
    crowded = 1_700_000_000_000
    fills = fills_at([crowded - 5, *[crowded] * 150, crowded + 7])

    def newest_first(start: int, end: int) -> list[dict]:
        inside = [fill for fill in fills if start <= fill["timestamp"] <= end]
        return inside[-mexc_trades.PAGE :][::-1]

    pages = walk(newest_first, crowded - 1_000, crowded + 1_000)

    fetched = [fill for page in pages for fill in page.trades]
    assert fetched == [fills[0], *fills[-1 - mexc_trades.PAGE :]]
    assert pages[-1].cursor["crowded_ms"] == [crowded]


def test_an_answer_outside_the_window_asked_for_is_a_bad_response():
    """An exchange that ignored the window would answer full pages however narrow it got."""

    def ignoring(start: int, end: int) -> list[dict]:
        return fills_at([end + 1] * mexc_trades.PAGE)

    with pytest.raises(ExchangeCallFailed) as raised:
        walk(ignoring, 0, DAY_MS)
    assert raised.value.failure.code is ErrorCode.BAD_RESPONSE


# -- balances and positions --------------------------------------------------------------------


def latest_balances(connection, account: str = "main") -> dict[tuple[str, str], Decimal]:
    return {
        (row.account_type, row.asset): row.total
        for row in BalanceSnapshot.objects.filter(
            connection=connection, account=account, is_latest=True
        )
    }


def test_balances_and_positions_agree_with_the_exchange(routed_to_simulator, workspace, owner):
    """On the seeded demo account: MEXC's fair price is public, the simulator's is the price
    at its start, and only the seeded accounts' positions are marked at that moment."""
    demo = routed_to_simulator.account(EXCHANGE, "demo")
    connection = connect(workspace, owner, demo)

    result = sync_connection(connection_id=connection.pk, kind="balances", trigger="manual")

    assert result.status == "succeeded", result
    seeded = routed_to_simulator.balances(demo["api_key"])
    expected = {
        ("spot" if wallet == "spot" else "futures", asset): Decimal(row["balance"])
        for wallet, assets in seeded["wallets"].items()
        for asset, row in assets.items()
        if Decimal(row["balance"])
    }
    assert latest_balances(connection) == expected
    positions = {row.symbol: row for row in Position.objects.filter(connection=connection)}
    assert positions and set(positions) == {row["symbol"] for row in seeded["positions"]}
    for truth in seeded["positions"]:
        position = positions[truth["symbol"]]
        amount = Decimal(truth["amount"])
        mark, entry = Decimal(truth["mark_price"]), Decimal(truth["entry_price"])
        assert position.is_latest and position.market_type == "swap"
        assert position.contracts * position.contract_size == abs(amount)
        assert position.side == ("long" if amount > 0 else "short")
        assert (position.entry_price, position.mark_price) == (entry, mark)
        assert position.unrealized_pnl == amount * (mark - entry)
        assert position.notional == abs(amount) * mark
        assert position.leverage == truth["leverage"]
        assert position.margin_mode == truth["margin_mode"]
        assert position.liquidation_price > 0


def test_a_master_key_records_each_sub_account_spot_balance(routed_to_simulator, workspace, owner):
    master = routed_to_simulator.account(EXCHANGE, "master")
    connection = connect(workspace, owner, master)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    for label in ("sub-1", "sub-2"):
        sub = routed_to_simulator.account(EXCHANGE, label)
        uid = sub["email"].split("@")[0].rsplit(".", 1)[1]
        spot = routed_to_simulator.balances(sub["api_key"])["wallets"]["spot"]
        assert latest_balances(connection, account=uid) == {
            ("spot", asset): Decimal(row["balance"]) for asset, row in spot.items()
        }


def test_a_sub_account_key_syncs_its_own_account(routed_to_simulator, workspace, owner):
    """A sub-account's key is refused the sub-account list (700007): it simply has none."""
    sub = routed_to_simulator.account(EXCHANGE, "sub-1")
    connection = connect(workspace, owner, sub)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    assert set(
        BalanceSnapshot.objects.filter(connection=connection).values_list("account", flat=True)
    ) == {"main"}
    assert Trade.objects.filter(connection=connection).count() == len(
        routed_to_simulator.ground_truth(sub["api_key"])
    )


def test_a_key_that_cannot_read_futures_imports_spot_alone(
    routed_to_simulator, account, connection
):
    routed_to_simulator.add_fault(
        "no_read_permission", api_key=account["api_key"], path="/api/v1/private"
    )

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    connection.refresh_from_db()
    assert connection.permissions["futures_read"] is False
    assert {kind for kind, _ in latest_balances(connection)} == {"spot"}
    assert not Position.objects.filter(connection=connection).exists()
    truth = routed_to_simulator.ground_truth(account["api_key"])
    spot = [fill for fill in truth if fill["market_type"] == "spot"]
    imported = Trade.objects.filter(connection=connection)
    assert set(imported.values_list("market_type", flat=True)) == {"spot"}
    assert imported.count() == len(spot)


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("maintenance", "maintenance", "maintenance"),
        # a deleted key is unknown to spot (10072, BadRequest to ccxt): read from MEXC's code
        ("revoked_key", "needs_attention", "authentication_failed"),
        ("rate_limit", "warning", "rate_limited"),
    ],
)
def test_each_fault_becomes_a_state_and_leaves_a_sync_run(
    routed_to_simulator, account, connection, kind, status, code
):
    routed_to_simulator.add_fault(kind, exchange=EXCHANGE, api_key=account["api_key"])

    run = initial(connection)

    connection.refresh_from_db()
    assert connection.status == status
    assert run.error_code == code
    assert run.message == connection.status_message


def test_a_key_revoked_mid_import_needs_attention_and_keeps_what_was_committed(
    routed_to_simulator, account, connection, monkeypatch
):
    # revoked while spot (the core) is walked: a futures stream is an optional part, whose
    # refusal is recorded and never decides the key is bad
    original = mexc_trades.spot_pages

    def revoking(client, symbol, cursor, **kwargs):
        for page in original(client, symbol, cursor, **kwargs):
            yield page
            routed_to_simulator.add_fault(
                "revoked_key", exchange=EXCHANGE, api_key=account["api_key"]
            )

    monkeypatch.setattr(mexc_trades, "spot_pages", revoking)

    run = initial(connection)

    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.NEEDS_ATTENTION
    assert run.error_code == "authentication_failed"
    assert Trade.objects.filter(connection=connection).exists()


# -- account profiles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "futures"), [("account_not_exist", "not_opened"), ("empty", "available")]
)
def test_a_spot_only_account_connects_and_imports_its_spot_whichever_way_futures_answer(
    routed_to_simulator, workspace, owner, reading, futures
):
    """MEXC documents nothing for futures never opened: 1000 "Account does not exist" (ccxt:
    AuthenticationError) must not read as a bad key, and an empty answer imports nothing."""
    routed_to_simulator.ok("POST", "/config", {"readings": {"mexc.futures_not_opened": reading}})
    account = routed_to_simulator.account(EXCHANGE, "spot-only")
    connection = connect(workspace, owner, account)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.capabilities["futures"]["availability"] == futures
    assert {kind for kind, _ in latest_balances(connection)} == {"spot"}
    assert_exactly_the_truth(routed_to_simulator, account, connection)
    assert not SyncCursor.objects.filter(connection=connection, stream__startswith="swap:")


@pytest.mark.parametrize(
    ("reading", "sub_accounts"), [("empty", "available"), ("no_permission", "no_access")]
)
def test_an_ordinary_account_is_not_a_master_whichever_way_mexc_says_so(
    routed_to_simulator, workspace, owner, reading, sub_accounts
):
    routed_to_simulator.ok(
        "POST", "/config", {"readings": {"mexc.sub_account_list_ordinary": reading}}
    )
    account = routed_to_simulator.account(EXCHANGE, "not-master")
    connection = connect(workspace, owner, account)

    run = initial(connection)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error_code
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.capabilities["sub_accounts"]["availability"] == sub_accounts
    # a refusal names MEXC's own code on the page
    assert connection.capabilities["sub_accounts"]["exchange_code"] == (
        "" if sub_accounts == "available" else "700007"
    )
    assert connection.capabilities["futures"]["availability"] == "available"
    assert not BalanceSnapshot.objects.filter(connection=connection).exclude(account="main")

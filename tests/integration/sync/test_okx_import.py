"""Importing an OKX account end to end: ccxt over HTTP to the simulator, into the journal.

OKX keeps three months of fills per instType (SPOT, MARGIN, SWAP, FUTURES, OPTION); the
simulator prints no margin fills, so that stream is walked and stays empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync.exchanges import base as exchanges_base
from sync.exchanges.okx import fills
from sync.exchanges.registry import adapter_for
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from sync.simulator.exchanges.okx.catalog import QUARTER_MS, yymmdd
from tests.integration.connections.conftest import secret_of

EXCHANGE = "okx"
FILLS = "okx /api/v5/trade/fills-history"
STREAMS = {"spot", "margin", "swap", "futures", "option"}
QUARTER = yymmdd(QUARTER_MS)
LINEAR_FUTURE = f"BTC/USDT:USDT-{QUARTER}"
# Several pages of 100 for each type with fills: spot 3, swap 3, futures 2, options 2.
TRADES = {
    "BTC/USDT": 230,
    "ETH/USDT": 60,
    "BTC/USDT:USDT": 140,
    "ETH/USDT:USDT": 30,
    "BTC/USD:BTC": 50,
    LINEAR_FUTURE: 70,
    f"BTC/USD:BTC-{QUARTER}": 40,
}
OPTION_FILLS = (90, 40, 30)
FIRST_IMPORT_FILLS_REQUESTS = 3 + 3 + 2 + 1 + 2
# New spot fills between two syncs: two full pages and a half above the last top.
NEW_FILLS = 250
# What fills-history answers to `before` alone is unsettled (audit M1): the walk must not care.
READINGS = ["next_page", "latest"]


class Crash(BaseException):
    """A worker dying mid-sync: not an Exception, so nothing in the engine catches it."""


def sums(rows, symbol, amount, cost, fee, pnl) -> dict[str, tuple]:
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0), None])
    for row in rows:
        entry = totals[row[symbol]]
        entry[0] += 1
        entry[1] += Decimal(str(row[amount]))
        entry[2] += Decimal(str(row[cost]))
        entry[3] += Decimal(str(row[fee]))
        if row[pnl] is not None:
            entry[4] = (entry[4] or Decimal(0)) + Decimal(str(row[pnl]))
    return {key: tuple(values) for key, values in totals.items()}


def imported(connection) -> list[dict]:
    return list(Trade.objects.filter(connection=connection).values())


def assert_exactly(connection, truth: list[dict]) -> None:
    rows = imported(connection)
    assert len(rows) == len(truth)
    assert sums(rows, "symbol", "amount", "cost", "fee", "realized_pnl") == sums(
        truth, "symbol", "amount", "cost", "fee", "realized_pnl"
    )
    assert {(row["symbol"], row["market_type"], row["exchange_trade_id"]) for row in rows} == {
        (fill["symbol"], fill["market_type"], fill["id"]) for fill in truth
    }


def assert_same_fields(connection, truth: list[dict]) -> None:
    """Trade by trade, every field the ground truth has."""
    rows = {(row["symbol"], row["exchange_trade_id"]): row for row in imported(connection)}
    for fill in truth:
        row = rows[(fill["symbol"], fill["id"])]
        assert row["executed_at"] == datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        assert (row["side"], row["order_id"], row["taker_or_maker"], row["fee_currency"]) == (
            fill["side"],
            fill["order_id"],
            fill["taker_or_maker"],
            fill["fee_currency"],
        )
        for field in ("price", "amount", "cost", "fee"):
            assert row[field] == Decimal(fill[field]), (field, fill)
        pnl = fill["realized_pnl"]
        assert row["realized_pnl"] == (None if pnl is None else Decimal(pnl))


def fills_requests(simulator) -> int:
    return simulator.stats()["endpoints"].get(FILLS, {}).get("requests", 0)


def sync(connection, kind: str = "initial"):
    trigger = "initial" if kind == "initial" else "schedule"
    return sync_connection(connection_id=connection.pk, kind=kind, trigger=trigger)


@pytest.fixture
def adapter():
    return adapter_for(EXCHANGE)


def make_connection(workspace, owner, account) -> ExchangeConnection:
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
def unpaced(routed_to_simulator, monkeypatch):
    """The simulator's limits off and the adapter's pacing with them, for tests about
    cursors rather than limits (the first two tests run under OKX's real limits)."""
    routed_to_simulator.ok("POST", "/config", {"rate_limit_scale": 0})
    monkeypatch.setattr(fills, "FILLS_WINDOW_S", 0)


def option_symbols(simulator) -> list[str]:
    """The options the simulator's accounts trade, struck around its prices: BTC's first."""
    demo = simulator.account(EXCHANGE, "demo")
    return [symbol for symbol in demo["trades_by_symbol"] if symbol.endswith(("-C", "-P"))]


@pytest.fixture
def account(routed_to_simulator):
    options = option_symbols(routed_to_simulator)
    # BTC calls and puts, and ETH's call: ctMult 0.01 and 0.1
    chosen = dict(zip((options[0], options[1], options[-2]), OPTION_FILLS, strict=True))
    return routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={**TRADES, **chosen}, days=60, permissions=["read"]
    )


@pytest.fixture
def connection(workspace, owner, account):
    return make_connection(workspace, owner, account)


@contextmanager
def crashing(adapter, stream_name: str, pages: int, then=None) -> Iterator[None]:
    """Inside: `stream_name` dies after `pages` committed pages (`then`: does that instead)."""
    walk = type(adapter).trade_pages

    def wrapped(self, client, stream, cursor, **kwargs):
        for number, page in enumerate(walk(self, client, stream, cursor, **kwargs), start=1):
            yield page
            if stream.name == stream_name and number == pages:
                if then is None:
                    raise Crash
                then()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(adapter), "trade_pages", wrapped)
        yield


# -- a complete first import, and nothing after it -------------------------------------------


def test_the_first_sync_imports_every_market_type_exactly(routed_to_simulator, account, connection):
    result = sync(connection)

    assert result.status == "succeeded", result
    truth = routed_to_simulator.ground_truth(account["api_key"])
    assert_exactly(connection, truth)
    assert_same_fields(connection, truth)
    assert {row["market_type"] for row in imported(connection)} == {
        "spot",
        "swap",
        "future",
        "option",
    }
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.trades_inserted == len(truth)
    assert fills_requests(routed_to_simulator) == FIRST_IMPORT_FILLS_REQUESTS
    cursors = {c.stream: c for c in SyncCursor.objects.filter(connection=connection)}
    assert set(cursors) == STREAMS
    assert all(c.reaches_back_to is not None for c in cursors.values())
    assert all("back" not in c.position for c in cursors.values())
    assert cursors["margin"].position == {} and "top" in cursors["option"].position
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED


def test_a_second_sync_asks_once_per_stream_and_inserts_nothing(routed_to_simulator, connection):
    sync(connection)
    before = Trade.objects.filter(connection=connection).count()
    asked = fills_requests(routed_to_simulator)

    result = sync(connection, "trades")

    run = SyncRun.objects.get(pk=result.run_id)
    assert result.status == "succeeded"
    assert run.trades_inserted == 0
    assert Trade.objects.filter(connection=connection).count() == before
    assert fills_requests(routed_to_simulator) - asked == len(STREAMS)
    assert run.requests_made == len(STREAMS)


# -- account modes ---------------------------------------------------------------------------


def test_a_spot_mode_account_walks_only_spot_and_succeeds(routed_to_simulator, workspace, owner):
    """Spot mode (acctLv 1) refuses every other instType: walking them would leave the
    connection partial forever."""
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        label="simple-import",
        trades={"BTC/USDT": 230, "ETH/USDT": 60},
        days=60,
        permissions=["read"],
    )
    connection = make_connection(workspace, owner, account)

    result = sync(connection)

    assert result.status == "succeeded", result
    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))
    assert set(
        SyncCursor.objects.filter(connection=connection).values_list("stream", flat=True)
    ) == {"spot"}
    assert not Position.objects.filter(connection=connection).exists()
    assert BalanceSnapshot.objects.filter(connection=connection, is_latest=True).exists()

    again = sync(connection, "trades")

    assert again.status == "succeeded"
    # the mode the balance sync found is kept: only the one forward request
    assert SyncRun.objects.get(pk=again.run_id).requests_made == 1


def test_a_multi_currency_margin_account_imports_every_market_type(
    routed_to_simulator, workspace, owner
):
    options = option_symbols(routed_to_simulator)
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        label="multi-import",
        trades={**TRADES, **dict(zip(options[:3], OPTION_FILLS, strict=True))},
        days=60,
        permissions=["read"],
    )
    connection = make_connection(workspace, owner, account)

    result = sync(connection)

    assert result.status == "succeeded", result
    truth = routed_to_simulator.ground_truth(account["api_key"])
    assert_exactly(connection, truth)
    assert {row["market_type"] for row in imported(connection)} == {
        "spot",
        "swap",
        "future",
        "option",
    }
    assert set(
        SyncCursor.objects.filter(connection=connection).values_list("stream", flat=True)
    ) == (STREAMS)
    assert Position.objects.filter(connection=connection, is_latest=True).exists()

    again = sync(connection, "trades")

    # derivative cursors say the account is not in Spot mode: no request for the mode
    assert SyncRun.objects.get(pk=again.run_id).requests_made == len(STREAMS)


def test_a_fill_of_a_delivered_future_keeps_its_contract_value(
    routed_to_simulator, workspace, owner, monkeypatch
):
    """A future delivered inside the three months has left the instrument list but not the
    fills: its contract value comes from a listed future of the same family."""
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={LINEAR_FUTURE: 30}, days=20, permissions=["read"]
    )
    connection = make_connection(workspace, owner, account)
    ensure = exchanges_base.markets_ensure

    def without_the_quarter(client, **where):
        ensure(client, **where)
        markets = {s: m for s, m in client.markets.items() if s != LINEAR_FUTURE}
        client.set_markets(markets, client.currencies)

    monkeypatch.setattr(exchanges_base, "markets_ensure", without_the_quarter)

    assert sync(connection, "trades").status == "succeeded"

    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))


def test_a_fill_of_an_expired_option_keeps_its_multiplier(
    routed_to_simulator, workspace, owner, monkeypatch
):
    """An option expired inside the three months has left the instrument list but not the
    fills: its contract (ctVal x ctMult of the coin) comes from a listed option of the same
    family, its name from its id."""
    option = option_symbols(routed_to_simulator)[0]
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={option: 40}, days=20, permissions=["read"]
    )
    connection = make_connection(workspace, owner, account)
    ensure = exchanges_base.markets_ensure

    def without_the_option(client, **where):
        ensure(client, **where)
        markets = {s: m for s, m in client.markets.items() if s != option}
        client.set_markets(markets, client.currencies)

    monkeypatch.setattr(exchanges_base, "markets_ensure", without_the_option)

    assert sync(connection, "trades").status == "succeeded"

    truth = routed_to_simulator.ground_truth(account["api_key"])
    assert_exactly(connection, truth)
    assert_same_fields(connection, truth)
    assert {(row["market_type"], row["settle"]) for row in imported(connection)} == {
        ("option", "BTC")
    }


def test_fills_older_than_three_months_are_out_of_reach(routed_to_simulator, workspace, owner):
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 160, "BTC/USDT:USDT": 60},
        days=150,
        permissions=["read"],
    )
    connection = make_connection(workspace, owner, account)

    assert sync(connection, "trades").status == "succeeded"

    reach = SyncCursor.objects.get(connection=connection, stream="spot").reaches_back_to
    assert timedelta(days=89) < datetime.now(tz=UTC) - reach < timedelta(days=91)
    rows = imported(connection)
    truth = {
        (fill["symbol"], fill["id"]): datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        for fill in routed_to_simulator.ground_truth(account["api_key"])
    }
    got = {(row["symbol"], row["exchange_trade_id"]) for row in rows}
    assert got <= set(truth)
    assert all(row["executed_at"] >= reach for row in rows)
    # a fill within a minute of the edge may fall either side of it
    assert {key for key, at in truth.items() if at > reach + timedelta(minutes=1)} <= got
    assert len(got) < len(truth), "five months seeded, three reachable"


# -- balances and positions ------------------------------------------------------------------


def test_balances_and_positions_agree_with_the_exchange(routed_to_simulator, account, connection):
    assert sync(connection, "balances").status == "succeeded"

    seeded = routed_to_simulator.balances(account["api_key"])
    latest = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    by_type: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in latest:
        by_type[row.account_type][row.asset] = row.total
    trading: dict[str, Decimal] = defaultdict(Decimal)
    for wallet in ("spot", "linear", "inverse", "option"):
        for asset, row in seeded["wallets"].get(wallet, {}).items():
            trading[asset] += Decimal(row["balance"])
    assert by_type["trading"] == {asset: total for asset, total in trading.items() if total}
    assert by_type["funding"] == {a: Decimal(v) for a, v in seeded["funding"].items()}
    assert by_type["earn"] == {a: Decimal(v) for a, v in seeded["earn_flexible"].items()}

    positions = {
        p.symbol: p for p in Position.objects.filter(connection=connection, is_latest=True)
    }
    assert set(positions) == {row["symbol"] for row in seeded["positions"]}
    assert {p.market_type for p in positions.values()} == {"swap", "future", "option"}
    for truth in seeded["positions"]:
        position = positions[truth["symbol"]]
        amount = Decimal(truth["amount"])
        option = truth["symbol"].endswith(("-C", "-P"))
        inverse = truth["symbol"].startswith("BTC/USD:") and not option
        # counted in contracts of ctVal (x ctMult, options) of the coin, or of USD (inverse)
        per_contract = Decimal(1) if inverse else position.contract_size
        assert position.contracts * per_contract == abs(amount)
        assert position.side == ("long" if amount > 0 else "short")
        assert position.entry_price == Decimal(truth["entry_price"])
        assert position.mark_price == Decimal(truth["mark_price"])
        assert position.leverage == truth["leverage"]
        assert position.margin_mode == truth["margin_mode"]
        assert position.unrealized_pnl is not None
        if option:
            assert position.market_type == "option" and position.liquidation_price is None
            assert position.contract_size == Decimal(
                "0.01" if truth["symbol"][:3] == "BTC" else "0.1"
            )
        else:
            assert position.liquidation_price > 0
            assert position.market_type == ("future" if "-" in truth["symbol"] else "swap")


# -- crashes and resumption ------------------------------------------------------------------


@pytest.mark.parametrize(("stream", "pages"), [("spot", 1), ("spot", 2), ("swap", 2)])
def test_a_crash_after_any_backfill_page_resumes_to_exactly_the_ground_truth(
    routed_to_simulator, unpaced, account, connection, adapter, stream, pages
):
    with crashing(adapter, stream, pages), pytest.raises(Crash):
        sync(connection)
    cursor = SyncCursor.objects.get(connection=connection, stream=stream).position
    assert set(cursor) == {"new_top", "back"}

    result = sync(connection, "trades")

    assert result.status == "succeeded"
    truth = routed_to_simulator.ground_truth(account["api_key"])
    assert_exactly(connection, truth)
    # the crashed stream went on below its cursor instead of starting again
    of_type = sum(fill["market_type"] == stream for fill in truth)
    progress = SyncRun.objects.get(pk=result.run_id).progress[stream]
    assert progress["fetched"] == of_type - 100 * pages


def newest_spot_rows(simulator, account, count: int) -> list[dict]:
    """OKX's newest `count` spot fills, newest first, read straight through ccxt."""
    client = simulator.client(account)
    rows: list[dict] = []
    params = {"instType": "SPOT", "limit": "100"}
    while len(rows) < count:
        page = client.private_get_trade_fills_history(params)["data"]
        rows += page
        params = {**params, "after": page[-1]["billId"]}
    return rows[:count]


def spot_position(connection) -> dict:
    return SyncCursor.objects.get(connection=connection, stream="spot").position


def imported_once(simulator, workspace, owner, reading: str) -> tuple[dict, ExchangeConnection]:
    """An account whose fills-history reads `before` alone its own way (audit M1), imported
    once: the walk must not depend on which way that is."""
    account = simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USDT": 120, "ETH/USDT": 30, "BTC/USDT:USDT": 40},
        days=20,
        permissions=["read"],
        readings={"fills_before": reading},
    )
    connection = make_connection(workspace, owner, account)
    assert sync(connection).status == "succeeded"
    return account, connection


def trade_on(simulator, account, count: int) -> None:
    """`count` new spot fills, as if the account traded between two syncs."""
    simulator.ok(
        "POST", f"/accounts/{account['api_key']}/trades", {"symbol": "BTC/USDT", "count": count}
    )


@pytest.mark.parametrize("reading", READINGS)
def test_more_than_a_page_of_fills_between_two_syncs_all_arrive(
    routed_to_simulator, unpaced, workspace, owner, reading
):
    account, connection = imported_once(routed_to_simulator, workspace, owner, reading)
    trade_on(routed_to_simulator, account, NEW_FILLS)
    newest = newest_spot_rows(routed_to_simulator, account, 1)[0]
    asked = fills_requests(routed_to_simulator)

    assert sync(connection, "trades").status == "succeeded"

    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))
    assert spot_position(connection) == {"top": newest["billId"]}
    # spot: down to the last top in three pages; every other stream: one request
    assert fills_requests(routed_to_simulator) - asked == len(STREAMS) - 1 + 3


@pytest.mark.parametrize("reading", READINGS)
def test_a_crash_while_catching_up_resumes_below_the_last_page_read(
    routed_to_simulator, unpaced, workspace, owner, adapter, reading
):
    account, connection = imported_once(routed_to_simulator, workspace, owner, reading)
    top = spot_position(connection)["top"]
    trade_on(routed_to_simulator, account, NEW_FILLS)
    newest = newest_spot_rows(routed_to_simulator, account, 100)

    with crashing(adapter, "spot", 1), pytest.raises(Crash):
        sync(connection, "trades")
    # the old top stays until the whole gap is read
    assert spot_position(connection) == {
        "top": top,
        "new_top": newest[0]["billId"],
        "back": newest[99]["billId"],
    }

    result = sync(connection, "trades")

    assert result.status == "succeeded"
    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))
    assert spot_position(connection) == {"top": newest[0]["billId"]}
    # on below the page read before the crash: no fill read twice
    assert SyncRun.objects.get(pk=result.run_id).progress["spot"]["fetched"] == NEW_FILLS - 100


def test_a_first_backfill_the_earlier_forward_walk_left_stopped_resumes(
    routed_to_simulator, unpaced, account, connection
):
    """The walk up with `before` stored {"top": its newest bill id, "back": its oldest} while
    a first backfill was under way; such a cursor still resumes to exactly the ground truth."""
    sync(connection)
    rows = newest_spot_rows(routed_to_simulator, account, 200)
    read = {(row["instId"].replace("-", "/"), row["tradeId"]) for row in rows}
    for trade in Trade.objects.filter(connection=connection, market_type="spot"):
        if (trade.symbol, trade.exchange_trade_id) not in read:
            trade.delete()
    SyncCursor.objects.filter(connection=connection, stream="spot").update(
        position={"top": rows[0]["billId"], "back": rows[-1]["billId"]}
    )

    assert sync(connection, "trades").status == "succeeded"

    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))
    assert spot_position(connection) == {"top": rows[0]["billId"]}


def test_a_server_error_mid_walk_is_a_warning_and_the_next_sync_completes(
    routed_to_simulator, unpaced, account, connection, adapter
):
    def fail_the_next_request() -> None:
        routed_to_simulator.fail_next_request(
            "server_error", exchange=EXCHANGE, api_key=account["api_key"]
        )

    with crashing(adapter, "spot", 1, then=fail_the_next_request):
        result = sync(connection)

    assert result.status == SyncRun.Status.PARTIAL
    assert SyncRun.objects.get(pk=result.run_id).progress["spot"]["error"] == "exchange_unavailable"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.WARNING
    assert sync(connection, "trades").status == "succeeded"
    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))


# -- faults become states --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ("maintenance", ExchangeConnection.Status.MAINTENANCE),
        ("revoked_key", ExchangeConnection.Status.NEEDS_ATTENTION),
        ("no_read_permission", ExchangeConnection.Status.NEEDS_ATTENTION),
        ("rate_limit", ExchangeConnection.Status.WARNING),
    ],
)
def test_an_exchange_fault_becomes_the_connections_state(
    routed_to_simulator, account, connection, fault, status
):
    routed_to_simulator.add_fault(fault, exchange=EXCHANGE, api_key=account["api_key"])

    result = sync(connection)

    assert result.status == "failed"
    connection.refresh_from_db()
    assert connection.status == status
    assert not Trade.objects.filter(connection=connection).exists()


def test_a_refused_fills_request_waits_a_window_and_is_asked_again(
    routed_to_simulator, unpaced, account, connection
):
    """Another process may have spent the key's fills-history window (50011): one refusal
    costs a wait, not a stream."""
    routed_to_simulator.add_fault(
        "rate_limit",
        exchange=EXCHANGE,
        api_key=account["api_key"],
        path="/api/v5/trade/fills-history",
        requests=2,
    )

    assert sync(connection, "trades").status == "succeeded"

    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))
    assert fills_requests(routed_to_simulator) == FIRST_IMPORT_FILLS_REQUESTS + 2


# -- optional parts ---------------------------------------------------------------------------


def test_an_account_switched_back_to_spot_mode_records_its_old_streams_as_not_opened(
    routed_to_simulator, workspace, owner
):
    """It keeps the cursors of the swaps and futures it traded before; OKX now refuses those
    streams with 51010, which must be recorded for the part, not fail the sync."""
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        label="simple-switched",
        trades={"BTC/USDT": 40},
        days=20,
        permissions=["read"],
    )
    connection = make_connection(workspace, owner, account)
    # as connected while it was in Spot and futures mode: nothing known unavailable
    ExchangeConnection.objects.filter(pk=connection.pk).update(capabilities={})
    for stream in ("swap", "futures"):
        SyncCursor.objects.create(connection=connection, stream=stream, position={"top": "1"})

    result = sync(connection, "trades")

    connection.refresh_from_db()
    assert result.status == "succeeded", SyncRun.objects.get(pk=result.run_id).message
    assert connection.status == ExchangeConnection.Status.CONNECTED
    for stream in ("swap", "futures"):
        entry = connection.capabilities[stream]
        assert (entry["availability"], entry["exchange_code"]) == ("not_opened", "51010")
    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))

    routed_to_simulator.reset()
    again = sync(connection, "trades")

    # the next trades-only sync obeys what was found: one forward request, spot's
    assert again.status == "succeeded"
    assert fills_requests(routed_to_simulator) == 1


def test_an_unseen_error_on_simple_earn_keeps_the_other_balances(
    routed_to_simulator, workspace, owner
):
    account = routed_to_simulator.account(EXCHANGE, "demo")
    connection = make_connection(workspace, owner, account)
    routed_to_simulator.add_fault(
        "unknown_error", exchange=EXCHANGE, path="/api/v5/finance/savings/balance"
    )

    result = sync(connection, "balances")

    connection.refresh_from_db()
    assert result.status == "succeeded"
    assert connection.status == ExchangeConnection.Status.CONNECTED
    earn = connection.capabilities["earn"]
    assert (earn["availability"], earn["exchange_code"]) == ("failed", "59876")
    kinds = set(
        BalanceSnapshot.objects.filter(connection=connection, is_latest=True).values_list(
            "account_type", flat=True
        )
    )
    assert kinds == {"trading", "funding"}


def test_an_account_that_left_spot_mode_has_its_derivative_fills_walked_again(
    routed_to_simulator, workspace, owner
):
    account = routed_to_simulator.create_account(
        exchange=EXCHANGE,
        label="left-spot-mode",
        trades={"BTC/USDT": 30, "BTC/USDT:USDT": 20},
        days=20,
        permissions=["read"],
    )
    connection = make_connection(workspace, owner, account)
    # connected while still in Spot mode: its derivative parts were found "not opened"
    spot_mode = {
        key: {"label": key, "availability": "not_opened", "error_code": "", "exchange_code": ""}
        for key in ("margin", "swap", "futures", "option")
    }
    ExchangeConnection.objects.filter(pk=connection.pk).update(capabilities=spot_mode)
    spot = [
        fill
        for fill in routed_to_simulator.ground_truth(account["api_key"])
        if fill["market_type"] == "spot"
    ]

    # a trades sync goes by what the last balance sync found, and asks OKX nothing more
    routed_to_simulator.reset()
    assert sync(connection, "trades").status == "succeeded"
    assert_exactly(connection, spot)
    assert "okx /api/v5/account/config" not in routed_to_simulator.stats()["endpoints"]

    # the hourly balance sync reads the mode again; the next trades sync walks the derivatives
    assert sync(connection, "balances").status == "succeeded"
    result = sync(connection, "trades")

    connection.refresh_from_db()
    assert result.status == "succeeded"
    assert_exactly(connection, routed_to_simulator.ground_truth(account["api_key"]))
    assert {key: connection.capabilities[key]["availability"] for key in spot_mode} == {
        key: "available" for key in spot_mode
    }

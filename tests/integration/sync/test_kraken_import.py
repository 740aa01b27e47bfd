"""Importing a Kraken account end to end: spot (margin trades included) and Kraken Futures, ccxt
over HTTP to the simulator, into the journal.

A Kraken connection holds two key pairs: the spot key (``kraken`` in the simulator) and the
Kraken Futures key (``krakenfutures``), each with an account of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import ccxt
import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from connections.vault import CredentialSecret
from journal.models import Trade
from portfolio.models import BalanceSnapshot, Position
from sync import budget
from sync.exchanges.registry import adapter_for
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from sync.simulator.exchanges.kraken.book import is_leveraged, market_index
from sync.simulator.exchanges.kraken.catalog import (
    FUTURES_INSTRUMENTS,
    REWARDS_ASSET,
    SPOT_INSTRUMENTS,
    STAKED_ASSET,
)
from sync.simulator.exchanges.kraken.common import futures_uuid, txid

EXCHANGE = "kraken"
FUTURES = "krakenfutures"
TRADES_HISTORY = "kraken /0/private/TradesHistory"
FILLS = "krakenfutures /derivatives/api/v3/fills"
ACCOUNT_LOG = "krakenfutures /api/history/v3/account-log"
SPOT_TRADES = {"BTC/USDT": 260, "ETH/USDT": 120, "SOL/USDT": 50}
FUTURES_TRADES = {"BTC/USD:USD": 220, "ETH/USD:USD": 70, "BTC/USD:BTC": 110}
FUTURES_IDS = {instrument.symbol: instrument.id for instrument in FUTURES_INSTRUMENTS}
SPOT_SYMBOLS = {instrument.id: instrument.symbol for instrument in SPOT_INSTRUMENTS}


class Crash(BaseException):
    """A worker dying mid-sync: not an Exception, so nothing in the engine catches it."""


@pytest.fixture(autouse=True)
def unpaced(routed_to_simulator, monkeypatch):
    """Kraken private calls cost 3 to 6 of ccxt's 1-second units, which the shared budget
    spaces out; right in production, only slow here. The simulator's own per-key counter
    (20 per 40 s) is off for the same reason; the faults below stand in for its refusals."""
    monkeypatch.setattr(budget, "take", lambda exchange, **spend: 0.0)
    routed_to_simulator.ok("POST", "/config", {"rate_limit_scale": 0})


def truth_key(fill: dict) -> tuple[str, str, str]:
    """(symbol, our market type, trade id as Kraken prints it) of a ground-truth fill."""
    if fill["market_type"] == "spot":
        market_type = "margin" if is_leveraged(int(fill["order_id"])) else "spot"
        return fill["symbol"], market_type, fill["id"]
    trade_id = futures_uuid("fill", FUTURES_IDS[fill["symbol"]], int(fill["id"]))
    return fill["symbol"], fill["market_type"], trade_id


def truth_order_id(fill: dict) -> str:
    if fill["market_type"] == "spot":
        return txid("O", market_index(fill["symbol"]), int(fill["order_id"]))
    return futures_uuid("order", FUTURES_IDS[fill["symbol"]], int(fill["order_id"]))


def ground_truth(simulator, *accounts) -> list[dict]:
    return [fill for account in accounts for fill in simulator.ground_truth(account["api_key"])]


def imported(connection) -> list[dict]:
    return list(Trade.objects.filter(connection=connection).values())


def key_of(row: dict) -> tuple[str, str, str]:
    return row["symbol"], row["market_type"], row["exchange_trade_id"]


def cursors_of(connection) -> dict[str, dict]:
    return {c.stream: c.position for c in SyncCursor.objects.filter(connection=connection)}


def sums(rows, key) -> dict[tuple, tuple]:
    totals: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0), None])
    for row in rows:
        entry = totals[key(row)]
        entry[0] += 1
        entry[1] += Decimal(str(row["amount"]))
        entry[2] += Decimal(str(row["cost"]))
        entry[3] += Decimal(str(row["fee"]))
        if row["realized_pnl"] is not None:
            entry[4] = (entry[4] or Decimal(0)) + Decimal(str(row["realized_pnl"]))
    return {name: tuple(values) for name, values in totals.items()}


def assert_exactly(connection, truth: list[dict]) -> None:
    rows = imported(connection)
    assert len(rows) == len(truth)
    assert {key_of(row) for row in rows} == {truth_key(fill) for fill in truth}
    assert sums(rows, lambda r: (r["symbol"], r["market_type"])) == sums(
        truth, lambda fill: truth_key(fill)[:2]
    )


def assert_same_fields(connection, truth: list[dict]) -> None:
    """Trade by trade, every field the ground truth has."""
    rows = {
        (r["symbol"], r["market_type"], r["exchange_trade_id"]): r for r in imported(connection)
    }
    for fill in truth:
        row = rows[truth_key(fill)]
        assert row["executed_at"] == datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        assert (row["side"], row["order_id"], row["taker_or_maker"], row["fee_currency"]) == (
            fill["side"],
            truth_order_id(fill),
            fill["taker_or_maker"],
            fill["fee_currency"],
        )
        for field in ("price", "amount", "cost", "fee"):
            assert row[field] == Decimal(fill[field]), (field, fill)
        pnl = fill["realized_pnl"]
        assert row["realized_pnl"] == (None if pnl is None else Decimal(pnl))


def requests_to(simulator, endpoint: str) -> int:
    return simulator.stats()["endpoints"].get(endpoint, {}).get("requests", 0)


def requests_in_all(simulator) -> int:
    return sum(row["requests"] for row in simulator.stats()["exchanges"].values())


def sync(connection, kind: str = "initial"):
    trigger = "initial" if kind == "initial" else "schedule"
    return sync_connection(connection_id=connection.pk, kind=kind, trigger=trigger)


def make_connection(workspace, owner, spot: dict, futures: dict | None) -> ExchangeConnection:
    from thrive.models import Workspace

    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    secret = CredentialSecret(
        api_key=spot["api_key"],
        secret=spot["secret"],
        futures_api_key=futures["api_key"] if futures else "",
        futures_secret=futures["secret"] if futures else "",
    )
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange=EXCHANGE,
        label="Import",
        portfolio=None,
        secret=secret,
    )


@pytest.fixture
def adapter():
    return adapter_for(EXCHANGE)


@pytest.fixture
def spot(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange=EXCHANGE, trades=SPOT_TRADES, days=300, permissions=["read"]
    )


@pytest.fixture
def futures(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange=FUTURES, trades=FUTURES_TRADES, days=300, permissions=["read"]
    )


@pytest.fixture
def connection(workspace, owner, spot, futures):
    return make_connection(workspace, owner, spot, futures)


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


def raw_client(simulator, account: dict) -> ccxt.Exchange:
    return simulator.client(account, enableRateLimit=False, has={"fetchCurrencies": False})


# -- a complete first import, and nothing after it -------------------------------------------


def test_the_first_sync_imports_spot_margin_and_futures_exactly(
    routed_to_simulator, spot, futures, connection
):
    asked = requests_in_all(routed_to_simulator)

    result = sync(connection)

    assert result.status == "succeeded", result
    truth = ground_truth(routed_to_simulator, spot, futures)
    assert_exactly(connection, truth)
    assert_same_fields(connection, truth)
    assert {row["market_type"] for row in imported(connection)} == {"spot", "margin", "swap"}
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.trades_inserted == len(truth)
    # TradesHistory: 50 a page until `count`; fills: 100 a page, each overlapping the last
    # millisecond of the one before; the account log: one chunk holds every fee
    spot_count = sum(SPOT_TRADES.values())
    futures_count = sum(FUTURES_TRADES.values())
    assert requests_to(routed_to_simulator, TRADES_HISTORY) == -(-spot_count // 50)
    assert -(-futures_count // 100) <= requests_to(routed_to_simulator, FILLS)
    assert requests_to(routed_to_simulator, FILLS) <= -(-futures_count // 95)
    assert requests_to(routed_to_simulator, ACCOUNT_LOG) == 1
    assert run.requests_made == requests_in_all(routed_to_simulator) - asked
    cursors = cursors_of(connection)
    assert set(cursors) == {"spot", "futures"}
    assert all("walk" not in cursor and cursor["top"] for cursor in cursors.values())
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED


def test_a_second_sync_asks_once_per_stream_and_inserts_nothing(routed_to_simulator, connection):
    sync(connection)
    before = Trade.objects.filter(connection=connection).count()
    asked = requests_in_all(routed_to_simulator)

    result = sync(connection, "trades")

    run = SyncRun.objects.get(pk=result.run_id)
    assert result.status == "succeeded"
    assert (run.trades_inserted, run.trades_fetched) == (0, 0)
    assert Trade.objects.filter(connection=connection).count() == before
    assert requests_in_all(routed_to_simulator) - asked == 2
    assert run.requests_made == 2


def test_a_spot_key_alone_walks_spot_only(routed_to_simulator, workspace, owner, spot):
    connection = make_connection(workspace, owner, spot, None)

    assert sync(connection).status == "succeeded"

    assert_exactly(connection, ground_truth(routed_to_simulator, spot))
    assert set(
        SyncCursor.objects.filter(connection=connection).values_list("stream", flat=True)
    ) == {"spot"}
    assert not routed_to_simulator.stats()["exchanges"].get(FUTURES)


def test_trades_older_than_twelve_months_are_left_alone(routed_to_simulator, workspace, owner):
    spot = routed_to_simulator.create_account(
        exchange=EXCHANGE, trades={"BTC/USDT": 150}, days=420, permissions=["read"]
    )
    futures = routed_to_simulator.create_account(
        exchange=FUTURES, trades={"ETH/USD:USD": 150}, days=420, permissions=["read"]
    )
    connection = make_connection(workspace, owner, spot, futures)
    started = datetime.now(tz=UTC)

    assert sync(connection, "trades").status == "succeeded"

    finished = datetime.now(tz=UTC)
    truth = ground_truth(routed_to_simulator, spot, futures)
    keys = {key_of(row) for row in imported(connection)}

    def at(fill):
        return datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)

    # the engine's year starts somewhere between the two clock readings
    assert {truth_key(f) for f in truth if at(f) >= finished - timedelta(days=365)} <= keys
    assert keys <= {truth_key(f) for f in truth if at(f) >= started - timedelta(days=365)}
    assert len(keys) < len(truth), "fourteen months seeded, twelve imported"


# -- balances and positions ------------------------------------------------------------------


def expected_balances(simulator, spot: dict, futures: dict) -> dict[tuple[str, str], Decimal]:
    """What the two accounts hold, by (our account type, asset): Kraken serves the spot wallet
    and the staked and rewards assets on spot, the cash, flex and margin accounts on futures."""
    seeded = simulator.balances(spot["api_key"])
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for asset, row in seeded["wallets"]["spot"].items():
        expected[("spot", asset)] += Decimal(row["balance"])
    for wallet, names in (("earn_locked", STAKED_ASSET), ("earn_flexible", REWARDS_ASSET)):
        for asset, amount in seeded[wallet].items():
            if asset in names:
                expected[("earn", asset)] += Decimal(amount)
    seeded = simulator.balances(futures["api_key"])
    for wallet, account_type in (("linear", "futures"), ("inverse", "inverse")):
        for asset, row in seeded["wallets"].get(wallet, {}).items():
            expected[(account_type, asset)] += Decimal(row["balance"])
    for asset, amount in seeded["funding"].items():
        expected[("funding", asset)] += Decimal(amount)
    return {key: total for key, total in expected.items() if total}


def expected_pnl(truth: dict) -> Decimal:
    """Linear contracts: USD on a size in coin; inverse ones (1 USD a contract): coin."""
    amount = Decimal(truth["amount"])
    entry, mark = Decimal(truth["entry_price"]), Decimal(truth["mark_price"])
    if truth["symbol"].endswith(":USD"):
        return amount * (mark - entry)
    return (amount * (1 / entry - 1 / mark)).quantize(Decimal("1E-8"), ROUND_HALF_UP)


@pytest.mark.parametrize("pnl", ["absent", "present"])
def test_balances_and_positions_agree_with_the_exchange(routed_to_simulator, workspace, owner, pnl):
    """On the seeded demo accounts: the simulator's public mark price is the price at its start,
    which is where the demo accounts value their positions. A margin account's balances also
    count its open contracts by symbol (audit P5): those are not assets. Whether open positions
    carry Kraken's own unrealized PnL is unsettled (audit P1): the figure is the same."""
    routed_to_simulator.ok("POST", "/config", {"readings": {"krakenfutures.position_pnl": pnl}})
    spot = routed_to_simulator.account(EXCHANGE, "demo")
    futures = routed_to_simulator.account(FUTURES, "demo")
    connection = make_connection(workspace, owner, spot, futures)

    assert sync(connection, "balances").status == "succeeded"

    latest = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    assert {(row.account_type, row.asset): row.total for row in latest} == expected_balances(
        routed_to_simulator, spot, futures
    )
    for row in latest.filter(account_type__in=("spot", "earn")):
        assert (row.free, row.used) == (row.total, Decimal(0))

    positions = Position.objects.filter(connection=connection, is_latest=True)
    seeded = routed_to_simulator.balances(futures["api_key"])["positions"]
    contracts = {p.symbol: p for p in positions if p.market_type == "swap"}
    assert set(contracts) == {row["symbol"] for row in seeded}
    for truth in seeded:
        position = contracts[truth["symbol"]]
        amount = Decimal(truth["amount"])
        assert (position.side, position.contracts) == (
            "long" if amount > 0 else "short",
            abs(amount),
        )
        assert position.entry_price == Decimal(truth["entry_price"])
        assert position.mark_price == Decimal(truth["mark_price"])
        assert position.margin_mode == truth["margin_mode"]
        # /openpositions has no unrealized PnL (audit P1): it is worked out from the mark
        expected = expected_pnl(truth)
        if pnl == "present":
            # Kraken's own figure, as its JSON number prints it (8 decimals)
            expected = expected.quantize(Decimal("1E-8"), ROUND_HALF_UP)
        assert position.unrealized_pnl == expected
        if truth["margin_mode"] == "isolated":
            assert position.leverage == truth["leverage"]

    # spot margin: Kraken's own rows, one per opening trade, add up to one position per side
    rows = raw_client(routed_to_simulator, spot).private_post_openpositions({"docalcs": "true"})
    grouped: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for row in rows["result"].values():
        symbol = SPOT_SYMBOLS[row["pair"]]
        entry = grouped[(symbol, "long" if row["type"] == "buy" else "short")]
        entry[0] += Decimal(row["vol"]) - Decimal(row["vol_closed"])
        entry[1] += Decimal(row["net"])
        entry[2] += Decimal(row["cost"])
        entry[3] += Decimal(row["vol"])
    margin = {(p.symbol, p.side): p for p in positions if p.market_type == "margin"}
    assert margin and set(margin) == set(grouped)
    for key, (open_volume, net, cost, volume) in grouped.items():
        position = margin[key]
        assert (position.contracts, position.unrealized_pnl) == (open_volume, net)
        assert position.leverage > 1 and position.mark_price > 0
        assert abs(position.entry_price - cost / volume) < Decimal("1E-8")


def test_futures_fills_sharing_a_millisecond_across_pages_are_all_imported(
    routed_to_simulator, workspace, owner, spot
):
    """One contract, 300 fills: the simulator ties a fill's time to the one before every 100
    fills, right on the page boundaries of a newest-first walk of 100."""
    futures = routed_to_simulator.create_account(
        exchange=FUTURES, trades={"BTC/USD:USD": 300}, days=20, permissions=["read"]
    )
    connection = make_connection(workspace, owner, spot, futures)

    assert sync(connection, "trades").status == "succeeded"

    assert_exactly(connection, ground_truth(routed_to_simulator, spot, futures))


# -- crashes and resumption ------------------------------------------------------------------


def stream_truth(simulator, stream: str, spot: dict, futures: dict) -> list[dict]:
    return ground_truth(simulator, spot if stream == "spot" else futures)


@pytest.mark.parametrize(
    ("stream", "pages"), [("spot", 1), ("spot", 6), ("futures", 1), ("futures", 3)]
)
def test_a_crash_after_any_backfill_page_resumes_to_exactly_the_ground_truth(
    routed_to_simulator, spot, futures, connection, adapter, stream, pages
):
    with crashing(adapter, stream, pages), pytest.raises(Crash):
        sync(connection)
    crashed = SyncRun.objects.get(connection=connection, status=SyncRun.Status.RUNNING)
    assert "walk" in cursors_of(connection)[stream]

    result = sync(connection, "trades")

    assert result.status == "succeeded"
    assert_exactly(connection, ground_truth(routed_to_simulator, spot, futures))
    # the crashed stream went on below its cursor instead of starting again
    fetched = crashed.progress[stream]["fetched"]
    resumed = SyncRun.objects.get(pk=result.run_id).progress[stream]["fetched"]
    assert fetched + resumed == len(stream_truth(routed_to_simulator, stream, spot, futures))
    assert "walk" not in cursors_of(connection)[stream]


def newest_rows(simulator, stream: str, spot: dict, futures: dict, count: int) -> list[dict]:
    """The stream's newest `count` rows as Kraken prints them, newest first, with their id
    (txid or fill id) and time in ms."""
    if stream == "spot":
        client = raw_client(simulator, spot)
        rows: list[dict] = []
        while len(rows) < count:
            page = client.private_post_tradeshistory(
                {"consolidate_taker": "false", "ofs": len(rows)}
            )["result"]["trades"]
            rows += [
                {"id": key, "ms": int(Decimal(repr(row["time"])) * 1000)}
                for key, row in page.items()
            ]
        return rows[:count]
    client = simulator.client(futures, enableRateLimit=False)
    rows = []
    params: dict = {}
    while len(rows) < count:
        page = client.private_get_fills(params)["fills"]
        rows += [
            {"id": row["fill_id"], "ms": client.parse8601(row["fillTime"])}
            for row in page
            if row["fill_id"] not in {seen["id"] for seen in rows}
        ]
        params = {"lastFillTime": client.iso8601(rows[-1]["ms"] + 1)}
    return rows[:count]


@pytest.mark.parametrize("crash", [False, True], ids=["straight", "crash-after-a-page"])
@pytest.mark.parametrize(("stream", "missing"), [("spot", 120), ("futures", 150)])
def test_the_next_sync_walks_down_to_the_last_top_and_brings_every_newer_trade(
    routed_to_simulator, spot, futures, connection, adapter, stream, missing, crash
):
    """What an incremental sync does after new trades: `missing` of them above the cursor."""
    sync(connection)
    rows = newest_rows(routed_to_simulator, stream, spot, futures, missing + 1)
    market_types = ("spot", "margin") if stream == "spot" else ("swap",)
    top = rows[missing]
    # Forget every trade above the cursor's top. By time, not by a count of the newest rows:
    # fills sharing a millisecond have no order of their own, and databases break such ties
    # differently.
    Trade.objects.filter(
        connection=connection,
        market_type__in=market_types,
        executed_at__gt=datetime.fromtimestamp(top["ms"] / 1000, tz=UTC),
    ).delete()
    SyncCursor.objects.filter(connection=connection, stream=stream).update(
        position={"top": top["ms"], "recent": [top["id"]]}
    )
    if crash:
        with crashing(adapter, stream, 1), pytest.raises(Crash):
            sync(connection, "trades")
        assert cursors_of(connection)[stream]["top"] == top["ms"]
        assert "walk" in cursors_of(connection)[stream]

    assert sync(connection, "trades").status == "succeeded"

    assert_exactly(connection, ground_truth(routed_to_simulator, spot, futures))
    assert cursors_of(connection)[stream]["top"] == rows[0]["ms"]


def test_a_server_error_mid_futures_walk_is_recorded_and_the_next_sync_completes(
    routed_to_simulator, spot, futures, connection, adapter
):
    """Kraken Futures is an optional part: its failure is recorded on the connection, never a
    connection state, and its cursor lets the next sync carry on."""

    def fail_the_next_request() -> None:
        routed_to_simulator.fail_next_request(
            "server_error", exchange=FUTURES, api_key=futures["api_key"]
        )

    with crashing(adapter, "futures", 1, then=fail_the_next_request):
        result = sync(connection)

    assert result.status == "succeeded"
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.progress["futures"]["error"] == "exchange_unavailable"
    assert run.parts["futures"]["availability"] == "failed"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert sync(connection, "trades").status == "succeeded"
    assert_exactly(connection, ground_truth(routed_to_simulator, spot, futures))


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
def test_a_spot_fault_becomes_the_connections_state(
    routed_to_simulator, spot, connection, fault, status
):
    # maintenance is the whole exchange's (Kraken's public status says so), the rest one key's
    key = {} if fault == "maintenance" else {"api_key": spot["api_key"]}
    routed_to_simulator.add_fault(fault, exchange=EXCHANGE, **key)

    result = sync(connection)

    assert result.status == "failed"
    connection.refresh_from_db()
    assert connection.status == status
    assert not Trade.objects.filter(connection=connection, market_type="spot").exists()


@pytest.mark.parametrize(
    ("fault", "availability"),
    [
        ("maintenance", "failed"),
        ("revoked_key", "no_access"),
        ("rate_limit", "failed"),
        # an error code nobody has seen (the fault switch), on every futures endpoint
        ("unknown_error", "failed"),
    ],
)
def test_a_futures_fault_is_recorded_and_spot_goes_on(
    routed_to_simulator, spot, futures, connection, fault, availability
):
    key = {} if fault == "maintenance" else {"api_key": futures["api_key"]}
    routed_to_simulator.add_fault(fault, exchange=FUTURES, **key)

    result = sync(connection)

    assert result.status == "succeeded"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.capabilities["futures"]["availability"] == availability
    assert_exactly(connection, ground_truth(routed_to_simulator, spot))


# -- profiles: a spot key with a refused or never-used futures key ---------------------------


def test_a_spot_key_whose_futures_key_is_refused_imports_spot_and_names_futures(
    routed_to_simulator, workspace, owner, spot
):
    futures = routed_to_simulator.account(FUTURES, "expired")
    connection = make_connection(workspace, owner, spot, futures)

    result = sync(connection)

    assert result.status == "succeeded"
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    entry = connection.capabilities["futures"]
    assert (entry["availability"], entry["exchange_code"]) == ("no_access", "authenticationError")
    assert_exactly(connection, ground_truth(routed_to_simulator, spot))
    # a trades-only sync does not knock on a door known to be closed
    asked = requests_to(routed_to_simulator, FILLS)
    assert sync(connection, "trades").status == "succeeded"
    assert requests_to(routed_to_simulator, FILLS) == asked


def test_a_futures_account_that_never_traded_is_named_not_opened(
    routed_to_simulator, workspace, owner, spot
):
    # Kraken Futures refuses the history of such an account with "accountInactive"
    futures = routed_to_simulator.account(FUTURES, "spot-only")
    connection = make_connection(workspace, owner, spot, futures)

    assert sync(connection).status == "succeeded"

    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert connection.capabilities["futures"]["availability"] == "not_opened"
    assert_exactly(connection, ground_truth(routed_to_simulator, spot))


# -- the account log's two entries per fill (audit M3) ---------------------------------------


@pytest.mark.parametrize("order", ["position_first", "wallet_first"])
def test_futures_fees_and_pnl_come_from_the_wallet_entry_whatever_the_log_order(
    routed_to_simulator, workspace, owner, spot, futures, order
):
    routed_to_simulator.ok(
        "POST", "/config", {"readings": {"krakenfutures.trade_log_order": order}}
    )
    connection = make_connection(workspace, owner, spot, futures)

    assert sync(connection, "trades").status == "succeeded"

    truth = ground_truth(routed_to_simulator, futures)
    assert_same_fields(connection, truth)
    swaps = Trade.objects.filter(connection=connection, market_type="swap")
    assert not swaps.filter(fee_currency__contains="_").exists()

"""MEXC through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, balances, positions, sub-accounts, what a key reveals about itself, the complete trade
history of spot and USDT-M perpetuals, and every fault and credential problem."""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import ccxt
import pytest

from sync.simulator.exchanges.base import REJECTION_KINDS
from sync.simulator.exchanges.mexc.trades import SPOT_ORDER_PREFIX, spot_trade_id
from sync.simulator.http import Request

EXCHANGE = "mexc"
DAY_MS = 86_400_000
PAGE = 100
SPOT = {"type": "spot"}
SWAP = {"type": "swap"}


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


@pytest.fixture(scope="module")
def catalog(simulator):
    """Markets loaded once: MEXC answers its contract list once per 5 seconds per IP, so
    clients after the first take the markets from here, as a sync worker takes them from a
    cache. (The simulator's limits restart with every test.)"""
    simulator.reset()  # set up before the per-test reset: start from fresh limits
    client = simulator.client(simulator.account(EXCHANGE, "demo"), enableRateLimit=False)
    client.load_markets()
    return client.markets, client.currencies


def client_for(simulator, catalog, account, **config):
    """A client with the markets already loaded; ccxt's own throttle off unless asked for."""
    client = simulator.client(account, **{"enableRateLimit": False, **config})
    client.set_markets(*catalog)
    return client


def now_ms() -> int:
    return int(time.time() * 1000)


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


# -- markets and time ------------------------------------------------------------------------


def test_it_serves_markets_currencies_and_server_time_to_load_markets(simulator, demo):
    client = simulator.client(demo, enableRateLimit=False)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert all(markets[symbol]["active"] for symbol in markets)
    assert markets["BTC/USDT"]["precision"] == {
        "amount": Decimal("0.000001"),
        "price": Decimal("0.01"),
    }
    perpetual = markets["BTC/USDT:USDT"]
    assert perpetual["swap"] and perpetual["linear"] and perpetual["id"] == "BTC_USDT"
    assert perpetual["contractSize"] == Decimal("0.0001")
    assert perpetual["precision"] == {"amount": Decimal(1), "price": Decimal("0.1")}
    assert markets["DOGE/USDT:USDT"]["contractSize"] == Decimal(100)
    assert set(client.currencies["USDT"]["networks"]) == {"ERC20", "TRC20", "BEP20"}
    endpoints = simulator.stats()["endpoints"]
    called = ("capital/config/getall", "exchangeInfo")
    for path in [f"/api/v3/{name}" for name in called] + ["/api/v1/contract/detail"]:
        assert endpoints[f"mexc {path}"]["requests"] == 1
    assert abs(client.fetch_time() - now_ms()) < 5_000
    assert abs(client.fetch_time({"type": "swap"}) - now_ms()) < 5_000
    assert client.fetch_status()["status"] == "ok"


def test_the_contract_list_answers_once_per_five_seconds(simulator, demo):
    client = simulator.client(demo, enableRateLimit=False)
    answers = []

    # three calls in a row: whatever 5-second window they fall in, two share one
    for _ in range(3):
        try:
            answers.append(len(client.contract_public_get_detail()["data"]))
        except ccxt.RateLimitExceeded:
            answers.append("510")

    assert "510" in answers and 5 in answers


def test_the_futures_api_is_also_served_on_contract_mexc_com(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    client.urls["api"]["contract"]["private"] = (
        f"{simulator.base_url}/contract.mexc.com/api/v1/private"
    )

    assert client.fetch_balance(SWAP)["info"]["success"] is True


# -- balances, positions, sub-accounts -----------------------------------------------------


def expected_wallets(truth: list[dict], deposits: dict) -> dict[str, dict[str, Decimal]]:
    """Deposit plus the effect of every fill, per wallet and asset, from the ground truth."""
    wallets = {
        wallet: {asset: Decimal(row["deposit"]) for asset, row in assets.items()}
        for wallet, assets in deposits.items()
    }

    def add(wallet: str, asset: str, amount: Decimal) -> None:
        wallets[wallet][asset] = wallets[wallet].get(asset, Decimal(0)) + amount

    for fill in truth:
        base, rest = fill["symbol"].split("/")
        quote, _, settle = rest.partition(":")
        if fill["market_type"] == "spot":
            sign = 1 if fill["side"] == "buy" else -1
            add("spot", base, sign * Decimal(fill["amount"]))
            add("spot", quote, -sign * Decimal(fill["cost"]))
            add("spot", fill["fee_currency"], -Decimal(fill["fee"]))
        else:
            add("linear", settle, Decimal(fill["realized_pnl"]))
            add("linear", fill["fee_currency"], -Decimal(fill["fee"]))
    return wallets


def number(value) -> Decimal:
    """A futures-API number as ccxt hands it over: a float parsed from the JSON."""
    return Decimal(str(value))


def test_spot_and_futures_balances_are_the_deposit_plus_every_fill(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    wallets = expected_wallets(
        simulator.ground_truth(demo["api_key"]), simulator.balances(demo["api_key"])["wallets"]
    )

    spot = client.fetch_balance()
    swap = client.fetch_balance(SWAP)

    assert {asset: spot["total"][asset] for asset in wallets["spot"]} == wallets["spot"]
    [usdt] = swap["info"]["data"]
    assert number(usdt["cashBalance"]) == wallets["linear"]["USDT"]
    assert number(usdt["equity"]) == number(usdt["cashBalance"]) + number(usdt["unrealized"])
    # ccxt reads free = availableBalance, used = frozenBalance: margin in positions is in neither
    assert swap["free"]["USDT"] == number(usdt["availableBalance"])
    assert swap["used"]["USDT"] == 0


def test_it_reports_the_positions_left_open_by_the_fills(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = client.fetch_positions()
    [usdt] = client.fetch_balance(SWAP)["info"]["data"]

    assert {position["symbol"] for position in positions} == set(seeded)
    unrealized = Decimal(0)
    for position in positions:
        truth = seeded[position["symbol"]]
        market = client.market(position["symbol"])
        amount = Decimal(truth["amount"])
        assert position["contracts"] * market["contractSize"] == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == Decimal(truth["entry_price"])
        assert position["leverage"] == truth["leverage"]
        assert position["marginMode"] == truth["margin_mode"]
        assert position["liquidationPrice"] > 0
        # MEXC's position carries no mark price: the fair price endpoint does
        assert position["markPrice"] is None and position["unrealizedPnl"] is None
        fair = client.contract_public_get_fair_price_symbol({"symbol": market["id"]})
        mark = number(fair["data"]["fairPrice"])
        assert mark == Decimal(truth["mark_price"])
        unrealized += (amount * (mark - position["entryPrice"])).quantize(Decimal("1E-8"))
    assert abs(number(usdt["unrealized"]) - unrealized) <= Decimal("1E-8") * len(positions)


def test_closed_and_open_positions_account_for_every_realized_pnl_and_fee(
    simulator, catalog, history
):
    """Fills are listed per symbol only; the closed positions reveal which perpetuals an
    account traded, and with the open ones they add up to every fill's PnL and fee."""
    client = client_for(simulator, catalog, history)
    closed: list[dict] = []
    page_num = 1
    while True:
        page = client.contract_private_get_position_list_history_positions(
            {"page_num": page_num, "page_size": PAGE}
        )["data"]
        closed += page
        if len(page) < PAGE:
            break
        page_num += 1
    rows = closed + client.contract_private_get_position_open_positions()["data"]

    assert all(row["state"] == 3 for row in closed)
    assert [row["updateTime"] for row in closed] == sorted(
        (row["updateTime"] for row in closed), reverse=True
    )
    truth = [fill for fill in simulator.ground_truth(history["api_key"]) if ":" in fill["symbol"]]
    symbols = {client.market(fill["symbol"])["id"] for fill in truth}
    assert {row["symbol"] for row in closed} == symbols
    for market_id in symbols:
        mine = [row for row in rows if row["symbol"] == market_id]
        fills = [fill for fill in truth if client.market(fill["symbol"])["id"] == market_id]
        pnl = sum(number(row["closeProfitLoss"]) for row in mine)
        fees = sum(number(row["totalFee"]) for row in mine)
        assert pnl == sum(Decimal(fill["realized_pnl"]) for fill in fills)
        assert fees == sum(Decimal(fill["fee"]) for fill in fills)
    parsed = client.fetch_positions_history(["BTC/USDT:USDT"], None, PAGE)
    assert parsed and {position["symbol"] for position in parsed} == {"BTC/USDT:USDT"}


def test_a_master_key_lists_its_sub_accounts_and_their_spot_balances(simulator, catalog):
    master = simulator.account(EXCHANGE, "master")
    subs = [simulator.account(EXCHANGE, label) for label in ("sub-1", "sub-2")]
    client = client_for(simulator, catalog, master)

    listed = client.spot_private_get_sub_account_list()["subAccounts"]
    names = [row["subAccount"] for row in listed]
    assets = client.spot_private_get_sub_account_asset(
        {"subAccount": names[0], "accountType": "SPOT"}
    )

    # the simulator's e-mail addresses read "<label>.<uid>@..."
    assert [row["uid"] for row in listed] == [
        sub["email"].split("@")[0].rsplit(".", 1)[1] for sub in subs
    ]
    spot = simulator.balances(subs[0]["api_key"])["wallets"]["spot"]
    assert {row["asset"]: Decimal(row["free"]) for row in assets["balances"]} == {
        asset: Decimal(row["balance"]) for asset, row in spot.items()
    }
    with pytest.raises(ccxt.BadRequest, match="730002"):
        client.spot_private_get_sub_account_asset(
            {"subAccount": names[0], "accountType": "FUTURES"}
        )
    with pytest.raises(ccxt.BadRequest, match="140001"):
        client.spot_private_get_sub_account_asset(
            {"subAccount": "nobody123", "accountType": "SPOT"}
        )


def test_keys_without_sub_accounts_list_none_and_a_sub_account_may_not_list(
    simulator, catalog, demo
):
    sub = client_for(simulator, catalog, simulator.account(EXCHANGE, "sub-1"))

    assert client_for(simulator, catalog, demo).spot_private_get_sub_account_list() == {
        "subAccounts": []
    }
    with pytest.raises(ccxt.AuthenticationError, match="700007"):
        sub.spot_private_get_sub_account_list()


@pytest.mark.parametrize("label", ["read-only", "trade-enabled", "withdraw-enabled"])
def test_the_account_flags_are_the_same_whatever_the_key_may_do(simulator, catalog, label):
    """MEXC has no endpoint for a key's permissions; ``/api/v3/account`` describes the
    account, so a read-only key reads ``canTrade: true`` like a trading key."""
    client = client_for(simulator, catalog, simulator.account(EXCHANGE, label))

    info = client.spot_private_get_account()

    assert (info["canTrade"], info["canWithdraw"], info["permissions"]) == (True, True, ["SPOT"])


# -- trade history ---------------------------------------------------------------------------

# what MEXC's futures deal sides mean: 1 open long, 2 close short, 3 open short, 4 close long
DEAL_SIDES = {1: "buy", 2: "buy", 3: "sell", 4: "sell"}


@pytest.fixture(scope="module")
def history(simulator):
    """Several pages per symbol, inside what both APIs keep."""
    return simulator.create_account(
        exchange=EXCHANGE,
        label="paging",
        trades={"BTC/USDT": 450, "ETH/USDT": 120, "BTC/USDT:USDT": 420, "DOGE/USDT:USDT": 150},
        days=10,
    )


def walk_spot(client, symbol: str, start_ms: int, end_ms: int) -> list[dict]:
    """Spot has no id cursor: resume from the last timestamp seen (inclusive) and drop the
    fills seen already, since fills sharing a timestamp straddle page boundaries."""
    by_id: dict[str, dict] = {}
    since = start_ms
    while True:
        page = client.fetch_my_trades(symbol, since, PAGE, {"until": end_ms})
        fresh = [trade for trade in page if trade["id"] not in by_id]
        by_id.update((trade["id"], trade) for trade in page)
        if len(page) < PAGE or not fresh:
            # pages run oldest first: the first sighting of each fill keeps that order
            return list(by_id.values())
        since = page[-1]["timestamp"]


def walk_swap(client, symbol: str, start_ms: int) -> list[dict]:
    """Futures pages by number inside one window of up to 90 days (ccxt sets the end)."""
    trades: list[dict] = []
    page_num = 1
    while True:
        page = client.fetch_my_trades(symbol, start_ms, PAGE, {"page_num": page_num})
        trades += page
        if len(page) < PAGE:
            return sorted(trades, key=lambda trade: int(trade["id"]))
        page_num += 1


def truth_for(simulator, account: dict, symbol: str, since_ms: int = 0) -> list[dict]:
    truth = [
        fill
        for fill in simulator.ground_truth(account["api_key"])
        if fill["symbol"] == symbol and fill["timestamp"] >= since_ms
    ]
    return [as_on_the_wire(fill) for fill in sorted(truth, key=lambda fill: int(fill["id"]))]


def as_on_the_wire(fill: dict) -> dict:
    """The ground truth with a spot fill's ids as MEXC prints them (hex id, "C02__" order)."""
    if fill["market_type"] != "spot":
        return fill
    return {
        **fill,
        "id": spot_trade_id(fill["id"]),
        "order_id": SPOT_ORDER_PREFIX + fill["order_id"],
    }


def by_time_and_id(rows: list[dict]) -> list[dict]:
    """ccxt orders parsed fills by (timestamp, id); spot ids are hex, so within one
    millisecond that is not MEXC's order."""
    return sorted(rows, key=lambda row: (row["timestamp"], str(row["id"])))


def assert_same_fills(client, fetched: list[dict], truth: list[dict]) -> None:
    """Field by field. ccxt 4.5.90 with Decimal numbers drops fee costs and, on perpetuals,
    the contract size, and it does not know MEXC's deal sides 2 to 4: those are read from
    the exchange's own fields, as an adapter has to."""
    fetched, truth = by_time_and_id(fetched), by_time_and_id(truth)
    assert [trade["id"] for trade in fetched] == [fill["id"] for fill in truth]
    for trade, fill in zip(fetched, truth, strict=True):
        info = trade["info"]
        assert trade["symbol"] == fill["symbol"]
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["order"] == fill["order_id"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        if fill["market_type"] == "spot":
            assert trade["side"] == fill["side"]
            assert trade["amount"] == Decimal(fill["amount"])
            assert trade["cost"] == Decimal(fill["cost"])
            assert Decimal(info["commission"]) == Decimal(fill["fee"])
            assert info["commissionAsset"] == fill["fee_currency"]
        else:
            amount = trade["amount"] * client.market(trade["symbol"])["contractSize"]
            assert DEAL_SIDES[info["side"]] == fill["side"]
            assert amount == Decimal(fill["amount"])
            assert trade["price"] * amount == Decimal(fill["cost"])
            assert number(info["fee"]) == Decimal(fill["fee"])
            assert info["feeCurrency"] == fill["fee_currency"]
            assert number(info["profit"]) == Decimal(fill["realized_pnl"])


def test_it_pages_the_complete_demo_history_of_every_market_type(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    start = now_ms() - 29 * DAY_MS

    for symbol in demo["trades_by_symbol"]:
        if ":" in symbol:
            fetched = walk_swap(client, symbol, start)
        else:
            fetched = walk_spot(client, symbol, start, now_ms())
        assert_same_fills(client, fetched, truth_for(simulator, demo, symbol))
    assert set(demo["trades"]) == {"spot", "swap"}


@pytest.mark.parametrize("symbol", ["BTC/USDT", "ETH/USDT"])
def test_it_pages_a_long_spot_history_from_the_last_timestamp(simulator, catalog, history, symbol):
    client = client_for(simulator, catalog, history)

    fetched = walk_spot(client, symbol, now_ms() - 11 * DAY_MS, now_ms())

    assert_same_fills(client, fetched, truth_for(simulator, history, symbol))


@pytest.mark.parametrize("symbol", ["BTC/USDT:USDT", "DOGE/USDT:USDT"])
def test_it_pages_a_long_futures_history_by_page_number(simulator, catalog, history, symbol):
    client = client_for(simulator, catalog, history)

    fetched = walk_swap(client, symbol, now_ms() - 11 * DAY_MS)

    assert_same_fills(client, fetched, truth_for(simulator, history, symbol))


def test_resuming_after_the_last_timestamp_would_lose_a_fill(simulator, catalog, history):
    client = client_for(simulator, catalog, history)
    start = now_ms() - 11 * DAY_MS

    first = client.fetch_my_trades("BTC/USDT", start, PAGE)
    second = client.fetch_my_trades("BTC/USDT", first[-1]["timestamp"], PAGE)
    skipping = client.fetch_my_trades("BTC/USDT", first[-1]["timestamp"] + 1, PAGE)

    last = first[-1]["timestamp"]
    at_last = {trade["id"] for trade in second if trade["timestamp"] == last}
    assert {trade["id"] for trade in first if trade["timestamp"] == last} <= at_last
    assert len(at_last) >= 2
    assert not at_last & {trade["id"] for trade in skipping}


def test_spot_pages_hold_at_most_100_fills_and_default_to_the_latest(simulator, catalog, history):
    client = client_for(simulator, catalog, history)
    truth = truth_for(simulator, history, "BTC/USDT")

    latest = client.fetch_my_trades("BTC/USDT", None, 500)

    assert [trade["id"] for trade in latest] == [
        fill["id"] for fill in by_time_and_id(truth[-PAGE:])
    ]


@pytest.mark.parametrize("window_order", ["oldest_first", "newest_first"])
def test_a_full_spot_window_answers_the_end_the_account_s_reading_names(
    simulator, catalog, window_order
):
    """MEXC documents no order for a startTime/endTime window (audit M2): an account reads
    it its own way, and a window holding less than a page answers all of it either way."""
    account = simulator.create_account(
        exchange=EXCHANGE,
        label=f"window-{window_order}",
        trades={"BTC/USDT": 250},
        days=5,
        readings={"window_order": window_order},
    )
    client = client_for(simulator, catalog, account)
    truth = truth_for(simulator, account, "BTC/USDT")
    since = truth[-50]["timestamp"]
    recent = [fill["id"] for fill in truth if fill["timestamp"] >= since]

    def ids(start_ms: int) -> list[str]:
        rows = client.spot_private_get_mytrades(
            {"symbol": "BTCUSDT", "startTime": start_ms, "endTime": now_ms(), "limit": PAGE}
        )
        return [row["id"] for row in rows]

    if window_order == "oldest_first":
        assert ids(now_ms() - 6 * DAY_MS) == [fill["id"] for fill in truth[:PAGE]]
        assert ids(since) == recent
    else:
        assert ids(now_ms() - 6 * DAY_MS) == [fill["id"] for fill in truth[-PAGE:]][::-1]
        assert ids(since) == recent[::-1]


def test_the_simulator_wide_window_order_is_the_oldest_first(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    truth = truth_for(simulator, demo, "BTC/USDT")

    rows = client.spot_private_get_mytrades(
        {"symbol": "BTCUSDT", "startTime": now_ms() - 29 * DAY_MS, "limit": PAGE}
    )

    assert len(truth) > PAGE
    assert [row["id"] for row in rows] == [fill["id"] for fill in truth[:PAGE]]


def test_futures_pages_go_from_the_newest_and_refuse_more_than_100(simulator, catalog, history):
    client = client_for(simulator, catalog, history)
    market = client.market("BTC/USDT:USDT")
    truth = truth_for(simulator, history, "BTC/USDT:USDT")

    newest = client.contract_private_get_order_list_order_deals(
        {"symbol": market["id"], "start_time": now_ms() - 11 * DAY_MS, "page_num": 1}
    )["data"]

    # 20 a page unless told otherwise, newest first
    assert [str(row["id"]) for row in newest] == [fill["id"] for fill in truth[-20:]][::-1]
    with pytest.raises(ccxt.BadRequest, match="600"):
        client.fetch_my_trades("BTC/USDT:USDT", now_ms() - DAY_MS, PAGE + 1)


def test_without_a_start_futures_fills_come_from_the_last_seven_days(simulator, catalog, history):
    client = client_for(simulator, catalog, history)
    week_ago = now_ms() - 7 * DAY_MS

    recent = client.fetch_my_trades("BTC/USDT:USDT", None, PAGE)

    assert recent and all(trade["timestamp"] >= week_ago for trade in recent)


def test_spot_keeps_a_month_and_futures_ninety_days(simulator, catalog):
    account = simulator.create_account(
        exchange=EXCHANGE, label="long", trades={"ETH/USDT": 200, "ETH/USDT:USDT": 200}, days=120
    )
    client = client_for(simulator, catalog, account)
    now = now_ms()
    month_ago, quarter_ago = now - 30 * DAY_MS, now - 89 * DAY_MS

    spot = walk_spot(client, "ETH/USDT", now - 120 * DAY_MS, now_ms())
    swap = walk_swap(client, "ETH/USDT:USDT", quarter_ago)

    spot_truth = truth_for(simulator, account, "ETH/USDT", month_ago)
    assert 0 < len(spot_truth) < len(truth_for(simulator, account, "ETH/USDT"))
    assert_same_fills(client, spot, spot_truth)
    assert_same_fills(client, swap, truth_for(simulator, account, "ETH/USDT:USDT", quarter_ago))
    with pytest.raises(ccxt.BadRequest, match="cannot be earlier than 90 days"):
        client.fetch_my_trades("ETH/USDT:USDT", now - 95 * DAY_MS, PAGE)
    # ccxt asks for since + 90 days; a longer window is MEXC's "Time range error"
    with pytest.raises(ccxt.ExchangeError, match="6003"):
        client.fetch_my_trades("ETH/USDT:USDT", now - DAY_MS, PAGE, {"end_time": now + 90 * DAY_MS})


def test_a_symbol_is_required_and_must_exist(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)

    with pytest.raises(ccxt.BadRequest, match="700004"):
        client.spot_private_get_mytrades()
    with pytest.raises(ccxt.BadSymbol):
        client.spot_private_get_mytrades({"symbol": "NOPEUSDT"})
    with pytest.raises(ccxt.BadRequest, match="600"):
        client.contract_private_get_order_list_order_deals()
    with pytest.raises(ccxt.BadSymbol):
        client.contract_private_get_order_list_order_deals({"symbol": "NOPE_USDT"})


def test_ccxt_misreads_futures_fills_when_numbers_are_decimal(simulator, catalog, history):
    """ccxt 4.5.90 quirks an adapter must work around on MEXC perpetuals: unified ``side``
    is only right for deal side 1 (2 reads "sell", 3 and 4 stay raw), ``cost`` is price x
    contracts (``safe_string`` skips the Decimal contract size) and ``fee.cost`` is None."""
    client = client_for(simulator, catalog, history)

    trades = walk_swap(client, "BTC/USDT:USDT", now_ms() - 11 * DAY_MS)

    sides = {trade["info"]["side"]: trade["side"] for trade in trades}
    assert sides == {1: "buy", 2: "sell", 3: "3", 4: "4"}
    trade = trades[0]
    assert trade["cost"] == trade["price"] * trade["amount"]
    assert trade["fee"]["cost"] is None


# -- credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "params", "error", "code"),
    [
        # MEXC answers an unknown key with 10072, which ccxt files under BadRequest
        ({"api_key": "mx0AAAAAAAAAAAAAAA"}, SPOT, ccxt.BadRequest, "10072"),
        ({"api_key": "mx0AAAAAAAAAAAAAAA"}, SWAP, ccxt.AuthenticationError, "401"),
        ({"secret": "0" * 32}, SPOT, ccxt.AuthenticationError, "700002"),
        ({"secret": "0" * 32}, SWAP, ccxt.AuthenticationError, "602"),
    ],
    ids=["unknown-key-spot", "unknown-key-futures", "wrong-secret-spot", "wrong-secret-futures"],
)
def test_bad_credentials_raise_what_production_raises(
    simulator, catalog, demo, change, params, error, code
):
    client = client_for(simulator, catalog, {**demo, **change})

    with pytest.raises(error, match=code) as raised:
        client.fetch_balance(params)
    assert type(raised.value) is error


@pytest.mark.parametrize(
    ("difference", "params", "error", "code"),
    [
        # spot: the recvWindow (5 s) behind, one second ahead
        (6_000, SPOT, ccxt.InvalidNonce, "700003"),
        (-2_000, SPOT, ccxt.InvalidNonce, "700003"),
        # futures: 10 seconds either way, answered with 513, a BadRequest to ccxt
        (11_000, SWAP, ccxt.BadRequest, "513"),
        (-11_000, SWAP, ccxt.BadRequest, "513"),
    ],
)
def test_a_timestamp_outside_the_window_is_refused(
    simulator, catalog, demo, difference, params, error, code
):
    client = client_for(simulator, catalog, demo, options={"timeDifference": difference})

    with pytest.raises(error, match=code) as raised:
        client.fetch_balance(params)
    assert type(raised.value) is error


def test_timestamps_inside_the_window_are_accepted(simulator, catalog, demo):
    behind = client_for(simulator, catalog, demo, options={"timeDifference": 4_000})
    ahead = client_for(simulator, catalog, demo, options={"timeDifference": -9_000})

    assert behind.fetch_balance()["total"]
    assert ahead.fetch_balance(SWAP)["info"]["success"] is True


@pytest.mark.parametrize(
    ("label", "params", "error", "code"),
    [
        # ccxt records that MEXC spot answers an expired key like a bad signature
        ("expired", SPOT, ccxt.AuthenticationError, "700002"),
        ("expired", SWAP, ccxt.AuthenticationError, "402"),
        ("no-read", SPOT, ccxt.AuthenticationError, "700007"),
        ("no-read", SWAP, ccxt.PermissionDenied, "701"),
    ],
)
def test_the_seeded_problem_keys_raise_what_production_raises(
    simulator, catalog, label, params, error, code
):
    client = client_for(simulator, catalog, simulator.account(EXCHANGE, label))

    with pytest.raises(error, match=code) as raised:
        client.fetch_balance(params)
    assert type(raised.value) is error


def test_an_ip_restricted_key_works_from_an_allowed_address(simulator, catalog):
    client = client_for(simulator, catalog, simulator.account(EXCHANGE, "ip-restricted"))

    assert client.fetch_balance()["total"]
    assert client.fetch_balance(SWAP)["info"]["success"] is True


# -- faults and rate limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "params", "error"),
    [
        ("maintenance", {}, SPOT, ccxt.OnMaintenance),
        ("maintenance", {}, SWAP, ccxt.OnMaintenance),
        ("rate_limit", {}, SPOT, ccxt.RateLimitExceeded),
        ("rate_limit", {}, SWAP, ccxt.RateLimitExceeded),
        ("ban", {}, SPOT, ccxt.DDoSProtection),
        ("server_error", {}, SPOT, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, SWAP, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, SPOT, ccxt.AuthenticationError),
        ("expired_key", {}, SWAP, ccxt.AuthenticationError),
        # a deleted key is an unknown one: 10072 on spot, BadRequest to ccxt
        ("revoked_key", {}, SPOT, ccxt.BadRequest),
        ("revoked_key", {}, SWAP, ccxt.AuthenticationError),
        ("no_read_permission", {}, SPOT, ccxt.AuthenticationError),
        ("no_read_permission", {}, SWAP, ccxt.PermissionDenied),
        # 700006 on spot (BadRequest to ccxt), 406 on futures
        ("ip_not_allowed", {}, SPOT, ccxt.BadRequest),
        ("ip_not_allowed", {}, SWAP, ccxt.PermissionDenied),
        ("clock_skew", {"skew_ms": 30_000}, SPOT, ccxt.InvalidNonce),
        ("clock_skew", {"skew_ms": -5_000}, SPOT, ccxt.InvalidNonce),
        ("clock_skew", {"skew_ms": 30_000}, SWAP, ccxt.BadRequest),
    ],
)
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, catalog, demo, kind, options, params, error
):
    client = client_for(simulator, catalog, demo)
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(lambda: client.fetch_balance(params)) is error
    assert client.fetch_balance(params)["info"], "a one-request fault is gone after one request"


def test_a_hanging_exchange_is_a_request_timeout(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo, timeout=1_000)
    simulator.add_fault("timeout", exchange=EXCHANGE, requests=1)

    assert raised_by(client.fetch_balance) is ccxt.RequestTimeout


def test_latency_slows_answers_down_without_failing_them(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    simulator.add_fault("latency", exchange=EXCHANGE, latency_ms=400, requests=1)

    started = time.monotonic()
    client.fetch_balance(SWAP)

    assert time.monotonic() - started >= 0.4


def test_a_client_that_measures_the_time_difference_first_survives_clock_skew(simulator, demo):
    """``adjustForTimeDifference`` alone is not enough: ccxt's load_markets signs the
    currencies call before fetch_markets measures the clock, so measure it first."""
    simulator.add_fault("clock_skew", exchange=EXCHANGE, skew_ms=30_000, seconds=30)
    client = simulator.client(
        demo, enableRateLimit=False, options={"adjustForTimeDifference": True}
    )

    assert raised_by(client.load_markets) is ccxt.InvalidNonce
    client.load_time_difference()
    assert client.fetch_balance()["total"]
    assert client.fetch_balance(SWAP)["info"]["success"] is True


def test_a_client_that_keeps_going_after_a_429_is_banned_with_418(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    # 500 weight per 10 seconds for /api/v3/account (weight 10); scaled down, two calls fit
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.04})

    answers = []
    for _ in range(5):
        try:
            client.fetch_balance()
            answers.append("ok")
        except ccxt.RateLimitExceeded:
            answers.append("429")
        except ccxt.DDoSProtection:
            answers.append("418")

    assert answers == ["ok", "ok", "429", "418", "418"]
    statuses = simulator.stats()["endpoints"]["mexc /api/v3/account"]["statuses"]
    assert statuses == {"200": 2, "429": 1, "418": 2}


def test_each_endpoint_has_a_limit_of_its_own(simulator, catalog, demo):
    client = client_for(simulator, catalog, demo)
    # futures: 20 calls per 2 seconds and endpoint; scaled down, two calls fit
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.1})

    client.fetch_balance(SWAP)
    client.fetch_balance(SWAP)

    assert raised_by(lambda: client.fetch_balance(SWAP)) is ccxt.RateLimitExceeded
    assert client.fetch_positions() is not None


def test_mexc_answers_every_rejection_kind_the_core_may_ask_for(simulator):
    mexc = simulator.running.state.exchanges[EXCHANGE]

    for path in ("/api/v3/account", "/api/v1/private/account/assets"):
        request = Request("GET", "api.mexc.com", path, remote_addr="127.0.0.1")
        for kind in REJECTION_KINDS:
            response = mexc.reject(kind, request, now_ms=0, retry_after=1, status=503)
            assert response.status >= 400 or b'"success":false' in response.body, kind


# -- account profiles ------------------------------------------------------------------------


def test_spot_fills_are_byte_faithful_to_the_answer_ccxt_recorded(simulator, catalog, demo):
    """ccxt's ts/src/test/static/response/mexc.json (fetchMyTrades): a 32-hex-digit id, an
    orderId of "C02__" and digits, orderListId "-1" and time as strings."""
    client = client_for(simulator, catalog, demo)
    client.fetch_my_trades("BTC/USDT", None, 5)
    row = json.loads(client.last_http_response)[0]

    assert re.fullmatch(r"[0-9a-f]{32}", row["id"])
    assert re.fullmatch(r"C02__\d+", row["orderId"])
    assert row["orderListId"] == "-1"
    assert isinstance(row["time"], str) and row["time"].isdigit()
    assert list(row) == [
        "symbol", "id", "orderId", "orderListId", "price", "qty", "quoteQty", "commission",
        "commissionAsset", "time", "isBuyer", "isMaker", "isBestMatch", "isSelfTrade",
        "clientOrderId",
    ]  # fmt: skip
    by_order = client.fetch_my_trades("BTC/USDT", None, 5, {"orderId": row["orderId"]})
    assert row["id"] in {trade["id"] for trade in by_order}


@pytest.mark.parametrize("reading", ["account_not_exist", "empty"])
def test_a_spot_only_account_s_futures_answer_follows_the_reading(simulator, catalog, reading):
    simulator.ok("POST", "/config", {"readings": {"mexc.futures_not_opened": reading}})
    client = client_for(simulator, catalog, simulator.account(EXCHANGE, "spot-only"))

    if reading == "account_not_exist":
        with pytest.raises(ccxt.AuthenticationError, match='"code":1000'):
            client.contract_private_get_account_assets()
    else:
        assert client.contract_private_get_account_assets()["data"] == []
        assert client.contract_private_get_position_open_positions()["data"] == []
    assert client.spot_private_get_account()["balances"]


@pytest.mark.parametrize("reading", ["empty", "no_permission"])
def test_an_ordinary_account_s_sub_account_list_follows_the_reading(simulator, catalog, reading):
    simulator.ok("POST", "/config", {"readings": {"mexc.sub_account_list_ordinary": reading}})
    client = client_for(simulator, catalog, simulator.account(EXCHANGE, "not-master"))

    if reading == "empty":
        assert client.spot_private_get_sub_account_list()["subAccounts"] == []
    else:
        with pytest.raises(ccxt.AuthenticationError, match="700007"):
            client.spot_private_get_sub_account_list()


def test_an_unseen_error_is_mexc_s_envelope_with_a_code_ccxt_does_not_know(
    simulator, catalog, demo
):
    client = client_for(simulator, catalog, demo)
    simulator.add_fault("unknown_error", exchange=EXCHANGE, path="/api/v1/private/")

    with pytest.raises(ccxt.ExchangeError) as raised:
        client.contract_private_get_account_assets()
    assert type(raised.value) is ccxt.ExchangeError
    assert '"code":987650' in client.last_http_response


def test_spot_tickers_are_the_oracles_prices_one_symbol_or_all(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "demo"))
    client.load_markets()

    two = client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    one = client.fetch_tickers(["SOL/USDT"])
    with pytest.raises(ccxt.BadSymbol):
        client.spot_public_get_ticker_24hr({"symbol": "LTCUSDT"})

    assert set(two) == {"BTC/USDT", "ETH/USDT"} and set(one) == {"SOL/USDT"}
    for ticker in (*two.values(), *one.values()):
        assert ticker["low"] <= min(ticker["open"], ticker["last"])
        assert ticker["high"] >= max(ticker["open"], ticker["last"])
        assert ticker["bid"] == ticker["last"] < ticker["ask"]
        change = (ticker["last"] - ticker["open"]) / ticker["open"] * 100
        assert abs(ticker["percentage"] - change) <= Decimal("0.000001")
    # 40 for every symbol (what a list costs), 1 for one symbol, refused or not
    endpoint = simulator.stats()["endpoints"]["mexc /api/v3/ticker/24hr"]
    assert (endpoint["requests"], endpoint["weight"]) == (3, 40 + 1 + 1)

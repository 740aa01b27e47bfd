"""Kraken spot and Kraken Futures through unmodified ccxt clients pointed at the simulator by
URL rewriting only: markets, balances, positions, key info, complete trade histories, faults."""

from __future__ import annotations

import json
import time
from decimal import ROUND_HALF_UP, Decimal

import ccxt
import pytest

SPOT = "kraken"
FUTURES = "krakenfutures"
DAY_MS = 86_400_000
EIGHT = Decimal("1E-8")


def spot_client(simulator, account: dict, **config) -> ccxt.Exchange:
    """ccxt's pacing (3-6 s a private call) is off so the tests stay fast; the simulator's own
    limits are tested below. ``fetchCurrencies`` is off because of the ccxt quirk the first
    test shows."""
    return simulator.client(
        account, enableRateLimit=False, has={"fetchCurrencies": False}, **config
    )


def futures_client(simulator, account: dict, **config) -> ccxt.Exchange:
    return simulator.client(account, enableRateLimit=False, **config)


@pytest.fixture
def demo(simulator):
    return simulator.account(SPOT, "demo")


@pytest.fixture
def futures_demo(simulator):
    return simulator.account(FUTURES, "demo")


def last_body(client) -> dict:
    """ccxt keeps the last body as text (``last_json_response`` needs an option)."""
    return json.loads(client.last_http_response)


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


# -- markets, time, keys -----------------------------------------------------------------------


def test_ccxt_with_decimal_numbers_cannot_load_kraken_markets_with_currencies(simulator, demo):
    """A ccxt 4.5.90 quirk: load_markets fetches Assets, then compares each base's precision,
    which safe_number cannot read from a Decimal, and gives up. Clients must skip currencies."""
    client = simulator.client(demo, enableRateLimit=False)

    with pytest.raises(ccxt.ExchangeError, match="missing currencyPrecision"):
        client.load_markets()


def test_it_serves_spot_markets_under_kraken_names_and_server_time(simulator, demo):
    client = spot_client(simulator, demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["id"] == "XBTUSDT"
    assert markets["DOGE/USDT"]["baseId"] == "DOGE"
    assert markets["BTC/USDT"]["precision"] == {
        "amount": Decimal("1E-8"),
        "price": Decimal("0.1"),
    }
    assert markets["BTC/USDT"]["margin"] and markets["BTC/USDT"]["taker"] == Decimal("0.0026")
    assert abs(client.fetch_time() - time.time() * 1000) < 2_000
    currencies = client.fetch_currencies()
    assert {"BTC", "DOGE", "ETH2.S", "USDT.F"} <= set(currencies)


def test_it_serves_futures_markets_linear_and_inverse(simulator, futures_demo):
    client = futures_client(simulator, futures_demo)

    markets = client.load_markets()

    linear, inverse = markets["BTC/USD:USD"], markets["BTC/USD:BTC"]
    assert linear["id"] == "PF_XBTUSD" and linear["linear"] and linear["swap"]
    assert inverse["id"] == "PI_XBTUSD" and inverse["inverse"]
    assert inverse["contractSize"] == Decimal(1)
    assert linear["precision"]["amount"] == Decimal("0.0001")
    assert {"ETH/USD:USD", "SOL/USD:USD", "XRP/USD:USD", "DOGE/USD:USD", "ETH/USD:ETH"} <= set(
        markets
    )
    marks = client.fetch_tickers(["BTC/USD:USD"])
    assert marks["BTC/USD:USD"]["markPrice"] > 0


def test_keys_have_kraken_formats(simulator, demo, futures_demo):
    for account in (demo, futures_demo):
        assert len(account["api_key"]) == 56
        assert len(account["secret"]) == 88 and account["secret"].endswith("==")


# -- credentials -----------------------------------------------------------------------------


def test_an_unknown_spot_key_is_an_authentication_error(simulator, demo):
    client = spot_client(simulator, {**demo, "api_key": "A" * 56})

    assert raised_by(client.fetch_balance) is ccxt.AuthenticationError


def test_a_wrong_spot_secret_is_an_invalid_signature_which_ccxt_leaves_unmapped(simulator, demo):
    client = spot_client(simulator, {**demo, "secret": "B" * 86 + "=="})
    client.load_markets()

    with pytest.raises(ccxt.ExchangeError, match="EAPI:Invalid signature") as raised:
        client.fetch_balance()
    assert type(raised.value) is ccxt.ExchangeError


def test_a_nonce_that_does_not_grow_is_an_invalid_nonce(simulator, demo):
    client = spot_client(simulator, demo)
    client.load_markets()
    client.fetch_balance()
    # a second client whose clock runs a minute behind reuses older nonces for the same key
    behind = spot_client(simulator, demo, options={"timeDifference": 60_000})
    behind.load_markets()

    assert raised_by(behind.fetch_balance) is ccxt.InvalidNonce


def test_the_spot_exchange_never_compares_the_nonce_with_its_clock(simulator, demo):
    simulator.add_fault("clock_skew", exchange=SPOT, skew_ms=600_000, requests=5)
    client = spot_client(simulator, demo)

    assert client.fetch_balance()["total"]


def test_an_unknown_futures_key_or_wrong_secret_is_an_authentication_error(simulator, futures_demo):
    for changes in ({"api_key": "C" * 56}, {"secret": "D" * 86 + "=="}):
        client = futures_client(simulator, {**futures_demo, **changes})
        client.load_markets()
        assert raised_by(client.fetch_balance) is ccxt.AuthenticationError


# -- balances and positions ------------------------------------------------------------------


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
            wallet = "inverse" if settle == base else "linear"
            add(wallet, settle, Decimal(fill["realized_pnl"]))
            add(wallet, fill["fee_currency"], -Decimal(fill["fee"]))
    return wallets


def test_spot_balances_are_the_deposit_plus_every_fill_and_staking_is_its_own_asset(
    simulator, demo
):
    client = spot_client(simulator, demo)
    seeded = simulator.balances(demo["api_key"])
    wallets = expected_wallets(simulator.ground_truth(demo["api_key"]), seeded["wallets"])

    balance = client.fetch_balance()

    assert {code: balance["total"][code] for code in wallets["spot"]} == wallets["spot"]
    assert balance["total"]["ETH2.S"] == Decimal(seeded["earn_locked"]["ETH"])
    assert balance["total"]["USDT.F"] == Decimal(seeded["earn_flexible"]["USDT"])
    # Kraken's own asset ids, with their legacy X/Z prefixes
    assert {"XXBT", "XETH", "XXDG", "USDT", "ETH2.S"} <= set(balance["info"]["result"])
    legacy = client.private_post_balance()["result"]
    assert Decimal(legacy["XXBT"]) == wallets["spot"]["BTC"]


def test_futures_flex_cash_and_inverse_margin_accounts_follow_the_fills(simulator, futures_demo):
    client = futures_client(simulator, futures_demo)
    seeded = simulator.balances(futures_demo["api_key"])
    wallets = expected_wallets(simulator.ground_truth(futures_demo["api_key"]), seeded["wallets"])

    flex = client.fetch_balance()
    cash = client.fetch_balance({"type": "cash"})
    accounts = flex["info"]["accounts"]

    assert flex["total"]["USD"] == wallets["linear"]["USD"]
    assert cash["total"]["USDT"] == Decimal(seeded["funding"]["USDT"])
    for coin, account_name in (("BTC", "fi_xbtusd"), ("ETH", "fi_ethusd")):
        # ccxt resolves a symbol to "fi_XBTUSD" while Kraken names the account in lower case,
        # so the margin account is asked for by its own name
        margin = client.fetch_balance({"type": account_name})
        coin_id = account_name[3:6]
        assert Decimal(str(accounts[account_name]["balances"][coin_id])) == wallets["inverse"][coin]
        pnl = Decimal(str(accounts[account_name]["auxiliary"]["pnl"]))
        assert margin["total"][coin] == wallets["inverse"][coin] + pnl
    with pytest.raises(ccxt.BadRequest):
        client.fetch_balance({"type": "BTC/USD:BTC"})


def test_spot_margin_positions_are_what_leveraged_trades_left_open(simulator, demo):
    client = spot_client(simulator, demo)
    client.load_markets()

    raw = client.private_post_openpositions({"docalcs": "true"})["result"]
    positions = client.fetch_positions()
    opening = []
    offset = 0
    while True:
        page = client.private_post_tradeshistory(
            {"type": "any position", "consolidate_taker": "false", "ofs": offset}
        )["result"]
        opening += [row for row in page["trades"].values() if row.get("posstatus") == "open"]
        offset += 50
        if offset >= page["count"]:
            break

    assert positions and raw
    assert sorted(row["ordertxid"] for row in raw.values()) == sorted(
        row["ordertxid"] for row in opening
    )
    for position in positions:
        mine = [
            row
            for row in raw.values()
            if client.market(position["symbol"])["id"] == row["pair"]
            and (row["type"] == "buy") == (position["side"] == "long")
        ]
        assert position["contracts"] == sum(Decimal(row["vol"]) for row in mine)
        assert position["initialMargin"] == sum(Decimal(row["margin"]) for row in mine)
        assert position["unrealizedPnl"] == sum(Decimal(row["net"]) for row in mine)
        assert position["leverage"] > 1


DOCUMENTED_POSITION_FIELDS = {
    "side",
    "symbol",
    "price",
    "fillTime",
    "size",
    "unrealizedFunding",
    "pnlCurrency",
    "maxFixedLeverage",
}


@pytest.mark.parametrize("pnl", ["absent", "present"])
def test_futures_positions_carry_entry_and_isolated_leverage_and_pnl_only_if_sent(
    simulator, futures_demo, pnl
):
    """Kraken documents no unrealized PnL on /openpositions (audit P1); ccxt's examples show
    one. By default the simulator sends the documented fields only."""
    simulator.ok("POST", "/config", {"readings": {"krakenfutures.position_pnl": pnl}})
    client = futures_client(simulator, futures_demo)
    truth = simulator.balances(futures_demo["api_key"])["positions"]
    seeded = {row["symbol"]: row for row in truth}

    rows = client.private_get_openpositions()["openPositions"]
    extra = {"unrealizedPnl"} if pnl == "present" else set()
    assert rows and all(set(row) <= DOCUMENTED_POSITION_FIELDS | extra for row in rows)
    assert all(("unrealizedPnl" in row) == (pnl == "present") for row in rows)
    positions = client.fetch_positions()
    marks = client.fetch_tickers()
    leverages = client.fetch_leverages()

    assert {position["symbol"] for position in positions} == set(seeded)
    for position in positions:
        truth = seeded[position["symbol"]]
        amount, entry = Decimal(truth["amount"]), Decimal(truth["entry_price"])
        mark = Decimal(truth["mark_price"])
        assert position["contracts"] == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == entry
        assert marks[position["symbol"]]["markPrice"] == mark
        if position["symbol"].endswith(":USD"):
            expected = amount * (mark - entry)
        else:
            expected = amount * (1 / entry - 1 / mark)
        if pnl == "present":
            assert position["unrealizedPnl"] == expected.quantize(EIGHT, ROUND_HALF_UP)
        else:
            assert position["unrealizedPnl"] is None
        assert position["marginMode"] == truth["margin_mode"]
        if truth["margin_mode"] == "isolated":
            assert position["leverage"] == truth["leverage"]
            assert leverages[position["symbol"]]["longLeverage"] == truth["leverage"]


# -- trade history ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spot_history(simulator):
    """Enough fills for dozens of 50-trade pages across three pairs."""
    return simulator.create_account(
        exchange=SPOT,
        label="paging",
        trades={"BTC/USDT": 1100, "ETH/USDT": 500, "DOGE/USDT": 250},
        days=30,
    )


@pytest.fixture(scope="module")
def futures_history(simulator):
    return simulator.create_account(
        exchange=FUTURES,
        label="paging",
        trades={"BTC/USD:USD": 900, "ETH/USD:USD": 300, "BTC/USD:BTC": 500},
        days=30,
    )


@pytest.fixture
def unlimited(simulator):
    """Walking a long history at full speed exceeds Kraken's limits; their test is below."""
    simulator.ok("POST", "/config", {"rate_limit_scale": 0})


def walk_spot_with_offsets(client) -> list[dict]:
    """Kraken's own paging: 50 trades a call, newest first, ``ofs`` until ``count``."""
    trades: list[dict] = []
    while True:
        page = client.fetch_my_trades(
            None, None, None, {"ofs": len(trades), "consolidate_taker": False}
        )
        trades += page
        if not page or len(trades) >= last_body(client)["result"]["count"]:
            return trades


def walk_spot_with_txid_cursor(client) -> list[dict]:
    """Paging without offsets: ``end`` names the oldest trade seen (inclusive)."""
    by_id: dict[str, dict] = {}
    end = None
    while True:
        params = {"consolidate_taker": False}
        if end is not None:
            params["end"] = end
        fresh = [trade for trade in client.fetch_my_trades(None, None, None, params)]
        fresh = [trade for trade in fresh if trade["id"] not in by_id]
        if not fresh:
            return list(by_id.values())
        by_id.update((trade["id"], trade) for trade in fresh)
        end = min(fresh, key=lambda trade: (trade["timestamp"], trade["info"]["trade_id"]))["id"]


def assert_same_spot_fills(client, fetched: list[dict], truth: list[dict]) -> None:
    by_key = {(trade["symbol"], str(trade["info"]["trade_id"])): trade for trade in fetched}
    assert len(by_key) == len(fetched) == len(truth)
    orders: dict[str, str] = {}
    for fill in truth:
        trade = by_key[(fill["symbol"], fill["id"])]
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        assert trade["amount"] == Decimal(fill["amount"])
        assert trade["cost"] == Decimal(fill["cost"])
        # ccxt 4.5.90 drops fee costs when numbers are Decimal; Kraken charges in the quote
        assert Decimal(trade["info"]["fee"]) == Decimal(fill["fee"])
        assert client.market(trade["symbol"])["quote"] == fill["fee_currency"]
        # one order txid per order, never shared by two orders
        assert orders.setdefault(f"{fill['symbol']}:{fill['order_id']}", trade["order"])
        assert orders[f"{fill['symbol']}:{fill['order_id']}"] == trade["order"]
    assert len(set(orders.values())) == len(orders)


def test_it_pages_the_complete_spot_history_of_all_pairs_with_offsets(
    simulator, spot_history, unlimited
):
    client = spot_client(simulator, spot_history)

    fetched = walk_spot_with_offsets(client)

    assert_same_spot_fills(client, fetched, simulator.ground_truth(spot_history["api_key"]))


def test_it_pages_the_complete_spot_history_with_a_txid_cursor(simulator, spot_history, unlimited):
    client = spot_client(simulator, spot_history)

    fetched = walk_spot_with_txid_cursor(client)

    assert_same_spot_fills(client, fetched, simulator.ground_truth(spot_history["api_key"]))


def test_it_pages_the_complete_demo_spot_history(simulator, demo, unlimited):
    client = spot_client(simulator, demo)

    fetched = walk_spot_with_offsets(client)

    assert_same_spot_fills(client, fetched, simulator.ground_truth(demo["api_key"]))


def test_spot_pages_hold_fifty_trades_newest_first_and_windows_cut_on_seconds(
    simulator, spot_history, unlimited
):
    client = spot_client(simulator, spot_history)
    truth = simulator.ground_truth(spot_history["api_key"])
    newest = max(fill["timestamp"] for fill in truth)
    since, until = newest - 3 * DAY_MS, newest - DAY_MS

    page = client.private_post_tradeshistory({"consolidate_taker": "false"})["result"]
    window = client.fetch_my_trades(None, since, None, {"until": until, "consolidate_taker": False})
    times = [row["time"] for row in page["trades"].values()]

    assert len(times) == 50 and times == sorted(times, reverse=True)
    assert page["count"] == len(truth)
    # ccxt sends start = since // 1000 (exclusive) and end = until // 1000 + 1 (inclusive)
    start_ms, end_ms = since // 1000 * 1000, (until // 1000 + 1) * 1000
    inside = [fill for fill in truth if start_ms < fill["timestamp"] <= end_ms]
    assert last_body(client)["result"]["count"] == len(inside)
    assert len(window) == min(50, len(inside))


def test_by_default_kraken_merges_the_fills_of_one_taker_order(simulator, spot_history, unlimited):
    client = spot_client(simulator, spot_history)
    truth = simulator.ground_truth(spot_history["api_key"])
    orders: dict[tuple[str, str], list[dict]] = {}
    for fill in truth:
        if fill["taker_or_maker"] == "taker":
            orders.setdefault((fill["symbol"], fill["order_id"]), []).append(fill)
    split = [fills for fills in orders.values() if len(fills) > 1]

    merged = client.private_post_tradeshistory()["result"]["count"]
    newest = client.fetch_my_trades(None, None, None, {"ofs": 0})

    assert split and merged == len(truth) - sum(len(fills) - 1 for fills in split)
    sizes = {(fills[0]["symbol"], fills[0]["id"]): fills for fills in split}
    for trade in newest:
        fills = sizes.get((trade["symbol"], str(trade["info"]["trade_id"])))
        if fills:
            assert trade["amount"] == sum(Decimal(fill["amount"]) for fill in fills)
            assert trade["cost"] == sum(Decimal(fill["cost"]) for fill in fills)


def test_a_malformed_history_request_is_a_bad_request(simulator, demo):
    client = spot_client(simulator, demo)

    for params in ({"type": "everything"}, {"start": "yesterday"}, {"ofs": "-50"}):
        assert raised_by(lambda p=params: client.fetch_my_trades(None, None, None, p)) is (
            ccxt.BadRequest
        )


def walk_futures_fills(client) -> list[dict]:
    """``lastFillTime`` pages backwards 100 at a time; "before" is strict, so each page starts a
    millisecond after the oldest fill seen and the overlap is dropped by id."""
    by_id: dict[str, dict] = {}
    params: dict = {}
    while True:
        page = client.fetch_my_trades(None, None, None, params)
        by_id.update((trade["id"], trade) for trade in page)
        if len(page) < 100:
            return list(by_id.values())
        oldest = min(trade["timestamp"] for trade in page)
        params = {"lastFillTime": client.iso8601(oldest + 1)}


def walk_account_log(client) -> list[dict]:
    rows: list[dict] = []
    while True:
        page = client.history_get_account_log(
            {"sort": "asc", "count": 1000, "from": rows[-1]["id"] + 1 if rows else 1}
        )["logs"]
        rows += page
        if len(page) < 1000:
            return rows


def is_wallet_entry(row: dict) -> bool:
    """Of a fill's two account-log entries, the wallet's is in a currency (usd, xbt), the
    position's in the contract (pf_xbtusd)."""
    return "_" not in row["asset"]


def assert_same_futures_fills(client, fetched: list[dict], log: list[dict], truth: list[dict]):
    by_key = {(trade["symbol"], str(int(trade["id"][-12:], 16))): trade for trade in fetched}
    fees = {row["execution"]: row for row in log if is_wallet_entry(row)}
    positions = {row["execution"]: row for row in log if not is_wallet_entry(row)}
    assert len(by_key) == len(fetched) == len(truth) == len(fees) == len(positions)
    assert len(log) == 2 * len(truth)
    for fill in truth:
        trade = by_key[(fill["symbol"], fill["id"])]
        info = trade["info"]
        assert trade["timestamp"] == fill["timestamp"]
        assert int(trade["order"][-12:], 16) == int(fill["order_id"])
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        assert Decimal(str(info["size"])) == Decimal(fill["amount"])
        if trade["symbol"].endswith(":USD"):
            assert trade["amount"] == Decimal(fill["amount"])
            assert trade["cost"] == Decimal(fill["cost"])
        else:
            # ccxt 4.5.90 leaves amount and cost of inverse fills empty: size (in USD
            # contracts) is all there is, and the coin value follows from it
            assert trade["amount"] is None and trade["cost"] is None
            coin_value = Decimal(fill["amount"]) / Decimal(fill["price"])
            assert coin_value.quantize(EIGHT, "ROUND_DOWN") == Decimal(fill["cost"])
        # Kraken Futures fills carry no fee: the account log has it, keyed by execution
        entry = fees[trade["id"]]
        assert Decimal(str(entry["fee"])) == Decimal(fill["fee"])
        assert Decimal(str(entry["realized_pnl"])) == Decimal(fill["realized_pnl"])
        assert client.safe_currency_code(entry["asset"]) == fill["fee_currency"]
        # the position's entry: its size before and after, no fee
        position = positions[trade["id"]]
        assert position["asset"] == trade["info"]["symbol"].lower()
        change = Decimal(str(position["new_balance"])) - Decimal(str(position["old_balance"]))
        assert change == Decimal(fill["amount"]) * (1 if fill["side"] == "buy" else -1)
        assert position["fee"] is None and position["realized_pnl"] is None


def test_it_pages_the_complete_futures_history_and_its_fees(simulator, futures_history, unlimited):
    client = futures_client(simulator, futures_history)
    client.load_markets()

    fetched = walk_futures_fills(client)
    log = walk_account_log(client)

    truth = simulator.ground_truth(futures_history["api_key"])
    assert_same_futures_fills(client, fetched, log, truth)
    assert {fill["symbol"] for fill in truth} == {"BTC/USD:USD", "ETH/USD:USD", "BTC/USD:BTC"}


def test_it_pages_the_complete_demo_futures_history(simulator, futures_demo, unlimited):
    client = futures_client(simulator, futures_demo)
    client.load_markets()

    fetched = walk_futures_fills(client)
    log = walk_account_log(client)

    assert_same_futures_fills(client, fetched, log, simulator.ground_truth(futures_demo["api_key"]))


def test_the_account_log_runs_from_the_deposit_to_the_balance(simulator, futures_demo):
    client = futures_client(simulator, futures_demo)
    client.load_markets()
    accounts = client.fetch_balance()["info"]["accounts"]

    log = walk_account_log(client)

    last = {}
    for row in filter(is_wallet_entry, log):
        last[row["margin_account"]] = Decimal(str(row["new_balance"]))
    assert last["flex"] == Decimal(str(accounts["flex"]["currencies"]["USD"]["quantity"]))
    assert last["fi_xbtusd"] == Decimal(str(accounts["fi_xbtusd"]["balances"]["xbt"]))


def test_a_fills_walk_that_resumes_at_the_oldest_time_loses_fills_sharing_it(
    simulator, futures_history, unlimited
):
    client = futures_client(simulator, futures_history)
    client.load_markets()
    seen: set[str] = set()
    params: dict = {}
    while True:
        page = client.fetch_my_trades(None, None, None, params)
        seen.update(trade["id"] for trade in page)
        if len(page) < 100:
            break
        params = {"lastFillTime": client.iso8601(min(trade["timestamp"] for trade in page))}

    assert len(seen) < len(simulator.ground_truth(futures_history["api_key"]))


# -- faults and limits -----------------------------------------------------------------------


def test_the_seeded_expired_and_no_read_keys_are_refused_as_in_production(simulator):
    expired = spot_client(simulator, simulator.account(SPOT, "expired"))
    no_read = spot_client(simulator, simulator.account(SPOT, "no-read"))
    futures_no_read = futures_client(simulator, simulator.account(FUTURES, "no-read"))

    assert raised_by(expired.private_post_getapikeyinfo) is ccxt.AuthenticationError
    assert raised_by(no_read.private_post_balanceex) is ccxt.PermissionDenied
    # GetApiKeyInfo needs no permission, so even a key that may read nothing describes itself
    assert no_read.private_post_getapikeyinfo()["result"]["permissions"] == []
    assert raised_by(futures_no_read.private_get_accounts) is ccxt.AuthenticationError


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("maintenance", {}, ccxt.ExchangeNotAvailable),
        ("rate_limit", {}, ccxt.DDoSProtection),
        ("ban", {}, ccxt.DDoSProtection),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 520}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        ("no_read_permission", {}, ccxt.PermissionDenied),
        # Kraken words a refused address exactly like a missing permission
        ("ip_not_allowed", {}, ccxt.PermissionDenied),
    ],
)
def test_each_spot_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, kind, options, error
):
    client = spot_client(simulator, demo)
    client.load_markets()
    simulator.add_fault(kind, exchange=SPOT, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"], "a one-request fault is gone after one request"


def test_spot_maintenance_shows_in_the_system_status(simulator, demo):
    client = spot_client(simulator, demo)
    simulator.add_fault("maintenance", exchange=SPOT)

    assert raised_by(client.load_markets) is ccxt.ExchangeNotAvailable
    assert client.fetch_status()["status"] == "maintenance"


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("maintenance", ccxt.ExchangeNotAvailable),
        ("rate_limit", ccxt.DDoSProtection),
        ("ban", ccxt.DDoSProtection),
        ("server_error", ccxt.ExchangeNotAvailable),
        ("expired_key", ccxt.AuthenticationError),
        ("revoked_key", ccxt.AuthenticationError),
        ("no_read_permission", ccxt.AuthenticationError),
        ("ip_not_allowed", ccxt.AuthenticationError),
    ],
)
def test_each_futures_fault_raises_the_class_ccxt_raises_in_production(
    simulator, futures_demo, kind, error
):
    client = futures_client(simulator, futures_demo)
    client.load_markets()
    simulator.add_fault(kind, exchange=FUTURES, api_key=futures_demo["api_key"], requests=1)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"]


def test_a_hanging_exchange_is_a_request_timeout_and_latency_only_slows(simulator, demo):
    client = spot_client(simulator, demo, timeout=1_000)
    client.load_markets()
    simulator.add_fault("timeout", exchange=SPOT, requests=1)

    assert raised_by(client.fetch_balance) is ccxt.RequestTimeout
    simulator.add_fault("latency", exchange=SPOT, latency_ms=300, requests=1)
    started = time.monotonic()
    client.fetch_balance()
    assert time.monotonic() - started >= 0.3


def test_the_spot_key_counter_refuses_with_rate_limit_exceeded(simulator, demo):
    client = spot_client(simulator, demo)
    client.load_markets()
    # 20 points per 40 s; scaled to 4, TradesHistory (2 points) fits twice
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.2})

    client.private_post_tradeshistory()
    client.private_post_tradeshistory()
    with pytest.raises(ccxt.DDoSProtection, match="EAPI:Rate limit exceeded"):
        client.private_post_tradeshistory()
    statuses = simulator.stats()["endpoints"]["kraken /0/private/TradesHistory"]["statuses"]
    assert statuses == {"200": 3}, "Kraken reports the refusal in the body, with HTTP 200"


def test_public_spot_calls_are_limited_per_address(simulator, demo):
    client = spot_client(simulator, demo)
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.05})

    with pytest.raises(ccxt.DDoSProtection, match="EGeneral:Too many requests"):
        for _ in range(5):
            client.fetch_time()


def test_futures_calls_spend_from_a_budget_per_key(simulator, futures_demo):
    client = futures_client(simulator, futures_demo)
    # 500 per 10 s; scaled to 5, two account reads (2 each) fit
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.01})

    client.private_get_accounts()
    client.private_get_accounts()
    with pytest.raises(ccxt.DDoSProtection, match="apiLimitExceeded"):
        client.private_get_accounts()


# -- account profiles, readings and the futures key check -------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            "full",
            [
                "query-funds",
                "query-open-trades",
                "query-closed-trades",
                "query-ledger-entries",
                "export-data",
            ],
        ),
        ("documented", ["query-funds", "query-open-trades"]),
    ],
)
def test_get_api_key_info_lists_permission_names_by_the_reading(simulator, demo, names, expected):
    simulator.ok("POST", "/config", {"readings": {"kraken.permission_names": names}})
    info = spot_client(simulator, demo).private_post_getapikeyinfo()["result"]
    assert info["permissions"] == expected


def key_check(client) -> dict:
    """The key check ccxt 4.5.90 does not know, signed by ccxt under a section of our naming."""
    client.urls["api"]["auth"] = "https://futures.kraken.com/api/auth/"
    client.options["access"]["auth"] = {"GET": {"api-keys/v3/check": "private"}}
    return client.request("api-keys/v3/check", ["auth"], "GET", {"version": "v1"})


@pytest.mark.parametrize(
    ("label", "reading", "permissions"),
    [
        ("read-only", "levels", {"general": "read-only", "withdrawal": "no-access"}),
        ("trade-enabled", "levels", {"general": "full-access", "withdrawal": "no-access"}),
        ("withdraw-enabled", "levels", {"general": "full-access", "withdrawal": "full-access"}),
        ("trade-enabled", "empty", {}),
    ],
)
def test_the_futures_key_check_describes_the_calling_key(simulator, label, reading, permissions):
    simulator.ok("POST", "/config", {"readings": {"krakenfutures.key_permissions": reading}})
    account = simulator.account(FUTURES, label)

    answer = key_check(futures_client(simulator, account))

    assert answer["apiKey"] == account["api_key"]
    assert answer["permissions"] == permissions
    assert answer["allowedCidrBlocks"] == []
    assert set(answer) == {
        "apiKey",
        "accountUid",
        "iiban",
        "createdAt",
        "permissions",
        "allowedCidrBlock",
        "allowedCidrBlocks",
    }


def test_the_futures_key_check_lists_the_allowed_addresses_and_refuses_a_bad_key(simulator):
    account = simulator.account(FUTURES, "ip-restricted")
    answer = key_check(futures_client(simulator, account))
    assert answer["allowedCidrBlocks"] == ["127.0.0.1/32", "::1/128"]

    expired = simulator.account(FUTURES, "expired")
    assert raised_by(lambda: key_check(futures_client(simulator, expired))) is (
        ccxt.AuthenticationError
    )


def test_a_futures_account_that_never_traded_is_refused_its_history_as_inactive(simulator):
    client = futures_client(simulator, simulator.account(FUTURES, "spot-only"))
    assert client.private_get_accounts()["result"] == "success"
    for call in (client.private_get_fills, client.history_get_account_log):
        # ccxt krakenfutures.py: 'accountInactive': ExchangeError, "When account has no trade
        # history / no order history"
        assert raised_by(call) is ccxt.ExchangeError
        assert last_body(client)["error"] == "accountInactive"


def test_a_spot_only_account_has_no_margin_trades_positions_or_staked_assets(simulator):
    account = simulator.account(SPOT, "spot-only")
    client = spot_client(simulator, account)

    trades = client.private_post_tradeshistory({"consolidate_taker": "false"})["result"]
    positions = client.private_post_openpositions()["result"]
    balances = client.private_post_balanceex()["result"]

    assert trades["count"] > 0
    rows = trades["trades"].values()
    assert not any(Decimal(row["margin"]) or "posstatus" in row for row in rows)
    assert positions == {}
    assert balances and not any("." in asset or asset == "ETH2" for asset in balances)


def test_an_unseen_error_keeps_each_side_s_envelope(simulator, demo, futures_demo):
    simulator.add_fault("unknown_error", exchange=SPOT, path="/0/private/OpenPositions")
    simulator.add_fault("unknown_error", exchange=FUTURES, path="/derivatives/api/v3/accounts")
    spot = spot_client(simulator, demo)
    futures = futures_client(simulator, futures_demo)

    assert raised_by(spot.private_post_openpositions) is ccxt.ExchangeError
    assert last_body(spot) == {"error": ["EGeneral:Nobody has seen this before"]}
    assert raised_by(futures.private_get_accounts) is ccxt.ExchangeError
    assert last_body(futures)["error"] == "nobodyHasSeenThis"


def test_fills_appended_now_show_in_the_spot_history_and_the_futures_fills(simulator, unlimited):
    spot = simulator.create_account(exchange=SPOT, label="growing", trades={"ETH/USDT": 30}, days=5)
    futures = simulator.create_account(
        exchange=FUTURES, label="growing", trades={"BTC/USD:USD": 30}, days=5
    )
    spot_reader, futures_reader = spot_client(simulator, spot), futures_client(simulator, futures)
    assert len(walk_spot_with_offsets(spot_reader)) == 30
    before = {trade["id"] for trade in futures_reader.fetch_my_trades()}

    simulator.ok("POST", f"/accounts/{spot['api_key']}/trades", {"symbol": "ETH/USDT", "count": 4})
    added = simulator.ok(
        "POST", f"/accounts/{futures['api_key']}/trades", {"symbol": "BTC/USD:USD", "count": 3}
    )

    assert len(walk_spot_with_offsets(spot_reader)) == 34
    after = {trade["id"] for trade in futures_reader.fetch_my_trades()}
    assert len(after - before) == len(added) == 3


# -- public tickers ----------------------------------------------------------------------------


def test_the_stablecoins_dollar_pairs_are_listed_under_kraken_keys_without_margin(simulator, demo):
    markets = spot_client(simulator, demo).load_markets()

    usdt, usdc = markets["USDT/USD"], markets["USDC/USD"]
    assert (usdt["id"], usdt["info"]["altname"], usdt["info"]["wsname"]) == (
        "USDTZUSD",
        "USDTUSD",
        "USDT/USD",
    )
    assert (usdc["id"], usdc["info"]["altname"], usdc["info"]["quote"]) == (
        "USDCUSD",
        "USDCUSD",
        "ZUSD",
    )
    assert usdt["spot"] and not usdt["margin"]
    assert usdt["taker"] == usdt["maker"] == Decimal("0.002")
    assert usdt["precision"]["price"] == Decimal("0.0001")


def test_the_ticker_answers_pairs_by_key_or_altname_from_the_price_oracle(
    simulator, demo, monkeypatch
):
    client = spot_client(simulator, demo)
    state = simulator.running.state
    now_ms = state.now_ms()
    monkeypatch.setattr(state, "now_ms", lambda: now_ms)
    midnight = now_ms - now_ms % DAY_MS

    def on_tick(at_ms: int) -> Decimal:
        return Decimal(repr(state.oracle.price("BTC", "USDT", at_ms))).quantize(Decimal("0.1"))

    result = client.public_get_ticker({"pair": "XBTUSDT,USDTUSD"})["result"]

    assert set(result) == {"XBTUSDT", "USDTZUSD"}
    row = result["XBTUSDT"]
    last, opened = Decimal(row["c"][0]), Decimal(row["o"])
    assert last == on_tick(now_ms) and opened == on_tick(midnight)
    assert row["c"][0] == f"{last:.5f}"
    assert Decimal(row["b"][0]) < last < Decimal(row["a"][0])
    low, high = Decimal(row["l"][0]), Decimal(row["h"][0])
    assert low <= min(last, opened) and max(last, opened) <= high
    assert all(isinstance(count, int) for count in row["t"])
    assert Decimal(result["USDTZUSD"]["c"][0]) == 1
    # ccxt asks by key and takes its percentage from today's opening price
    ticker = client.fetch_tickers(["BTC/USDT"])["BTC/USDT"]
    assert (ticker["last"], ticker["open"]) == (last, opened)
    assert abs(ticker["percentage"] - (last - opened) / opened * 100) < Decimal("1E-12")
    markets = client.load_markets()
    every = client.public_get_ticker()["result"]
    assert set(every) == {market["id"] for market in markets.values()}


def test_an_unknown_pair_fails_the_whole_ticker_request_which_ccxt_leaves_unmapped(simulator, demo):
    client = spot_client(simulator, demo)

    with pytest.raises(ccxt.ExchangeError) as raised:
        client.public_get_ticker({"pair": "XBTUSDT,NOPEUSD"})

    assert type(raised.value) is ccxt.ExchangeError
    assert last_body(client) == {"error": ["EQuery:Unknown asset pair"]}

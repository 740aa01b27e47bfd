"""Bybit through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, server time, every wallet, positions, key permissions, the complete trade history of
every category, and the production exception class for every fault and bad credential."""

from __future__ import annotations

import json
import time
import urllib.request
from decimal import ROUND_HALF_UP, Decimal

import ccxt
import pytest

EXCHANGE = "bybit"
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
EIGHT = Decimal("1E-8")


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


def quick_client(simulator, account, **config):
    """A client that does not sleep between calls (ccxt spaces Bybit calls 100 ms apart) and
    loads the three categories the product uses, as the adapter's options do."""
    options = {
        "fetchMarkets": {"types": ["spot", "linear", "inverse"]},
        **config.pop("options", {}),
    }
    return simulator.client(account, enableRateLimit=False, options=options, **config)


def wallets_from_truth(simulator, api_key: str) -> dict[str, dict[str, Decimal]]:
    """Per simulator wallet and coin: the seeded deposit plus every fill of the ground truth."""
    deposits = simulator.balances(api_key)["wallets"]
    wallets = {
        name: {coin: Decimal(row["deposit"]) for coin, row in coins.items()}
        for name, coins in deposits.items()
    }
    for fill in simulator.ground_truth(api_key):
        base, rest = fill["symbol"].split("/")
        quote, _, settle = rest.partition(":")
        if fill["market_type"] == "spot":
            changes = {base: Decimal(fill["amount"]), quote: -Decimal(fill["cost"])}
            if fill["side"] == "sell":
                changes = {coin: -amount for coin, amount in changes.items()}
            name = "spot"
        else:
            changes = {settle: Decimal(fill["realized_pnl"])}
            name = "inverse" if settle == base else "linear"
        changes[fill["fee_currency"]] = changes.get(fill["fee_currency"], 0) - Decimal(fill["fee"])
        for coin, amount in changes.items():
            wallets[name][coin] = wallets[name].get(coin, Decimal(0)) + amount
    return wallets


def summed(wallets: dict[str, dict[str, Decimal]], *names: str) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for name in names:
        for coin, amount in wallets.get(name, {}).items():
            total[coin] = total.get(coin, Decimal(0)) + amount
    return {coin: amount for coin, amount in total.items() if amount != 0}


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


# -- markets, time ----------------------------------------------------------------------------


def test_it_serves_markets_and_server_time_to_load_markets(simulator, demo):
    client = simulator.client(demo, enableRateLimit=False)

    markets = client.load_markets()

    for base in ("BTC", "ETH", "SOL", "XRP", "DOGE"):
        assert markets[f"{base}/USDT"]["spot"]
        assert markets[f"{base}/USDT:USDT"]["linear"] and markets[f"{base}/USDT:USDT"]["swap"]
    assert markets["BTC/USD:BTC"]["inverse"] and markets["ETH/USD:ETH"]["settle"] == "ETH"
    assert markets["BTC/USD:BTC"]["contractSize"] == Decimal(1)
    assert markets["BTC/USDT"]["precision"] == {
        "amount": Decimal("0.000001"),
        "price": Decimal("0.01"),
    }
    assert markets["BTC/USDT:USDT"]["precision"]["price"] == Decimal("0.1")
    assert {"BTC", "ETH", "USDT"} <= set(client.currencies)
    assert set(client.currencies["USDT"]["networks"]) >= {"ERC20", "TRC20"}
    assert abs(client.fetch_time() - time.time() * 1000) < 5_000


def test_load_markets_gets_every_category_it_asks_for(simulator, demo):
    client = simulator.client(demo, enableRateLimit=False)

    client.load_markets()

    endpoints = simulator.stats()["endpoints"]
    # spot, linear and inverse (each also with status=PreLaunch), six option base coins
    assert endpoints["bybit /v5/market/instruments-info"]["requests"] == 11
    assert endpoints["bybit /v5/asset/coin/query-info"]["requests"] == 1
    assert not [client.markets[symbol] for symbol in client.markets if ":USDT-" in symbol]


def test_contract_markets_page_by_cursor_when_asked_for_fewer(simulator, demo):
    client = quick_client(simulator, demo)
    symbols, cursor = [], None

    while True:
        request = {"category": "linear", "limit": 2, **({"cursor": cursor} if cursor else {})}
        result = client.public_get_v5_market_instruments_info(request)["result"]
        symbols += [row["symbol"] for row in result["list"]]
        cursor = result["nextPageCursor"]
        if not cursor:
            break

    assert symbols == ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"]


# -- balances ---------------------------------------------------------------------------------


def test_the_unified_wallet_holds_spot_and_both_derivatives_wallets(simulator, demo):
    client = quick_client(simulator, demo)
    expected = summed(wallets_from_truth(simulator, demo["api_key"]), "spot", "linear", "inverse")

    balance = client.fetch_balance()

    assert {coin: balance["total"][coin] for coin in expected} == expected
    coins = {row["coin"]: row for row in balance["info"]["result"]["list"][0]["coin"]}
    assert balance["info"]["result"]["list"][0]["accountType"] == "UNIFIED"
    for coin, row in coins.items():
        # UNIFIED no longer reports availableToWithdraw: ccxt derives "used" from the margins
        assert balance["used"][coin] == Decimal(row["totalPositionIM"])
        assert balance["free"][coin] == balance["total"][coin] - balance["used"][coin]
    endpoints = simulator.stats()["endpoints"]
    # ccxt's hidden account-mode probe (exchanges.md 2.6)
    assert endpoints["bybit /v5/user/query-api"]["requests"] == 1
    assert endpoints["bybit /v5/account/info"]["requests"] == 1


def test_every_balance_type_of_a_unified_account_reads_the_unified_wallet(simulator, demo):
    client = quick_client(simulator, demo)

    answers = [
        client.fetch_balance({"type": kind})["total"] for kind in ("spot", "swap", "future")
    ] + [client.fetch_balance({"subType": "inverse"})["total"]]

    assert all(answer == answers[0] for answer in answers)
    assert simulator.stats()["endpoints"]["bybit /v5/account/wallet-balance"]["requests"] == 4


def test_the_funding_wallet_is_read_through_all_coins_balance(simulator, demo):
    client = quick_client(simulator, demo)
    seeded = simulator.balances(demo["api_key"])["funding"]

    funding = client.fetch_balance({"type": "funding"})

    assert {coin: funding["total"][coin] for coin in seeded} == {
        coin: Decimal(amount) for coin, amount in seeded.items()
    }
    assert funding["free"] == funding["total"]


def test_a_classic_account_keeps_a_spot_and_a_contract_wallet(simulator):
    classic = simulator.account(EXCHANGE, "classic")
    client = quick_client(simulator, classic)
    wallets = wallets_from_truth(simulator, classic["api_key"])

    spot = client.fetch_balance({"type": "spot"})
    contract = client.fetch_balance()
    inverse = client.fetch_balance({"subType": "inverse"})

    assert {coin: spot["total"][coin] for coin in wallets["spot"]} == summed(wallets, "spot")
    expected_contract = summed(wallets, "linear", "inverse")
    assert {coin: contract["total"][coin] for coin in expected_contract} == expected_contract
    assert inverse["total"] == contract["total"]
    assert spot["free"]["BTC"] == spot["total"]["BTC"]
    assert [entry["accountType"] for entry in contract["info"]["result"]["list"]] == ["CONTRACT"]
    with pytest.raises(ccxt.BadRequest, match="accountType only support SPOT, CONTRACT"):
        client.private_get_v5_account_wallet_balance({"accountType": "UNIFIED"})


# -- positions --------------------------------------------------------------------------------


def test_it_reports_linear_and_inverse_positions_left_open_by_the_fills(simulator, demo):
    client = quick_client(simulator, demo)
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = client.fetch_positions() + client.fetch_positions(None, {"subType": "inverse"})

    assert {position["symbol"] for position in positions} == set(seeded)
    for position in positions:
        truth = seeded[position["symbol"]]
        amount, entry = Decimal(truth["amount"]), Decimal(truth["entry_price"])
        mark = Decimal(truth["mark_price"])
        assert position["contracts"] == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == entry
        assert position["markPrice"] == mark
        assert position["leverage"] == truth["leverage"]
        if position["symbol"].endswith(":USDT"):
            pnl = amount * (mark - entry)
        else:
            pnl = amount * (1 / entry - 1 / mark)
        assert position["unrealizedPnl"] == pnl.quantize(EIGHT, ROUND_HALF_UP)
        liquidation = position["liquidationPrice"]
        assert (liquidation < entry) if amount > 0 else (liquidation > entry)
        assert position["initialMargin"] > 0 and position["maintenanceMargin"] > 0


def test_a_position_asked_for_by_symbol_is_listed_even_when_flat(simulator, demo):
    client = quick_client(simulator, demo)

    flat = client.fetch_positions(["DOGE/USDT:USDT"])

    assert [position["contracts"] for position in flat] == [Decimal(0)]


def test_positions_page_by_cursor(simulator, demo):
    client = quick_client(simulator, demo)
    symbols, cursor = [], None

    while True:
        request = {"category": "linear", "settleCoin": "USDT", "limit": 1}
        result = client.private_get_v5_position_list(
            {**request, **({"cursor": cursor} if cursor else {})}
        )
        symbols += [row["symbol"] for row in result["result"]["list"]]
        cursor = result["result"]["nextPageCursor"]
        if not cursor:
            break

    seeded = simulator.balances(demo["api_key"])["positions"]
    assert sorted(symbols) == sorted(
        row["symbol"].replace("/USDT:USDT", "USDT")
        for row in seeded
        if row["symbol"].endswith(":USDT")
    )
    assert len(symbols) >= 2


def test_linear_positions_need_a_symbol_or_a_settle_coin(simulator, demo):
    client = quick_client(simulator, demo)

    with pytest.raises(ccxt.BadRequest, match="symbol or settleCoin"):
        client.private_get_v5_position_list({"category": "linear"})


# -- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "read_only", "wallet"),
    [
        ("demo", 1, ["AccountTransfer", "SubMemberTransfer"]),
        ("read-only", 1, ["AccountTransfer", "SubMemberTransfer"]),
        ("trade-enabled", 0, []),
        ("withdraw-enabled", 0, ["AccountTransfer", "SubMemberTransfer", "Withdraw"]),
        ("no-read", 1, []),
    ],
)
def test_it_describes_each_seeded_key(simulator, label, read_only, wallet):
    account = simulator.account(EXCHANGE, label)
    client = quick_client(simulator, account)

    info = client.private_get_v5_user_query_api()["result"]

    assert info["apiKey"] == account["api_key"]
    assert info["readOnly"] == read_only
    assert info["permissions"]["Wallet"] == wallet
    assert (info["permissions"]["Spot"] == []) is (label == "no-read")
    assert info["ips"] == ["*"]
    assert info["deadlineDay"] > 0 and info["expiredAt"] > info["createdAt"]
    assert info["uta"] == 1


def test_an_ip_bound_key_lists_its_addresses_and_never_lapses(simulator):
    client = quick_client(simulator, simulator.account(EXCHANGE, "ip-restricted"))

    info = client.private_get_v5_user_query_api()["result"]

    assert info["ips"] == ["127.0.0.1", "::1"]
    assert info["expiredAt"] == "1970-01-01T00:00:00Z"
    assert client.fetch_balance()["total"]


def test_a_classic_key_says_it_is_not_unified(simulator):
    client = quick_client(simulator, simulator.account(EXCHANGE, "classic"))

    assert client.private_get_v5_user_query_api()["result"]["uta"] == 0
    assert client.private_get_v5_account_info()["result"]["unifiedMarginStatus"] == 1


def test_a_read_key_without_wallet_rights_is_refused_the_funding_wallet_with_10005(simulator):
    client = quick_client(simulator, simulator.account(EXCHANGE, "no-transfer"))

    assert client.private_get_v5_user_query_api()["result"]["permissions"]["Wallet"] == []
    with pytest.raises(ccxt.PermissionDenied):
        client.fetch_balance({"type": "funding"})
    body = json.loads(client.last_http_response)
    assert (body["retCode"], body["retMsg"]) == (
        10005,
        "Permission denied, please check your API key permissions.",
    )
    # the rest of the account reads as usual
    assert client.fetch_balance({"type": "spot"})["total"]


def test_in_the_any_read_key_reading_the_funding_wallet_needs_no_wallet_rights(simulator):
    simulator.ok("POST", "/config", {"readings": {"bybit.fund_access": "any_read_key"}})
    account = simulator.account(EXCHANGE, "no-transfer")
    client = quick_client(simulator, account)
    seeded = simulator.balances(account["api_key"])["funding"]

    funding = client.fetch_balance({"type": "funding"})

    assert {coin: funding["total"][coin] for coin in seeded} == {
        coin: Decimal(amount) for coin, amount in seeded.items()
    }


def test_an_unseen_error_is_bybits_envelope_with_a_code_ccxt_does_not_know(simulator, demo):
    simulator.add_fault("unknown_error", exchange=EXCHANGE, path="/v5/position/list")
    client = quick_client(simulator, demo)

    with pytest.raises(ccxt.ExchangeError) as caught:
        client.private_get_v5_position_list({"category": "inverse"})

    assert type(caught.value) is ccxt.ExchangeError
    assert json.loads(client.last_http_response)["retCode"] == 198765


# -- trade history ----------------------------------------------------------------------------

CATEGORIES = {
    "spot": {"type": "spot"},
    "linear": {"subType": "linear"},
    "inverse": {"subType": "inverse"},
}


def category_of(fill: dict) -> str:
    if fill["market_type"] == "spot":
        return "spot"
    base, rest = fill["symbol"].split("/")
    return "inverse" if rest.endswith(":" + base) else "linear"


def walk_history(
    client, params: dict, now_ms: int, days: int = 730
) -> tuple[list[dict], list[int]]:
    """Every fill of one category, as an importer gets them: 7-day windows back to the
    retention limit, each paged by ``nextPageCursor`` at the 100-row maximum."""
    oldest = now_ms - days * DAY_MS
    trades, page_sizes = [], []
    end = now_ms
    while end > oldest:
        start = max(end - WEEK_MS + 1, oldest)
        cursor = None
        while True:
            request = {**params, "until": end, **({"cursor": cursor} if cursor else {})}
            page = client.fetch_my_trades(None, start, 100, request)
            trades += page
            page_sizes.append(len(page))
            # ccxt leaves the cursor on the newest row of the page (add_pagination_cursor_to_result)
            cursor = next(
                (t["info"]["nextPageCursor"] for t in page if t["info"].get("nextPageCursor")), None
            )
            if cursor is None:
                break
        end = start - 1
    return trades, page_sizes


def assert_same_fills(trades: list[dict], truth: list[dict]) -> None:
    """Field by field, in time order: what ccxt parsed against the simulator's ground truth."""
    trades = sorted(
        trades, key=lambda trade: (trade["timestamp"], trade["symbol"], int(trade["id"]))
    )
    truth = sorted(truth, key=lambda fill: (fill["timestamp"], fill["symbol"], int(fill["id"])))
    assert len(trades) == len(truth)
    for trade, fill in zip(trades, truth, strict=True):
        assert trade["id"] == fill["id"]
        assert trade["symbol"] == fill["symbol"]
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["order"] == fill["order_id"]
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        assert trade["amount"] == Decimal(fill["amount"])
        assert trade["cost"] == Decimal(fill["cost"])
        # ccxt 4.5.90 parses a fee twice and loses its cost when numbers are Decimal, so the
        # cost is read from Bybit's own field; the currency ccxt infers survives reduceFees=False
        assert trade["fee"]["cost"] is None
        assert Decimal(trade["info"]["execFee"]) == Decimal(fill["fee"])
        assert trade["fee"]["currency"] == fill["fee_currency"]
        assert trade["info"]["feeCurrency"] == fill["fee_currency"]


@pytest.fixture(scope="module")
def busy(simulator):
    """Enough fills in two weeks that every 7-day window spans several 100-row pages."""
    return simulator.create_account(
        exchange=EXCHANGE,
        label="busy",
        days=14,
        trades={"BTC/USDT": 450, "ETH/USDT": 150, "BTC/USDT:USDT": 420, "BTC/USD:BTC": 330},
    )


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_the_complete_history_of_every_category_pages_back_two_years(simulator, demo, category):
    client = quick_client(simulator, demo, reduceFees=False)
    simulator.ok("POST", "/config", {"rate_limit_scale": 0})
    truth = [
        fill for fill in simulator.ground_truth(demo["api_key"]) if category_of(fill) == category
    ]

    trades, page_sizes = walk_history(client, CATEGORIES[category], int(time.time() * 1000))

    assert truth and len(page_sizes) >= 105
    assert_same_fills(trades, truth)


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_busy_windows_page_by_cursor_at_a_hundred_rows(simulator, busy, category):
    client = quick_client(simulator, busy, reduceFees=False)
    truth = [
        fill for fill in simulator.ground_truth(busy["api_key"]) if category_of(fill) == category
    ]

    trades, page_sizes = walk_history(
        client, CATEGORIES[category], int(time.time() * 1000), days=21
    )

    assert page_sizes.count(100) >= 2
    assert all(size <= 100 for size in page_sizes)
    assert_same_fills(trades, truth)


def test_the_list_is_newest_first_and_defaults_to_the_last_seven_days(simulator, busy):
    client = quick_client(simulator, busy)
    now = int(time.time() * 1000)

    rows = client.private_get_v5_execution_list({"category": "spot", "limit": 100})["result"]
    default_page = client.private_get_v5_execution_list({"category": "spot"})["result"]["list"]

    times = [int(row["execTime"]) for row in rows["list"]]
    assert times == sorted(times, reverse=True)
    assert all(now - WEEK_MS - 5_000 <= stamp <= now for stamp in times)
    assert len(default_page) == 50
    assert {row["symbol"] for row in rows["list"]} == {"BTCUSDT", "ETHUSDT"}
    assert rows["nextPageCursor"]


def test_the_fills_of_one_order_are_found_by_its_id(simulator, demo):
    client = quick_client(simulator, demo, reduceFees=False)
    truth = simulator.ground_truth(demo["api_key"])
    orders = [fill["order_id"] for fill in truth if fill["symbol"] == "BTC/USDT:USDT"]
    order_id = max(set(orders), key=orders.count)

    trades = client.fetch_order_trades(order_id, "BTC/USDT:USDT")

    assert orders.count(order_id) > 1
    assert_same_fills(trades, [fill for fill in truth if fill["order_id"] == order_id])
    assert trades[-1]["info"]["leavesQty"] == "0"


def test_a_window_longer_than_seven_days_or_a_page_over_a_hundred_is_refused(simulator, demo):
    client = quick_client(simulator, demo)
    now = int(time.time() * 1000)

    with pytest.raises(ccxt.BadRequest, match="cannot exceed 7 days"):
        client.fetch_my_trades(None, now - 8 * DAY_MS, None, {"type": "spot", "until": now})
    with pytest.raises(ccxt.BadRequest, match="limit"):
        client.fetch_my_trades(None, None, 101, {"type": "spot"})


def test_classic_spot_history_reaches_back_180_days_only(simulator):
    account = simulator.create_account(
        exchange=EXCHANGE, label="classic-long", days=300, trades={"BTC/USDT": 150}
    )
    client = quick_client(simulator, account, reduceFees=False)
    cutoff = int(time.time() * 1000) - 180 * DAY_MS
    truth = simulator.ground_truth(account["api_key"])

    trades, _ = walk_history(client, CATEGORIES["spot"], int(time.time() * 1000), days=300)

    assert any(fill["timestamp"] < cutoff for fill in truth)
    assert_same_fills(trades, [fill for fill in truth if fill["timestamp"] >= cutoff])


def paged(client, params: dict) -> list[list[dict]]:
    """Every page of one execution/list query, following ``nextPageCursor`` at 100 rows."""
    pages, cursor = [], ""
    while True:
        request = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        result = client.private_get_v5_execution_list(request)["result"]
        pages.append(result["list"])
        cursor = result["nextPageCursor"]
        if not cursor:
            return pages


def classic_in_one_week(simulator, label: str, **readings: str) -> dict:
    """A classic account whose spot fills of four markets all lie in the last seven days."""
    return simulator.create_account(
        exchange=EXCHANGE,
        label=label,
        days=6,
        trades={
            "BTC/USDT": 250,
            "ETH/USDT": 150,
            "SOL/USDT": 100,
            "XRP/USDT": 50,
            "BTC/USDT:USDT": 150,
        },
        readings=readings,
    )


def one_week(account_truth: list[dict], category: str) -> tuple[dict, set[str]]:
    now = int(time.time() * 1000)
    params = {"category": category, "startTime": now - WEEK_MS + 1, "endTime": now}
    return params, {fill["id"] for fill in account_truth if category_of(fill) == category}


def test_classic_spot_fills_come_by_exec_id_and_page_by_cursor_across_markets(simulator):
    """Bybit's documented order for classic spot ("sorted by execId in descending order",
    https://bybit-exchange.github.io/docs/v5/order/execution) is the default reading."""
    account = classic_in_one_week(simulator, "classic-by-exec-id")
    client = quick_client(simulator, account)
    params, truth = one_week(simulator.ground_truth(account["api_key"]), "spot")

    pages = paged(client, params)

    rows = [row for page in pages for row in page]
    ids = [int(row["execId"]) for row in rows]
    assert [len(page) for page in pages] == [100, 100, 100, 100, 100, 50]
    assert ids == sorted(ids, reverse=True)
    assert {row["execId"] for row in rows} == truth and len(rows) == len(truth)
    times = [int(row["execTime"]) for row in rows]
    assert times != sorted(times, reverse=True)
    # a full page's oldest fill is older than fills still to come on later pages
    later = [int(row["execTime"]) for page in pages[1:] for row in page]
    assert min(int(row["execTime"]) for row in pages[0]) < max(later)


def test_classic_contracts_and_unified_spot_stay_newest_first(simulator):
    classic = classic_in_one_week(simulator, "classic-contracts")
    unified = simulator.create_account(
        exchange=EXCHANGE, label="unified-week", days=6, trades={"BTC/USDT": 150, "ETH/USDT": 80}
    )
    for account, category in ((classic, "linear"), (unified, "spot")):
        client = quick_client(simulator, account)
        params, truth = one_week(simulator.ground_truth(account["api_key"]), category)

        rows = [row for page in paged(client, params) for row in page]

        keys = [(int(row["execTime"]), row["symbol"], int(row["execId"])) for row in rows]
        assert keys == sorted(keys, reverse=True)
        assert {row["execId"] for row in rows} == truth and len(rows) == len(truth)


def test_in_the_exec_time_reading_classic_spot_fills_are_newest_first(simulator):
    account = classic_in_one_week(simulator, "classic-by-exec-time", classic_spot_order="exec_time")
    client = quick_client(simulator, account)
    params, truth = one_week(simulator.ground_truth(account["api_key"]), "spot")

    rows = [row for page in paged(client, params) for row in page]

    keys = [(int(row["execTime"]), row["symbol"], int(row["execId"])) for row in rows]
    assert keys == sorted(keys, reverse=True)
    assert {row["execId"] for row in rows} == truth and len(rows) == len(truth)


# -- credentials, faults, rate limits ---------------------------------------------------------


def test_a_request_without_the_signing_headers_is_refused_the_way_ccxt_knows(simulator):
    with urllib.request.urlopen(f"{simulator.base_url}/api.bybit.com/v5/account/info") as answer:  # noqa: S310 - loopback
        body = json.loads(answer.read())

    assert body["retCode"] == 10001
    # ccxt's broad match for this text raises AuthenticationError
    assert "openapi sign params error!" in body["retMsg"]
    assert "openapi sign params error!" in ccxt.bybit().exceptions["broad"]


def test_an_unknown_key_is_an_authentication_error(simulator, demo):
    client = quick_client(simulator, {**demo, "api_key": "A" * 18})

    with pytest.raises(ccxt.AuthenticationError, match="10003"):
        client.private_get_v5_account_info()


def test_a_wrong_secret_is_an_authentication_error(simulator, demo):
    client = quick_client(simulator, {**demo, "secret": "B" * 36})

    with pytest.raises(ccxt.AuthenticationError, match="error sign"):
        client.fetch_balance()


def test_a_stale_timestamp_is_an_invalid_nonce(simulator, demo):
    # the client believes its clock runs ten seconds ahead: outside the 5 s recv window
    client = quick_client(simulator, demo, options={"timeDifference": 10_000})

    with pytest.raises(ccxt.InvalidNonce, match="recv_window"):
        client.private_get_v5_account_info()


def test_a_timestamp_a_second_ahead_of_the_server_is_an_invalid_nonce(simulator, demo):
    client = quick_client(simulator, demo, options={"timeDifference": -2_000})

    assert raised_by(client.private_get_v5_account_info) is ccxt.InvalidNonce


def test_a_wider_recv_window_tolerates_a_slower_clock(simulator, demo):
    client = quick_client(simulator, demo, options={"timeDifference": 10_000, "recvWindow": 20_000})

    assert client.private_get_v5_account_info()["retCode"] == 0


@pytest.mark.parametrize(
    ("label", "error"),
    [("expired", ccxt.AuthenticationError), ("no-read", ccxt.PermissionDenied)],
)
def test_the_seeded_problem_keys_raise_what_production_raises(simulator, label, error):
    client = quick_client(simulator, simulator.account(EXCHANGE, label))

    assert raised_by(client.fetch_balance) is error


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        # Bybit has no maintenance code: a 503 page, which ccxt reads by its HTTP status
        ("maintenance", {}, ccxt.ExchangeNotAvailable),
        ("rate_limit", {}, ccxt.RateLimitExceeded),
        ("ban", {}, ccxt.RateLimitExceeded),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        ("no_read_permission", {}, ccxt.PermissionDenied),
        # 10010 "Unmatched IP": ccxt maps it to PermissionDenied
        ("ip_not_allowed", {}, ccxt.PermissionDenied),
        ("clock_skew", {"skew_ms": 30_000}, ccxt.InvalidNonce),
        ("clock_skew", {"skew_ms": -5_000}, ccxt.InvalidNonce),
    ],
)
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, kind, options, error
):
    client = quick_client(simulator, demo)
    client.fetch_balance()
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"], "a one-request fault is gone after one request"


def test_a_hanging_exchange_is_a_request_timeout(simulator, demo):
    client = quick_client(simulator, demo, timeout=1_000)
    client.load_markets()
    simulator.add_fault("timeout", exchange=EXCHANGE, requests=1)

    assert raised_by(client.fetch_time) is ccxt.RequestTimeout


def test_the_status_page_stays_up_and_says_so_during_maintenance(simulator, demo):
    client = quick_client(simulator, demo)
    assert client.fetch_status()["status"] == "ok"
    simulator.add_fault("maintenance", exchange=EXCHANGE)

    status = client.fetch_status()

    assert status["status"] == "maintenance" and status["eta"] > time.time() * 1000
    assert raised_by(client.fetch_time) is ccxt.ExchangeNotAvailable


def test_a_key_past_its_per_second_endpoint_limit_gets_10006(simulator, demo):
    client = quick_client(simulator, demo)
    answers = []

    for _ in range(30):
        try:
            client.private_get_v5_user_query_api()
            answers.append(int(client.last_response_headers["X-Bapi-Limit-Status"]))
        except ccxt.RateLimitExceeded as error:
            assert "Too many visits" in str(error)
            answers.append("10006")
            break

    assert answers[-1] == "10006"
    # query-api allows 10 a second per UID; the remaining count goes down with every call
    assert 10 <= len(answers) - 1 <= 20
    assert answers[0] == 9
    assert client.last_response_headers["X-Bapi-Limit"] == "10"


def test_an_ip_past_600_requests_in_5_seconds_gets_403_and_waits(simulator, demo):
    client = quick_client(simulator, demo)
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.01})  # six public calls per 5 s
    answers = []

    for _ in range(20):
        try:
            client.fetch_time()
            answers.append("ok")
        except ccxt.RateLimitExceeded as error:
            assert " 403 " in str(error)
            answers.append("403")
            if answers.count("403") == 2:
                break

    assert answers[-2:] == ["403", "403"]
    assert 6 <= answers.count("ok") <= 12
    statuses = simulator.stats()["endpoints"]["bybit /v5/market/time"]["statuses"]
    assert statuses["403"] == 2


def test_spot_tickers_are_the_oracles_prices_one_category_at_a_time(simulator, demo):
    client = quick_client(simulator, demo)
    client.load_markets()

    two = client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    one = client.fetch_ticker("SOL/USDT")
    with pytest.raises(ccxt.BadRequest):
        client.public_get_v5_market_tickers({"category": "spot", "symbol": "LTCUSDT"})

    assert set(two) == {"BTC/USDT", "ETH/USDT"} and one["symbol"] == "SOL/USDT"
    for ticker in (*two.values(), one):
        assert ticker["low"] <= min(ticker["open"], ticker["last"])
        assert ticker["high"] >= max(ticker["open"], ticker["last"])
        assert ticker["bid"] == ticker["last"] < ticker["ask"]
        assert ticker["info"]["price24hPcnt"] == format(
            ((ticker["last"] - ticker["open"]) / ticker["open"]).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP
            ),
            "f",
        )
    # Bybit takes one symbol or a whole category, never a list: ccxt asks for all of spot
    endpoint = simulator.stats()["endpoints"]["bybit /v5/market/tickers"]
    assert endpoint["requests"] == 3 and endpoint["weight"] == 3

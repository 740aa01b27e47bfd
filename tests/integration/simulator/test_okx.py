"""OKX through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, the trading and funding accounts, positions, key permissions, the complete trade
history of every market type (options included), and every refusal."""

from __future__ import annotations

import json
import time
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import ccxt
import pytest

EXCHANGE = "okx"
DAY_MS = 86_400_000
PAGE = 100
INST_TYPES = {"spot": "SPOT", "swap": "SWAP", "future": "FUTURES", "option": "OPTION"}


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


def option_symbols(simulator) -> list[str]:
    """The options the simulator's accounts trade (struck around the seed's prices): BTC
    calls and puts, then ETH's."""
    demo = simulator.account(EXCHANGE, "demo")
    return [symbol for symbol in demo["trades_by_symbol"] if symbol.endswith(("-C", "-P"))]


def contract_value(market: dict) -> Decimal:
    """Base coin (USD for inverse contracts) per contract: ctVal, times ctMult on options
    (ccxt's contractSize is ctVal alone)."""
    info = market["info"]
    return Decimal(info["ctVal"]) * Decimal(info["ctMult"] or 1)


@pytest.fixture(scope="module")
def history(simulator):
    """Several pages per instrument type, inside OKX's three months."""
    options = option_symbols(simulator)
    account = simulator.create_account(
        exchange=EXCHANGE,
        label="paging",
        trades={
            "BTC/USDT": 260,
            "ETH/USDT": 190,
            "BTC/USDT:USDT": 150,
            "DOGE/USDT:USDT": 90,
            "BTC/USD:BTC": 110,
            **dict.fromkeys(
                [
                    symbol
                    # the delivery futures of the quarter, e.g. BTC/USDT:USDT-261225
                    for symbol in simulator.account(EXCHANGE, "demo")["trades_by_symbol"]
                    if "-" in symbol and symbol not in options
                ],
                115,
            ),
            options[0]: 140,
            options[1]: 45,
            options[-1]: 60,
        },
        days=20,
    )
    assert account["trades"]["future"] == 230
    assert account["trades"]["option"] == 245
    return account


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


def walk_back(client, inst_type: str) -> list[dict]:
    """OKX's own cursor: ask again for the rows older than the last page's oldest bill id."""
    trades: list[dict] = []
    params: dict = {"instType": inst_type}
    while True:
        page = client.fetch_my_trades(None, None, PAGE, params)
        trades += page
        if len(page) < PAGE:
            return trades
        # ccxt sorts a page oldest first; OKX sent it newest first
        params = {"instType": inst_type, "after": page[0]["info"]["billId"]}


def walk_forward(client, inst_type: str) -> list[dict]:
    """From the oldest fill up, with ``before`` = the newest bill id seen so far."""
    trades: list[dict] = []
    before = "0"
    while True:
        page = client.fetch_my_trades(None, None, PAGE, {"instType": inst_type, "before": before})
        trades += page
        if len(page) < PAGE:
            return trades
        before = page[-1]["info"]["billId"]


def by_time(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: (row["timestamp"], row["symbol"], int(row["id"])))


def truth_of(simulator, account: dict, market_type: str) -> list[dict]:
    return by_time(
        [
            fill
            for fill in simulator.ground_truth(account["api_key"])
            if fill["market_type"] == market_type
        ]
    )


def assert_same_fills(client, fetched: list[dict], truth: list[dict]) -> None:
    fetched = by_time(fetched)
    assert [(trade["symbol"], trade["id"]) for trade in fetched] == [
        (fill["symbol"], fill["id"]) for fill in truth
    ]
    for trade, fill in zip(fetched, truth, strict=True):
        info = trade["info"]
        market = client.market(trade["symbol"])
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["order"] == fill["order_id"]
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        # OKX counts derivatives in contracts (base coin, or USD for inverse); ccxt calls a
        # coin-settled option inverse, but its price is the premium in coin per coin
        value = contract_value(market) if market["contract"] else Decimal(1)
        if market["inverse"] and not market["option"]:
            assert trade["amount"] == Decimal(fill["amount"])
            # the core truncates an inverse fill's value in coin to 8 decimals
            cost = trade["amount"] * value / trade["price"]
            assert cost.quantize(Decimal("1E-8"), rounding=ROUND_DOWN) == Decimal(fill["cost"])
        else:
            assert trade["amount"] * value == Decimal(fill["amount"])
            assert trade["price"] * trade["amount"] * value == Decimal(fill["cost"])
        # OKX signs a charged fee negative; ccxt 4.5.90 loses fees with Decimal numbers (see
        # the last test), so read them where an adapter has to
        assert -Decimal(info["fee"]) == Decimal(fill["fee"])
        assert info["feeCcy"] == fill["fee_currency"]
        if fill["realized_pnl"] is not None:
            assert Decimal(info["fillPnl"]) == Decimal(fill["realized_pnl"])


# -- markets, time, currencies ---------------------------------------------------------------


def test_it_serves_every_market_type_and_server_time_to_load_markets(simulator, demo):
    client = simulator.client(demo)
    # first: ccxt spaces a status call (cost 50) 5.5 seconds after any other request
    status = client.fetch_status()

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    swap = markets["BTC/USDT:USDT"]
    assert swap["swap"] and swap["linear"] and swap["contractSize"] == Decimal("0.01")
    assert markets["BTC/USD:BTC"]["inverse"] and markets["BTC/USD:BTC"]["contractSize"] == 100
    futures = [market for market in markets.values() if market["future"]]
    assert {market["settle"] for market in futures} == {"USDT", "BTC", "ETH"}
    assert all(market["expiry"] > time.time() * 1000 for market in futures)
    options = [market for market in markets.values() if market["option"]]
    assert {market["base"] for market in options} == {"BTC", "ETH"}
    assert {market["optionType"] for market in options} == {"call", "put"}
    assert markets["BTC/USDT"]["precision"]["price"] == Decimal("0.1")
    assert abs(client.fetch_time() - time.time() * 1000) < 5_000
    assert status["status"] == "ok"


def test_load_markets_with_a_key_also_fetches_the_signed_currencies(simulator, demo):
    client = simulator.client(demo)

    client.load_markets()

    assert {"BTC", "ETH", "USDT"} <= set(client.currencies)
    assert {"TRC20", "ERC20"} <= set(client.currencies["USDT"]["networks"])
    endpoints = simulator.stats()["endpoints"]
    assert endpoints["okx /api/v5/asset/currencies"]["requests"] == 1
    # spot, futures, swaps, and options for two underlyings
    assert endpoints["okx /api/v5/public/instruments"]["requests"] == 5


def test_the_options_the_accounts_trade_are_listed_with_their_multiplier(simulator, demo):
    client = simulator.client(demo)

    markets = client.load_markets()

    for symbol in option_symbols(simulator):
        market = markets[symbol]
        assert market["option"] and market["settle"] == market["base"]
        assert market["expiry"] > time.time() * 1000
        assert contract_value(market) == Decimal("0.01" if market["base"] == "BTC" else "0.1")
        assert market["precision"]["price"] == Decimal("0.0001")


# -- balances and positions ------------------------------------------------------------------


def expected_cash(truth: list[dict], deposits: dict) -> dict[str, Decimal]:
    """One trading account: every wallet's deposit plus every fill, summed per currency."""
    cash: dict[str, Decimal] = {}

    def add(asset: str, amount: Decimal) -> None:
        cash[asset] = cash.get(asset, Decimal(0)) + amount

    for assets in deposits.values():
        for asset, row in assets.items():
            add(asset, Decimal(row["deposit"]))
    for fill in truth:
        base, rest = fill["symbol"].split("/")
        quote, _, settle = rest.partition(":")
        sign = 1 if fill["side"] == "buy" else -1
        if fill["market_type"] == "spot":
            add(base, sign * Decimal(fill["amount"]))
            add(quote, -sign * Decimal(fill["cost"]))
        elif fill["market_type"] == "option":
            # the premium is paid from, or received into, the settle coin
            add(settle.split("-")[0], -sign * Decimal(fill["cost"]))
        else:
            add(settle.split("-")[0], Decimal(fill["realized_pnl"]))
        add(fill["fee_currency"], -Decimal(fill["fee"]))
    return cash


def test_the_trading_account_holds_every_fill_plus_unrealized_pnl(simulator, demo):
    client = simulator.client(demo)
    cash = expected_cash(
        simulator.ground_truth(demo["api_key"]), simulator.balances(demo["api_key"])["wallets"]
    )

    balance = client.fetch_balance()
    positions = client.fetch_positions()

    details = {row["ccy"]: row for row in balance["info"]["data"][0]["details"]}
    assert {ccy: Decimal(row["cashBal"]) for ccy, row in details.items()} == cash
    for ccy, row in details.items():
        unrealized = sum(
            (item["unrealizedPnl"] for item in positions if item["info"]["ccy"] == ccy),
            Decimal(0),
        )
        assert Decimal(row["upl"]) == unrealized
        assert balance["total"][ccy] == cash[ccy] + unrealized
        assert balance["free"][ccy] <= balance["total"][ccy]


def test_it_reports_the_funding_account_and_simple_earn(simulator, demo):
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])

    funding = client.fetch_balance({"type": "funding"})
    savings = client.private_get_finance_savings_balance()

    assert funding["total"] == {ccy: Decimal(text) for ccy, text in seeded["funding"].items()}
    assert {row["ccy"]: Decimal(row["amt"]) for row in savings["data"]} == {
        ccy: Decimal(text) for ccy, text in seeded["earn_flexible"].items()
    }


def test_it_reports_every_position_left_open_by_the_fills(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = client.fetch_positions()
    swaps = client.fetch_positions(None, {"instType": "SWAP"})
    futures = client.fetch_positions(None, {"instType": "FUTURES"})
    options = client.fetch_positions(None, {"instType": "OPTION"})

    assert {item["symbol"] for item in positions} == set(seeded)
    assert {item["symbol"] for item in swaps + futures + options} == set(seeded)
    assert all(client.market(item["symbol"])["future"] for item in futures)
    assert options and all(client.market(item["symbol"])["option"] for item in options)
    for position in positions:
        truth = seeded[position["symbol"]]
        market = client.market(position["symbol"])
        amount = Decimal(truth["amount"])
        coin_contracts = market["inverse"] and not market["option"]
        per_contract = Decimal(1) if coin_contracts else contract_value(market)
        assert position["contracts"] * per_contract == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == Decimal(truth["entry_price"])
        assert position["markPrice"] == Decimal(truth["mark_price"])
        assert position["leverage"] == truth["leverage"]
        assert position["marginMode"] == truth["margin_mode"]
        mark, entry = Decimal(truth["mark_price"]), Decimal(truth["entry_price"])
        if market["option"]:
            # valued at its premium, in the coin; no liquidation price
            assert position["info"]["liqPx"] == ""
            assert Decimal(position["info"]["optVal"]) == (amount * mark).quantize(Decimal("1E-8"))
            expected = amount * (mark - entry)
        elif market["linear"]:
            assert position["liquidationPrice"] > 0
            expected = amount * (mark - entry)
        else:
            assert position["liquidationPrice"] > 0
            expected = amount * Decimal(market["info"]["ctVal"]) * (1 / entry - 1 / mark)
        assert position["unrealizedPnl"] == expected.quantize(Decimal("1E-8"), ROUND_HALF_UP)


# -- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "perm", "ip"),
    [
        ("demo", "read_only", ""),
        ("read-only", "read_only", ""),
        ("trade-enabled", "read_only,trade", ""),
        ("withdraw-enabled", "read_only,withdraw,trade", ""),
        ("ip-restricted", "read_only", "127.0.0.1,::1"),
    ],
)
def test_the_account_configuration_says_what_each_seeded_key_may_do(simulator, label, perm, ip):
    client = simulator.client(simulator.account(EXCHANGE, label))

    config = client.private_get_account_config()["data"][0]
    accounts = client.fetch_accounts()

    assert (config["perm"], config["ip"], config["label"]) == (perm, ip, label)
    assert accounts[0]["type"] == "2", "seeded as unified accounts in Spot and futures mode"


@pytest.mark.parametrize(("label", "level"), [("simple", "1"), ("multi", "3"), ("spot-only", "1")])
def test_the_label_picks_the_account_mode(simulator, label, level):
    client = simulator.client(simulator.account(EXCHANGE, label))

    assert client.private_get_account_config()["data"][0]["acctLv"] == level
    assert client.fetch_accounts()[0]["type"] == level


@pytest.mark.parametrize("inst_type", ["MARGIN", "SWAP", "FUTURES", "OPTION"])
def test_spot_mode_refuses_derivative_fills_and_positions_as_okx_does(simulator, inst_type):
    account = simulator.create_account(
        exchange=EXCHANGE, label=f"simple-{inst_type}", trades={"BTC/USDT": 30}, days=2
    )
    client = simulator.client(account)

    for fetch in (
        lambda: client.fetch_my_trades(None, None, None, {"instType": inst_type}),
        lambda: client.private_get_trade_fills({"instType": inst_type}),
        client.fetch_positions,
    ):
        # 51010 "You can't complete this request under your current account mode"
        assert raised_by(fetch) is ccxt.AccountNotEnabled
        assert '"51010"' in client.last_http_response
    assert_same_fills(client, walk_back(client, "SPOT"), truth_of(simulator, account, "spot"))
    assert len(client.private_get_trade_fills()["data"]) == 30


def test_multi_currency_margin_serves_every_market_type_with_zero_borrowing(simulator):
    account = simulator.account(EXCHANGE, "multi")
    client = simulator.client(account)

    details = client.private_get_account_balance()["data"][0]["details"]
    assert details and all(row["liab"] == "0" for row in details)
    assert client.fetch_positions()
    for market_type, inst_type in INST_TYPES.items():
        truth = truth_of(simulator, account, market_type)
        assert_same_fills(client, walk_back(client, inst_type), truth)


def test_an_ip_restricted_key_works_from_an_allowed_address(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "ip-restricted"))

    assert client.fetch_balance()["total"]


# -- trade history ---------------------------------------------------------------------------


@pytest.mark.parametrize("market_type", ["spot", "swap", "future", "option"])
def test_it_pages_the_complete_history_back_with_the_after_cursor(simulator, history, market_type):
    client = simulator.client(history)

    fetched = walk_back(client, INST_TYPES[market_type])

    assert_same_fills(client, fetched, truth_of(simulator, history, market_type))


def test_it_pages_the_complete_history_forward_with_the_before_cursor(simulator, history):
    client = simulator.client(history)

    fetched = walk_forward(client, "SWAP")

    assert_same_fills(client, fetched, truth_of(simulator, history, "swap"))


def test_it_pages_the_option_history_forward_too(simulator, history):
    client = simulator.client(history)

    fetched = walk_forward(client, "OPTION")

    assert_same_fills(client, fetched, truth_of(simulator, history, "option"))


@pytest.mark.parametrize(
    ("reading", "answered"),
    [("next_page", slice(100, 200)), ("latest", slice(0, 100))],
)
def test_before_alone_answers_the_page_its_reading_says(simulator, reading, answered):
    """OKX leaves open what `before` alone answers: the page right above the cursor, or the
    newest 100 above it, as it documents for candles and history-trades (audit M1)."""
    account = simulator.create_account(
        exchange=EXCHANGE, trades={"BTC/USDT": 250}, days=5, readings={"fills_before": reading}
    )
    client = simulator.client(account)
    bills = sorted(int(trade["info"]["billId"]) for trade in walk_back(client, "SPOT"))
    newest_first = [str(bill) for bill in reversed(bills)]

    page = client.private_get_trade_fills_history(
        {"instType": "SPOT", "before": newest_first[200]}
    )["data"]

    assert [row["billId"] for row in page] == newest_first[answered]


def test_an_option_fill_is_priced_in_the_coin_with_okx_s_option_fields(simulator, history):
    """Premium in coin per coin of underlying, size in contracts of ctMult, a fee capped at
    12.5% of the premium; the index, USD price and volatility of the moment ride along."""
    client = simulator.client(history)
    client.load_markets()
    truth = {fill["id"]: fill for fill in truth_of(simulator, history, "option")}
    symbol = option_symbols(simulator)[0]
    market = client.market(symbol)

    rows = client.private_get_trade_fills_history(
        {"instType": "OPTION", "instId": market["id"], "limit": "100"}
    )["data"]

    assert len(rows) == 100
    for row in rows:
        fill = truth[row["tradeId"]]
        size, price = Decimal(row["fillSz"]), Decimal(row["fillPx"])
        assert size == size.to_integral_value() and size * Decimal("0.01") == Decimal(
            fill["amount"]
        )
        assert (row["instType"], row["feeCcy"], row["posSide"]) == ("OPTION", "BTC", "net")
        assert -Decimal(row["fee"]) == Decimal(fill["fee"])
        assert Decimal(fill["fee"]) <= Decimal(fill["cost"]) * Decimal("0.125")
        assert Decimal(row["fillPnl"]) == Decimal(fill["realized_pnl"])
        assert row["subType"] in ({"3", "6"} if row["side"] == "buy" else {"4", "5"})
        index = Decimal(row["fillIdxPx"])
        assert 20_000 < index < 200_000 and Decimal(row["fillFwdPx"]) == index
        assert Decimal(row["fillPxUsd"]) == (price * index).quantize(Decimal("1E-8"))
        assert 0 < Decimal(row["fillPxVol"]) == Decimal(row["fillMarkVol"]) < 2
        assert row["fillMarkPx"] == row["fillPx"] and row["tradeQuoteCcy"] == ""
    assert {row["subType"] for row in rows} & {"5", "6"}, "some fills close a position"


def test_margin_has_no_fills_here(simulator, history):
    client = simulator.client(history)

    assert client.fetch_my_trades(None, None, PAGE, {"instType": "MARGIN"}) == []


def test_an_option_trades_until_its_expiry_and_not_after(simulator):
    """An account whose history runs past an option's expiry has its fills stop before it;
    one whose whole history comes after the expiry is refused."""
    option = option_symbols(simulator)[0]
    client = simulator.client(simulator.account(EXCHANGE, "demo"))
    expiry = client.load_markets()[option]["expiry"]

    account = simulator.create_account(
        exchange=EXCHANGE, trades={option: 50}, days=30, anchor_ms=expiry + 5 * DAY_MS
    )
    status, refused = simulator.call(
        "POST",
        "/accounts",
        {"exchange": EXCHANGE, "trades": {option: 5}, "days": 3, "anchor_ms": expiry + 4 * DAY_MS},
    )

    truth = simulator.ground_truth(account["api_key"])
    assert len(truth) == 50 and max(fill["timestamp"] for fill in truth) < expiry
    assert status == 400 and "expired" in refused["error"]


def test_begin_end_and_inst_id_narrow_a_page(simulator, history):
    client = simulator.client(history)
    truth = [row for row in truth_of(simulator, history, "spot") if row["symbol"] == "ETH/USDT"]
    since, until = truth[20]["timestamp"], truth[60]["timestamp"]

    page = client.fetch_my_trades("ETH/USDT", since, None, {"until": until})

    expected = [row for row in truth if since <= row["timestamp"] <= until]
    assert [trade["id"] for trade in by_time(page)] == [row["id"] for row in expected]


def test_the_fills_of_one_order_come_by_order_id(simulator, history):
    client = simulator.client(history)
    truth = [row for row in truth_of(simulator, history, "swap") if row["symbol"] == "BTC/USD:BTC"]
    order_id = max(
        truth, key=lambda row: sum(other["order_id"] == row["order_id"] for other in truth)
    )["order_id"]

    fills = client.fetch_order_trades(order_id, "BTC/USD:BTC")

    expected = [row["id"] for row in truth if row["order_id"] == order_id]
    assert len(expected) > 1
    assert [trade["id"] for trade in by_time(fills)] == expected


def test_fills_older_than_three_months_are_out_of_reach(simulator, demo):
    client = simulator.client(demo)
    truth = truth_of(simulator, demo, "spot")
    started = int(time.time() * 1000)

    fetched = walk_back(client, "SPOT")

    finished = int(time.time() * 1000)
    fetched_ids = {(trade["symbol"], trade["id"]) for trade in fetched}
    assert len(fetched) < len(truth), "demo trades for five months"
    for fill in truth:
        if fill["timestamp"] >= finished - 90 * DAY_MS:
            assert (fill["symbol"], fill["id"]) in fetched_ids
        elif fill["timestamp"] < started - 90 * DAY_MS:
            assert (fill["symbol"], fill["id"]) not in fetched_ids


def test_the_recent_fills_endpoint_covers_three_days_of_every_type(simulator, history):
    client = simulator.client(history)
    client.load_markets()
    truth = {
        (client.market(fill["symbol"])["id"], fill["id"]): fill["timestamp"]
        for fill in simulator.ground_truth(history["api_key"])
    }

    rows = client.private_get_trade_fills({"limit": 100})["data"]

    three_days_ago = int(time.time() * 1000) - 3 * DAY_MS
    got = {(row["instId"], row["tradeId"]) for row in rows}
    oldest = min(int(row["ts"]) for row in rows)
    assert len(rows) == 100 and oldest >= three_days_ago
    assert got <= set(truth)
    assert {key for key, ts in truth.items() if ts > oldest} <= got
    assert {row["instType"] for row in rows} >= {"SPOT", "SWAP"}


def test_a_history_request_without_an_instrument_type_is_a_bad_request(simulator, demo):
    client = simulator.client(demo)

    with pytest.raises(ccxt.BadRequest, match="50014"):
        client.private_get_trade_fills_history()
    with pytest.raises(ccxt.BadSymbol, match="51001"):
        client.private_get_trade_fills_history({"instType": "SPOT", "instId": "NOPE-USDT"})


def test_an_endpoint_the_simulator_does_not_serve_is_an_exchange_error(simulator, demo):
    client = simulator.client(demo)

    with pytest.raises(ccxt.ExchangeError, match="404"):
        client.private_get_account_bills()


def test_ccxt_loses_contract_sizes_and_fees_when_numbers_are_decimal(simulator, history):
    """A ccxt 4.5.90 quirk the adapters must work around: ``safe_string`` ignores Decimal, so
    a trade's fee is dropped and a contract's cost is price x contracts, as if ctVal were 1."""
    client = simulator.client(history)

    trade = client.fetch_my_trades(None, None, 1, {"instType": "SWAP", "instId": "BTC-USDT-SWAP"})[
        0
    ]

    assert trade["fee"] == {"cost": None, "currency": None}
    assert trade["cost"] == trade["price"] * trade["amount"]


# -- refusals --------------------------------------------------------------------------------


def test_an_unknown_key_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "api_key": "0b0e7f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"})

    with pytest.raises(ccxt.AuthenticationError, match="50111"):
        client.fetch_balance()


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"secret": "0" * 32}, "50113"), ({"passphrase": "Wrong-phrase-1"}, "50105")],
    ids=["wrong-secret", "wrong-passphrase"],
)
def test_a_wrong_secret_or_passphrase_is_an_authentication_error(simulator, demo, changes, code):
    client = simulator.client({**demo, **changes})

    with pytest.raises(ccxt.AuthenticationError, match=code):
        client.private_get_account_balance()


@pytest.mark.parametrize("offset_ms", [45_000, -45_000], ids=["stale", "from-the-future"])
def test_a_timestamp_more_than_30_seconds_off_is_an_invalid_nonce(simulator, demo, offset_ms):
    client = simulator.client(demo, options={"timeDifference": offset_ms})

    with pytest.raises(ccxt.InvalidNonce, match="50102"):
        client.private_get_account_balance()


def test_a_demo_trading_request_with_a_live_key_is_refused(simulator, demo):
    client = simulator.client(demo, headers={"x-simulated-trading": "1"})

    with pytest.raises(ccxt.AuthenticationError, match="50101"):
        client.private_get_account_balance()


def test_the_expired_seeded_key_is_an_authentication_error(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "expired"))

    assert raised_by(client.private_get_account_config) is ccxt.AuthenticationError


def test_the_seeded_key_without_read_permission_is_a_plain_exchange_error(simulator):
    """OKX answers 50120 "This API key doesn't have permission to use this function" with
    HTTP 200 (its error table), and ccxt's table lacks the code."""
    client = simulator.client(simulator.account(EXCHANGE, "no-read"))

    with pytest.raises(ccxt.ExchangeError, match="50120") as raised:
        client.private_get_account_balance()
    assert type(raised.value) is ccxt.ExchangeError
    assert json.loads(client.last_http_response)["msg"] == (
        "This API key doesn't have permission to use this function"
    )


def test_in_the_50121_reading_a_refused_address_gets_50121_and_a_plain_exchange_error(
    simulator, demo
):
    simulator.ok("POST", "/config", {"readings": {"okx.ip_refusal": "50121"}})
    simulator.add_fault("ip_not_allowed", exchange=EXCHANGE, api_key=demo["api_key"])
    client = simulator.client(demo)

    with pytest.raises(ccxt.ExchangeError) as raised:
        client.private_get_account_balance()

    assert type(raised.value) is ccxt.ExchangeError
    body = json.loads(client.last_http_response)
    assert body["code"] == "50121"
    assert body["msg"].startswith("You can't access our services through the IP address (")


def test_an_unseen_error_is_okxs_envelope_with_a_code_ccxt_does_not_know(simulator, demo):
    simulator.add_fault("unknown_error", exchange=EXCHANGE, path="/api/v5/finance/savings/")
    client = simulator.client(demo)

    with pytest.raises(ccxt.ExchangeError) as raised:
        client.private_get_finance_savings_balance()

    assert type(raised.value) is ccxt.ExchangeError
    assert json.loads(client.last_http_response)["code"] == "59876"


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("maintenance", {}, ccxt.OnMaintenance),
        ("rate_limit", {}, ccxt.RateLimitExceeded),
        ("ban", {}, ccxt.RateLimitExceeded),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 503}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        ("no_read_permission", {}, ccxt.ExchangeError),
        ("ip_not_allowed", {}, ccxt.PermissionDenied),
        ("clock_skew", {"skew_ms": 40_000}, ccxt.InvalidNonce),
        ("clock_skew", {"skew_ms": -40_000}, ccxt.InvalidNonce),
    ],
)
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, kind, options, error
):
    client = simulator.client(demo)
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.private_get_account_balance) is error
    assert client.private_get_account_balance()["code"] == "0", "gone after one request"


def test_a_small_clock_skew_is_tolerated(simulator, demo):
    client = simulator.client(demo)
    simulator.add_fault("clock_skew", exchange=EXCHANGE, skew_ms=20_000, requests=1)

    assert client.private_get_account_balance()["code"] == "0"


def test_a_hanging_exchange_is_a_request_timeout(simulator, demo):
    client = simulator.client(demo, timeout=1_000)
    simulator.add_fault("timeout", exchange=EXCHANGE, requests=1)

    assert raised_by(client.private_get_account_balance) is ccxt.RequestTimeout


def test_latency_slows_answers_down_without_failing_them(simulator, demo):
    client = simulator.client(demo)
    simulator.add_fault("latency", exchange=EXCHANGE, latency_ms=400, requests=1)

    started = time.monotonic()
    client.private_get_account_balance()

    assert time.monotonic() - started >= 0.4


def test_a_client_over_an_endpoints_limit_gets_50011(simulator, demo):
    client = simulator.client(demo)
    # the trading balance allows 10 requests per 2 seconds and user; scaled to 1
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.1})

    answers = []
    for _ in range(3):
        try:
            client.private_get_account_balance()
            answers.append("ok")
        except ccxt.RateLimitExceeded as error:
            assert "50011" in str(error)
            answers.append("429")

    assert answers[0] == "ok" and "429" in answers
    statuses = simulator.stats()["endpoints"]["okx /api/v5/account/balance"]["statuses"]
    assert statuses["429"] == answers.count("429")


def test_spot_tickers_are_the_oracles_prices_for_the_whole_instrument_type(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()

    tickers = client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    with pytest.raises(ccxt.BadRequest):
        client.public_get_market_tickers({"instType": "MARGIN"})

    assert set(tickers) == {"BTC/USDT", "ETH/USDT"}
    for ticker in tickers.values():
        info = ticker["info"]
        assert info["instType"] == "SPOT" and ticker["open"] == Decimal(info["open24h"])
        assert ticker["low"] <= min(ticker["open"], ticker["last"])
        assert ticker["high"] >= max(ticker["open"], ticker["last"])
        assert ticker["bid"] == ticker["last"] < ticker["ask"]
        # OKX sends no change: ccxt derives it from open24h and last
        change = (ticker["last"] - ticker["open"]) / ticker["open"] * 100
        assert abs(ticker["percentage"] - change) < Decimal("1E-12")
    statuses = simulator.stats()["endpoints"]["okx /api/v5/market/tickers"]["statuses"]
    assert statuses == {"200": 1, "400": 1}

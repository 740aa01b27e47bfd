"""KuCoin spot, margin and futures through unmodified ccxt clients (``kucoin`` and
``kucoinfutures``), pointed at the simulator by URL rewriting only: markets, balances of every
account type, positions, key permissions, complete trade histories and every refusal."""

from __future__ import annotations

import decimal
import time
from decimal import Decimal

import ccxt
import pytest

from sync.exchanges.urls import point_client_at

EXCHANGE = "kucoin"
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


def futures_client(simulator, account: dict, **config) -> ccxt.Exchange:
    """ccxt's ``kucoinfutures`` (defaultType swap) for ``account``."""
    client = ccxt.kucoinfutures(
        {
            "apiKey": account["api_key"],
            "secret": account["secret"],
            "password": account["passphrase"],
            "number": decimal.Decimal,
            "enableRateLimit": True,
            **config,
        }
    )
    return point_client_at(client, simulator.base_url)


def now_ms() -> int:
    return int(time.time() * 1000)


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
        if fill["market_type"] in ("spot", "margin"):
            # a margin book is a wallet apart: cross margin, or one per isolated pair
            wallet = {
                None: "spot",
                "cross": "cross_margin",
                "isolated": f"isolated_margin:{fill['symbol']}",
            }[fill.get("margin_mode")]
            sign = 1 if fill["side"] == "buy" else -1
            add(wallet, base, sign * Decimal(fill["amount"]))
            add(wallet, quote, -sign * Decimal(fill["cost"]))
            add(wallet, fill["fee_currency"], -Decimal(fill["fee"]))
        else:
            wallet = "inverse" if settle == base else "linear"
            add(wallet, settle, Decimal(fill["realized_pnl"]))
            add(wallet, fill["fee_currency"], -Decimal(fill["fee"]))
    return wallets


# -- markets, time -----------------------------------------------------------------------------


def test_it_serves_spot_and_futures_markets_and_both_server_clocks(simulator, demo):
    client = simulator.client(demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["id"] == "BTC-USDT"
    assert markets["BTC/USDT"]["precision"]["price"] == Decimal("0.1")
    assert markets["BTC/USDT"]["marginModes"] == {"cross": True, "isolated": True}
    assert markets["BTC/USDT"]["taker"] == Decimal("0.001")
    linear = markets["BTC/USDT:USDT"]
    assert linear["id"] == "XBTUSDTM" and linear["linear"] and linear["swap"]
    assert linear["contractSize"] == Decimal("0.001")
    assert markets["DOGE/USDT:USDT"]["contractSize"] == Decimal(100)
    inverse = markets["BTC/USD:BTC"]
    assert inverse["id"] == "XBTUSDM" and inverse["inverse"] and inverse["settle"] == "BTC"
    assert {"BTC", "ETH", "USDT", "XRP"} <= set(client.currencies)
    assert set(client.currencies["USDT"]["networks"]) >= {"ERC20", "TRC20"}
    assert abs(client.fetch_time() - now_ms()) < 5_000
    assert abs(client.fetch_time({"type": "swap"}) - now_ms()) < 5_000


def test_kucoinfutures_loads_only_the_contracts(simulator, demo):
    client = futures_client(simulator, demo)

    markets = client.load_markets()

    assert set(markets) == {
        "BTC/USDT:USDT",
        "ETH/USDT:USDT",
        "SOL/USDT:USDT",
        "XRP/USDT:USDT",
        "DOGE/USDT:USDT",
        "BTC/USD:BTC",
        "ETH/USD:ETH",
    }


def test_load_markets_with_a_key_makes_the_hidden_signed_calls_ccxt_makes(simulator, demo):
    simulator.client(demo).load_markets()
    lean = simulator.client(demo, options={"uta": False, "hf": True})
    lean.load_markets()

    endpoints = simulator.stats()["endpoints"]
    # is_uta_enabled (fetch_currencies) and load_migration_status (fetch_markets), once each:
    # the second client had both answers preset
    assert endpoints["kucoin /api/ua/v1/account/mode"]["requests"] == 1
    assert endpoints["kucoin /api/v1/hf/accounts/opened"]["requests"] == 1
    assert endpoints["kucoin /api/v3/margin/symbols"]["requests"] == 2
    assert endpoints["kucoin /api/v1/isolated/symbols"]["requests"] == 2
    assert lean.options["hf"] is True


# -- balances --------------------------------------------------------------------------------


def test_the_spot_and_funding_wallets_are_the_deposit_plus_every_fill(simulator, demo):
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])
    wallets = expected_wallets(simulator.ground_truth(demo["api_key"]), seeded["wallets"])

    spot = client.fetch_balance()
    funding = client.fetch_balance({"type": "funding"})

    assert {row["type"] for row in spot["info"]["data"]} == {"trade_hf"}
    assert spot["total"] == wallets["spot"]
    assert funding["total"] == {asset: Decimal(units) for asset, units in seeded["funding"].items()}


def test_a_low_frequency_account_keeps_its_spot_wallet_under_trade(simulator):
    account = simulator.account(EXCHANGE, "low-frequency")
    client = simulator.client(account)
    wallets = expected_wallets(
        simulator.ground_truth(account["api_key"]),
        simulator.balances(account["api_key"])["wallets"],
    )

    spot = client.fetch_balance()

    assert client.options["hf"] is False
    assert {row["type"] for row in spot["info"]["data"]} == {"trade"}
    assert spot["total"] == wallets["spot"]


def test_futures_accounts_per_settle_coin_hold_the_deposit_plus_every_fill(simulator, demo):
    client = futures_client(simulator, demo)
    wallets = expected_wallets(
        simulator.ground_truth(demo["api_key"]), simulator.balances(demo["api_key"])["wallets"]
    )

    usdt = client.fetch_balance()
    btc = client.fetch_balance({"code": "BTC"})

    for balance, wallet, asset in ((usdt, "linear", "USDT"), (btc, "inverse", "BTC")):
        info = balance["info"]["data"]
        margin_balance = Decimal(repr(info["marginBalance"]))
        unrealized = Decimal(repr(info["unrealisedPNL"]))
        assert margin_balance == wallets[wallet][asset]
        assert balance["total"][asset] == margin_balance + unrealized
        assert balance["free"][asset] == margin_balance - Decimal(repr(info["positionMargin"]))
    assert btc["info"]["data"]["currency"] == "XBT"


def test_cross_and_isolated_margin_report_balances_and_debts(simulator, demo):
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])
    wallets = expected_wallets(simulator.ground_truth(demo["api_key"]), seeded["wallets"])

    cross = client.fetch_balance({"marginMode": "cross"})
    isolated = client.fetch_balance({"marginMode": "isolated"})

    # the seeded margin wallet plus the deposit and every fill of the cross margin book
    expected = {asset: Decimal(units) for asset, units in seeded["margin"].items()}
    for asset, amount in wallets["cross_margin"].items():
        expected[asset] = expected.get(asset, Decimal(0)) + amount
    assert {asset: cross["total"][asset] for asset in expected} == expected
    liabilities = {row["currency"]: row["liability"] for row in cross["info"]["data"]["accounts"]}
    assert Decimal(liabilities["BTC"]) == Decimal(seeded["margin_borrowed"]["BTC"])
    assert Decimal(liabilities["USDT"]) == 0
    # ccxt adds ``interest`` to ``liability`` and the v1 cross account has no interest field,
    # so ccxt 4.5.90 reports no cross debt at all: read ``liability`` from ``info``
    assert cross["BTC"]["debt"] is None
    # the seeded ETH-USDT position, and a pair per isolated margin book with its fills
    pairs = {pair["symbol"]: pair for pair in isolated["info"]["data"]["assets"]}
    assert set(pairs) == {"ETH-USDT", "SOL-USDT"}
    sol = wallets["isolated_margin:SOL/USDT"]
    assert {side["currency"]: Decimal(side["total"]) for side in _sides(pairs["SOL-USDT"])} == sol
    assert Decimal(pairs["SOL-USDT"]["baseAsset"]["liability"]) == 0
    eth = pairs["ETH-USDT"]
    traded = wallets["isolated_margin:ETH/USDT"]
    debt = Decimal(eth["baseAsset"]["liability"])
    assert debt > 0
    assert Decimal(eth["baseAsset"]["total"]) == debt + traded["ETH"]
    assert Decimal(eth["quoteAsset"]["total"]) > traded["USDT"] > 0


def _sides(pair: dict) -> tuple[dict, dict]:
    return pair["baseAsset"], pair["quoteAsset"]


def test_ccxt_reads_type_margin_as_the_hf_spot_wallet_on_hf_accounts(simulator, demo):
    """A ccxt 4.5.90 quirk adapters must avoid: ``fetch_balance`` turns every type but 'main'
    into 'trade_hf' once the account is HF, before it looks at margin; ``marginMode`` works."""
    client = simulator.client(demo)

    margin = client.fetch_balance({"type": "margin"})

    assert margin["info"]["data"][0]["type"] == "trade_hf"
    assert margin["total"] == client.fetch_balance()["total"]


def test_it_reports_lending_earn_and_borrowing(simulator, demo):
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])

    lent = [
        row
        for currency in sorted(seeded["earn_flexible"])
        for row in client.private_get_purchase_orders({"status": "PENDING", "currency": currency})[
            "data"
        ]["items"]
    ]
    settled = client.private_get_purchase_orders({"status": "DONE", "currency": "USDT"})
    held = client.earn_get_earn_hold_assets()["data"]["items"]
    loans = client.private_get_margin_borrow({"currency": "BTC"})["data"]["items"]

    assert {row["currency"]: Decimal(row["purchaseSize"]) for row in lent} == {
        asset: Decimal(units) for asset, units in seeded["earn_flexible"].items()
    }
    assert settled["data"]["items"] == []
    assert {row["currency"]: Decimal(row["holdAmount"]) for row in held} == {
        asset: Decimal(units) for asset, units in seeded["earn_locked"].items()
    }
    assert [Decimal(row["size"]) for row in loans] == [Decimal(seeded["margin_borrowed"]["BTC"])]


def test_lending_orders_need_a_currency_under_the_documented_reading(simulator, demo):
    client = simulator.client(demo)

    with pytest.raises(ccxt.BadRequest, match="400100"):
        client.private_get_purchase_orders({"status": "PENDING"})


def test_under_the_optional_reading_lending_orders_list_every_currency(simulator, demo):
    simulator.ok("POST", "/config", {"readings": {"kucoin.lending_currency": "optional"}})
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])["earn_flexible"]

    lent = client.private_get_purchase_orders({"status": "PENDING"})["data"]["items"]

    assert {row["currency"] for row in lent} == set(seeded)


def test_under_the_example_reading_lending_orders_name_their_amounts_as_the_example(
    simulator, demo
):
    simulator.ok("POST", "/config", {"readings": {"kucoin.lending_fields": "example"}})
    client = simulator.client(demo)
    currency, units = sorted(simulator.balances(demo["api_key"])["earn_flexible"].items())[0]

    (row,) = client.private_get_purchase_orders({"status": "PENDING", "currency": currency})[
        "data"
    ]["items"]

    assert Decimal(row["purchaseAmount"]) == Decimal(units) == Decimal(row["lendAmount"])
    assert "incomeAmount" in row and "purchaseSize" not in row


def test_every_account_type_row_stays_for_a_currency_lent_out(simulator, demo):
    client = simulator.client(demo)
    lent = simulator.balances(demo["api_key"])["earn_flexible"]

    funding = client.private_get_accounts({"type": "main"})["data"]

    assert set(lent) <= {row["currency"] for row in funding}


@pytest.mark.parametrize("label", ["margin-disabled", "spot-only"])
@pytest.mark.parametrize(
    ("reading", "error"), [("101030", ccxt.PermissionDenied), ("130306", ccxt.NotSupported)]
)
def test_an_account_without_margin_is_refused_its_margin_accounts(simulator, label, reading, error):
    simulator.ok("POST", "/config", {"readings": {"kucoin.margin_not_enabled": reading}})
    client = simulator.client(simulator.account(EXCHANGE, label))

    for call in (client.private_get_margin_accounts, client.private_get_isolated_accounts):
        with pytest.raises(error, match=reading):
            call()
    assert client.private_get_accounts()["data"]


def test_a_margin_disabled_account_has_no_lending_orders(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "margin-disabled"))

    page = client.private_get_purchase_orders({"status": "PENDING", "currency": "USDT"})

    assert page["data"]["items"] == []


def test_a_spot_only_account_reads_an_empty_futures_account_by_default(simulator):
    client = futures_client(simulator, simulator.account(EXCHANGE, "spot-only"))

    overview = client.futuresprivate_get_account_overview({"currency": "USDT"})["data"]

    assert Decimal(str(overview["marginBalance"])) == 0
    assert client.fetch_positions() == []


def test_under_the_key_not_exists_reading_futures_refuse_a_spot_only_account(simulator):
    simulator.ok("POST", "/config", {"readings": {"kucoin.futures_not_opened": "key_not_exists"}})
    spot_only = simulator.account(EXCHANGE, "spot-only")
    client = futures_client(simulator, spot_only)

    with pytest.raises(ccxt.AuthenticationError, match="400003"):
        client.futuresprivate_get_account_overview({"currency": "USDT"})
    assert simulator.client(spot_only).private_get_accounts()["data"]


# -- positions -------------------------------------------------------------------------------


@pytest.mark.parametrize("klass", ["kucoin", "kucoinfutures"])
def test_it_reports_the_positions_left_open_by_the_fills(simulator, demo, klass):
    client = simulator.client(demo) if klass == "kucoin" else futures_client(simulator, demo)
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = client.fetch_positions()

    assert {position["symbol"] for position in positions} == set(seeded)
    for position in positions:
        truth = seeded[position["symbol"]]
        amount = Decimal(truth["amount"])
        entry, mark = Decimal(truth["entry_price"]), Decimal(truth["mark_price"])
        # contractSize is dropped for Decimal clients as fees are: read it from the market
        lot = client.market(position["symbol"])["contractSize"]
        assert position["contracts"] * lot == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == entry
        assert position["markPrice"] == mark
        assert position["leverage"] == truth["leverage"]
        assert position["marginMode"] == truth["margin_mode"]
        assert position["liquidationPrice"] > 0
        if position["symbol"].endswith(":USDT"):
            expected = (amount * (mark - entry)).quantize(Decimal("1E-8"))
        else:
            expected = (amount * (1 / entry - 1 / mark)).quantize(Decimal("1E-8"))
        assert position["unrealizedPnl"] == expected


# -- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "permission"),
    [
        ("demo", "General"),
        ("read-only", "General"),
        ("trade-enabled", "General,Spot,Margin,Futures"),
        ("withdraw-enabled", "General,Spot,Transfer,InnerTransfer"),
        ("ip-restricted", "General"),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(simulator, label, permission):
    account = simulator.account(EXCHANGE, label)
    client = simulator.client(account)

    info = client.private_get_user_api_key()["data"]

    assert info["permission"] == permission
    assert info["apiKey"] == account["api_key"]
    assert info["isMaster"] is True
    assert info.get("ipWhitelist") == ("127.0.0.1,::1" if label == "ip-restricted" else None)


def test_the_key_without_general_permission_cannot_even_ask_what_it_may_do(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "no-read"))

    # 400007 "Access denied, requires more permission."; ccxt maps 400007 this way
    with pytest.raises(ccxt.AuthenticationError, match="400007"):
        client.private_get_user_api_key()


# -- trade history ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history(simulator):
    """Enough fills for several pages per window: HF lists 100 a page, futures 1000."""
    return simulator.create_account(
        exchange=EXCHANGE,
        label="paging",
        trades={
            "BTC/USDT": 700,
            "DOGE/USDT": 150,
            "BTC/USDT:USDT": 2300,
            "XRP/USDT:USDT": 300,
            "BTC/USD:BTC": 400,
        },
        days=12,
    )


def walk_hf(
    client, symbol: str, start_ms: int, end_ms: int, params: dict | None = None, size: int = 100
) -> list[dict]:
    """7-day windows; inside each, newest first, ``lastId`` pages to older fills."""
    trades: list[dict] = []
    window_start = start_ms
    while window_start <= end_ms:
        window_end = min(window_start + WEEK_MS, end_ms)
        cursor: dict = {}
        while True:
            page = client.fetch_my_trades(
                symbol, window_start, size, {**(params or {}), "until": window_end, **cursor}
            )
            trades += page
            if len(page) < size:
                break
            # ccxt re-sorts a page oldest first; the cursor is the smallest record id
            cursor = {"lastId": min(int(trade["info"]["id"]) for trade in page)}
        window_start = window_end + 1
    return trades


def walk_pages(
    client, symbol, start_ms: int, end_ms: int, size: int, span_ms: int, trade_type: str = "TRADE"
) -> list:
    """Windows of ``span_ms``; inside each, ``currentPage`` from 1 until a short page."""
    trades: list[dict] = []
    window_start = start_ms
    while window_start <= end_ms:
        window_end = min(window_start + span_ms, end_ms)
        page_number = 1
        while True:
            page = client.fetch_my_trades(
                symbol,
                window_start,
                size,
                {
                    "until": window_end,
                    "currentPage": page_number,
                    "pageSize": size,
                    **({"tradeType": trade_type} if trade_type != "TRADE" else {}),
                },
            )
            trades += page
            if len(page) < size:
                break
            page_number += 1
        window_start = window_end + 1
    return trades


def by_id(trades: list[dict]) -> list[dict]:
    return sorted(trades, key=lambda trade: int(trade["id"]))


def truth_of(simulator, account: dict, match) -> list[dict]:
    return by_id([fill for fill in simulator.ground_truth(account["api_key"]) if match(fill)])


# the demo account's margin books: (pair, margin mode)
MARGIN_BOOKS = [
    ("BTC/USDT", "cross"),
    ("ETH/USDT", "cross"),
    ("ETH/USDT", "isolated"),
    ("SOL/USDT", "isolated"),
]


def margin_truth(truth: list[dict], symbol: str, mode: str) -> list[dict]:
    return [
        fill
        for fill in truth
        if (fill["symbol"], fill["market_type"], fill.get("margin_mode"))
        == (symbol, "margin", mode)
    ]


def assert_same_spot_fills(fetched: list[dict], truth: list[dict]) -> None:
    fetched = by_id(fetched)
    assert [trade["id"] for trade in fetched] == [fill["id"] for fill in truth]
    for trade, fill in zip(fetched, truth, strict=True):
        info = trade["info"]
        assert trade["symbol"] == fill["symbol"]
        assert trade["timestamp"] == fill["timestamp"]
        # KuCoin order ids are ObjectIds: creation second, then the order's serial
        assert int(trade["order"][8:], 16) == int(fill["order_id"])
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        assert trade["amount"] == Decimal(fill["amount"])
        assert trade["cost"] == Decimal(fill["cost"])
        # ccxt 4.5.90 drops fee costs of Decimal clients: read the exchange's own fields
        assert Decimal(info["fee"]) == Decimal(fill["fee"])
        assert info["feeCurrency"] == fill["fee_currency"]


def assert_same_contract_fills(client, fetched: list[dict], truth: list[dict]) -> None:
    fetched = by_id(fetched)
    assert [trade["id"] for trade in fetched] == [fill["id"] for fill in truth]
    for trade, fill in zip(fetched, truth, strict=True):
        info = trade["info"]
        lot = client.market(trade["symbol"])["contractSize"]
        assert trade["symbol"] == fill["symbol"]
        assert trade["timestamp"] == fill["timestamp"]
        assert int(trade["order"][8:], 16) == int(fill["order_id"])
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        # sizes are lots: contracts times the contract size is the amount
        assert trade["amount"] * lot == Decimal(fill["amount"])
        assert trade["cost"] == Decimal(fill["cost"])
        assert Decimal(info["fee"]) == Decimal(fill["fee"])
        assert client.safe_currency_code(info["feeCurrency"]) == fill["fee_currency"]


@pytest.mark.parametrize("symbol", ["BTC/USDT", "DOGE/USDT"])
def test_it_pages_the_complete_hf_spot_history_by_last_id_in_weekly_windows(
    simulator, history, symbol
):
    client = simulator.client(history)
    now = now_ms()

    fetched = walk_hf(client, symbol, now - 13 * DAY_MS, now)

    assert_same_spot_fills(fetched, truth_of(simulator, history, lambda f: f["symbol"] == symbol))


def test_it_pages_the_complete_low_frequency_spot_history_of_all_pairs(simulator):
    account = simulator.account(EXCHANGE, "low-frequency")
    client = simulator.client(account)
    now = now_ms()

    # the low-frequency list covers every pair at once; 25 a page forces several pages
    fetched = walk_pages(client, None, now - 91 * DAY_MS, now, 25, WEEK_MS)

    truth = truth_of(simulator, account, lambda fill: fill["market_type"] == "spot")
    assert len(truth) == 90
    assert_same_spot_fills(fetched, truth)
    assert {trade["info"]["tradeType"] for trade in fetched} == {"TRADE"}
    # with startAt alone the low-frequency list answers the following 24 hours
    btc = [fill for fill in truth if fill["symbol"] == "BTC/USDT"]
    since = btc[len(btc) // 2]["timestamp"]
    day = client.fetch_my_trades("BTC/USDT", since)
    assert day and all(since <= trade["timestamp"] <= since + DAY_MS for trade in day)


def test_it_pages_the_complete_futures_history_of_every_contract_in_one_walk(simulator, history):
    client = futures_client(simulator, history)
    client.load_markets()
    now = now_ms()

    fetched = walk_pages(client, None, now - 13 * DAY_MS, now, 1000, WEEK_MS)

    truth = truth_of(simulator, history, lambda fill: fill["market_type"] == "swap")
    assert {fill["symbol"] for fill in truth} == {"BTC/USDT:USDT", "XRP/USDT:USDT", "BTC/USD:BTC"}
    assert_same_contract_fills(client, fetched, truth)


def test_it_pages_futures_per_contract_through_the_spot_class_too(simulator, history):
    client = simulator.client(history)
    client.load_markets()
    now = now_ms()

    fetched = walk_pages(client, "XRP/USDT:USDT", now - 13 * DAY_MS, now, 100, WEEK_MS)

    truth = truth_of(simulator, history, lambda fill: fill["symbol"] == "XRP/USDT:USDT")
    assert_same_contract_fills(client, fetched, truth)


def test_the_complete_demo_history_of_every_market_type_within_retention(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()
    now = now_ms()
    horizon = now - 90 * DAY_MS
    truth = simulator.ground_truth(demo["api_key"])

    for symbol in ("BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"):
        fetched = walk_hf(client, symbol, now - 151 * DAY_MS, now)
        spot = [f for f in truth if f["symbol"] == symbol and f["market_type"] == "spot"]
        assert_same_spot_fills(fetched, by_id(spot))
    for symbol, mode in MARGIN_BOOKS:
        fetched = walk_hf(client, symbol, now - 151 * DAY_MS, now, {"marginMode": mode}, 200)
        assert_same_spot_fills(fetched, by_id(margin_truth(truth, symbol, mode)))
    # without a symbol the ``kucoin`` class means HF spot, which needs one: walk the
    # contracts with ``kucoinfutures``
    fetched = walk_pages(futures_client(simulator, demo), None, horizon, now, 1000, WEEK_MS)
    reachable = [f for f in truth if f["market_type"] == "swap" and f["timestamp"] >= horizon]
    older = [f for f in truth if f["market_type"] == "swap" and f["timestamp"] < horizon]
    assert reachable and older, "the demo history spans more than the three months kept"
    assert_same_contract_fills(client, fetched, by_id(reachable))


def test_futures_fills_older_than_three_months_are_out_of_reach(simulator, demo):
    client = futures_client(simulator, demo)
    now = now_ms()
    old = [
        fill
        for fill in simulator.ground_truth(demo["api_key"])
        if fill["market_type"] == "swap" and fill["timestamp"] < now - 92 * DAY_MS
    ]

    start = old[0]["timestamp"]
    assert client.fetch_my_trades(None, start, 1000, {"until": start + WEEK_MS}) == []


def test_one_sided_and_oversized_windows_behave_as_kucoin_documents(simulator, history):
    spot = simulator.client(history)
    contracts = futures_client(simulator, history)
    now = now_ms()
    start = now - 10 * DAY_MS

    # HF spot: a week after startAt; a longer window is refused (400100 -> BadRequest)
    week = spot.fetch_my_trades("BTC/USDT", start, 100)
    assert week and all(start <= t["timestamp"] <= start + WEEK_MS for t in week)
    with pytest.raises(ccxt.BadRequest, match="400100"):
        spot.fetch_my_trades("BTC/USDT", start, 100, {"until": start + 8 * DAY_MS})
    # futures: 24 hours after startAt; a longer window is cut to its first week
    day = contracts.fetch_my_trades("BTC/USDT:USDT", start, 1000)
    assert day and all(start <= t["timestamp"] <= start + DAY_MS for t in day)
    cut = contracts.fetch_my_trades("BTC/USDT:USDT", start, 1000, {"until": start + 9 * DAY_MS})
    assert cut and max(t["timestamp"] for t in cut) <= start + WEEK_MS


def test_the_hf_list_answers_an_order_with_all_of_its_fills(simulator, history):
    client = simulator.client(history)
    truth = truth_of(simulator, history, lambda fill: fill["symbol"] == "BTC/USDT")
    order = next(
        fill["order_id"]
        for fill in truth
        if sum(other["order_id"] == fill["order_id"] for other in truth) > 1
    )
    fills = [fill for fill in truth if fill["order_id"] == order]
    object_id = f"{fills[0]['timestamp'] // 1000:08x}{int(order):016x}"

    fetched = client.fetch_order_trades(object_id, "BTC/USDT")

    assert by_id(fetched) and [t["id"] for t in by_id(fetched)] == [f["id"] for f in fills]


def test_a_last_id_page_boundary_can_split_fills_that_share_a_timestamp(simulator, history):
    """Why the cursor is ``lastId``: resuming before the oldest timestamp of a page would
    skip the fills of that same millisecond left for the next page."""
    client = simulator.client(history)
    truth = truth_of(simulator, history, lambda fill: fill["symbol"] == "BTC/USDT")
    stamps = [fill["timestamp"] for fill in truth]
    # a tie between fills j-1 and j, with fill j+99 the newest of its millisecond
    j = next(
        index
        for index in range(1, len(truth) - 100)
        if stamps[index] == stamps[index - 1] and stamps[index + 99] < stamps[index + 100]
    )
    until = stamps[j + 99]

    first = client.fetch_my_trades("BTC/USDT", until - WEEK_MS, 100, {"until": until})
    cursor = {"lastId": min(int(trade["info"]["id"]) for trade in first)}
    second = client.fetch_my_trades("BTC/USDT", until - WEEK_MS, 100, {"until": until, **cursor})

    assert [trade["id"] for trade in by_id(first)] == [fill["id"] for fill in truth[j : j + 100]]
    assert by_id(second)[-1]["id"] == truth[j - 1]["id"]
    assert first[0]["timestamp"] == second[-1]["timestamp"]


@pytest.mark.parametrize(("symbol", "mode"), MARGIN_BOOKS)
def test_it_pages_each_margin_book_of_an_hf_account_by_last_id(simulator, demo, symbol, mode):
    """``/api/v3/hf/margin/fills``: one pair and one trade type a request, 200 a page at
    most; each book apart from the pair's spot fills and from the other mode's."""
    client = simulator.client(demo)
    truth = margin_truth(simulator.ground_truth(demo["api_key"]), symbol, mode)
    now = now_ms()

    # 2 a page forces several lastId pages in some weeks
    fetched = walk_hf(client, symbol, now - 151 * DAY_MS, now, {"marginMode": mode}, 2)

    assert len(truth) > 10
    assert_same_spot_fills(fetched, truth)
    trade_type = "MARGIN_TRADE" if mode == "cross" else "MARGIN_ISOLATED_TRADE"
    assert {trade["info"]["tradeType"] for trade in fetched} == {trade_type}
    requests = simulator.stats()["endpoints"]["kucoin /api/v3/hf/margin/fills"]["requests"]
    assert requests > 22, "more than one request per week"


def test_margin_books_are_named_apart_from_their_pair_and_only_where_listed(simulator):
    account = simulator.create_account(
        exchange=EXCHANGE, trades={"XRP/USDT": 5, "XRP/USDT cross margin": 7}, days=10
    )
    status, refused = simulator.call(
        "POST", "/accounts", {"exchange": "binance", "trades": {"BTC/USDT cross margin": 5}}
    )

    assert account["trades"] == {"spot": 5, "margin": 7}
    truth = simulator.ground_truth(account["api_key"])
    assert {(f["symbol"], f["market_type"], f.get("margin_mode")) for f in truth} == {
        ("XRP/USDT", "spot", None),
        ("XRP/USDT", "margin", "cross"),
    }
    assert status == 400 and "unknown symbol" in refused["error"]


def test_a_margin_book_never_traded_and_the_spot_list_answer_nothing_of_it(simulator, demo):
    client = simulator.client(demo)
    since = now_ms() - 6 * DAY_MS

    untraded = client.fetch_my_trades("DOGE/USDT", since, None, {"marginMode": "cross"})
    spot = client.fetch_my_trades("SOL/USDT", since, 100)

    assert untraded == []
    assert {trade["info"]["tradeType"] for trade in spot} <= {"TRADE"}
    with pytest.raises(ccxt.BadRequest, match="400100"):
        client.private_get_hf_margin_fills({"symbol": "BTC-USDT", "tradeType": "TRADE"})


@pytest.mark.parametrize(
    ("symbol", "mode", "trade_type"),
    [("BTC/USDT", "cross", "MARGIN_TRADE"), ("ETH/USDT", "isolated", "MARGIN_ISOLATED_TRADE")],
)
def test_a_low_frequency_account_lists_margin_fills_by_trade_type(
    simulator, symbol, mode, trade_type
):
    """Low-frequency accounts list margin on ``/api/v1/fills`` with a margin ``tradeType``;
    every pair at once, and none on the HF margin list."""
    account = simulator.account(EXCHANGE, "low-frequency")
    client = simulator.client(account)
    now = now_ms()

    fetched = walk_pages(client, None, now - 91 * DAY_MS, now, 10, WEEK_MS, trade_type)

    truth = margin_truth(simulator.ground_truth(account["api_key"]), symbol, mode)
    assert truth
    assert_same_spot_fills(fetched, by_id(truth))
    assert {trade["info"]["tradeType"] for trade in fetched} == {trade_type}
    hf = client.fetch_my_trades(symbol, now - 6 * DAY_MS, None, {"marginMode": mode})
    assert hf == []


# -- refusals --------------------------------------------------------------------------------


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


def test_an_unknown_or_malformed_key_is_an_authentication_error(simulator, demo):
    unknown = simulator.client({**demo, "api_key": "f" * 24})
    malformed = simulator.client({**demo, "api_key": "not-a-key"})

    with pytest.raises(ccxt.AuthenticationError, match="400003"):
        unknown.fetch_balance({"type": "funding"})
    with pytest.raises(ccxt.AuthenticationError, match="400003"):
        malformed.load_markets()


def test_a_wrong_passphrase_or_secret_is_an_authentication_error(simulator, demo):
    wrong_passphrase = simulator.client({**demo, "passphrase": "not-my-passphrase"})
    wrong_secret = simulator.client({**demo, "secret": "0" * 8 + "-0000-4000-8000-" + "0" * 12})

    with pytest.raises(ccxt.AuthenticationError, match="400004"):
        wrong_passphrase.private_get_user_api_key()
    # the passphrase is signed with the secret too, so a wrong secret fails there first
    with pytest.raises(ccxt.AuthenticationError, match="400004"):
        wrong_secret.private_get_user_api_key()


def test_a_tampered_request_is_a_bad_signature(simulator, demo):
    client = simulator.client(demo)
    client.sign = lambda *args, **kwargs: {
        **ccxt.kucoin.sign(client, *args, **kwargs),
        "url": f"{simulator.base_url}/api.kucoin.com/api/v1/accounts?type=trade_hf",
    }

    with pytest.raises(ccxt.AuthenticationError, match="400005"):
        client.private_get_accounts({"type": "main"})


@pytest.mark.parametrize("difference_ms", [6_000, -6_000], ids=["stale", "ahead"])
def test_a_timestamp_more_than_five_seconds_off_is_an_invalid_nonce(simulator, demo, difference_ms):
    # the client believes its clock is off by ``difference_ms`` and corrects for it
    client = simulator.client(demo, options={"timeDifference": difference_ms})

    with pytest.raises(ccxt.InvalidNonce, match="400002"):
        client.private_get_user_api_key()


def test_the_expired_key_no_longer_exists(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "expired"))

    with pytest.raises(ccxt.AuthenticationError, match="400003"):
        client.private_get_user_api_key()


def test_an_endpoint_kucoin_does_not_have_is_not_supported(simulator, demo):
    client = simulator.client(demo)

    assert raised_by(client.private_get_sub_user) is ccxt.NotSupported


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        # ccxt has no maintenance code for KuCoin: the gateway's 503 page is sorted by status
        ("maintenance", {}, ccxt.ExchangeNotAvailable),
        ("rate_limit", {}, ccxt.RateLimitExceeded),
        ("ban", {}, ccxt.RateLimitExceeded),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        # 400007 and 400006 are AuthenticationError in ccxt's table
        ("no_read_permission", {}, ccxt.AuthenticationError),
        ("ip_not_allowed", {}, ccxt.AuthenticationError),
        ("clock_skew", {"skew_ms": 30_000}, ccxt.InvalidNonce),
        ("clock_skew", {"skew_ms": -6_000}, ccxt.InvalidNonce),
        # a code outside ccxt's tables: the plain ExchangeError an optional part records
        ("unknown_error", {}, ccxt.ExchangeError),
    ],
)
@pytest.mark.parametrize("klass", ["kucoin", "kucoinfutures"])
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, klass, kind, options, error
):
    client = simulator.client(demo) if klass == "kucoin" else futures_client(simulator, demo)
    client.load_markets()
    client.fetch_balance()
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"], "a one-request fault is gone after one request"


def test_a_hanging_exchange_is_a_request_timeout(simulator, demo):
    client = simulator.client(demo, timeout=1_000, options={"uta": False, "hf": True})
    simulator.add_fault("timeout", exchange=EXCHANGE, requests=1)

    assert raised_by(client.private_get_user_api_key) is ccxt.RequestTimeout


def test_latency_slows_answers_down_without_failing_them(simulator, demo):
    client = simulator.client(demo)
    simulator.add_fault("latency", exchange=EXCHANGE, latency_ms=400, requests=1)

    started = time.monotonic()
    client.private_get_user_api_key()

    assert time.monotonic() - started >= 0.4


def test_a_client_that_measures_the_time_difference_first_survives_clock_skew(simulator, demo):
    """ccxt's kucoin only measures the difference at the end of ``fetch_markets``, after the
    signed account-mode and margin-symbol calls ``load_markets`` makes with a key: with a
    skewed clock ``adjustForTimeDifference`` alone fails, measuring first works."""
    simulator.add_fault("clock_skew", exchange=EXCHANGE, skew_ms=30_000, seconds=30)
    naive = simulator.client(demo, options={"adjustForTimeDifference": True})
    client = simulator.client(demo, options={"adjustForTimeDifference": True})

    with pytest.raises(ccxt.InvalidNonce):
        naive.load_markets()
    client.load_time_difference()
    assert client.fetch_balance()["total"]
    assert abs(client.options["timeDifference"] + 30_000) < 5_000


def test_every_answer_reports_the_pools_quota_and_a_spent_pool_answers_429000(simulator, demo):
    client = simulator.client(demo)
    client.private_get_hf_accounts_opened()
    headers = client.last_response_headers
    # the spot pool: 4000 weight per 30 s, this call weighs 2
    assert headers["gw-ratelimit-limit"] == "4000"
    assert int(headers["gw-ratelimit-remaining"]) <= 4000 - 2
    assert 0 < int(headers["gw-ratelimit-reset"]) <= 30_000
    # the management pool allows 2000 weight per 30 s; scaled down, it holds one key-info call
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.015})

    answers = []
    for _ in range(3):
        try:
            client.private_get_user_api_key()
            answers.append("ok")
        except ccxt.RateLimitExceeded as error:
            answers.append("429000" if "429000" in str(error) else "?")

    assert answers == ["ok", "429000", "429000"]
    assert client.last_response_headers["gw-ratelimit-remaining"] == "0"
    statuses = simulator.stats()["endpoints"]["kucoin /api/v1/user/api-key"]["statuses"]
    assert statuses == {"200": 1, "429": 2}


# -- tickers ---------------------------------------------------------------------------------


def test_all_tickers_carry_the_oracle_s_price_and_its_change_over_24_hours(
    simulator, demo, monkeypatch
):
    state = simulator.running.state
    now = state.now_ms()
    monkeypatch.setattr(state, "now_ms", lambda: now)
    client = simulator.client(demo, options={"uta": False})
    client.load_markets()  # which reads the fees off every ticker too
    asked = simulator.stats()["endpoints"]["kucoin /api/v1/market/allTickers"]["requests"]

    def on_tick(at_ms: int) -> Decimal:
        return Decimal(repr(state.oracle.price("BTC", "USDT", at_ms))).quantize(Decimal("0.1"))

    tickers = client.fetch_tickers(["BTC/USDT", "ETH/USDT"])

    assert set(tickers) == {"BTC/USDT", "ETH/USDT"}
    row = tickers["BTC/USDT"]["info"]
    last, opened = on_tick(now), on_tick(now - DAY_MS)
    assert Decimal(row["last"]) == last == tickers["BTC/USDT"]["last"]
    assert Decimal(row["changePrice"]) == last - opened
    rate = Decimal(row["changeRate"])
    assert rate.as_tuple().exponent >= -4
    assert abs(rate - (last - opened) / opened) < Decimal("0.0001")
    assert tickers["BTC/USDT"]["percentage"] == rate * 100
    assert Decimal(row["buy"]) < last < Decimal(row["sell"])
    assert Decimal(row["low"]) <= min(last, opened) and max(last, opened) <= Decimal(row["high"])
    # every pair in one request, weighed 15 in the public pool
    answered = simulator.stats()["endpoints"]["kucoin /api/v1/market/allTickers"]["requests"]
    assert answered - asked == 1

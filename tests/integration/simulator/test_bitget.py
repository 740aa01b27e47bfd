"""Bitget through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, balances, positions (copy trading included), key permissions, the complete trade
history of every market type, and every fault and credential problem."""

from __future__ import annotations

import time
from decimal import Decimal

import ccxt
import pytest

EXCHANGE = "bitget"
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
PAGE = 100
# what the adapter sets: every simulated account is a classic one
CLASSIC = {"uta": False}


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


@pytest.fixture
def unthrottled(simulator):
    """Paging tests send pages back to back: switch the per-second limits off."""
    simulator.ok("POST", "/config", {"rate_limit_scale": 0})
    return simulator


@pytest.fixture(scope="module")
def history(simulator):
    """Several pages per symbol; USDT-M fills spread over three weekly windows."""
    return simulator.create_account(
        exchange=EXCHANGE,
        label="paging",
        trades={"BTC/USDT": 450, "ETH/USDT": 230, "BTC/USDT:USDT": 380, "ETH/USDT:USDT": 170},
        days=20,
    )


def fast_client(simulator, account, *, options=None, **config):
    options = {**CLASSIC, **(options or {})}
    return simulator.client(account, enableRateLimit=False, options=options, **config)


def now_ms() -> int:
    return int(time.time() * 1000)


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


# -- markets, time, balances, positions ----------------------------------------------------


def test_it_serves_markets_currencies_and_server_time_to_load_markets(simulator, demo):
    client = fast_client(simulator, demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    perpetual = markets["BTC/USDT:USDT"]
    assert perpetual["swap"] and perpetual["linear"] and perpetual["settle"] == "USDT"
    assert perpetual["precision"]["amount"] == Decimal("0.0001")
    assert markets["BTC/USDT"]["precision"]["price"] == Decimal("0.01")
    assert markets["BTC/USDT"]["margin"] is True
    assert set(client.currencies["USDT"]["networks"]) == {"ERC20", "TRC20"}
    assert abs(client.fetch_time() - now_ms()) < 5_000


def test_ccxt_probes_the_unified_account_api_and_falls_back_to_classic(simulator, demo):
    client = simulator.client(demo, enableRateLimit=False)

    client.load_markets()

    assert client.options["uta"] is False
    probe = simulator.stats()["endpoints"]["bitget /api/v3/account/settings"]
    assert probe["statuses"] == {"400": 1}


def expected_wallets(truth: list[dict], deposits: dict) -> dict[str, dict[str, Decimal]]:
    """Deposit plus the effect of every fill, per wallet and asset, from the ground truth."""
    wallets = {
        wallet: {asset: Decimal(row["deposit"]) for asset, row in assets.items()}
        for wallet, assets in deposits.items()
    }
    for fill in truth:
        base, rest = fill["symbol"].split("/")
        quote, _, settle = rest.partition(":")
        if fill["market_type"] == "spot":
            sign = 1 if fill["side"] == "buy" else -1
            changes = [
                ("spot", base, sign * Decimal(fill["amount"])),
                ("spot", quote, -sign * Decimal(fill["cost"])),
                ("spot", fill["fee_currency"], -Decimal(fill["fee"])),
            ]
        else:
            changes = [
                ("linear", settle, Decimal(fill["realized_pnl"])),
                ("linear", fill["fee_currency"], -Decimal(fill["fee"])),
            ]
        for wallet, asset, amount in changes:
            wallets[wallet][asset] = wallets[wallet].get(asset, Decimal(0)) + amount
    return wallets


def test_spot_and_usdt_m_balances_are_the_deposit_plus_every_fill(simulator, demo):
    client = fast_client(simulator, demo)
    wallets = expected_wallets(
        simulator.ground_truth(demo["api_key"]), simulator.balances(demo["api_key"])["wallets"]
    )

    spot = client.fetch_balance()
    usdt_m = client.fetch_balance({"type": "swap"})

    assert {asset: spot["total"][asset] for asset in wallets["spot"]} == wallets["spot"]
    assert set(spot["total"]) == set(wallets["spot"])
    row = next(item for item in usdt_m["info"] if item["marginCoin"] == "USDT")
    equity = Decimal(row["accountEquity"])
    assert equity - Decimal(row["unrealizedPL"]) == wallets["linear"]["USDT"].quantize(
        Decimal("1E-8")
    )
    assert usdt_m["total"]["USDT"] == equity
    assert usdt_m["free"]["USDT"] == Decimal(row["maxTransferOut"]) <= equity


def test_other_product_types_answer_with_empty_margin_coins(simulator, demo):
    client = fast_client(simulator, demo)

    usdc_m = client.fetch_balance({"type": "swap", "productType": "USDC-FUTURES"})

    assert usdc_m["total"] == {"USDC": Decimal(0)}


def test_it_reports_the_usdt_m_positions_left_open_by_the_fills(simulator, demo):
    client = fast_client(simulator, demo)
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = client.fetch_positions()

    assert seeded and {position["symbol"] for position in positions} == set(seeded)
    for position in positions:
        truth = seeded[position["symbol"]]
        amount = Decimal(truth["amount"])
        entry, mark = Decimal(truth["entry_price"]), Decimal(truth["mark_price"])
        assert position["contracts"] == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == entry
        assert position["markPrice"] == mark
        assert position["unrealizedPnl"] == (amount * (mark - entry)).quantize(Decimal("1E-8"))
        assert position["leverage"] == truth["leverage"]
        assert position["marginMode"] == truth["margin_mode"]
        assert position["liquidationPrice"] > 0
        assert position["hedged"] is False


def test_a_copy_follower_lists_its_copy_trades_page_by_page(simulator):
    follower = simulator.account(EXCHANGE, "copy-follower")
    client = fast_client(simulator, follower)
    client.load_markets()
    seeded = {row["symbol"]: row for row in simulator.balances(follower["api_key"])["positions"]}
    request = {"productType": "USDT-FUTURES", "limit": 1}

    tracked, cursor = [], None
    while True:
        page = client.private_copy_get_v2_copy_mix_follower_query_current_orders(
            {**request, **({"idLessThan": cursor} if cursor else {})}
        )["data"]
        if not page["trackingList"]:
            break
        tracked += page["trackingList"]
        cursor = page["endId"]

    assert len(tracked) == len(seeded) == 2
    for row in tracked:
        truth = seeded[client.safe_symbol(row["symbol"], None, None, "swap")]
        assert Decimal(row["openSize"]) == abs(Decimal(truth["amount"]))
        assert row["posSide"] == ("long" if Decimal(truth["amount"]) > 0 else "short")
        assert Decimal(row["openPriceAvg"]) == Decimal(truth["entry_price"])
        assert int(row["openLeverage"]) == truth["leverage"]
    assert {position["symbol"] for position in client.fetch_positions()} == set(seeded)


def test_an_account_that_follows_nobody_is_refused_its_copy_trades_by_default(simulator, demo):
    client = fast_client(simulator, demo)

    with pytest.raises(ccxt.BadRequest, match="40017"):
        client.private_copy_get_v2_copy_mix_follower_query_current_orders(
            {"productType": "USDT-FUTURES"}
        )


def test_under_the_empty_reading_an_account_that_follows_nobody_lists_nothing(simulator, demo):
    simulator.ok("POST", "/config", {"readings": {"bitget.copy_not_follower": "empty"}})
    client = fast_client(simulator, demo)

    page = client.private_copy_get_v2_copy_mix_follower_query_current_orders(
        {"productType": "USDT-FUTURES"}
    )

    assert page["data"] == {"trackingList": [], "endId": None}


def test_a_spot_only_account_reads_zero_futures_under_the_default_reading(simulator):
    client = fast_client(simulator, simulator.account(EXCHANGE, "spot-only"))

    futures = client.fetch_balance({"type": "swap", "productType": "USDT-FUTURES"})
    positions = client.fetch_positions(None, {"productType": "USDT-FUTURES"})
    fills = client.private_mix_get_v2_mix_order_fills({"productType": "USDT-FUTURES"})

    assert not any(futures["total"].values())
    assert positions == []
    assert fills["data"]["fillList"] == []


def test_under_the_abnormal_account_reading_a_spot_only_account_is_refused_futures(simulator):
    simulator.ok("POST", "/config", {"readings": {"bitget.futures_not_opened": "abnormal_account"}})
    client = fast_client(simulator, simulator.account(EXCHANGE, "spot-only"))
    client.load_markets()
    product = {"productType": "USDT-FUTURES"}

    for call in (
        lambda: client.fetch_balance({"type": "swap", **product}),
        lambda: client.fetch_positions(None, product),
        lambda: client.private_mix_get_v2_mix_order_fills(product),
        lambda: client.private_mix_get_v2_mix_order_fill_history(product),
    ):
        with pytest.raises(ccxt.ExchangeError, match="40710"):
            call()
    # spot answers as always
    assert client.fetch_balance({"type": "spot"})["total"]


# -- key permissions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "authorities", "ips"),
    [
        ("read-only", ["coor", "cpor", "stor", "smor", "ttor", "wtor"], ""),
        ("trade-enabled", ["coow", "cpow", "stow", "smow", "ttor", "wtor"], ""),
        ("withdraw-enabled", ["coor", "cpor", "stow", "smor", "ttor", "wtow", "wwow"], ""),
        ("ip-restricted", ["coor", "cpor", "stor", "smor", "ttor", "wtor"], "127.0.0.1,::1"),
        (
            "other-write-rights",
            ["coor", "cpor", "stor", "smor", "ttor", "wtor", "chow", "p2p", "pllw", "taxw"],
            "",
        ),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(simulator, label, authorities, ips):
    account = simulator.account(EXCHANGE, label)
    client = fast_client(simulator, account)

    info = client.private_spot_get_v2_spot_account_info()["data"]

    assert info["authorities"] == authorities
    assert info["ips"] == ips
    assert info["userId"] and info["traderType"] == "not_trader"


def test_the_permission_endpoint_needs_a_read_permission(simulator):
    client = fast_client(simulator, simulator.account(EXCHANGE, "no-read"))

    with pytest.raises(ccxt.PermissionDenied, match="40014"):
        client.private_spot_get_v2_spot_account_info()


# -- trade history -------------------------------------------------------------------------


def walk_spot(client, symbol: str, **window: int) -> list[dict]:
    """Newest first, 100 a page, resuming below the smallest id seen (ccxt re-sorts each page
    by time, so the smallest id is not always the last row)."""
    trades: list[dict] = []
    cursor = None
    while True:
        params = {**window, **({"idLessThan": cursor} if cursor else {})}
        page = client.fetch_my_trades(symbol, None, PAGE, params)
        trades += page
        if len(page) < PAGE:
            return trades
        cursor = min(int(trade["id"]) for trade in page)


def walk_usdt_m_weeks(client, start_ms: int, end_ms: int) -> list[dict]:
    """fill-history per product type: weekly windows, ``endId`` pages inside each."""
    trades: list[dict] = []
    window_end = end_ms
    while window_end > start_ms:
        window_start = max(window_end - WEEK_MS, start_ms)
        cursor = None
        while True:
            request = {"productType": "USDT-FUTURES", "startTime": window_start}
            request |= {"endTime": window_end, "limit": PAGE}
            if cursor:
                request["idLessThan"] = cursor
            data = client.private_mix_get_v2_mix_order_fill_history(request)["data"]
            # spot and USDT-M share market ids (BTCUSDT): name the market type per row, or
            # ccxt's parse_trades raises ArgumentsRequired
            trades += [
                client.parse_trade(row, client.safe_market(row["symbol"], None, None, "swap"))
                for row in data["fillList"]
            ]
            if len(data["fillList"]) < PAGE:
                break
            cursor = data["endId"]
        window_end = window_start - 1
    return trades


def truth_of(simulator, account: dict, market_type: str, symbol: str | None = None) -> list:
    truth = [
        fill
        for fill in simulator.ground_truth(account["api_key"])
        if fill["market_type"] == market_type and symbol in (None, fill["symbol"])
    ]
    return sorted(truth, key=lambda fill: (fill["symbol"], int(fill["id"])))


def assert_same_fills(fetched: list[dict], truth: list[dict]) -> None:
    fetched = sorted(fetched, key=lambda trade: (trade["symbol"], int(trade["id"])))
    assert [trade["id"] for trade in fetched] == [fill["id"] for fill in truth]
    for trade, fill in zip(fetched, truth, strict=True):
        info = trade["info"]
        fee = info["feeDetail"][0] if isinstance(info["feeDetail"], list) else info["feeDetail"]
        assert trade["symbol"] == fill["symbol"]
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["order"] == fill["order_id"]
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        assert trade["amount"] == Decimal(fill["amount"])
        assert trade["cost"] == Decimal(fill["cost"])
        # ccxt 4.5.90 drops fee costs when numbers are Decimal (as on Binance), so the fee is
        # read where an adapter has to read it: Bitget's feeDetail, a negative totalFee
        assert -Decimal(fee["totalFee"]) == Decimal(fill["fee"])
        assert fee["feeCoin"] == fill["fee_currency"]
        if fill["realized_pnl"] is not None:
            assert Decimal(info["profit"]) == Decimal(fill["realized_pnl"])


@pytest.mark.parametrize("symbol", ["BTC/USDT", "ETH/USDT"])
def test_it_pages_the_complete_spot_history_below_the_smallest_id(unthrottled, history, symbol):
    client = fast_client(unthrottled, history)

    fetched = walk_spot(client, symbol)

    assert len(fetched) > 2 * PAGE
    assert_same_fills(fetched, truth_of(unthrottled, history, "spot", symbol))


def test_it_pages_the_complete_usdt_m_history_in_weekly_windows(unthrottled, history):
    client = fast_client(unthrottled, history)
    client.load_markets()

    fetched = walk_usdt_m_weeks(client, now_ms() - 21 * DAY_MS, now_ms())

    assert_same_fills(fetched, truth_of(unthrottled, history, "swap"))


def test_ccxt_fetch_my_trades_pages_one_contract_through_recent_fills(unthrottled, history):
    client = fast_client(unthrottled, history)
    trades: list[dict] = []
    cursor = None
    while True:
        page = client.fetch_my_trades(
            "ETH/USDT:USDT", None, PAGE, {"idLessThan": cursor} if cursor else {}
        )
        trades += page
        if len(page) < PAGE:
            break
        cursor = min(int(trade["id"]) for trade in page)

    assert_same_fills(trades, truth_of(unthrottled, history, "swap", "ETH/USDT:USDT"))


def test_the_demo_history_is_complete_within_what_bitget_keeps(simulator, demo):
    """Paged with ccxt's own throttle, which keeps under Bitget's 10 requests a second. Spot
    fills older than 90 days are out of the API's reach; USDT-M fill-history is not."""
    client = simulator.client(demo, options=CLASSIC)
    client.load_markets()
    horizon = now_ms() - 90 * DAY_MS
    spot_truth = truth_of(simulator, demo, "spot")

    spot = [
        trade
        for symbol in sorted(demo["trades_by_symbol"])
        if ":" not in symbol
        for trade in walk_spot(client, symbol)
    ]
    usdt_m = walk_usdt_m_weeks(client, now_ms() - 151 * DAY_MS, now_ms())

    reachable = [fill for fill in spot_truth if fill["timestamp"] >= horizon + 60_000]
    assert 0 < len(reachable) < len(spot_truth)
    assert_same_fills(
        [trade for trade in spot if trade["timestamp"] >= horizon + 60_000], reachable
    )
    assert min(trade["timestamp"] for trade in spot) >= horizon - 60_000
    assert_same_fills(usdt_m, truth_of(simulator, demo, "swap"))


def test_windows_longer_than_bitget_allows_are_refused(simulator, history):
    client = fast_client(simulator, history)
    now = now_ms()

    with pytest.raises(ccxt.BadRequest, match="40705"):
        client.fetch_my_trades("BTC/USDT", now - 100 * DAY_MS, None, {"until": now})
    with pytest.raises(ccxt.BadRequest, match="00001"):
        client.private_mix_get_v2_mix_order_fill_history(
            {"productType": "USDT-FUTURES", "startTime": now - 8 * DAY_MS, "endTime": now}
        )


def test_spot_fills_need_a_symbol(simulator, history):
    client = fast_client(simulator, history)

    with pytest.raises(ccxt.BadRequest, match="40019"):
        client.private_spot_get_v2_spot_trade_fills()


def test_an_endpoint_the_simulator_does_not_serve_is_a_bad_request(simulator, demo):
    client = fast_client(simulator, demo)

    with pytest.raises(ccxt.BadRequest, match="40404"):
        client.private_spot_get_v2_spot_account_bills()


def test_a_page_never_holds_more_than_100_fills(simulator, history):
    client = fast_client(simulator, history)

    page = client.fetch_my_trades("BTC/USDT", None, 500)

    assert len(page) == PAGE


# -- credentials and faults ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"api_key": "bg_" + "0" * 32}, "40006"),
        ({"secret": "f" * 64}, "40009"),
        ({"passphrase": "WrongPassphrase1"}, "40012"),
    ],
    ids=["unknown-key", "wrong-secret", "wrong-passphrase"],
)
def test_bad_credentials_are_authentication_errors(simulator, demo, change, code):
    client = fast_client(simulator, {**demo, **change})
    client.load_markets()

    with pytest.raises(ccxt.AuthenticationError, match=code) as raised:
        client.fetch_balance()
    assert not isinstance(raised.value, ccxt.PermissionDenied)


@pytest.mark.parametrize("difference", [45_000, -45_000], ids=["stale", "from-the-future"])
def test_a_timestamp_more_than_30_seconds_off_is_an_invalid_nonce(simulator, demo, difference):
    client = fast_client(simulator, demo, options={"timeDifference": difference})
    client.load_markets()

    with pytest.raises(ccxt.InvalidNonce, match="40008"):
        client.fetch_balance()


@pytest.mark.parametrize(
    ("label", "error"),
    [("expired", ccxt.AuthenticationError), ("no-read", ccxt.PermissionDenied)],
)
def test_the_seeded_problem_keys_raise_what_production_raises(simulator, label, error):
    client = fast_client(simulator, simulator.account(EXCHANGE, label))
    client.load_markets()

    assert raised_by(client.fetch_balance) is error


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("maintenance", {}, ccxt.OnMaintenance),
        ("rate_limit", {}, ccxt.DDoSProtection),
        ("ban", {}, ccxt.DDoSProtection),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        ("no_read_permission", {}, ccxt.PermissionDenied),
        ("ip_not_allowed", {}, ccxt.PermissionDenied),
        ("clock_skew", {"skew_ms": 60_000}, ccxt.InvalidNonce),
        ("clock_skew", {"skew_ms": -60_000}, ccxt.InvalidNonce),
        # a code outside ccxt's table: the plain ExchangeError an optional part records
        ("unknown_error", {}, ccxt.ExchangeError),
    ],
)
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, kind, options, error
):
    client = fast_client(simulator, demo)
    client.load_markets()
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"], "a one-request fault is gone after one request"


def test_a_hanging_exchange_is_a_request_timeout(simulator, demo):
    client = fast_client(simulator, demo, timeout=1_000)
    client.load_markets()
    simulator.add_fault("timeout", exchange=EXCHANGE, requests=1)

    assert raised_by(client.fetch_balance) is ccxt.RequestTimeout


def test_a_client_that_adjusts_for_time_difference_survives_clock_skew(simulator, demo):
    simulator.add_fault("clock_skew", exchange=EXCHANGE, skew_ms=60_000, seconds=30)
    client = fast_client(simulator, demo, options={"adjustForTimeDifference": True})

    assert client.fetch_balance()["total"]


def test_the_account_info_endpoint_allows_one_request_a_second_per_key(simulator, demo):
    client = fast_client(simulator, demo)

    answers = []
    for _ in range(3):
        try:
            client.private_spot_get_v2_spot_account_info()
            answers.append("ok")
        except ccxt.DDoSProtection:
            answers.append("429")
    time.sleep(1.0)

    # three calls within milliseconds span at most two one-second windows
    assert answers[0] == "ok" and "429" in answers
    assert client.private_spot_get_v2_spot_account_info()["data"]["userId"]


def test_spot_tickers_are_the_oracles_prices_every_spot_symbol_at_once(simulator, demo):
    client = fast_client(simulator, demo)
    client.load_markets()

    tickers = client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    one = client.fetch_ticker("SOL/USDT")
    unknown = client.public_spot_get_v2_spot_market_tickers({"symbol": "LTCUSDT"})

    assert set(tickers) == {"BTC/USDT", "ETH/USDT"} and one["symbol"] == "SOL/USDT"
    assert unknown["data"] == []
    for ticker in (*tickers.values(), one):
        assert ticker["low"] <= min(ticker["open"], ticker["last"])
        assert ticker["high"] >= max(ticker["open"], ticker["last"])
        assert ticker["bid"] == ticker["last"] < ticker["ask"]
        change = (ticker["last"] - ticker["open"]) / ticker["open"] * 100
        assert abs(ticker["percentage"] - change) <= Decimal("0.0005")
    # ccxt sends no symbol for a list: every spot ticker in one request
    endpoint = simulator.stats()["endpoints"]["bitget /api/v2/spot/market/tickers"]
    assert endpoint["requests"] == 3

"""Binance through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, balances of every wallet, positions, key permissions and sub-accounts."""

from __future__ import annotations

import time
from decimal import Decimal

import ccxt
import pytest

EXCHANGE = "binance"


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


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


def test_it_serves_markets_and_server_time_to_load_markets(simulator, demo):
    client = simulator.client(demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert markets["BTC/USDT:USDT"]["linear"] and markets["BTC/USDT:USDT"]["swap"]
    assert markets["BTC/USD:BTC"]["inverse"] and markets["ETH/USD:ETH"]["settle"] == "ETH"
    assert markets["BTC/USD:BTC"]["contractSize"] == Decimal(100)
    assert markets["BTC/USDT"]["precision"]["price"] == Decimal("0.01")
    assert abs(client.fetch_time() - time.time() * 1000) < 5_000
    assert abs(client.fetch_time({"type": "swap"}) - time.time() * 1000) < 5_000
    assert abs(client.fetch_time({"subType": "inverse"}) - time.time() * 1000) < 5_000


def test_it_answers_the_signed_currencies_call_load_markets_makes_with_a_key(simulator, demo):
    client = simulator.client(demo)

    client.load_markets()

    assert {"BTC", "ETH", "USDT", "BNB"} <= set(client.currencies)
    assert set(client.currencies["USDT"]["networks"]) >= {"ERC20", "TRC20"}
    endpoints = simulator.stats()["endpoints"]
    assert endpoints["binance /sapi/v1/capital/config/getall"]["requests"] == 1


def test_spot_and_futures_wallets_are_the_deposit_plus_every_fill(simulator, demo):
    client = simulator.client(demo)
    wallets = expected_wallets(
        simulator.ground_truth(demo["api_key"]), simulator.balances(demo["api_key"])["wallets"]
    )

    spot = client.fetch_balance()
    usdm = client.fetch_balance({"type": "swap"})
    coinm = client.fetch_balance({"type": "future", "subType": "inverse"})

    assert {asset: spot["total"][asset] for asset in wallets["spot"]} == wallets["spot"]
    for info, wallet in ((usdm["info"], "linear"), (coinm["info"], "inverse")):
        reported = {row["asset"]: Decimal(row["walletBalance"]) for row in info["assets"]}
        assert reported == wallets[wallet]
    assert usdm["total"]["USDT"] == Decimal(
        next(row["marginBalance"] for row in usdm["info"]["assets"] if row["asset"] == "USDT")
    )
    assert set(coinm["total"]) == {"BTC", "ETH"}


def test_it_reports_funding_margin_and_earn_wallets(simulator, demo):
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])

    funding = client.fetch_balance({"type": "funding"})
    margin = client.fetch_balance({"type": "margin"})
    flexible = client.sapi_get_simple_earn_flexible_position()
    locked = client.sapi_get_simple_earn_locked_position()

    assert funding["free"]["USDT"] == Decimal(seeded["funding"]["USDT"])
    assert margin["free"]["BTC"] == Decimal(seeded["margin"]["BTC"])
    assert margin["BTC"]["debt"] == Decimal(seeded["margin_borrowed"]["BTC"])
    assert {row["asset"] for row in flexible["rows"]} == set(seeded["earn_flexible"])
    assert [row["asset"] for row in locked["rows"]] == list(seeded["earn_locked"])


def test_it_reports_usdm_and_coinm_positions_left_open_by_the_fills(simulator, demo):
    client = simulator.client(demo)
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = client.fetch_positions() + client.fetch_positions(None, {"subType": "inverse"})

    assert {position["symbol"] for position in positions} == set(seeded)
    for position in positions:
        truth = seeded[position["symbol"]]
        amount = Decimal(truth["amount"])
        assert position["contracts"] == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == Decimal(truth["entry_price"])
        assert position["markPrice"] == Decimal(truth["mark_price"])
        assert position["marginMode"] == truth["margin_mode"]
        assert position["liquidationPrice"] > 0
        assert position["unrealizedPnl"] is not None
        if position["symbol"].endswith(":USDT"):
            expected_pnl = amount * (Decimal(truth["mark_price"]) - Decimal(truth["entry_price"]))
            assert position["unrealizedPnl"] == expected_pnl.quantize(Decimal("1E-8"))
        else:
            # COIN-M still prints leverage; USDⓈ-M v3 dropped it (ccxt derives the margin rate)
            assert position["leverage"] == truth["leverage"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("read-only", {"enableReading": True, "enableSpotAndMarginTrading": False}),
        ("trade-enabled", {"enableSpotAndMarginTrading": True, "enableFutures": True}),
        ("withdraw-enabled", {"enableWithdrawals": True, "enableInternalTransfer": True}),
        ("ip-restricted", {"ipRestrict": True, "enableReading": True}),
        ("no-read", {"enableReading": False}),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(simulator, label, expected):
    client = simulator.client(simulator.account(EXCHANGE, label))

    restrictions = client.sapi_get_account_apirestrictions()

    assert {key: restrictions[key] for key in expected} == expected
    assert restrictions["enableWithdrawals"] is (label == "withdraw-enabled")
    assert ("tradingAuthorityExpirationTime" in restrictions) is restrictions[
        "enableSpotAndMarginTrading"
    ]


def test_an_ip_restricted_key_works_from_an_allowed_address(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "ip-restricted"))

    assert client.fetch_balance()["total"]


def test_a_master_key_lists_its_sub_accounts_and_their_balances(simulator):
    master = simulator.account(EXCHANGE, "master")
    sub = simulator.account(EXCHANGE, "sub-1")
    client = simulator.client(master)

    first_page = client.sapi_get_sub_account_list()
    listed = client.sapi_get_sub_account_list({"limit": 10})
    assets = client.sapiv4_get_sub_account_assets({"email": sub["email"]})
    futures = client.sapiv2_get_sub_account_futures_account(
        {"email": sub["email"], "futuresType": 1}
    )

    # Binance's default page size for sub-accounts is one
    assert len(first_page["subAccounts"]) == 1
    assert [row["email"] for row in listed["subAccounts"]] == [
        simulator.account(EXCHANGE, label)["email"] for label in ("sub-1", "sub-2")
    ]
    spot = simulator.balances(sub["api_key"])["wallets"]["spot"]
    assert {row["asset"]: row["free"] for row in assets["balances"]} == {
        asset: Decimal(row["balance"]).quantize(Decimal("1E-8")).to_eng_string()
        for asset, row in spot.items()
    }
    assert futures["futureAccountResp"]["email"] == sub["email"]


def test_the_retired_savings_summary_answers_404(simulator, demo):
    client = simulator.client(demo)

    with pytest.raises(ccxt.ExchangeNotAvailable):
        client.fetch_balance({"type": "savings"})
    assert simulator.stats()["endpoints"]["binance /sapi/v1/lending/union/account"]["statuses"] == {
        "404": 1
    }


@pytest.mark.parametrize(
    ("reading", "error"),
    [
        ("not_enabled", ccxt.ExchangeError),
        ("broker", ccxt.ExchangeError),
        ("not_authorized", ccxt.AuthenticationError),
    ],
)
def test_sub_account_endpoints_refuse_keys_without_sub_accounts_in_each_reading(
    simulator, demo, reading, error
):
    simulator.ok("POST", "/config", {"readings": {"binance.sub_account_refusal": reading}})
    client = simulator.client(demo)

    with pytest.raises(error):
        client.sapi_get_sub_account_list()


def test_a_spot_only_account_has_no_margin_account_and_no_futures_api(simulator):
    client = simulator.client(
        simulator.account("binance", "spot-only"), enableLastJsonResponse=True
    )

    assert client.fetch_balance({"type": "spot"})["total"]
    # the spot host's own table (ccxt binance.py '-3003': BadRequest), as in production
    with pytest.raises(ccxt.BadRequest):
        client.fetch_balance({"type": "margin"})
    # after one good private call ccxt raises -2015 as DDoSProtection (binance.py handle_errors)
    with pytest.raises((ccxt.AuthenticationError, ccxt.DDoSProtection)):
        client.fetch_balance({"type": "swap"})
    assert client.last_json_response["code"] == -2015
    assert client.sapi_get_simple_earn_flexible_position()["rows"] == []


@pytest.mark.parametrize("label", ["futures-after-key", "portfolio-margin"])
def test_keys_that_cannot_use_the_futures_api_get_2015_there_and_spot_works(simulator, label):
    account = simulator.account("binance", label)
    client = simulator.client(account, enableLastJsonResponse=True)

    assert client.fetch_balance({"type": "spot"})["total"]
    assert client.fetch_balance({"type": "margin"})["info"]["created"] is True
    for params in ({"type": "swap"}, {"type": "future", "subType": "inverse"}):
        with pytest.raises((ccxt.AuthenticationError, ccxt.DDoSProtection)):
            client.fetch_balance(params)
        assert client.last_json_response["code"] == -2015
    assert account["profile"] == label


def test_spot_tickers_are_the_oracles_prices_weighted_by_how_many_symbols_are_asked(
    simulator, demo
):
    client = simulator.client(demo)
    client.load_markets()
    spot = {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT", "BNB/USDT"}

    two = client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    one = client.fetch_ticker("SOL/USDT")
    every = client.fetch_tickers()
    with pytest.raises(ccxt.BadSymbol):
        client.public_get_ticker_24hr({"symbols": '["BTCUSDT","LTCUSDT"]'})

    assert set(two) == {"BTC/USDT", "ETH/USDT"} and set(every) == spot
    assert one["symbol"] == "SOL/USDT" and one["last"] == every["SOL/USDT"]["last"]
    for ticker in every.values():
        assert ticker["low"] <= ticker["last"] <= ticker["high"]
        assert ticker["low"] <= ticker["open"] <= ticker["high"]
        assert ticker["bid"] == ticker["last"] < ticker["ask"]
    btc = every["BTC/USDT"]
    assert abs(btc["percentage"] - (btc["last"] / btc["open"] - 1) * 100) < Decimal("0.001")
    # 2 for one symbol or a list of up to 20, 80 for all of them (a refused list weighs too)
    assert simulator.stats()["endpoints"]["binance /api/v3/ticker/24hr"]["weight"] == 2 + 2 + 80 + 2

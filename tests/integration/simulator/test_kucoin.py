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

    cross = client.fetch_balance({"marginMode": "cross"})
    isolated = client.fetch_balance({"marginMode": "isolated"})

    assert {asset: cross["total"][asset] for asset in seeded["margin"]} == {
        asset: Decimal(units) for asset, units in seeded["margin"].items()
    }
    liabilities = {row["currency"]: row["liability"] for row in cross["info"]["data"]["accounts"]}
    assert Decimal(liabilities["BTC"]) == Decimal(seeded["margin_borrowed"]["BTC"])
    assert Decimal(liabilities["USDT"]) == 0
    # ccxt adds ``interest`` to ``liability`` and the v1 cross account has no interest field,
    # so ccxt 4.5.90 reports no cross debt at all: read ``liability`` from ``info``
    assert cross["BTC"]["debt"] is None
    pair = isolated["info"]["data"]["assets"][0]
    assert pair["symbol"] == "ETH-USDT"
    assert isolated["ETH"]["debt"] == Decimal(pair["baseAsset"]["liability"]) > 0
    assert isolated["USDT"]["total"] == Decimal(pair["quoteAsset"]["total"]) > 0


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

    lent = client.private_get_purchase_orders({"status": "PENDING"})["data"]["items"]
    settled = client.private_get_purchase_orders({"status": "DONE"})["data"]["items"]
    held = client.earn_get_earn_hold_assets()["data"]["items"]
    loans = client.private_get_margin_borrow({"currency": "BTC"})["data"]["items"]

    assert {row["currency"]: Decimal(row["purchaseSize"]) for row in lent} == {
        asset: Decimal(units) for asset, units in seeded["earn_flexible"].items()
    }
    assert settled == []
    assert {row["currency"]: Decimal(row["holdAmount"]) for row in held} == {
        asset: Decimal(units) for asset, units in seeded["earn_locked"].items()
    }
    assert [Decimal(row["size"]) for row in loans] == [Decimal(seeded["margin_borrowed"]["BTC"])]
    with pytest.raises(ccxt.BadRequest):
        client.private_get_purchase_orders()


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

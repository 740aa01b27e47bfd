"""MEXC through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, balances, positions, sub-accounts, what a key reveals about itself, the complete trade
history of spot and USDT-M perpetuals, and every fault and credential problem."""

from __future__ import annotations

import time
from decimal import Decimal

import ccxt
import pytest

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

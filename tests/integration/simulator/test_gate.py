"""Gate through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, authentication, balances of every account, positions, key permissions, the complete
trade history of every market type, faults and rate limits."""

from __future__ import annotations

import time
from decimal import Decimal

import ccxt
import pytest

EXCHANGE = "gate"


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


def delivery_symbol(account: dict) -> str:
    return next(symbol for symbol in account["trades_by_symbol"] if symbol.count("-") == 1)


# -- markets, time, authentication ---------------------------------------------------------


def test_it_serves_every_market_type_to_load_markets(simulator, demo):
    client = simulator.client(demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["precision"]["price"] == Decimal("0.1")
    assert markets["BTC/USDT"]["margin"] is True
    assert markets["BTC/USDT:USDT"]["linear"] and markets["BTC/USDT:USDT"]["swap"]
    assert markets["BTC/USDT:USDT"]["contractSize"] == Decimal("0.0001")
    assert markets["BTC/USD:BTC"]["inverse"] and markets["BTC/USD:BTC"]["contractSize"] == 1
    future = markets[delivery_symbol(demo)]
    assert future["future"] and future["settle"] == "USDT" and future["expiry"] > time.time()
    assert any(market["option"] for market in markets.values())
    assert {"BTC", "USDT"} <= set(client.currencies)
    assert set(client.currencies["USDT"]["networks"]) >= {"ERC20", "TRC20"}
    assert abs(client.fetch_time() - time.time() * 1000) < 5_000


def test_load_markets_probes_the_account_mode_once(simulator, demo):
    client = simulator.client(demo)

    client.load_markets()
    client.load_markets(reload=True)

    assert client.options["unifiedAccount"] is False
    endpoints = simulator.stats()["endpoints"]
    assert endpoints["gate /api/v4/account/detail"]["requests"] == 1


def test_keys_have_gate_s_real_format(simulator):
    for account in simulator.accounts(EXCHANGE):
        assert len(account["api_key"]) == 32 and account["api_key"] == account["api_key"].lower()
        assert len(account["secret"]) == 64
        int(account["api_key"], 16), int(account["secret"], 16)


def test_an_unknown_key_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "api_key": "0" * 32})

    with pytest.raises(ccxt.AuthenticationError, match="INVALID_KEY"):
        client.private_account_get_detail()


def test_a_wrong_secret_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "secret": "f" * 64})

    with pytest.raises(ccxt.AuthenticationError, match="INVALID_SIGNATURE"):
        client.private_account_get_detail()


def test_a_stale_timestamp_is_refused_as_request_expired(simulator, demo):
    # the client believes its clock runs two minutes ahead, so it signs stale timestamps
    client = simulator.client(demo, options={"timeDifference": 120_000})

    with pytest.raises(ccxt.AuthenticationError, match="REQUEST_EXPIRED"):
        client.private_account_get_detail()


def test_query_parameters_are_signed(simulator, demo):
    client = simulator.client(demo)

    rows = client.private_spot_get_accounts({"currency": "BTC"})

    assert [row["currency"] for row in rows] == ["BTC"]


# -- balances and positions ----------------------------------------------------------------


def effects(truth: list[dict]) -> dict[str, dict[str, Decimal]]:
    """The effect of every fill per Gate account ('spot', 'usdt', 'btc', 'delivery')."""
    books: dict[str, dict[str, Decimal]] = {"spot": {}, "usdt": {}, "btc": {}, "delivery": {}}

    def add(book: str, asset: str, amount: Decimal) -> None:
        books[book][asset] = books[book].get(asset, Decimal(0)) + amount

    for fill in truth:
        base, rest = fill["symbol"].split("/")
        quote, _, settle = rest.partition(":")
        if fill["market_type"] == "spot":
            sign = 1 if fill["side"] == "buy" else -1
            add("spot", base, sign * Decimal(fill["amount"]))
            add("spot", quote, -sign * Decimal(fill["cost"]))
            add("spot", fill["fee_currency"], -Decimal(fill["fee"]))
            continue
        book = "delivery" if fill["market_type"] == "future" else settle.lower()
        add(book, fill["fee_currency"], Decimal(fill["realized_pnl"]) - Decimal(fill["fee"]))
    return books


def test_every_account_is_its_deposit_plus_the_fills_booked_there(simulator, demo):
    client = simulator.client(demo)
    truth = simulator.ground_truth(demo["api_key"])
    wallets = simulator.balances(demo["api_key"])["wallets"]
    books = effects(truth)

    spot = client.fetch_balance()
    usdt = client.fetch_balance({"type": "swap"})
    btc = client.fetch_balance({"type": "swap", "settle": "btc"})
    delivery = client.fetch_balance({"type": "future", "settle": "usdt"})

    assert {asset: spot["total"][asset] for asset in wallets["spot"]} == {
        asset: Decimal(row["balance"]) for asset, row in wallets["spot"].items()
    }
    assert {
        asset: Decimal(row["deposit"]) + books["spot"][asset]
        for asset, row in wallets["spot"].items()
    } == {asset: spot["total"][asset] for asset in wallets["spot"]}
    linear = wallets["linear"]["USDT"]
    assert usdt["total"]["USDT"] == Decimal(linear["deposit"]) + books["usdt"]["USDT"]
    assert btc["total"]["BTC"] == Decimal(wallets["inverse"]["BTC"]["balance"])
    delivery_deposit = Decimal(delivery["info"][0]["history"]["dnw"])
    assert delivery["total"]["USDT"] == delivery_deposit + books["delivery"]["USDT"]
    assert usdt["total"]["USDT"] + delivery["total"]["USDT"] - delivery_deposit == Decimal(
        linear["balance"]
    )
    history = usdt["info"][0]["history"]
    assert (
        Decimal(history["dnw"]) + Decimal(history["pnl"]) + Decimal(history["fee"])
        == (usdt["total"]["USDT"])
    )


def test_it_reports_margin_funding_and_unified_accounts(simulator, demo):
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])

    isolated = client.fetch_balance({"marginMode": "isolated"})
    cross = client.fetch_balance({"marginMode": "cross"})
    funding = client.fetch_balance({"type": "funding"})
    unified = client.fetch_balance({"unifiedAccount": True})

    assert isolated["BTC"]["free"] == Decimal(seeded["margin"]["BTC"])
    assert isolated["BTC"]["debt"] == Decimal(seeded["margin_borrowed"]["BTC"])
    assert isolated["USDT"]["free"] == Decimal(seeded["margin"]["USDT"])
    assert cross["info"]["balances"] == {}
    assert funding["free"]["USDT"] == Decimal(seeded["funding"]["USDT"])
    # a classic account's unified view is its spot account
    assert unified["info"]["mode"] == "classic"
    assert unified["total"]["BTC"] == Decimal(seeded["wallets"]["spot"]["BTC"]["balance"])


def test_a_unified_key_reads_its_pooled_balance_through_the_unified_endpoint(simulator):
    account = simulator.account(EXCHANGE, "unified")
    client = simulator.client(account)
    seeded = simulator.balances(account["api_key"])
    books = effects(simulator.ground_truth(account["api_key"]))

    balance = client.fetch_balance()

    assert client.options["unifiedAccount"] is True
    assert balance["info"]["mode"] == "multi_currency"
    spot_usdt = Decimal(seeded["wallets"]["spot"]["USDT"]["balance"])
    perpetual_usdt = Decimal(seeded["wallets"]["linear"]["USDT"]["deposit"]) + books["usdt"]["USDT"]
    assert balance["free"]["USDT"] == spot_usdt + perpetual_usdt
    assert balance["BTC"]["debt"] == Decimal(seeded["margin_borrowed"]["BTC"])
    endpoints = simulator.stats()["endpoints"]
    assert "gate /api/v4/spot/accounts" not in endpoints


def test_it_reports_every_position_the_fills_left_open(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = (
        client.fetch_positions()
        + client.fetch_positions(None, {"settle": "btc"})
        + client.fetch_positions(None, {"type": "future", "settle": "usdt"})
    )

    open_positions = [position for position in positions if position["contracts"]]
    assert {position["symbol"] for position in open_positions} == set(seeded)
    for position in open_positions:
        truth = seeded[position["symbol"]]
        market = client.market(position["symbol"])
        amount = Decimal(truth["amount"])
        size = position["contracts"] * (1 if market["inverse"] else market["contractSize"])
        assert size == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == Decimal(truth["entry_price"])
        assert position["markPrice"] == Decimal(truth["mark_price"])
        assert position["marginMode"] == truth["margin_mode"]
        if truth["margin_mode"] == "isolated":
            assert position["leverage"] == truth["leverage"]
        else:
            assert position["info"]["cross_leverage_limit"] == str(truth["leverage"])
        assert position["liquidationPrice"] > 0
        if market["linear"]:
            expected = amount * (Decimal(truth["mark_price"]) - Decimal(truth["entry_price"]))
            assert position["unrealizedPnl"] == expected.quantize(Decimal("1E-8"))
    held = client.fetch_positions(None, {"holding": "true"})
    assert {position["symbol"] for position in held} == {
        symbol for symbol in seeded if symbol.endswith(":USDT")
    }

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

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

    assert client.fetch_balance({"type": "swap"})["info"]["success"] is True


# -- credentials ---------------------------------------------------------------------------

SPOT = {"type": "spot"}
SWAP = {"type": "swap"}


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

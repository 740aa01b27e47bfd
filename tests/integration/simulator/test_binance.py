"""Binance through an unmodified ccxt client, pointed at the simulator by URL rewriting only."""

from __future__ import annotations

import time

import pytest

EXCHANGE = "binance"


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


def test_it_serves_markets_and_server_time_to_load_markets(simulator, demo):
    client = simulator.client(demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert markets["BTC/USDT:USDT"]["linear"] and markets["BTC/USDT:USDT"]["swap"]
    assert markets["BTC/USD:BTC"]["inverse"] and markets["ETH/USD:ETH"]["settle"] == "ETH"
    assert abs(client.fetch_time() - time.time() * 1000) < 5_000
    assert abs(client.fetch_time({"type": "swap"}) - time.time() * 1000) < 5_000

"""Prices from the public spot tickers of Coinbase, Kraken, KuCoin and Gate, through our adapter
against the simulator: the shape of test_prices.py (whose helpers this file mirrors). Coinbase
and Kraken list a stablecoin's own dollar market, so USDT is priced there; Kraken's ticker has
no 24-hour change; KuCoin cuts its change rate to 0.01 %.

EXCHANGES names, per exchange, the ticker endpoint ccxt's `fetch_tickers` calls for spot
symbols (the simulator's stats count requests by it) and the markets that price ASSETS.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sync.exchanges.base import STABLECOINS
from sync.simulator.prices import DAY_MS
from tests.integration.sync.test_prices import on_tick, prices_of

EXCHANGES = {
    # USD first (BTC-USD, ETH-USD), and Tether's own dollar book; Coinbase has no USDC-USD
    "coinbase": ("/api/v3/brokerage/market/products", {"BTC/USD", "ETH/USD", "USDT/USD"}),
    # no BTC or ETH dollar pair in the simulator, so USDT; both stablecoins' dollar pairs are
    # always asked, whatever the assets
    "kraken": ("/0/public/Ticker", {"BTC/USDT", "ETH/USDT", "USDT/USD", "USDC/USD"}),
    # no USDT/USD (or USDT/USDC) market: USDT itself gets no price here
    "kucoin": ("/api/v1/market/allTickers", {"BTC/USDT", "ETH/USDT"}),
    "gate": ("/api/v4/spot/tickers", {"BTC/USDT", "ETH/USDT"}),
}
# ADA has a price model but no market on these exchanges.
ASSETS = {"BTC", "ETH", "USDT", "ADA"}
# Plain ccxt clients need what our adapters preset (sync/exchanges/<exchange>): Kraken cannot
# load its currencies with Decimal numbers; Coinbase's parse_ticker loses Decimal numbers
# (sync/exchanges/coinbase.py fetch_prices), so its plain client reads floats.
PLAIN_CLIENT_CONFIG: dict[str, dict] = {
    "kraken": {"has": {"fetchCurrencies": False}},
    "coinbase": {"number": float},
    "kucoin": {"options": {"uta": False}},
}
# How far a change may be from the oracle's: Gate rounds it to 0.01 %, KuCoin cuts it there.
CHANGE_TOLERANCE = {"kucoin": Decimal("0.01")}


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_prices_are_the_oracles_on_the_markets_tick_in_one_request(
    routed_to_simulator, frozen_clock, exchange
):
    simulator = routed_to_simulator
    path, priced = EXCHANGES[exchange]
    adapter, client = prices_of(simulator, exchange, "demo")
    plain = simulator.client(
        simulator.account(exchange, "demo"), **PLAIN_CLIENT_CONFIG.get(exchange, {})
    )
    plain.load_markets()
    now_ms = frozen_clock()
    before = adapter.requests_made(client)
    asked = simulator.stats()["endpoints"].get(f"{exchange} {path}", {})

    records = adapter.fetch_prices(client, ASSETS)

    assert adapter.requests_made(client) - before == 1
    answered = simulator.stats()["endpoints"][f"{exchange} {path}"]
    assert answered["requests"] - asked.get("requests", 0) == 1
    assert {record.symbol for record in records} == priced
    tickers = plain.fetch_tickers(sorted(priced))
    for record in records:
        last = on_tick(simulator, exchange, record.symbol, now_ms)
        opened = on_tick(simulator, exchange, record.symbol, now_ms - DAY_MS)
        assert (record.asset, record.quote) == tuple(record.symbol.split("/"))
        assert record.price == last == Decimal(str(tickers[record.symbol]["last"]))
        if exchange == "kraken":
            # Kraken's ticker opens at midnight UTC: no 24-hour change to keep
            assert record.change_24h_pct is None
        else:
            change = (last - opened) * 100 / opened
            tolerance = CHANGE_TOLERANCE.get(exchange, Decimal("0.005"))
            assert abs(record.change_24h_pct - change) <= tolerance


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_a_spot_only_account_reads_the_same_prices(routed_to_simulator, frozen_clock, exchange):
    adapter, client = prices_of(routed_to_simulator, exchange, "spot-only")
    now_ms = frozen_clock()

    records = adapter.fetch_prices(client, ASSETS)

    assert {record.symbol: record.price for record in records} == {
        symbol: on_tick(routed_to_simulator, exchange, symbol, now_ms)
        for symbol in EXCHANGES[exchange][1]
    }


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_an_asset_the_exchange_does_not_list_gets_no_price(routed_to_simulator, exchange):
    adapter, client = prices_of(routed_to_simulator, exchange, "demo")
    before = adapter.requests_made(client)

    records = adapter.fetch_prices(client, {"ADA"})

    assert "ADA" not in {record.asset for record in records}
    # only the stablecoins' own dollar markets, which are always asked where listed
    stable_markets = {f"{coin}/USD" for coin in STABLECOINS} & EXCHANGES[exchange][1]
    assert {record.symbol for record in records} == stable_markets
    assert adapter.requests_made(client) - before == (1 if stable_markets else 0)

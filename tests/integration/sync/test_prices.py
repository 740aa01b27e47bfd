"""Prices from each exchange's public spot tickers, through our adapter against the simulator.
One suite for every exchange: `fetch_prices` reads the oracle's price on the market's tick, the
same as an unmodified ccxt client reads, in one request, for any key, and prices nothing an
exchange does not list.

EXCHANGES names, per exchange, the ticker endpoint ccxt's `fetch_tickers` calls for spot
symbols (the simulator's stats count requests by it).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sync.exchanges.registry import adapter_for
from sync.simulator.prices import DAY_MS
from tests.exchange_keys import secret_of

EXCHANGES = {
    "binance": "/api/v3/ticker/24hr",
}
# What the simulator's spot markets price them with: every one quotes in USDT and none lists a
# USDT/USD (or USDT/USDC) market, so USDT itself gets no price here and the portfolio reads it
# from elsewhere. ADA has a price model but no market on these exchanges.
ASSETS = {"BTC", "ETH", "USDT", "ADA"}
PRICED = {"BTC/USDT", "ETH/USDT"}
# Plain ccxt clients need what our adapters preset (sync/exchanges/<exchange>): Bitget would
# otherwise probe for a unified account first.
PLAIN_CLIENT_CONFIG: dict[str, dict] = {"bitget": {"options": {"uta": False}}}


def on_tick(simulator, exchange: str, symbol: str, at_ms: int) -> Decimal:
    """The simulator's own price of `symbol` at `at_ms`, on the market's price tick."""
    state = simulator.running.state
    market = state.exchanges[exchange].instruments_by_symbol()[symbol]
    price = state.oracle.price(market.base, market.quote, at_ms)
    return Decimal(round(price * 10**market.price_decimals)).scaleb(-market.price_decimals)


@pytest.fixture
def frozen_clock(routed_to_simulator, monkeypatch):
    """Stops the simulator's clock when called, so that the adapter, a plain client and the
    oracle all read one instant; returns it."""
    state = routed_to_simulator.running.state

    def freeze() -> int:
        now_ms = state.now_ms()
        monkeypatch.setattr(state, "now_ms", lambda: now_ms)
        return now_ms

    return freeze


def prices_of(simulator, exchange: str, label: str):
    adapter = adapter_for(exchange)
    client = adapter.client(secret_of(simulator.account(exchange, label)))
    adapter.ensure_markets(client)
    return adapter, client


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_prices_are_the_oracles_on_the_markets_tick_in_one_request(
    routed_to_simulator, frozen_clock, exchange
):
    simulator = routed_to_simulator
    adapter, client = prices_of(simulator, exchange, "demo")
    plain = simulator.client(
        simulator.account(exchange, "demo"), **PLAIN_CLIENT_CONFIG.get(exchange, {})
    )
    plain.load_markets()
    now_ms = frozen_clock()
    before = adapter.requests_made(client)
    asked = simulator.stats()["endpoints"].get(f"{exchange} {EXCHANGES[exchange]}", {})

    records = adapter.fetch_prices(client, ASSETS)

    assert adapter.requests_made(client) - before == 1
    answered = simulator.stats()["endpoints"][f"{exchange} {EXCHANGES[exchange]}"]
    assert answered["requests"] - asked.get("requests", 0) == 1
    assert {record.symbol for record in records} == PRICED
    tickers = plain.fetch_tickers(sorted(PRICED))
    for record in records:
        last = on_tick(simulator, exchange, record.symbol, now_ms)
        opened = on_tick(simulator, exchange, record.symbol, now_ms - DAY_MS)
        assert (record.asset, record.quote) == tuple(record.symbol.split("/"))
        assert record.price == last == Decimal(str(tickers[record.symbol]["last"]))
        # each exchange rounds the change its own way (Bybit to 0.01 %)
        assert abs(record.change_24h_pct - (last - opened) * 100 / opened) <= Decimal("0.005")


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_a_spot_only_account_reads_the_same_prices(routed_to_simulator, frozen_clock, exchange):
    adapter, client = prices_of(routed_to_simulator, exchange, "spot-only")
    now_ms = frozen_clock()

    records = adapter.fetch_prices(client, ASSETS)

    assert {record.symbol: record.price for record in records} == {
        symbol: on_tick(routed_to_simulator, exchange, symbol, now_ms) for symbol in PRICED
    }


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_assets_the_exchange_does_not_list_get_no_price_and_no_request(
    routed_to_simulator, exchange
):
    adapter, client = prices_of(routed_to_simulator, exchange, "demo")
    before = adapter.requests_made(client)

    assert adapter.fetch_prices(client, {"ADA", "USDT"}) == []
    assert adapter.requests_made(client) == before

"""Prices from each exchange's public spot tickers, through our adapter against the simulator.
One suite for every exchange: `fetch_prices` reads the oracle's price on the market's tick, the
same as an unmodified ccxt client reads, in one request, for any key, and prices nothing an
exchange does not list.

EXCHANGES says, per exchange, which ticker endpoint ccxt's `fetch_tickers` calls for spot
symbols (the simulator's stats count requests by it) and which markets price ASSETS there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from sync.exchanges.registry import adapter_for
from sync.simulator.prices import DAY_MS
from tests.exchange_keys import secret_of

# ADA has a price model in the simulator but no market on any of these exchanges.
ASSETS = {"BTC", "ETH", "USDT", "ADA"}


@dataclass(frozen=True)
class Tickers:
    endpoint: str
    # The simulator's markets that price ASSETS (ASSET/USD first, then USDT, then USDC).
    priced: frozenset[str]


# Binance, Bybit, OKX, Bitget and MEXC quote everything in USDT on the simulator, and it lists
# no USDT/USD or USDT/USDC market there, so USDT gets no price from them (prices_refresh asks
# the reference exchange).
IN_USDT = frozenset({"BTC/USDT", "ETH/USDT"})
EXCHANGES = {
    "binance": Tickers("/api/v3/ticker/24hr", IN_USDT),
    "bybit": Tickers("/v5/market/tickers", IN_USDT),
    "okx": Tickers("/api/v5/market/tickers", IN_USDT),
    "bitget": Tickers("/api/v2/spot/market/tickers", IN_USDT),
    "mexc": Tickers("/api/v3/ticker/24hr", IN_USDT),
}
# Plain ccxt clients need what our adapters preset (sync/exchanges/<exchange>): Bitget would
# otherwise probe for a unified account first.
PLAIN_CLIENT_CONFIG: dict[str, dict] = {"bitget": {"options": {"uta": False}}}


def on_tick(simulator, exchange: str, symbol: str, at_ms: int) -> Decimal:
    """The simulator's own price of `symbol` at `at_ms`, on the market's price tick."""
    state = simulator.running.state
    market = state.exchanges[exchange].instruments_by_symbol()[symbol]
    price = state.oracle.price(market.base, market.quote, at_ms)
    return Decimal(round(price * 10**market.price_decimals)).scaleb(-market.price_decimals)


def prices_of(simulator, exchange: str, label: str):
    # The tests read the same markets again through a plain client: that must not meet the
    # exchange's rate limits (MEXC allows its contract list once in a while), whatever ran
    # before and filled the markets cache or not.
    simulator.ok("POST", "/config", {"rate_limit_scale": 0})
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
    endpoint = f"{exchange} {EXCHANGES[exchange].endpoint}"
    asked = simulator.stats()["endpoints"].get(endpoint, {})

    records = adapter.fetch_prices(client, ASSETS)

    assert adapter.requests_made(client) - before == 1
    answered = simulator.stats()["endpoints"][endpoint]
    assert answered["requests"] - asked.get("requests", 0) == 1
    priced = EXCHANGES[exchange].priced
    assert {record.symbol for record in records} == priced
    tickers = plain.fetch_tickers(sorted(priced))
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
        symbol: on_tick(routed_to_simulator, exchange, symbol, now_ms)
        for symbol in EXCHANGES[exchange].priced
    }


@pytest.mark.parametrize("exchange", list(EXCHANGES))
def test_assets_the_exchange_does_not_list_get_no_price_and_no_request(
    routed_to_simulator, exchange
):
    adapter, client = prices_of(routed_to_simulator, exchange, "demo")
    before = adapter.requests_made(client)

    assert adapter.fetch_prices(client, {"ADA"}) == []
    assert adapter.requests_made(client) == before

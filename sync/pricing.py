"""Prices read during balance syncs: the exchange's own public tickers for what the account
holds, and, when the exchange lists no dollar market for a stablecoin it prices in, that
stablecoin's own USD ticker from a reference exchange (public, no key)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

import ccxt

from portfolio.prices import prices_record, stable_prices_known

from .exchanges.base import STABLECOINS, ExchangeAdapter
from .exchanges.errors import ExchangeCallFailed
from .exchanges.registry import adapter_for

logger = logging.getLogger(__name__)

# Kraken lists USDT/USD and USDC/USD spot markets (https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs).
REFERENCE_EXCHANGE = "kraken"


def prices_refresh(
    adapter: ExchangeAdapter, client: ccxt.Exchange, assets: set[str], *, now: datetime
) -> dict[str, Decimal]:
    """{asset: price in USD} for `assets` (those the exchange can price), stored as they are
    read. Raises what the exchange's ticker call raises; the reference exchange's failure only
    leaves stablecoin-quoted prices unpriced."""
    records = adapter.fetch_prices(client, assets)
    quotes = {record.quote for record in records if record.quote in STABLECOINS}
    priced = {record.asset for record in records if record.quote == "USD"}
    missing = quotes - priced - set(stable_prices_known(quotes, now=now))
    prices: dict[str, Decimal] = {}
    if missing and adapter.exchange_id != REFERENCE_EXCHANGE:
        prices.update(_reference_prices(missing, now=now))
    prices.update(prices_record(exchange=adapter.exchange_id, records=records, as_of=now))
    return prices


def _reference_prices(stables: set[str], *, now: datetime) -> dict[str, Decimal]:
    reference = adapter_for(REFERENCE_EXCHANGE)
    client = reference.client()
    try:
        reference.ensure_markets(client)
        records = reference.fetch_prices(client, stables)
    except (ccxt.BaseError, ExchangeCallFailed) as exc:
        logger.warning("reference prices for %s failed: %s", sorted(stables), type(exc).__name__)
        return {}
    return prices_record(exchange=REFERENCE_EXCHANGE, records=records, as_of=now)

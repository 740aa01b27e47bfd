"""Prices read during balance syncs: the exchange's own public tickers for what the account
holds, and, when the exchange lists no dollar market for a stablecoin it prices in, that
stablecoin's own USD ticker from a reference exchange (public, no key)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from portfolio.prices import prices_record, stable_prices_known

from .exchanges.base import STABLECOINS, ExchangeAdapter
from .exchanges.reference import REFERENCE_EXCHANGE, reference_prices


def prices_refresh(
    adapter: ExchangeAdapter, client: Any, assets: set[str], *, now: datetime
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
    records = reference_prices(stables)
    return prices_record(exchange=REFERENCE_EXCHANGE, records=records, as_of=now)

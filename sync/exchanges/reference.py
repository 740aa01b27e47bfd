"""A stablecoin's own dollar price from a reference exchange's public ticker, for syncs of
exchanges that list no dollar market for it. Public: no key, no account."""

from __future__ import annotations

import logging

import ccxt

from .errors import ExchangeCallFailed
from .records import PriceRecord

logger = logging.getLogger(__name__)

# Kraken lists USDT/USD and USDC/USD spot markets:
# https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs
REFERENCE_EXCHANGE = "kraken"


def reference_prices(assets: set[str]) -> list[PriceRecord]:
    """The reference exchange's prices of `assets`; none when it cannot answer for now."""
    from .registry import adapter_for  # the registry imports every module of this folder

    reference = adapter_for(REFERENCE_EXCHANGE)
    client = reference.client()
    try:
        reference.ensure_markets(client)
        return reference.fetch_prices(client, assets)
    except (ccxt.BaseError, ExchangeCallFailed) as exc:
        logger.warning("reference prices for %s failed: %s", sorted(assets), type(exc).__name__)
        return []

"""Asset prices in US dollars, from the exchanges' public tickers.

A price read against a dollar stablecoin (BTC/USDT) is converted at that stablecoin's own USD
ticker (USDT/USD), read in the same sync or recently enough by any sync; a stablecoin is never
assumed to be worth one dollar. Without a dollar price for its quote, an asset has no price,
and the pages say so instead of counting it as nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sync.exchanges.records import PriceRecord

from .models import AssetPrice

# How old a stablecoin's dollar price may be and still convert another exchange's prices.
STABLE_FRESH = timedelta(hours=6)
DOLLAR = "USD"


def stable_prices_known(stables: Iterable[str], *, now: datetime) -> dict[str, Decimal]:
    """The stablecoins' dollar prices read recently enough to convert with."""
    return dict(
        AssetPrice.objects.filter(
            asset__in=set(stables), as_of__gte=now - STABLE_FRESH
        ).values_list("asset", "price_usd")
    )


def prices_record(
    *, exchange: str, records: Sequence[PriceRecord], as_of: datetime
) -> dict[str, Decimal]:
    """Store the records' dollar prices; returns {asset: price in USD} for each one priced.

    Dollar quotes first (they price the stablecoins), then the rest through them.
    """
    in_dollars: dict[str, tuple[Decimal, PriceRecord, str]] = {}
    for record in records:
        if record.quote == DOLLAR:
            in_dollars[record.asset] = (record.price, record, f"{exchange} {record.symbol}")
    stables = {r.quote for r in records if r.quote != DOLLAR}
    # The stablecoins' stored rows, read once: their prices if fresh, their sources to name.
    stored = AssetPrice.objects.filter(asset__in=stables - set(in_dollars)).values_list(
        "asset", "price_usd", "source", "as_of"
    )
    known: dict[str, Decimal] = {}
    sources: dict[str, str] = {}
    for asset, price, source, read_at in stored:
        sources[asset] = source
        if read_at >= as_of - STABLE_FRESH:
            known[asset] = price
    known.update({asset: price for asset, (price, _, _) in in_dollars.items()})
    for record in records:
        if record.quote == DOLLAR or record.asset in in_dollars:
            continue
        rate = known.get(record.quote)
        if rate is None:
            continue
        via = f"{exchange} {record.symbol}, " + (
            f"{exchange} {record.quote}/USD"
            if record.quote in in_dollars
            else sources.get(record.quote, f"{record.quote}/USD")
        )
        in_dollars[record.asset] = (record.price * rate, record, via)
    for asset, (price, record, source) in in_dollars.items():
        AssetPrice.objects.update_or_create(
            asset=asset,
            defaults={
                "price_usd": price,
                "change_24h_pct": record.change_24h_pct,
                "source": source[:120],
                "as_of": as_of,
            },
        )
    prices = {asset: price for asset, (price, _, _) in in_dollars.items()}
    prices[DOLLAR] = Decimal(1)  # the unit itself, not an assumption about a coin
    return prices

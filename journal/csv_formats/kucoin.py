"""KuCoin's spot trade exports, older and newer.

KuCoin's own pages say where the exports are made (the Data & Report Service,
https://www.kucoin.com/support/44932890985625) but not what their columns are called; the
headers below are the ones open-source importers document from real files (BittyTax's KuCoin
parser, https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/kucoin.py).

- The older "trade history" export, one row per fill: `tradeCreatedAt,orderId,symbol,side,
  price,size,funds,fee,liquidity,feeCurrency,orderType`. Its times carry no zone; importers
  read them as UTC+8 (Singapore), which KuCoin never wrote down, so the person chooses.
- The newer "Spot Orders_Filled Orders" export, one row per order, and its "order splitting"
  variant, one row per fill. Their time columns name their zone, `Filled Time(UTC+08:00)`,
  from the person's setting on KuCoin: that offset wins over the one chosen on our page.
  The "Bundle" download writes a bare `Filled Time`. A `Tax` or `Account Mode` column may be
  there or not, so neither identifies a format.

None of them carries KuCoin's fill id (only the order's), so a fill is told apart by its
content. KuCoin's futures exports only give realized PNL per closed position (no fills), so
they are not read here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from zoneinfo import ZoneInfo

from .base import (
    CsvFormat,
    Parsed,
    ParsedTrade,
    decimal_of,
    optional_decimal,
    side_of,
    split_pair,
    time_of,
    zoned_cell,
)

# No KuCoin page names the columns; this importer documents them from real files.
SOURCE = "https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/kucoin.py"
# What KuCoin writes in the first row of an export that has none.
NO_RECORDS = "no matching records found."


def _spot_trade(
    row: Mapping[str, str],
    when: str | None,
    zone: tzinfo,
    *,
    symbol: str,
    side: str,
    price: str,
    amount: str,
    cost: str,
    fee: str,
    fee_currency: str,
    order_id: str,
) -> Parsed:
    filled = decimal_of(row.get(amount), what="The filled amount")
    if filled == 0:
        return None  # an order cancelled before anything filled; it may have no fill time
    base, quote = split_pair(row.get(symbol))
    fee_value = optional_decimal(row.get(fee), what="The fee")
    return ParsedTrade(
        # time_of only fills in a missing tzinfo: a fixed offset serves as well as a zone.
        executed_at=time_of(when, zone),
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side_of(row.get(side)),
        price=decimal_of(row.get(price), what="The price"),
        amount=filled,
        cost=decimal_of(row.get(cost), what="The filled volume"),
        fee=fee_value,
        fee_currency=row.get(fee_currency, "").strip().upper() if fee_value is not None else "",
        trade_id="",
        order_id=row.get(order_id, "").strip(),
    )


def parse_legacy(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    return _spot_trade(
        row,
        row.get("tradecreatedat"),
        zone,
        symbol="symbol",
        side="side",
        price="price",
        amount="size",
        cost="funds",
        fee="fee",
        fee_currency="feecurrency",
        order_id="orderid",
    )


def _orders_parser(*, zoned: bool) -> Callable[[Mapping[str, str], ZoneInfo], Parsed]:
    def parse(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
        if row.get("uid", "").strip().lower() == NO_RECORDS:
            return None
        when, row_zone = zoned_cell(row, "Filled Time") if zoned else (row.get("filled time"), zone)
        return _spot_trade(
            row,
            when,
            row_zone,
            symbol="symbol",
            side="side",
            price="avg. filled price",
            amount="filled amount",
            cost="filled volume",
            fee="fee",
            fee_currency="fee currency",
            order_id="order id",
        )

    return parse


# Each format's identifying columns; the time columns of the newer exports change with the
# person's zone setting, so they are found by `zoned_cell` instead.
LEGACY_COLUMNS = (
    "tradeCreatedAt", "orderId", "symbol", "side", "price", "size", "funds", "fee", "liquidity",
    "feeCurrency",
)  # fmt: skip
FILLED_ORDERS_COLUMNS = (
    "UID", "Account Type", "Order ID", "Symbol", "Side", "Order Type", "Order Price",
    "Order Amount", "Avg. Filled Price", "Filled Amount", "Filled Volume", "Filled Volume (USDT)",
    "Fee", "Fee Currency", "Status",
)  # fmt: skip
SPLIT_COLUMNS = (
    "UID", "Account Type", "Order ID", "Symbol", "Side", "Order Type", "Avg. Filled Price",
    "Filled Amount", "Filled Volume", "Filled Volume (USDT)", "Fee", "Maker/Taker",
    "Fee Currency",
)  # fmt: skip

FORMATS = (
    CsvFormat(
        key="kucoin-spot-trade-history-legacy",
        exchange="kucoin",
        title="KuCoin · Trade history, older export (KuCoin wrote these times in UTC+8)",
        source=SOURCE,
        columns=LEGACY_COLUMNS,
        parse=parse_legacy,
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="kucoin-spot-filled-orders",
        exchange="kucoin",
        title="KuCoin · Spot Orders, Filled Orders (one row per order)",
        source=SOURCE,
        columns=FILLED_ORDERS_COLUMNS,
        parse=_orders_parser(zoned=True),
        has_trade_ids=False,
    ),
    CsvFormat(
        key="kucoin-spot-order-splitting",
        exchange="kucoin",
        title="KuCoin · Spot Orders, Filled Orders split into fills",
        source=SOURCE,
        columns=SPLIT_COLUMNS,
        parse=_orders_parser(zoned=True),
        has_trade_ids=False,
    ),
    CsvFormat(
        key="kucoin-spot-order-splitting-bundle",
        exchange="kucoin",
        title="KuCoin · Spot Orders split into fills, Bundle download (times without a zone)",
        source=SOURCE,
        columns=(*SPLIT_COLUMNS, "Filled Time"),
        parse=_orders_parser(zoned=False),
        local_times=True,
        has_trade_ids=False,
    ),
)

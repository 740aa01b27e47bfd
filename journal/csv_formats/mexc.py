"""MEXC's spot trade and order history exports and its futures order history.

MEXC's help pages describe these records (spot: "Concepts Explained in Spot Trading Records",
https://www.mexc.com/learn/article/17827791511170; futures orders beside the futures
statement, https://www.mexc.com/learn/article/17827791512341) but not the exported column
names; those come from BittyTax's MEXC parser, which reads real files
(https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/mexc.py).

- Spot trade history, one row per fill: `UID,Pairs,Time,Side,Filled Price,Executed Amount,
  Total,Fee,Role` (older files have no UID). The fee carries its coin ("0.0151BTC"); older
  files write a bare number, in the quote coin.
- Spot order history, one row per order, without fees: `UID,Pairs,Time,Type,Direction,
  Average Filled Price,Order Price,Filled Quantity,Order Quantity,Order Amount,Status`.
- Futures order history, one row per order: `UID,Time(UTC+08:00),Futures Trading Pair,
  Direction,…,Filled Qty (Crypto),…,Average Filled Price,Closing PNL,Trading Fee,
  Fee-payment Crypto,Status`, whose time header names its zone (older files: a bare `Time`).
  Direction says the position and whether it opens or closes: "buy long" opens a long,
  "sell long" closes it, "buy short" opens a short, "sell short" closes it.

None of these exports carries a fill id or an order id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from .base import (
    CsvFormat,
    Parsed,
    ParsedTrade,
    RowError,
    amount_and_unit,
    decimal_of,
    optional_decimal,
    side_of,
    split_pair,
    time_of,
    zoned_cell,
)

SOURCE = "https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/mexc.py"
# (side of the fill, whether it closes a position) for each futures Direction.
DIRECTIONS = {
    "buy long": ("buy", False),
    "open long": ("buy", False),
    "sell long": ("sell", True),
    "close long": ("sell", True),
    "buy short": ("sell", False),
    "open short": ("sell", False),
    "sell short": ("buy", True),
    "close short": ("buy", True),
}


def _spot(
    row: Mapping[str, str],
    zone: tzinfo,
    *,
    side: str,
    price: Decimal,
    amount: Decimal,
    cost: Decimal | None = None,
    fee: Decimal | None = None,
    fee_currency: str = "",
) -> ParsedTrade:
    base, quote = split_pair(row.get("pairs"))
    return ParsedTrade(
        executed_at=time_of(row.get("time"), zone),
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side_of(side),
        price=price,
        amount=amount,
        cost=price * amount if cost is None else cost,
        fee=fee,
        fee_currency=(fee_currency or quote) if fee is not None else "",
        trade_id="",
    )


def parse_trade_history(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    amount = decimal_of(row.get("executed amount"), what="The executed amount")
    price = decimal_of(row.get("filled price"), what="The filled price")
    total = decimal_of(row.get("total"), what="The total")
    fee_text = row.get("fee", "").strip()
    fee, fee_currency = (None, "")
    if fee_text not in {"", "-", "--"}:
        fee, fee_currency = amount_and_unit(fee_text, what="The fee")
        if fee < 0:
            raise RowError(f"The fee is negative ({fee_text}).")
    # The cost is the file's own Total: the quote that moved, as MEXC counted it.
    return _spot(
        row,
        zone,
        side=row.get("side", ""),
        price=price,
        amount=amount,
        cost=total,
        fee=fee,
        fee_currency=fee_currency,
    )


def parse_order_history(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    filled = decimal_of(row.get("filled quantity"), what="The filled quantity")
    if filled == 0:
        return None  # a cancelled order that never filled
    price = decimal_of(row.get("average filled price"), what="The average filled price")
    # "Order Amount" is the order's price times the quantity asked for, not what filled (MEXC's
    # help page above), so the cost is the average price times the filled quantity.
    return _spot(row, zone, side=row.get("direction", ""), price=price, amount=filled)


def _futures_parser(*, zoned: bool) -> Callable[[Mapping[str, str], ZoneInfo], Parsed]:
    def parse(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
        filled = decimal_of(row.get("filled qty (crypto)"), what="The filled quantity")
        if filled == 0:
            return None  # a cancelled order that never filled
        when, row_zone = zoned_cell(row, "Time") if zoned else (row.get("time"), zone)
        direction = row.get("direction", "").strip().lower()
        if direction not in DIRECTIONS:
            raise RowError(
                f"The direction “{row.get('direction', '').strip()}” is not one we know: "
                "buy long, sell long, buy short, sell short."
            )
        side, closing = DIRECTIONS[direction]
        base, quote = split_pair(row.get("futures trading pair"))
        # USDT- and USDC-margined contracts settle in their quote; the USD ones are inverse,
        # margined and settled in the base coin.
        settle = base if quote == "USD" else quote
        price = decimal_of(row.get("average filled price"), what="The average filled price")
        # A negative fee is a maker rebate paid to the account.
        fee = optional_decimal(row.get("trading fee"), what="The trading fee", allow_negative=True)
        fee_currency = row.get("fee-payment crypto", "").strip().upper()
        pnl = optional_decimal(row.get("closing pnl"), what="The closing PNL", allow_negative=True)
        return ParsedTrade(
            # time_of only fills in a missing tzinfo: a fixed offset serves as well as a zone.
            executed_at=time_of(when, row_zone),
            symbol=f"{base}/{quote}:{settle}",
            market_type="swap",
            base=base,
            quote=quote,
            settle=settle,
            side=side_of(side),
            price=price,
            amount=filled,
            cost=price * filled,
            fee=fee,
            fee_currency=fee_currency if fee is not None else "",
            trade_id="",
            realized_pnl=pnl if closing else None,
        )

    return parse


TRADE_HISTORY_COLUMNS = (
    "Pairs", "Time", "Side", "Filled Price", "Executed Amount", "Total", "Fee", "Role",
)  # fmt: skip
ORDER_HISTORY_COLUMNS = (
    "Pairs", "Time", "Type", "Direction", "Average Filled Price", "Order Price",
    "Filled Quantity", "Order Quantity", "Order Amount", "Status",
)  # fmt: skip
# The time column is found by `zoned_cell`: its header changes with the person's zone.
FUTURES_COLUMNS = (
    "Futures Trading Pair", "Direction", "Leverage", "Order Type", "Order Qty (Cont.)",
    "Filled Qty (Cont.)", "Order Qty (Crypto)", "Filled Qty (Crypto)", "Order Qty (Amount)",
    "Filled Qty (Amount)", "Order Price", "Average Filled Price", "Closing PNL", "Trading Fee",
    "Fee-payment Crypto", "Status",
)  # fmt: skip

FORMATS = (
    CsvFormat(
        key="mexc-spot-trade-history",
        exchange="mexc",
        title="MEXC · Spot trade history",
        source=SOURCE,
        columns=TRADE_HISTORY_COLUMNS,
        parse=parse_trade_history,
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="mexc-spot-order-history",
        exchange="mexc",
        title="MEXC · Spot order history (no fees: the trade history export has them)",
        source=SOURCE,
        columns=ORDER_HISTORY_COLUMNS,
        parse=parse_order_history,
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="mexc-futures-order-history",
        exchange="mexc",
        title="MEXC · Futures order history",
        source=SOURCE,
        columns=FUTURES_COLUMNS,
        parse=_futures_parser(zoned=True),
        has_trade_ids=False,
    ),
    CsvFormat(
        key="mexc-futures-order-history-local",
        exchange="mexc",
        title="MEXC · Futures order history (times without a zone)",
        source=SOURCE,
        columns=(*FUTURES_COLUMNS, "Time"),
        parse=_futures_parser(zoned=False),
        local_times=True,
        has_trade_ids=False,
    ),
)

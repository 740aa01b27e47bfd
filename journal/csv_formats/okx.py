"""OKX's "Trading history" export (Assets → Order center → Trading history → Download): spot
fills, perpetual and futures fills, funding fees and transfers between one's own accounts.

We found no OKX help page that lists the columns, so the format cites the open-source importers
that document its header from real files. The file starts with a line
"UID:…,Account Type:…,Time Zone:UTC+8" above the header: times are in that zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .base import (
    CsvFormat,
    Parsed,
    ParsedEntry,
    ParsedTrade,
    RowError,
    decimal_of,
    optional_decimal,
    side_of,
    time_of,
)

TRADING_HISTORY = (
    "https://github.com/10000DOO/CoinTax/blob/HEAD/docs/parsers/okx-trading-history.md"
)


def _cell(row: Mapping[str, str], name: str) -> str:
    # OKX starts every line, and in some files every field, with a byte-order mark.
    return (row.get(name) or "").replace("\ufeff", "").strip()


def _fee(row: Mapping[str, str]) -> Decimal | None:
    # OKX writes a fee paid as a negative number and a rebate as a positive one.
    fee = optional_decimal(_cell(row, "fee"), what="The fee", allow_negative=True)
    return -fee if fee else None


def _spot_leg(row: Mapping[str, str], executed_at: datetime, base: str, quote: str) -> Parsed:
    """A spot fill is two lines, one per coin, each with the price and its own Action (Buy for
    the coin received, Sell for the coin given). The base coin's line becomes the trade; the
    quote coin's line matters only for the fee OKX takes in the quote on a sell."""
    coin = _cell(row, "balance unit").upper()
    fee = _fee(row)
    if coin == quote:
        if fee is None:
            return None
        return ParsedEntry(
            kind="fee",
            asset=_cell(row, "fee unit").upper() or quote,
            amount=-fee,
            occurred_at=executed_at,
            external_id=_cell(row, "id"),
            note=f"Trading fee of the {base}/{quote} sell",
        )
    if coin != base:
        raise RowError(f"The balance unit “{coin}” is neither side of {base}-{quote}.")
    amount = decimal_of(_cell(row, "amount"), what="The amount")
    price = decimal_of(_cell(row, "filled price"), what="The filled price")
    if amount == 0:
        raise RowError("The amount is zero.")
    market_type = "margin" if _cell(row, "trade type").lower() == "margin" else "spot"
    return ParsedTrade(
        executed_at=executed_at,
        symbol=f"{base}/{quote}",
        market_type=market_type,
        base=base,
        quote=quote,
        settle="",
        side=side_of(_cell(row, "action")),
        price=price,
        amount=amount,
        cost=amount * price,
        fee=fee,
        fee_currency=_cell(row, "fee unit").upper() if fee is not None else "",
        trade_id="",
        order_id=_cell(row, "order id"),
    )


def _derivative(row: Mapping[str, str], executed_at: datetime, parts: list[str]) -> Parsed:
    base, quote = parts[0], parts[1]
    # Linear contracts settle in the quote (USDT, USDC), inverse ones in the base coin.
    settle = quote if quote in {"USDT", "USDC"} else base
    if parts[2] == "SWAP":
        symbol, market_type = f"{base}/{quote}:{settle}", "swap"
    else:
        symbol, market_type = f"{base}/{quote}:{settle}-{parts[2]}", "future"
    unit = _cell(row, "trading unit").upper()
    if unit != base:
        # A contract's size is not in the file, so an amount in contracts cannot be read.
        raise RowError(
            f"OKX wrote this amount in “{_cell(row, 'trading unit')}”, not in {base}; the "
            "export does not say how much one contract is worth. Import this market through "
            "the OKX connection instead."
        )
    amount = decimal_of(_cell(row, "amount"), what="The amount")
    price = decimal_of(_cell(row, "filled price"), what="The filled price")
    if amount == 0:
        raise RowError("The amount is zero.")
    fee = _fee(row)
    return ParsedTrade(
        executed_at=executed_at,
        symbol=symbol,
        market_type=market_type,
        base=base,
        quote=quote,
        settle=settle,
        side=side_of(_cell(row, "action")),
        price=price,
        amount=amount,
        cost=amount * price,
        fee=fee,
        fee_currency=_cell(row, "fee unit").upper() if fee is not None else "",
        trade_id="",
        order_id=_cell(row, "order id"),
        realized_pnl=optional_decimal(_cell(row, "pnl"), what="The PnL", allow_negative=True),
    )


def _entry(row: Mapping[str, str], occurred_at: datetime, kind: str) -> ParsedEntry:
    amount = decimal_of(
        _cell(row, "balance change"), what="The balance change", allow_negative=True
    )
    if amount == 0:
        # A funding line's Balance Change can be empty; its PnL then carries the amount.
        amount = decimal_of(_cell(row, "pnl"), what="The PnL", allow_negative=True)
    if amount == 0:
        raise RowError("The balance change is zero.")
    return ParsedEntry(
        kind=kind,
        asset=_cell(row, "balance unit").upper(),
        amount=amount,
        occurred_at=occurred_at,
        external_id=_cell(row, "id"),
        note=" ".join(part for part in (_cell(row, "symbol"), _cell(row, "action")) if part),
    )


def parse_trading_history(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One line of the trading history.

    Spot fills are two lines each (see `_spot_leg`): the base coin's line is the trade, the
    quote coin's returns None unless it carries a sell's fee, which becomes a fee entry.
    Perpetual and futures fills are read when their amount is in the base coin; in contracts
    ("cont") they are refused, as the file does not give a contract's size. Funding fees and
    transfers in or out of the trading account become ledger entries of their Balance Change.
    The file carries OKX's bill ids, not fill ids, so trades have no trade id.
    """
    occurred_at = time_of(_cell(row, "time"), zone)
    action = _cell(row, "action").lower()
    if action in {"transfer in", "transfer out"}:
        return _entry(row, occurred_at, "transfer")
    if action.startswith("funding fee"):
        return _entry(row, occurred_at, "funding")
    parts = _cell(row, "symbol").upper().split("-")
    if len(parts) == 2 and all(parts):
        return _spot_leg(row, occurred_at, parts[0], parts[1])
    if len(parts) == 3 and (parts[2] == "SWAP" or parts[2].isdigit()):
        return _derivative(row, occurred_at, parts)
    raise RowError(
        f"The line “{_cell(row, 'action')}” on “{_cell(row, 'symbol')}” is not one we read."
    )


COLUMNS = (
    "id", "Order id", "Time", "Trade Type", "Symbol", "Action", "Amount", "Trading Unit",
    "Filled Price", "PnL", "Fee", "Fee Unit", "Position Change", "Position Balance",
    "Balance Change", "Balance", "Balance Unit",
)  # fmt: skip

FORMATS = (
    # Documented by CoinTax's importer notes (from a real file) and everytrade's OKX parser; an
    # older variant adds "Filled Price Unit" and "Position Unit", which this header also
    # matches. No OKX help page lists the columns.
    CsvFormat(
        key="okx-trading-history",
        exchange="okx",
        title="OKX · Trading history",
        source=TRADING_HISTORY,
        columns=COLUMNS,
        parse=parse_trading_history,
        local_times=True,
        has_trade_ids=False,
    ),
)

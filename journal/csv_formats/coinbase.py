"""Coinbase's exports: the retail "Transaction history" report and the old Coinbase Pro fills.

No Coinbase help page we could find names these columns; BittyTax's Coinbase importers document
them from real files (https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/
coinbase.py and coinbasepro.py), and we follow them.

- The transaction history report (CSV), currently:
  `ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,
  Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes` (some files lack
  `ID`, some add `Sender Address,Recipient Address`), money written like `$1,234.56`. Older
  reports call the price columns `Spot Price Currency,Spot Price at Transaction`, and the
  oldest call the last ones `Total (inclusive of fees)` and `Fees`. Times end in `Z` or ` UTC`.
  Coinbase puts a preamble above the header (a blank line, `Transactions`, `User,<name>,<id>`;
  older reports a sentence about tax obligations): the import skips lines until it meets a
  known header, so the file can be uploaded as downloaded.
  Buy, Sell, Advanced Trade Buy and Sell, and Convert rows are trades; the report's `ID` is
  Coinbase's transaction id, not a fill id, so trades carry none (entries keep it). Advanced
  Trade rows say their market and execution price in `Notes` ("Bought 2.5 SOL for 351.70 USDC
  on SOL-USDC at 140.12 USDC/SOL"): we read those, since the report's money columns are in the
  account's currency, not the market's; the fee is the difference between price times amount
  and what was paid or received. Convert (crypto to crypto) says what it became in `Notes`
  ("Converted 0.25 ETH to 738.75 USDC"); newer reports also list the receiving half as its
  own row, which is skipped. Its fee is the report's, in the account's currency, and the
  converted-to amount is already net of it.
  Send, Receive, Deposit, Withdrawal, Staking/Rewards Income, Learning Reward… are entries.
- Coinbase Pro's fills report (one row per fill, with Coinbase's trade id): `portfolio,trade id,
  product,side,created at,size,size unit,price,fee,total,price/fee/total unit`. Coinbase Pro is
  closed; people still hold these files. We found no documented CSV export of Coinbase
  Advanced Trade fills.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from .base import (
    QUOTES,
    CsvFormat,
    Parsed,
    ParsedEntry,
    ParsedTrade,
    RowError,
    decimal_of,
    optional_decimal,
    side_of,
    split_pair,
    time_of,
)

REPORT_SOURCE = (
    "https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/coinbase.py"
)
PRO_SOURCE = (
    "https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/coinbasepro.py"
)

TRADE_SIDES = {
    "buy": "buy", "advanced trade buy": "buy", "sell": "sell", "advanced trade sell": "sell",
}  # fmt: skip
# Transaction type → (our kind, +1 arriving / -1 leaving).
ENTRIES = {
    "receive": ("deposit", 1),
    "deposit": ("deposit", 1),
    "send": ("withdrawal", -1),
    "withdrawal": ("withdrawal", -1),
    "staking income": ("reward", 1),
    "rewards income": ("reward", 1),
    "inflation reward": ("reward", 1),
    "learning reward": ("reward", 1),
    "coinbase earn": ("reward", 1),
    # Moves to and from Coinbase Pro (Exchange): the person's own other account.
    "pro deposit": ("transfer", -1),
    "exchange deposit": ("transfer", -1),
    "pro withdrawal": ("transfer", 1),
    "exchange withdrawal": ("transfer", 1),
}
# Moves between balances inside the same Coinbase account.
INTERNAL = {"retail staking transfer", "retail unstaking transfer"}

MONEY_SIGNS = re.compile(r"[$€£¥\s]")
NUMBER = r"[\d,]*\.?\d+"
TRADE_NOTE = re.compile(
    rf"(?:Bought|Sold) (?P<amount>{NUMBER}) (?P<asset>\S+) for [$€£]?(?P<paid>{NUMBER}) "
    rf"(?P<currency>\S+)(?: on (?P<base>\w+)-(?P<quote>\w+) at [$€£]?(?P<rate>{NUMBER}) \S+)?"
)
CONVERT_NOTE = re.compile(
    rf"Converted (?P<sold>{NUMBER}) (?P<from>\S+) to (?P<got>{NUMBER}) (?P<to>\S+)"
)


def money(text: str | None, *, what: str) -> Decimal | None:
    """A money cell as the report writes it ("$1,234.56", "-$10.00", "1234.56"), or None."""
    return optional_decimal(MONEY_SIGNS.sub("", text or ""), what=what, allow_negative=True)


def number(text: str, *, what: str) -> Decimal:
    return decimal_of(text.replace(",", ""), what=what)


def _cell(row: Mapping[str, str], *names: str) -> str:
    """The first of `names` the file has: the report renamed its columns over the years."""
    return next((row[name] for name in names if name in row), "")


def _report_trade(row: Mapping[str, str], kind: str, asset: str, notes: str) -> ParsedTrade:
    side = TRADE_SIDES[kind]
    # Newer reports sign what leaves the account; a bought quantity is never negative.
    quantity = decimal_of(
        row.get("quantity transacted"), what="The quantity", allow_negative=side == "sell"
    )
    amount = abs(quantity)
    if amount == 0:
        raise RowError("The quantity is zero.")
    currency = _cell(row, "price currency", "spot price currency").strip().upper()
    note = TRADE_NOTE.match(notes.strip())
    if note and note["base"]:
        # Advanced Trade: the market and the execution price are in the note.
        base, quote = note["base"].upper(), note["quote"].upper()
        if base != asset:
            raise RowError(f"The note trades {base}, but the row's asset is {asset}.")
        price = number(note["rate"], what="The price in the note")
        cost = amount * price
        fee: Decimal | None = abs(cost - number(note["paid"], what="The amount in the note"))
    else:
        quote = note["currency"].upper() if note else currency
        if not quote:
            raise RowError("The row says neither the price currency nor what was paid.")
        if quote != currency:
            raise RowError(
                f"The trade was paid in {quote} but the report gives its money in {currency}; "
                "add it with the Thrive template."
            )
        base = asset
        price = money(
            _cell(row, "price at transaction", "spot price at transaction"), what="The price"
        )
        if price is None or price <= 0:
            raise RowError("The price at transaction is missing.")
        subtotal = money(row.get("subtotal"), what="The subtotal")
        cost = abs(subtotal) if subtotal is not None else amount * price
        fees = money(_cell(row, "fees and/or spread", "fees"), what="The fees")
        fee = abs(fees) if fees is not None else None
    return ParsedTrade(
        executed_at=time_of(row.get("timestamp"), ZoneInfo("UTC")),
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side,
        price=price,
        amount=amount,
        cost=cost,
        fee=fee,
        fee_currency=quote if fee is not None else "",
        trade_id="",
    )


def _report_convert(row: Mapping[str, str], asset: str, notes: str) -> ParsedTrade | None:
    note = CONVERT_NOTE.match(notes.strip())
    if not note:
        raise RowError(f"The note “{notes.strip()}” does not say what was converted into what.")
    sold, got = note["from"].upper(), note["to"].upper()
    if asset == got and asset != sold:
        return None  # the receiving half of a conversion newer reports list as its own row
    if asset != sold:
        raise RowError(f"The note converts {sold}, but the row's asset is {asset}.")
    sold_amount = number(note["sold"], what="The converted amount")
    got_amount = number(note["got"], what="The amount received")
    if sold_amount == 0 or got_amount == 0:
        raise RowError("The conversion's amounts cannot be zero.")
    # Quote the conversion in the side that is a usual quote currency (USDC → ETH buys ETH).
    if sold in QUOTES and got not in QUOTES:
        base, quote, side, amount, cost = got, sold, "buy", got_amount, sold_amount
    else:
        base, quote, side, amount, cost = sold, got, "sell", sold_amount, got_amount
    fees = money(_cell(row, "fees and/or spread", "fees"), what="The fees")
    currency = _cell(row, "price currency", "spot price currency").strip().upper()
    return ParsedTrade(
        executed_at=time_of(row.get("timestamp"), ZoneInfo("UTC")),
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side,
        price=cost / amount,
        amount=amount,
        cost=cost,
        fee=abs(fees) if fees else None,
        fee_currency=currency if fees else "",
        trade_id="",
        note="Coinbase Convert",
    )


def parse_report(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    kind = row.get("transaction type", "").strip().lower()
    asset = row.get("asset", "").strip().upper()
    notes = row.get("notes", "")
    if not asset:
        raise RowError("The asset is missing.")
    if kind in TRADE_SIDES:
        return _report_trade(row, kind, asset, notes)
    if kind == "convert":
        return _report_convert(row, asset, notes)
    if kind in INTERNAL:
        return None
    if kind not in ENTRIES:
        shown = row.get("transaction type", "").strip()
        raise RowError(f"The transaction type “{shown}” is not one we know.")
    entry_kind, direction = ENTRIES[kind]
    occurred_at = time_of(row.get("timestamp"), ZoneInfo("UTC"))
    quantity = decimal_of(
        row.get("quantity transacted"), what="The quantity", allow_negative=direction < 0
    )
    if quantity == 0:
        raise RowError("The quantity is zero.")
    currency = _cell(row, "price currency", "spot price currency").strip().upper()
    fees = money(_cell(row, "fees and/or spread", "fees"), what="The fees")
    # A fee is only the asset's own when the report's money is in that asset (cash moves);
    # for crypto it is a value in the account's currency, which we do not book as a fee.
    fee = abs(fees) if fees and currency == asset else None
    # The quantity is what the balance got: net of a deposit's fee, gross of a withdrawal's
    # (as BittyTax reads it). Our entries keep the fee apart from the amount.
    amount = abs(quantity) + (fee or 0) * direction
    return ParsedEntry(
        kind=entry_kind,
        asset=asset,
        amount=amount * direction,
        occurred_at=occurred_at,
        external_id=row.get("id", "").strip(),
        fee=fee,
        fee_currency=asset if fee is not None else "",
        note=notes.strip(),
    )


def parse_pro_fill(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    trade_id = row.get("trade id", "").strip()
    if not trade_id:
        raise RowError("The trade id is missing.")
    base, quote = split_pair(row.get("product"))
    size_unit = row.get("size unit", "").strip().upper()
    if size_unit and size_unit != base:
        raise RowError(f"The size is in {size_unit}, not in {base}, the product's base.")
    amount = decimal_of(row.get("size"), what="The size")
    if amount == 0:
        raise RowError("The size is zero.")
    price = decimal_of(row.get("price"), what="The price")
    fee = optional_decimal(row.get("fee"), what="The fee")
    fee_currency = row.get("price/fee/total unit", "").strip().upper() or quote
    return ParsedTrade(
        executed_at=time_of(row.get("created at"), ZoneInfo("UTC")),
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side_of(row.get("side")),
        price=price,
        amount=amount,
        cost=amount * price,
        fee=fee,
        fee_currency=fee_currency if fee is not None else "",
        trade_id=trade_id,
    )


REPORT_COLUMNS = (
    "Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "Price Currency",
    "Price at Transaction", "Subtotal", "Total (inclusive of fees and/or spread)",
    "Fees and/or Spread", "Notes",
)  # fmt: skip
# Older reports: the price columns said "Spot"; the total and fee columns changed names too.
SPOT_PRICE_REPORT_COLUMNS = (
    "Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "Spot Price Currency",
    "Spot Price at Transaction", "Subtotal", "Notes",
)  # fmt: skip
PRO_FILLS_COLUMNS = (
    "trade id", "product", "side", "created at", "size", "size unit", "price", "fee", "total",
    "price/fee/total unit",
)  # fmt: skip

FORMATS = (
    CsvFormat(
        key="coinbase-transaction-history",
        exchange="coinbase",
        title="Coinbase · Transaction history report",
        source=REPORT_SOURCE,
        columns=REPORT_COLUMNS,
        parse=parse_report,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="coinbase-transaction-history-spot-price",
        exchange="coinbase",
        title="Coinbase · Transaction history report, older (Spot Price columns)",
        source=REPORT_SOURCE,
        columns=SPOT_PRICE_REPORT_COLUMNS,
        parse=parse_report,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="coinbase-pro-fills",
        exchange="coinbase",
        title="Coinbase Pro · Fills report",
        source=PRO_SOURCE,
        columns=PRO_FILLS_COLUMNS,
        parse=parse_pro_fill,
    ),
)

"""Bybit's CSV exports: spot trade history (unified trading account, and before it), and the
unified trading account's transaction log (derivatives fills, funding, transfers, interest).

Bybit's help center says which data can be exported ("How to export account data",
https://www.bybit.com/ja-JP/help-center/article?language=ja&id=000001026) but lists no columns,
so each format cites the open-source importer that documents its header from real files.
Bybit starts its statement files with a "UID: …,Company Name: ,Country:" line above the
header.
"""

from __future__ import annotations

import re
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
    amount_and_unit,
    decimal_of,
    first_cell,
    optional_decimal,
    side_of,
    split_pair,
    time_of,
)

SPOT_EXPORTS = "https://github.com/Byskov-Soft/fifo-calc/blob/HEAD/doc/EXCHANGE_DATA.md"
TRANSACTION_LOG = (
    "https://github.com/everytrade-io/everytrade-plugins/blob/HEAD/parser-files/"
    "bybiteu_uta_v001.csv"
)

# The unified account's spot export writes "22:37 2024-11-21", to the minute.
TIME_FORMATS = ("%H:%M %Y-%m-%d",)


def _amount_in(text: str, unit: str, *, what: str) -> Decimal:
    """ "16.35 RENDER" or "16.35": a positive amount, in `unit` when the export names one."""
    amount, written_unit = amount_and_unit(text, what=what)
    if amount < 0:
        raise RowError(f"{what} is negative ({text.strip()}).")
    if written_unit and written_unit != unit:
        raise RowError(f"{what} is in {written_unit}, not {unit}.")
    return amount


def parse_spot_trades(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One spot fill. Transaction ID is Bybit's fill id, Order No. its order.

    The unified account's export writes the fee without its coin; Bybit takes a spot fee in the
    coin received (the base on a buy, the quote on a sell), which both exports show where the
    older one names the coin.
    """
    executed_at = time_of(
        first_cell(row, "timestamp (utc)", "timestamp (utc+0)"), zone, formats=TIME_FORMATS
    )
    base, quote = split_pair(row.get("spot pairs"))
    side = side_of(row.get("direction"))
    amount = _amount_in(first_cell(row, "filled quantity"), base, what="The filled quantity")
    if amount == 0:
        raise RowError("The filled quantity is zero.")
    fee_text = first_cell(row, "fees")
    fee_coin = base if side == "buy" else quote
    fee = None
    if fee_text not in {"", "-", "--"}:
        fee, written_coin = amount_and_unit(fee_text, what="The fee")
        if fee < 0:
            raise RowError(f"The fee is negative ({fee_text}).")
        fee_coin = written_coin or fee_coin
    return ParsedTrade(
        executed_at=executed_at,
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side,
        price=_amount_in(first_cell(row, "filled price"), quote, what="The filled price"),
        amount=amount,
        cost=_amount_in(first_cell(row, "filled value"), quote, what="The filled value"),
        fee=fee,
        fee_currency=fee_coin if fee is not None else "",
        trade_id=first_cell(row, "transaction id"),
        order_id=first_cell(row, "order no."),
    )


def _contract(contract: str, currency: str) -> tuple[str, str, str, str, bool]:
    """(unified symbol, base, quote, settle, inverse) of a perpetual in the transaction log."""
    if (match := re.fullmatch(r"([A-Z0-9]+?)(USDT|USDC)", contract)) and currency == match.group(2):
        base, quote = match.groups()
        return f"{base}/{quote}:{quote}", base, quote, quote, False
    if (match := re.fullmatch(r"([A-Z0-9]+)PERP", contract)) and currency == "USDC":
        base = match.group(1)
        return f"{base}/USDC:USDC", base, "USDC", "USDC", False
    if (match := re.fullmatch(r"([A-Z0-9]+)USD", contract)) and currency == match.group(1):
        base = match.group(1)
        return f"{base}/USD:{base}", base, "USD", base, True
    raise RowError(
        f"The contract “{contract}” is not one we read from this log (perpetuals only, not "
        "dated futures or options)."
    )


def _fee_paid(row: Mapping[str, str]) -> Decimal | None:
    # Bybit writes a fee paid as a negative number and a maker rebate as a positive one.
    paid = optional_decimal(row.get("fee paid"), what="The fee", allow_negative=True)
    return -paid if paid else None


def _log_trade(row: Mapping[str, str], executed_at: datetime, currency: str) -> Parsed:
    contract = first_cell(row, "contract").upper()
    side = side_of(row.get("direction"))
    price = decimal_of(row.get("filled price"), what="The filled price")
    fee = _fee_paid(row)
    if first_cell(row, "action").upper() not in {"OPEN", "CLOSE"}:
        # A spot trade: one line per coin, both with the trade's direction and price. The base
        # coin's line becomes the trade; the quote coin's line only matters for the fee Bybit
        # takes in the quote on a sell, which becomes a fee entry.
        base, quote = split_pair(contract)
        quantity = decimal_of(row.get("quantity"), what="The quantity", allow_negative=True)
        if currency == quote:
            if fee is None:
                return None
            return ParsedEntry(
                kind="fee",
                asset=quote,
                amount=-fee,
                occurred_at=executed_at,
                note=f"Trading fee of the {base}/{quote} {side}",
            )
        if currency != base:
            raise RowError(f"The currency “{currency}” is neither side of “{contract}”.")
        if quantity == 0:
            raise RowError("The quantity is zero.")
        amount = abs(quantity)
        return ParsedTrade(
            executed_at=executed_at,
            symbol=f"{base}/{quote}",
            market_type="spot",
            base=base,
            quote=quote,
            settle="",
            side=side,
            price=price,
            amount=amount,
            cost=amount * price,
            fee=fee,
            fee_currency=base if fee is not None else "",
            trade_id="",
        )
    symbol, base, quote, settle, inverse = _contract(contract, currency)
    quantity = decimal_of(row.get("quantity"), what="The quantity")
    if quantity == 0 or price == 0:
        raise RowError("The quantity or the filled price is zero.")
    # An inverse contract is worth 1 USD, so its quantity is the value and the amount follows.
    amount, cost = (quantity / price, quantity) if inverse else (quantity, quantity * price)
    return ParsedTrade(
        executed_at=executed_at,
        symbol=symbol,
        market_type="swap",
        base=base,
        quote=quote,
        settle=settle,
        side=side,
        price=price,
        amount=amount,
        cost=cost,
        fee=fee,
        fee_currency=currency if fee is not None else "",
        trade_id="",
        realized_pnl=optional_decimal(
            row.get("cash flow"), what="The cash flow", allow_negative=True
        ),
    )


# Log type → (ledger kind, what the note calls it).
LOG_ENTRY_KINDS = {
    "SETTLEMENT": ("funding", "funding fee"),
    "TRANSFER_IN": ("transfer", "transfer in"),
    "TRANSFER_OUT": ("transfer", "transfer out"),
    "INTEREST": ("interest", "borrowing interest"),
}


def parse_transaction_log(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One line of the unified trading account's log ("Account Change Details").

    TRADE lines of perpetuals (Action OPEN or CLOSE) are fills, with Cash Flow as their realized
    profit. Spot trades appear as one line per coin (Action "--"): the base coin's line is read
    as the trade, the quote coin's line returns None unless it carries the fee (a sell), which
    becomes a fee entry. SETTLEMENT (funding), transfers between one's own Bybit accounts and
    borrowing INTEREST become ledger entries of their Change. The log has no fill ids.
    """
    occurred_at = time_of(first_cell(row, "time(utc)"), zone)
    currency = first_cell(row, "currency").upper()
    kind = first_cell(row, "type").upper()
    if kind == "TRADE":
        return _log_trade(row, occurred_at, currency)
    if kind not in LOG_ENTRY_KINDS:
        raise RowError(f"The type “{kind}” is not one we read from this log.")
    amount = decimal_of(row.get("change"), what="The change", allow_negative=True)
    if amount == 0:
        raise RowError("The change is zero.")
    ledger_kind, label = LOG_ENTRY_KINDS[kind]
    contract = first_cell(row, "contract").upper()
    return ParsedEntry(
        kind=ledger_kind,
        asset=currency,
        amount=amount,
        occurred_at=occurred_at,
        note=f"{contract} {label}" if contract else label.capitalize(),
    )


SPOT_COLUMNS = (
    "Spot Pairs", "Order Type", "Direction", "Filled Value", "Filled Price", "Filled Quantity",
    "Fees", "Transaction ID", "Order No.",
)  # fmt: skip

LOG_COLUMNS = (
    "Currency", "Contract", "Type", "Direction", "Quantity", "Position", "Filled Price",
    "Funding", "Fee Paid", "Cash Flow", "Change", "Wallet Balance", "Action", "Time(UTC)",
)  # fmt: skip

FORMATS = (
    # Orders → Unified Trading Order → Spot → Order/Trade History → Export. The time column is
    # "Timestamp (UTC)" ("22:37 2024-11-21") or, in the statement export, "Timestamp (UTC+0)".
    # fifo-calc's notes document both spot exports; no Bybit help page lists the columns.
    CsvFormat(
        key="bybit-spot-trade-history",
        exchange="bybit",
        title="Bybit · Spot trade history",
        source=SPOT_EXPORTS,
        columns=SPOT_COLUMNS,
        parse=parse_spot_trades,
    ),
    # The spot export of the classic account, before the unified one: every amount carries its
    # coin ("16.35 RENDER"), pairs are written "RENDER/USDT".
    CsvFormat(
        key="bybit-spot-trade-history-pre-uta",
        exchange="bybit",
        title="Bybit · Spot trade history (before the unified account)",
        source=SPOT_EXPORTS,
        columns=("Filled Time (Local Time)", *SPOT_COLUMNS, "Timestamp (UTC)"),
        parse=parse_spot_trades,
    ),
    # Assets → Export → Unified Trading Account → Account Change Details
    # (AssetChangeDetails_uta_….csv). Documented by everytrade's sample of a real export; no
    # Bybit help page lists the columns.
    CsvFormat(
        key="bybit-unified-account-transaction-log",
        exchange="bybit",
        title="Bybit · Unified trading account transaction log",
        source=TRANSACTION_LOG,
        columns=LOG_COLUMNS,
        parse=parse_transaction_log,
        has_trade_ids=False,
    ),
)

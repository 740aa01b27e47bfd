"""Thrive's own template, for anything no exchange export covers: trades (crypto-to-crypto
too) and ledger entries, one per line. Downloadable from the import page; documented there.

    time,kind,symbol,side,amount,price,asset,fee,fee_currency,id,note

- `time`: ISO 8601; without a zone it is read in the timezone chosen on the import page.
- `kind`: `trade`, or a ledger kind (deposit, withdrawal, transfer, reward, airdrop, fee,
  interest, funding).
- trades: `symbol` BASE/QUOTE (BTC/USDT; BTC/USDT:USDT for a perpetual), `side` buy or sell,
  `amount` in the base asset, `price` in the quote asset.
- ledger entries: `asset` and `amount`, signed as it moves the account (a withdrawal or fee is
  negative; a positive one is taken as leaving the account for those two kinds).
- `fee` and `fee_currency` optional; `id` the exchange's id if you have it (it stops the same
  line being imported twice); `note` free text.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    split_pair,
    time_of,
)

COLUMNS = (
    "time", "kind", "symbol", "side", "amount", "price", "asset", "fee", "fee_currency", "id",
    "note",
)  # fmt: skip
LEDGER_KINDS = {
    "deposit", "withdrawal", "transfer", "reward", "airdrop", "fee", "interest", "funding",
}  # fmt: skip
LEAVING = {"withdrawal", "fee"}


def market_of(symbol: str) -> tuple[str, str, str, str]:
    """(market type, base, quote, settle) of a unified symbol."""
    pair, _, settlement = symbol.partition(":")
    base, quote = split_pair(pair)
    if not settlement:
        return "spot", base, quote, ""
    settle, _, expiry = settlement.partition("-")
    return ("future" if expiry else "swap"), base, quote, settle.upper()


def parse(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    kind = row.get("kind", "").strip().lower() or "trade"
    occurred_at = time_of(row.get("time"), zone)
    fee = optional_decimal(row.get("fee"), what="The fee")
    fee_currency = row.get("fee_currency", "").strip().upper()
    note = row.get("note", "").strip()
    if kind == "trade":
        symbol = row.get("symbol", "").strip().upper()
        market_type, base, quote, settle = market_of(symbol)
        amount = decimal_of(row.get("amount"), what="The amount")
        price = decimal_of(row.get("price"), what="The price")
        if amount == 0:
            raise RowError("The amount is zero.")
        return ParsedTrade(
            executed_at=occurred_at,
            symbol=f"{base}/{quote}" + (f":{symbol.partition(':')[2]}" if settle else ""),
            market_type=market_type,
            base=base,
            quote=quote,
            settle=settle,
            side=side_of(row.get("side")),
            price=price,
            amount=amount,
            cost=amount * price,
            fee=fee,
            fee_currency=fee_currency if fee is not None else "",
            trade_id=row.get("id", "").strip(),
            note=note,
        )
    if kind not in LEDGER_KINDS:
        raise RowError(
            f"The kind “{kind}” is not one we know: trade, {', '.join(sorted(LEDGER_KINDS))}."
        )
    asset = row.get("asset", "").strip().upper()
    if not asset:
        raise RowError("The asset is missing.")
    amount = decimal_of(row.get("amount"), what="The amount", allow_negative=True)
    if kind in LEAVING and amount > 0:
        amount = -amount
    if amount == Decimal(0):
        raise RowError("The amount is zero.")
    return ParsedEntry(
        kind=kind,
        asset=asset,
        amount=amount,
        occurred_at=occurred_at,
        external_id=row.get("id", "").strip(),
        fee=fee,
        fee_currency=fee_currency if fee is not None else "",
        note=note,
    )


FORMATS = (
    CsvFormat(
        key="thrive-generic",
        exchange="",
        title="Thrive template (any exchange or wallet)",
        source="/journal/import/template.csv",
        columns=("time", "kind", "symbol", "side", "amount", "price", "asset"),
        parse=parse,
        local_times=True,
        has_trade_ids=False,
    ),
)

"""Binance's own CSV exports: spot and USDⓈ-M futures trade history, and the Transaction History
ledger ("Generate all statements").

We found no Binance help page that lists these columns, so each format cites the open-source
importer that documents its header from real files. Binance has reshaped these
exports several times (a "Date(UTC)" header, then files whose times follow the zone chosen at
export and say so only in the file name); each documented shape is its own format.
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

BITTYTAX_WIKI = "https://github.com/BittyTax/BittyTax/wiki/Exchange:-Binance"
COINTAX_SPOT = (
    "https://github.com/10000DOO/CoinTax/blob/HEAD/docs/parsers/binance-spot-trade-history.md"
)
COINTAX_LEDGER = (
    "https://github.com/10000DOO/CoinTax/blob/HEAD/docs/parsers/binance-transaction-history.md"
)
FUTURES_TRADES = "https://github.com/Solistix/crypto-rate-converter/blob/HEAD/README.md"
FUTURES_TRADES_LOCAL = (
    "https://github.com/santiagogabrielcastillo/soldier-trades-tracker/blob/HEAD/"
    "app/services/exchanges/binance/csv_parser.rb"
)

# The newer exports write a two-digit year ("26-03-17 09:34:12").
TIME_FORMATS = ("%y-%m-%d %H:%M:%S",)
NUMBER = re.compile(r"[-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?")


def _time(row: Mapping[str, str], zone: ZoneInfo, *names: str) -> datetime:
    return time_of(first_cell(row, *names), zone, formats=TIME_FORMATS)


def _glued(pair: str, executed: str, amount: str) -> tuple[str, str, Decimal, Decimal]:
    """Base, quote and both amounts of "0.5BTC" / "31,000.25USDT", cut where the pair allows.

    The unit is glued to the number, so a ticker that starts with a digit ("0.51INCH") is only
    read right by trying each cut of the pair ("1INCHUSDT") against both suffixes.
    """
    market = re.sub(r"[/\-_ ]", "", pair.upper())
    executed, amount = executed.upper().replace(" ", ""), amount.upper().replace(" ", "")
    if not market:
        raise RowError("The pair is missing.")
    for cut in range(1, len(market)):
        base, quote = market[:cut], market[cut:]
        base_number, quote_number = executed[: -len(base)], amount[: -len(quote)]
        if (
            executed.endswith(base)
            and amount.endswith(quote)
            and NUMBER.fullmatch(base_number)
            and NUMBER.fullmatch(quote_number)
        ):
            return (
                base,
                quote,
                decimal_of(base_number, what="The executed amount"),
                decimal_of(quote_number, what="The amount"),
            )
    raise RowError(
        f"The amounts “{executed}” and “{amount}” are not in the units of the pair “{pair}”."
    )


def _fee(text: str, *units: str) -> tuple[Decimal | None, str]:
    """A fee as "0.0000015BNB", "0.29 USDT" or "0.268"; the units the row trades in come first,
    so "0.0011INCH" is read as 1INCH, not INCH."""
    raw = text.upper().replace(" ", "")
    if raw in {"", "-", "--"}:
        return None, ""
    for unit in units:
        if unit and raw.endswith(unit) and NUMBER.fullmatch(raw[: -len(unit)]):
            return decimal_of(raw[: -len(unit)], what="The fee"), unit
    fee, unit = amount_and_unit(text, what="The fee")
    if fee < 0:
        raise RowError(f"The fee is negative ({text.strip()}).")
    return fee, unit


def _spot(
    *,
    executed_at: datetime,
    base: str,
    quote: str,
    side: str,
    price: Decimal,
    amount: Decimal,
    cost: Decimal,
    fee: Decimal | None,
    fee_currency: str,
) -> ParsedTrade:
    if amount == 0:
        raise RowError("The amount is zero.")
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
        cost=cost,
        fee=fee,
        fee_currency=fee_currency if fee is not None else "",
        trade_id="",
    )


def parse_spot_trades(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """Date(UTC)/Time, Pair, Side, Price, Executed, Amount, Fee: amounts carry their unit."""
    executed_at = _time(row, zone, "date(utc)", "time")
    base, quote, amount, cost = _glued(
        first_cell(row, "pair"), first_cell(row, "executed"), first_cell(row, "amount")
    )
    fee, fee_currency = _fee(first_cell(row, "fee"), base, quote, "BNB")
    return _spot(
        executed_at=executed_at,
        base=base,
        quote=quote,
        side=side_of(row.get("side")),
        price=decimal_of(row.get("price"), what="The price"),
        amount=amount,
        cost=cost,
        fee=fee,
        fee_currency=fee_currency,
    )


def parse_spot_trades_with_assets(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """Date(UTC), Pair, Base Asset, Quote Asset, Type, Price, Amount, Total, Fee, Fee Coin."""
    executed_at = _time(row, zone, "date(utc)")
    base, quote = first_cell(row, "base asset").upper(), first_cell(row, "quote asset").upper()
    if not (base and quote):
        base, quote = split_pair(row.get("pair"))
    fee = optional_decimal(row.get("fee"), what="The fee")
    return _spot(
        executed_at=executed_at,
        base=base,
        quote=quote,
        side=side_of(row.get("type")),
        price=decimal_of(row.get("price"), what="The price"),
        amount=decimal_of(row.get("amount"), what="The amount"),
        cost=decimal_of(row.get("total"), what="The total"),
        fee=fee,
        fee_currency=first_cell(row, "fee coin").upper(),
    )


def parse_spot_trades_legacy(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """Date(UTC), Market, Type, Price, Amount, Total, Fee, Fee Coin: the older export."""
    executed_at = _time(row, zone, "date(utc)")
    base, quote = split_pair(row.get("market"))
    fee = optional_decimal(row.get("fee"), what="The fee")
    return _spot(
        executed_at=executed_at,
        base=base,
        quote=quote,
        side=side_of(row.get("type")),
        price=decimal_of(row.get("price"), what="The price"),
        amount=decimal_of(row.get("amount"), what="The amount"),
        cost=decimal_of(row.get("total"), what="The total"),
        fee=fee,
        fee_currency=first_cell(row, "fee coin").upper(),
    )


def _usdm_market(text: str) -> tuple[str, str, str, str]:
    """(unified symbol, market type, base, quote) of "BTCUSDT" or the quarterly "BTCUSDT_240628"."""
    raw = text.strip().upper()
    match = re.fullmatch(r"([A-Z0-9]+?)(USDT|USDC|BUSD)(?:_(\d{6}))?", raw)
    if match is None:
        if re.fullmatch(r"[A-Z0-9]+USD_(PERP|\d{6})", raw):
            # COIN-M quantities are contracts of a fixed USD value the export does not state.
            raise RowError(
                f"“{raw}” is a COIN-M contract; only USDⓈ-M futures are read from this export."
            )
        raise RowError(f"The symbol “{text.strip()}” is not a USDⓈ-M futures market we know.")
    base, quote, expiry = match.groups()
    if expiry:
        return f"{base}/{quote}:{quote}-{expiry}", "future", base, quote
    return f"{base}/{quote}:{quote}", "swap", base, quote


def parse_usdm_futures_trades(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One USDⓈ-M fill: Quantity in the base asset, Amount its value in the quote asset.

    A fee written without a unit is in the margin asset (the quote), as USDⓈ-M fees are unless
    paid in BNB, which the export then names.
    """
    executed_at = _time(row, zone, "date(utc)", "time")
    symbol, market_type, base, quote = _usdm_market(first_cell(row, "symbol", "pair"))
    amount = decimal_of(row.get("quantity"), what="The quantity")
    if amount == 0:
        raise RowError("The quantity is zero.")
    fee, fee_currency = _fee(first_cell(row, "fee"), quote, "BNB", base)
    return ParsedTrade(
        executed_at=executed_at,
        symbol=symbol,
        market_type=market_type,
        base=base,
        quote=quote,
        settle=quote,
        side=side_of(row.get("side")),
        price=decimal_of(row.get("price"), what="The price"),
        amount=amount,
        cost=decimal_of(row.get("amount"), what="The amount"),
        fee=fee,
        fee_currency=(fee_currency or quote) if fee is not None else "",
        trade_id=first_cell(row, "trade id"),
        order_id=first_cell(row, "order id"),
        realized_pnl=optional_decimal(
            row.get("realized profit"), what="The realized profit", allow_negative=True
        ),
    )


# Transaction History operations, as Binance names them (BittyTax's and CoinTax's importers list
# those seen in real files), compared in lower case.
DEPOSITS = ("deposit", "fiat deposit")
WITHDRAWALS = ("withdraw", "withdrawal", "fiat withdraw", "fiat withdrawal", "send")
REWARDS = (
    "simple earn flexible interest", "simple earn locked rewards", "savings interest",
    "savings distribution", "pos savings interest", "staking rewards",
    "eth 2.0 staking rewards", "bnb vault rewards", "launchpool interest",
    "liquid swap rewards", "swap farming rewards", "referral commission", "referral kickback",
    "commission history", "commission rebate", "commission fee shared with you",
    "referrer rebates", "referee rebates", "cashback voucher", "card cashback",
    "binance card cashback",
)  # fmt: skip
AIRDROPS = (
    "distribution", "airdrop assets", "hodler airdrops distribution", "launchpool airdrop",
    "megadrop rewards", "simple earn flexible airdrop", "campaign related reward",
    "cash voucher distribution",
)  # fmt: skip
LEDGER_KINDS = {
    **dict.fromkeys(DEPOSITS, "deposit"),
    **dict.fromkeys(WITHDRAWALS, "withdrawal"),
    **dict.fromkeys(REWARDS, "reward"),
    **dict.fromkeys(AIRDROPS, "airdrop"),
    "funding fee": "funding",
}
# Lines that are one leg of a trade (spot or futures) the trade-history exports carry whole,
# with the price this ledger lacks.
TRADE_LEGS = {
    "buy", "sell", "fee", "transaction buy", "transaction spend", "transaction sold",
    "transaction revenue", "transaction fee", "transaction related",
    "realized profit and loss", "realize profit and loss",
}  # fmt: skip
# Conversions no export of ours reads: refused with a sentence rather than silently lost.
CONVERSIONS = {
    "binance convert", "small assets exchange bnb", "bnb fee deduction", "large otc trading",
    "stablecoins auto-conversion",
}  # fmt: skip
# Moves between one's own Binance wallets (the other side is usually the next line).
TRANSFERS = {
    "transfer_in", "transfer_out", "simple earn flexible subscription",
    "simple earn flexible redemption", "simple earn locked subscription",
    "simple earn locked redemption", "staking purchase", "staking redemption",
    "pos savings purchase", "pos savings redemption", "savings purchase",
    "savings principal redemption", "launchpool subscription/redemption",
}  # fmt: skip


def parse_transaction_history(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One balance change: deposits, withdrawals (Change includes the network fee), earn and
    staking rewards, referral commissions, airdrops and distributions, futures funding fees,
    and moves between one's own wallets become ledger entries.

    Buy, Sell, Fee and "Transaction …" lines, and futures fees and realized profit, are legs of
    trades the trade-history exports carry whole with their price: they return None (import
    those exports for the trades). Conversions (Binance Convert, small assets to BNB) are
    refused with a sentence, as no export we read carries them as trades.
    """
    occurred_at = _time(row, zone, "utc_time", "time")
    operation = first_cell(row, "operation")
    key = re.sub(r"\s+", " ", operation.lower())
    if key in TRADE_LEGS:
        return None
    if key in CONVERSIONS:
        raise RowError(
            f"“{operation}” is one half of a conversion; add the conversion as a trade with "
            "the Thrive template."
        )
    if key in TRANSFERS or key.startswith("transfer between"):
        kind = "transfer"
    elif key in LEDGER_KINDS:
        kind = LEDGER_KINDS[key]
    else:
        raise RowError(f"The operation “{operation}” is not one we know how to import.")
    asset = first_cell(row, "coin").upper()
    if not asset:
        raise RowError("The coin is missing.")
    amount = decimal_of(row.get("change"), what="The change", allow_negative=True)
    if amount == 0:
        raise RowError("The change is zero.")
    if kind == "deposit" and amount < 0:
        raise RowError(f"A deposit cannot take coins out of the account (change {amount}).")
    if kind == "withdrawal" and amount > 0:
        raise RowError(f"A withdrawal cannot bring coins in (change {amount}).")
    remark = first_cell(row, "remark")
    return ParsedEntry(
        kind=kind,
        asset=asset,
        amount=amount,
        occurred_at=occurred_at,
        note=f"{operation}: {remark}" if remark else operation,
    )


SPOT_WITH_ASSETS_COLUMNS = (
    "Date(UTC)", "Pair", "Base Asset", "Quote Asset", "Type", "Price", "Amount", "Total", "Fee",
    "Fee Coin",
)  # fmt: skip
FUTURES_LOCAL_TIME_COLUMNS = (
    "Time", "Symbol", "Side", "Price", "Quantity", "Amount", "Fee", "Realized Profit",
    "Trade ID", "Order ID",
)  # fmt: skip

FORMATS = (
    # Orders → Trade History → Export. No Binance help page lists the columns; BittyTax's wiki
    # documents the export and its parser reads this header.
    CsvFormat(
        key="binance-spot-trade-history",
        exchange="binance",
        title="Binance · Spot trade history",
        source=BITTYTAX_WIKI,
        columns=("Date(UTC)", "Pair", "Side", "Price", "Executed", "Amount", "Fee"),
        parse=parse_spot_trades,
        has_trade_ids=False,
    ),
    # The same export downloaded from the trade history screen in later years: "Time" is in the
    # zone chosen at export, which only the file name states ("…(UTC+9).csv"). Documented by
    # CoinTax's importer notes (§2.9), not by a Binance help page.
    CsvFormat(
        key="binance-spot-trade-history-local-time",
        exchange="binance",
        title="Binance · Spot trade history (times in your zone)",
        source=COINTAX_SPOT,
        columns=("Time", "Pair", "Side", "Price", "Executed", "Amount", "Fee"),
        parse=parse_spot_trades,
        local_times=True,
        has_trade_ids=False,
    ),
    # Report center export with separate base and quote asset columns (CoinTax's importer notes,
    # §1; no Binance help page lists it).
    CsvFormat(
        key="binance-spot-trade-history-assets",
        exchange="binance",
        title="Binance · Spot trade history (report center)",
        source=COINTAX_SPOT,
        columns=SPOT_WITH_ASSETS_COLUMNS,
        parse=parse_spot_trades_with_assets,
        has_trade_ids=False,
    ),
    # The older trade history export (BittyTax's wiki and parser; everytrade's sample of it is
    # from 2020).
    CsvFormat(
        key="binance-spot-trade-history-legacy",
        exchange="binance",
        title="Binance · Spot trade history (older export)",
        source=BITTYTAX_WIKI,
        columns=("Date(UTC)", "Market", "Type", "Price", "Amount", "Total", "Fee", "Fee Coin"),
        parse=parse_spot_trades_legacy,
        has_trade_ids=False,
    ),
    # USDⓈ-M futures trade history with Realized Profit, UTC. The instrument column is "Symbol"
    # or "Pair" depending on the year; crypto-rate-converter's README documents the header (no
    # Binance help page lists it).
    CsvFormat(
        key="binance-usdm-futures-trade-history",
        exchange="binance",
        title="Binance · USDⓈ-M futures trade history",
        source=FUTURES_TRADES,
        columns=("Date(UTC)", "Side", "Price", "Quantity", "Amount", "Fee", "Realized Profit"),
        parse=parse_usdm_futures_trades,
        has_trade_ids=False,
    ),
    # The current USDⓈ-M futures export: fill and order ids, times in the zone chosen at export
    # (the file name says "(UTC+3)"), dates with two-digit years. Documented by
    # soldier-trades-tracker's importer; no Binance help page lists it.
    CsvFormat(
        key="binance-usdm-futures-trade-history-local-time",
        exchange="binance",
        title="Binance · USDⓈ-M futures trade history (times in your zone)",
        source=FUTURES_TRADES_LOCAL,
        columns=FUTURES_LOCAL_TIME_COLUMNS,
        parse=parse_usdm_futures_trades,
        local_times=True,
    ),
    # Wallet → Transaction History → "Generate all statements" (BittyTax's wiki; the optional
    # User_ID column comes first).
    CsvFormat(
        key="binance-transaction-history",
        exchange="binance",
        title="Binance · Transaction history (all statements)",
        source=BITTYTAX_WIKI,
        columns=("UTC_Time", "Account", "Operation", "Coin", "Change", "Remark"),
        parse=parse_transaction_history,
        has_trade_ids=False,
    ),
    # The same ledger as exported now: "User ID,Time,…", times in the zone the file name states
    # (CoinTax's importer notes, from a 2026 file; no Binance help page lists the columns).
    CsvFormat(
        key="binance-transaction-history-local-time",
        exchange="binance",
        title="Binance · Transaction history (times in your zone)",
        source=COINTAX_LEDGER,
        columns=("Time", "Account", "Operation", "Coin", "Change", "Remark"),
        parse=parse_transaction_history,
        local_times=True,
        has_trade_ids=False,
    ),
)

"""What one exchange's CSV export looks like, and the rows we read out of it.

A format is a header it can be told by and a function from one row to a `ParsedTrade`, a
`ParsedEntry`, or None for a row that is not ours to import (a deposit line in a trade
export…). The row is a dict of column → text, the columns as `normalize_column` spells them
(lower case, single spaces, no byte-order mark). A row that cannot be read raises `RowError`
with a sentence for the person. Formats never touch the database: `journal.csv_import`
detects, previews and imports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo


class RowError(Exception):
    """This row cannot be imported; the message says why, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedTrade:
    executed_at: datetime  # aware, UTC
    symbol: str  # unified: "BTC/USDT", "BTC/USDT:USDT" (perpetual), "BTC/USD:BTC" (inverse)
    market_type: str  # spot, margin, swap, future, option
    base: str
    quote: str
    settle: str
    side: str  # buy or sell
    price: Decimal
    amount: Decimal  # in base units (contracts times contract size for derivatives)
    cost: Decimal  # in quote units
    fee: Decimal | None
    fee_currency: str
    trade_id: str  # the exchange's own fill id, "" where the export has none
    order_id: str = ""
    realized_pnl: Decimal | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    kind: str  # journal.models.LedgerEntry.Kind value
    asset: str
    amount: Decimal  # signed as it moves the account
    occurred_at: datetime  # aware, UTC
    external_id: str = ""
    fee: Decimal | None = None
    fee_currency: str = ""
    note: str = ""


# A row is one trade or entry, nothing, or several (a closed position is its opening and its
# closing fill).
Parsed = ParsedTrade | ParsedEntry | tuple[ParsedTrade | ParsedEntry, ...] | None
RowParser = Callable[[Mapping[str, str], ZoneInfo], Parsed]


@dataclass(frozen=True)
class CsvFormat:
    key: str  # stable, e.g. "binance-spot-trade-history"
    exchange: str  # our exchange id
    title: str  # what the person sees: "Binance · Spot trade history"
    source: str  # where the columns are documented (the exchange's help page)
    columns: tuple[str, ...]  # the header that identifies the format, as the file spells it
    parse: RowParser
    # Whether the file's times carry no zone of their own, so the person's choice applies.
    local_times: bool = False
    has_trade_ids: bool = True

    def matches(self, header: set[str]) -> bool:
        return {normalize_column(c) for c in self.columns} <= header


def normalize_column(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().lower())


# -- small readers every format needs ---------------------------------------------------------


_NUMBER = re.compile(r"([-+]?[\d,]*\.?\d*(?:[eE][-+]?\d+)?)\s*[A-Za-z]*")


def decimal_of(text: str | None, *, what: str, allow_negative: bool = False) -> Decimal:
    """A number as the exchanges write them: "1,234.5", "0.1 BTC", "-3e-8". Raises RowError."""
    raw = (text or "").strip()
    if not raw:
        raise RowError(f"{what} is missing.")
    try:
        value = Decimal(raw)  # most cells are plain numbers: no pattern needed
    except InvalidOperation:
        match = _NUMBER.fullmatch(raw)
        try:
            value = Decimal(match.group(1).replace(",", "") if match else "")
        except InvalidOperation:
            raise RowError(f"{what} “{raw}” is not a number.") from None
    if not value.is_finite():
        raise RowError(f"{what} “{raw}” is not a number.")
    if value < 0 and not allow_negative:
        raise RowError(f"{what} is negative ({raw}).")
    return value


def optional_decimal(
    text: str | None, *, what: str, allow_negative: bool = False
) -> Decimal | None:
    if not (text or "").strip() or (text or "").strip() in {"-", "--"}:
        return None
    return decimal_of(text, what=what, allow_negative=allow_negative)


def amount_and_unit(text: str | None, *, what: str) -> tuple[Decimal, str]:
    """ "0.0123BTC" or "12.5 USDT" → (Decimal, "BTC"); the unit may be missing ("")."""
    raw = (text or "").strip()
    match = re.fullmatch(r"(-?[\d.,]+(?:[eE][-+]?\d+)?)\s*([A-Za-z0-9]*)", raw)
    if not match:
        raise RowError(f"{what} “{raw}” is not an amount.")
    return decimal_of(match.group(1), what=what, allow_negative=True), match.group(2).upper()


def time_of(text: str | None, zone: ZoneInfo, *, formats: tuple[str, ...] = ()) -> datetime:
    """A time as the exports write it; one without a zone is read in `zone`. Raises RowError.

    Tries ISO 8601 first, then each of `formats` (strptime), then Unix seconds/milliseconds.
    """
    raw = (text or "").strip()
    if not raw:
        raise RowError("The date is missing.")
    parsed: datetime | None = None
    candidate = raw.replace("Z", "+00:00").replace(" UTC", "+00:00").replace("UTC", "+00:00")
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        for pattern in formats:
            try:
                parsed = datetime.strptime(raw, pattern)
                break
            except ValueError:
                continue
    if parsed is None and re.fullmatch(r"\d{10}(\.\d+)?|\d{13}", raw):
        seconds = float(raw) / (1000 if len(raw) == 13 else 1)
        parsed = datetime.fromtimestamp(seconds, tz=UTC)
    if parsed is None:
        raise RowError(f"The date “{raw}” is not one we can read.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def side_of(text: str | None) -> str:
    side = (text or "").strip().lower()
    if side in {"buy", "b", "bid", "long", "open long", "close short"}:
        return "buy"
    if side in {"sell", "s", "ask", "short", "open short", "close long"}:
        return "sell"
    raise RowError(f"The side “{(text or '').strip()}” is neither buy nor sell.")


# Quote currencies, longest first, for exports that write pairs without a separator ("BTCUSDT").
QUOTES = (
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDE", "DAI", "EUR", "USD", "GBP", "TRY", "BRL",
    "AUD", "JPY", "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "SOL",
)  # fmt: skip


def split_pair(text: str | None) -> tuple[str, str]:
    """("BTC", "USDT") from "BTC/USDT", "BTC-USDT", "BTC_USDT", "btcusdt". Raises RowError."""
    raw = (text or "").strip().upper()
    parts = re.split(r"[/\-_ ]", raw)
    if len(parts) == 2 and all(re.fullmatch(r"[A-Z0-9]{1,20}", p) for p in parts):
        return parts[0], parts[1]
    if re.fullmatch(r"[A-Z0-9]{2,30}", raw):
        for quote in sorted(QUOTES, key=len, reverse=True):
            if raw.endswith(quote) and len(raw) > len(quote):
                return raw[: -len(quote)], quote
    raise RowError(f"The symbol “{(text or '').strip()}” is not a market we know.")


def first_cell(row: Mapping[str, str], *names: str) -> str:
    """The first of `names` the row has a value for: exports rename columns over the years."""
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return ""


def zoned_cell(row: Mapping[str, str], label: str) -> tuple[str, tzinfo]:
    """The cell under `<label>(UTC±hh:mm)` and the zone that header names.

    Exports whose time column says its own offset are read in that offset, whatever the person
    chose: the header is the exchange telling us.
    """
    wanted = normalize_column(label)
    pattern = re.compile(
        rf"{re.escape(wanted)}\s*\(\s*utc\s*(?:([+-])\s*(\d{{1,2}})(?::?(\d{{2}}))?)?\s*\)"
    )
    for column, value in row.items():
        match = pattern.fullmatch(column)
        if match:
            sign, hours, minutes = match.groups()
            offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
            return value, timezone(-offset if sign == "-" else offset)
    raise RowError(f"The file has no “{label}(UTC…)” column, so its times cannot be placed.")

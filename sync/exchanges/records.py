"""What adapters hand to the sync engine: our own records, Decimal and UTC, nothing of ccxt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .capabilities import Part


def to_decimal(value: Any) -> Decimal | None:
    """Exact Decimal from what ccxt or an exchange gives (Decimal, str or int); never a float."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Floats only reach here from a ccxt code path that ignores `number`; repr is exact
        # to what the exchange sent for the short decimals exchanges use.
        return Decimal(repr(value))
    return Decimal(str(value))


def from_millis(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


@dataclass(frozen=True)
class TradeRecord:
    account: str
    market_type: str
    symbol: str
    base: str
    quote: str
    settle: str
    side: str
    price: Decimal
    amount: Decimal
    cost: Decimal
    fee: Decimal | None
    fee_currency: str
    executed_at: datetime
    trade_id: str
    order_id: str
    taker_or_maker: str
    realized_pnl: Decimal | None = None


@dataclass(frozen=True)
class TradePage:
    """One page of one stream and the cursor that resumes right after it."""

    trades: list[TradeRecord]
    cursor: dict[str, Any]


@dataclass(frozen=True)
class BalanceRecord:
    account_type: str
    asset: str
    total: Decimal
    free: Decimal | None = None
    used: Decimal | None = None
    account: str = "main"


@dataclass(frozen=True)
class PriceRecord:
    """An asset's last price from one of the exchange's public spot tickers."""

    asset: str  # "BTC"
    quote: str  # "USDT", "USD", "USDC"…
    price: Decimal
    symbol: str  # the market it was read from: "BTC/USDT"
    change_24h_pct: Decimal | None = None


@dataclass(frozen=True)
class PositionRecord:
    market_type: str
    symbol: str
    side: str
    contracts: Decimal
    entry_price: Decimal | None = None
    mark_price: Decimal | None = None
    unrealized_pnl: Decimal | None = None
    leverage: Decimal | None = None
    liquidation_price: Decimal | None = None
    contract_size: Decimal | None = None
    notional: Decimal | None = None
    margin_mode: str = ""
    account: str = "main"


@dataclass(frozen=True)
class Stream:
    """A stream of trades the adapter walks with its own cursor, e.g. "spot:BTC/USDT".

    `reach_days` is how far back the exchange's API lets it go (None: 12 months or more).
    `part` names the optional part of the account it belongs to (None: the core, spot).
    """

    name: str
    reach_days: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    part: Part | None = None


class KnownStreams(set[str]):
    """The streams a connection already has a cursor for, and how far each of its searches
    for new streams has completed.

    An adapter that discovers streams by searching a history (Binance's income) reads
    `searched_through(search)` to decide how far back to look, and calls
    `mark_searched(search, through_ms)` once a search finished; the engine stores the marks
    with the streams found, so an interrupted first import searches the whole reach again.
    """

    def __init__(self, names: Iterable[str] = (), searched: Mapping[str, int] | None = None):
        super().__init__(names)
        self.searched = dict(searched or {})
        self.marks: dict[str, int] = {}

    def searched_through(self, search: str) -> int | None:
        return self.searched.get(search)

    def mark_searched(self, search: str, through_ms: int) -> None:
        self.marks[search] = through_ms


def balance_records(account_type: str, balance: dict[str, Any]) -> list[BalanceRecord]:
    """Our records of one ccxt `fetch_balance` answer: every asset that holds anything."""
    return [
        BalanceRecord(
            account_type=account_type,
            asset=asset,
            total=to_decimal(total),
            free=to_decimal(balance["free"].get(asset)),
            used=to_decimal(balance["used"].get(asset)),
        )
        for asset, total in balance["total"].items()
        if total
    ]

"""An account's spot trades as Kraken keeps them: every pair in one list, margin trades marked.

Kraken margin trading happens on the spot pairs themselves: an order placed with leverage opens
a position (its trades carry ``margin``, ``leverage`` and, once the history is final,
``posstatus``), and later leveraged orders on the other side close it (``misc: closing``).
Which generated orders were leveraged is a pure function of the order id, so the same seed
always yields the same positions; whatever is still open shows in ``OpenPositions``.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sync.simulator.accounts import Account
from sync.simulator.exchanges.kraken.catalog import PAIR_BY_SYMBOL, SPOT_PAIRS
from sync.simulator.exchanges.kraken.common import txid
from sync.simulator.trades import Fill

_MARKET_INDEX = {pair.instrument.symbol: index for index, pair in enumerate(SPOT_PAIRS)}
# position ids and the internal ``postxid`` of plain trades live in their own id ranges
POSITION_OFFSET = 64
POSTXID_OFFSET = 128
_ZERO = Decimal(0)
_EIGHT = Decimal("1E-8")


def market_index(symbol: str) -> int:
    return _MARKET_INDEX[symbol]


def is_leveraged(order_id: int) -> bool:
    """About one order in six was placed with leverage."""
    return (order_id * 2654435761) % 6 == 0


def leverage_of(order_id: int, allowed: tuple[int, ...]) -> int:
    return allowed[(order_id // 7) % len(allowed)]


@dataclass
class Position:
    """A margin position opened by one trade, as Kraken tracks it (by the opening trade)."""

    id: str
    fill: Fill
    volume: Decimal  # what the trade opened: all of it, or what a reversal left over
    leverage: int
    closed: Decimal = _ZERO
    closing_cost: Decimal = _ZERO
    closing_trades: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.volume - self.closed

    @property
    def cost(self) -> Decimal:
        return self.volume * self.fill.price

    @property
    def fee(self) -> Decimal:
        share = self.fill.fee * self.volume / self.fill.amount
        return share.quantize(_EIGHT, rounding=ROUND_HALF_UP)

    @property
    def margin(self) -> Decimal:
        return (self.cost / self.leverage).quantize(_EIGHT, rounding=ROUND_HALF_UP)

    @property
    def status(self) -> str:
        return "closed" if self.remaining == 0 else "open"

    @property
    def long(self) -> bool:
        return self.fill.side == "buy"

    def realized(self) -> Decimal:
        """Profit of the closed part, before fees (quote currency)."""
        opening = self.fill.price * self.closed
        return self.closing_cost - opening if self.long else opening - self.closing_cost


@dataclass(frozen=True)
class Row:
    """One trade of ``TradesHistory``: a fill, or the taker fills of one order merged."""

    txid: str
    fills: tuple[Fill, ...]
    leverage: int | None
    position: Position | None  # set on the trade that opened it
    closing: bool

    @property
    def first(self) -> Fill:
        return self.fills[0]

    @property
    def timestamp(self) -> int:
        return self.first.timestamp

    @property
    def amount(self) -> Decimal:
        return sum((fill.amount for fill in self.fills), _ZERO)

    @property
    def cost(self) -> Decimal:
        return sum((fill.cost for fill in self.fills), _ZERO)

    @property
    def fee(self) -> Decimal:
        return sum((fill.fee for fill in self.fills), _ZERO)

    @property
    def price(self) -> Decimal:
        if len(self.fills) == 1:
            return self.first.price
        decimals = self.first.instrument.price_decimals
        return (self.cost / self.amount).quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
        )

    def kind_matches(self, kind: str) -> bool:
        """Kraken's ``type`` filter of TradesHistory."""
        leveraged = self.leverage is not None
        if kind == "any position":
            return leveraged
        if kind == "closed position":
            return self.position is not None and self.position.status == "closed"
        if kind == "closing position":
            return self.closing
        if kind == "no position":
            return not leveraged
        return True


class View:
    """Rows oldest first, with their timestamps for windows and their txids for cursors."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.timestamps = [row.timestamp for row in rows]
        self.index_of = {row.txid: index for index, row in enumerate(rows)}

    def after_time(self, timestamp_ms: int) -> int:
        return bisect_right(self.timestamps, timestamp_ms)


class SpotBook:
    """Built once per account from its generated fills; read-only afterwards."""

    def __init__(self, account: Account) -> None:
        fills = account.fills()
        self.positions: list[Position] = []
        # An account that never opened margin trading places no leveraged orders.
        self.margin = account.has("margin")
        singles = list(self._mark(fills))
        self._views: dict[tuple[bool, str], View] = {(False, "all"): View(singles)}
        self._lock = threading.Lock()

    def _mark(self, fills: list[Fill]) -> Iterator[Row]:
        open_lots: dict[str, deque[Position]] = {}
        for fill in fills:
            index = market_index(fill.instrument.symbol)
            trade_txid = txid("T", index, fill.id)
            pair = PAIR_BY_SYMBOL[fill.instrument.symbol]
            if not (self.margin and pair.leverage and is_leveraged(fill.order_id)):
                yield Row(trade_txid, (fill,), None, None, False)
                continue
            leverage = leverage_of(fill.order_id, pair.leverage)
            lots = open_lots.setdefault(fill.instrument.symbol, deque())
            left = fill.amount
            closing = bool(lots) and lots[0].long != (fill.side == "buy")
            while closing and left > 0 and lots:
                lot = lots[0]
                taken = min(left, lot.remaining)
                lot.closed += taken
                lot.closing_cost += taken * fill.price
                lot.closing_trades.append(trade_txid)
                left -= taken
                if lot.remaining == 0:
                    lots.popleft()
            position = None
            if left > 0:
                # what a closing trade does not absorb opens a position the other way
                position = Position(
                    txid("T", index + POSITION_OFFSET, fill.id), fill, left, leverage
                )
                lots.append(position)
                self.positions.append(position)
            yield Row(trade_txid, (fill,), leverage, position, closing)

    def view(self, consolidate_taker: bool, kind: str) -> View:
        key = (consolidate_taker, kind)
        with self._lock:
            view = self._views.get(key)
            if view is None:
                rows = self._views[(False, "all")].rows
                if consolidate_taker:
                    rows = _consolidated(rows)
                view = View([row for row in rows if row.kind_matches(kind)])
                self._views[key] = view
            return view

    def open_positions(self) -> list[Position]:
        return [position for position in self.positions if position.status == "open"]


def _consolidated(rows: list[Row]) -> list[Row]:
    """Kraken merges the fills of one taker order into one trade unless told otherwise."""
    merged: list[Row] = []
    for row in rows:
        fill = row.first
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not fill.maker
            and not previous.first.maker
            and previous.first.order_id == fill.order_id
            and previous.first.instrument is fill.instrument
        ):
            merged[-1] = Row(
                previous.txid,
                (*previous.fills, fill),
                previous.leverage,
                previous.position or row.position,
                previous.closing or row.closing,
            )
        else:
            merged.append(row)
    return merged


_BOOKS: weakref.WeakKeyDictionary[Account, tuple[int, SpotBook]] = weakref.WeakKeyDictionary()
_BOOKS_LOCK = threading.Lock()


def book_of(account: Account) -> SpotBook:
    """The account's book, built on first use and again after fills were appended."""
    with _BOOKS_LOCK:
        kept = _BOOKS.get(account)
        if kept is None or kept[0] != account.appended:
            kept = (account.appended, SpotBook(account))
            _BOOKS[account] = kept
        return kept[1]

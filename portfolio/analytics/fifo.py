"""Realized profit and loss of spot trades, first in first out.

Pure Python over plain rows (no database): `selectors.py` feeds it, `figures.py` reads it.

Per exchange account and asset — (exchange, account_ref, account, base), and within one quote
currency group (see `quote_group`) because a profit is only a number in one currency — buys
open lots and sells consume them, oldest first:

- a fee in the base currency makes the lot smaller (a buy) or the quantity sold larger (a sell);
- a fee in the quote currency adds to a buy's cost or comes off a sell's proceeds;
- a fee in a third currency (BNB on BTC/USDT) is converted into the quote at the trade's time
  with the price of the journal's last spot trade of that market (BNB/USDT, or BNB/USDC within
  the US-dollar group, or the inverse market) before it, at most CONVERSION_WINDOW earlier, or
  for a quote outside the dollar group through dollars (BNB/USDT over BTC/USDT for ETH/BTC);
  failing that, with the latest US-dollar price we hold (AssetPrice, not of that time);
  failing both the fee is left out and counted. Only earlier trades count: the price is the
  last one seen while reading in time order (no second read), and a trade that arrives later
  changes no conversion made before it unless it is older (see `Fifo.in_order`).

A sell finding no lot (its lots were bought before the journal's first trade of the account)
has unmatched proceeds: they are counted and summed, never called profit.

The state is kept between requests (cached by `selectors.py`): `apply` takes rows in time
order per key and may be called again with later rows of a key, which is how new trades are
added without reading the history again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import NamedTuple

USD_LIKE = frozenset({"USD", "USDT", "USDC"})
USD_GROUP = "USD"
ZERO = Decimal(0)
# Times are whole microseconds since 1970-01-01 UTC: PostgreSQL hands them over as integers
# many times faster than as datetimes, and they compare and subtract as fast as anything.
MICROSECOND = timedelta(microseconds=1)
DAY = 86_400_000_000
CONVERSION_WINDOW = 7 * DAY
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def moment(at: int) -> datetime:
    return EPOCH + at * MICROSECOND


def quote_group(currency: str) -> str:
    """US dollars and the two large dollar stablecoins count as one currency; others apart."""
    return USD_GROUP if currency.upper() in USD_LIKE else currency.upper()


class SpotRow(NamedTuple):
    id: int
    at: int  # executed_at in microseconds (see `micros`)
    exchange: str
    account_ref: str
    account: str
    symbol: str
    base: str
    quote: str
    side: str
    amount: Decimal
    cost: Decimal
    fee: Decimal | None
    fee_currency: str


Key = tuple[str, str, str, str, str]  # exchange, account_ref, account, base, quote group


def key_of(row: SpotRow) -> Key:
    return _key(row.exchange, row.account_ref, row.account, row.base, row.quote)


@dataclass
class Day:
    """One day's realized figures in one currency group; adds up across days (`merge`)."""

    pnl: Decimal = ZERO
    closes: int = 0  # sells that consumed at least one lot
    wins: int = 0
    losses: int = 0
    win_sum: Decimal = ZERO
    loss_sum: Decimal = ZERO
    best: Decimal | None = None
    worst: Decimal | None = None
    unmatched_sells: int = 0  # sells that found no lot for some or all of their quantity
    unmatched_proceeds: Decimal = ZERO

    def close(self, pnl: Decimal) -> None:
        self.pnl += pnl
        self.closes += 1
        if pnl > 0:
            self.wins += 1
            self.win_sum += pnl
        elif pnl < 0:
            self.losses += 1
            self.loss_sum += pnl
        self.best = pnl if self.best is None else max(self.best, pnl)
        self.worst = pnl if self.worst is None else min(self.worst, pnl)

    def merge(self, other: Day) -> None:
        self.pnl += other.pnl
        self.closes += other.closes
        self.wins += other.wins
        self.losses += other.losses
        self.win_sum += other.win_sum
        self.loss_sum += other.loss_sum
        self.best = _pick(max, self.best, other.best)
        self.worst = _pick(min, self.worst, other.worst)
        self.unmatched_sells += other.unmatched_sells
        self.unmatched_proceeds += other.unmatched_proceeds


def _pick(choose: Callable, a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return b if a is None else a if b is None else choose(a, b)


@dataclass
class FeeNotes:
    """What happened to fees in a third currency, per day (the page sums its range)."""

    by_trade: dict[date, int] = field(default_factory=dict)  # converted with a trade's price
    by_latest_price: dict[date, int] = field(default_factory=dict)  # with AssetPrice
    left_out: dict[date, dict[str, int]] = field(default_factory=dict)  # currency → count


@dataclass
class KeyState:
    lots: deque[list[Decimal]] = field(default_factory=deque)  # [quantity, cost] oldest first
    last: tuple[int, int] | None = None  # (at, id) of the key's latest trade


@lru_cache(maxsize=4096)
def conversion_markets(asset: str, quote: str) -> tuple[str, ...]:
    """The spot markets whose price converts `asset` into `quote`, best first: the quote's
    own market, the other dollar stablecoins' within the dollar group, then the inverses."""
    quote = quote.upper()
    quotes = [quote, *sorted(USD_LIKE - {quote})] if quote in USD_LIKE else [quote]
    return tuple(market for q in quotes for market in (f"{asset}/{q}", f"{q}/{asset}"))


@lru_cache(maxsize=4096)
def _key(exchange: str, account_ref: str, account: str, base: str, quote: str) -> Key:
    return (exchange, account_ref, account, base.upper(), quote_group(quote))


BASE_FEE, QUOTE_FEE, THIRD_FEE = 1, 2, 3


@lru_cache(maxsize=4096)
def _fee_kind(currency: str, base: str, quote: str) -> int:
    currency = currency.upper()
    if currency == base.upper():
        return BASE_FEE
    if currency and quote_group(currency) == quote_group(quote):
        return QUOTE_FEE
    return THIRD_FEE


@dataclass
class Fifo:
    keys: dict[Key, KeyState] = field(default_factory=dict)
    days: dict[tuple[date, str], Day] = field(default_factory=dict)  # (day, quote group)
    fees: FeeNotes = field(default_factory=FeeNotes)
    # Markets looked at to price a fee, with the latest moment looked at: a new trade of one
    # of them at or before that moment could change a conversion already made.
    conversion_markets: dict[str, int] = field(default_factory=dict)
    # Each spot market's last trade read: (at, cost, amount), its price when a fee needs it.
    last_trades: dict[str, tuple[int, Decimal, Decimal]] = field(default_factory=dict)
    first: int | None = None  # the oldest spot trade read: where coverage starts

    def in_order(self, rows: Iterable[SpotRow]) -> bool:
        """Whether rows can follow the state: each after its key's last trade, and none a
        trade of a market that priced a fee at or after its time."""
        for row in rows:
            looked = self.conversion_markets.get(row.symbol)
            if looked is not None and row.at <= looked:
                return False
            state = self.keys.get(key_of(row))
            if state and state.last and (row.at, row.id) <= state.last:
                return False
        return True

    def apply(self, rows: Iterable[SpotRow], latest_usd: Callable[[str], Decimal | None]) -> None:
        """Add rows, in (at, id) order, to the lots and the realized figures.

        One plain loop with its names held locally: it runs once per spot trade, a million
        times on a large journal, and attribute lookups were a third of its time.
        """
        keys, days, last_trades, consume = self.keys, self.days, self.last_trades, _consume
        with localcontext() as context:
            context.prec = 40  # amounts have up to 36 digits; products need room
            for row in rows:
                key = _key(row.exchange, row.account_ref, row.account, row.base, row.quote)
                state = keys.get(key)
                if state is None:
                    state = keys[key] = KeyState()
                at = row.at
                state.last = (at, row.id)
                if self.first is None or at < self.first:
                    self.first = at
                base_fee = quote_fee = ZERO
                if row.fee:
                    kind = _fee_kind(row.fee_currency, row.base, row.quote)
                    if kind == BASE_FEE:
                        base_fee = row.fee
                    elif kind == QUOTE_FEE:
                        quote_fee = row.fee
                    else:
                        quote_fee = self._converted(row, latest_usd)
                last_trades[row.symbol] = (at, row.cost, row.amount)
                if row.side == "buy":
                    quantity = row.amount - base_fee
                    if quantity > 0:
                        state.lots.append([quantity, row.cost + quote_fee])
                    continue
                wanted = row.amount + base_fee
                if wanted <= 0:
                    continue
                proceeds = row.cost - quote_fee
                matched, matched_cost = consume(state.lots, wanted)
                day = (_day(at), key[4])
                figures = days.get(day)
                if figures is None:
                    figures = days[day] = Day()
                if matched > 0:
                    figures.close(proceeds * matched / wanted - matched_cost)
                if matched < wanted:
                    figures.unmatched_sells += 1
                    figures.unmatched_proceeds += proceeds * (wanted - matched) / wanted

    def _converted(self, row: SpotRow, latest_usd: Callable[[str], Decimal | None]) -> Decimal:
        """A third-currency fee in the quote, counted by how it was converted; zero (and
        counted as left out) when it cannot be."""
        currency, day, notes = row.fee_currency.upper(), _day(row.at), self.fees
        price, from_trade = (
            self._price(currency, row.quote.upper(), row.at, latest_usd)
            if currency
            else (None, False)  # a fee without its currency (some CSV files) is unknown
        )
        if price is None:
            left = notes.left_out.setdefault(day, {})
            name = currency or "no currency named"
            left[name] = left.get(name, 0) + 1
            return ZERO
        counter = notes.by_trade if from_trade else notes.by_latest_price
        counter[day] = counter.get(day, 0) + 1
        return row.fee * price

    def _price(
        self, asset: str, quote: str, at: int, latest_usd: Callable[[str], Decimal | None]
    ) -> tuple[Decimal | None, bool]:
        """One `asset` in `quote` at `at`: (price, whether from trades of the journal).

        The asset's own market first (BNB/BTC); else through dollars, both legs from the
        journal (BNB/USDT over BTC/USDT); else AssetPrice."""
        price = self._traded(asset, quote, at)
        if price is None and quote_group(quote) != USD_GROUP:
            asset_usd, quote_usd = self._traded(asset, "USDT", at), self._traded(quote, "USDT", at)
            if asset_usd is not None and quote_usd is not None:
                price = asset_usd / quote_usd
        if price is not None:
            return price, True
        asset_usd = latest_usd(asset)
        quote_usd = Decimal(1) if quote_group(quote) == USD_GROUP else latest_usd(quote)
        if asset_usd is not None and quote_usd:
            return asset_usd / quote_usd, False
        return None, False

    def _traded(self, asset: str, quote: str, at: int) -> Decimal | None:
        """The price of the last trade of a market between the two at most
        CONVERSION_WINDOW before `at`; every market looked at is remembered (`in_order`)."""
        for market in conversion_markets(asset, quote):
            if self.conversion_markets.get(market, at) <= at:
                self.conversion_markets[market] = at
            seen = self.last_trades.get(market)
            if seen is None or at - seen[0] > CONVERSION_WINDOW or seen[1] <= 0 or seen[2] <= 0:
                continue
            _, cost, amount = seen
            return cost / amount if market.startswith(f"{asset}/") else amount / cost
        return None


def _consume(lots: deque[list[Decimal]], wanted: Decimal) -> tuple[Decimal, Decimal]:
    """Take `wanted` from the oldest lots: (quantity found, its cost)."""
    matched = cost = ZERO
    while lots and matched < wanted:
        lot = lots[0]
        take = min(lot[0], wanted - matched)
        if take == lot[0]:
            cost += lot[1]
            lots.popleft()
        else:
            part = lot[1] * take / lot[0]
            cost += part
            lot[0] -= take
            lot[1] -= part
        matched += take
    return matched, cost


_DAYS: dict[int, date] = {}


def _day(at: int) -> date:
    """The UTC day of a time (one date object per day: most rows share theirs)."""
    number = at // DAY
    day = _DAYS.get(number)
    if day is None:
        day = _DAYS[number] = moment(number * DAY).date()
    return day

"""The holdings page's arithmetic, apart from the database: balances valued at today's prices
and summed per asset, open positions and their unrealized PnL, which connections are not up to
date, and the buckets of the net-value chart.

Values are in US dollars, the only currency prices are kept in (AssetPrice). An asset without
a price is shown as such and left out of every total, never counted as 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from connections.models import Exchange, ExchangeConnection

from .prices import DOLLAR

CURRENCY = DOLLAR
# Balances sync every hour (sync.schedule.BALANCES_EVERY): three hours without one means at
# least two syncs in a row failed, so the figures are no longer "now".
FAILING_AFTER = timedelta(hours=3)
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)

# Our account_type values (sync/exchanges/*) in words people read. Negative totals are loans.
ACCOUNT_TYPES = {
    "spot": "Spot",
    "funding": "Funding wallet",
    "earn": "Earn / staking",
    "lending": "Lending",
    "trading": "Trading account",
    "unified": "Unified account",
    "unified_borrowed": "Unified account, borrowed",
    "margin": "Margin",
    "margin_borrowed": "Margin, borrowed",
    "margin_debt": "Margin, borrowed",
    "cross_margin": "Cross margin",
    "isolated": "Isolated margin",
    "isolated_margin": "Isolated margin",
    "isolated_debt": "Isolated margin, borrowed",
    "futures": "Futures wallet",
    "swap": "Perpetual futures wallet",
    "delivery": "Delivery futures wallet",
    "inverse": "Inverse futures wallet",
    "contract": "Derivatives wallet",
}


def account_words(account_type: str, total: Decimal) -> str:
    words = ACCOUNT_TYPES.get(account_type) or account_type.replace("_", " ").capitalize()
    if total < 0 and "borrowed" not in words:
        words += ", borrowed"
    return words


# -- which connections are up to date ----------------------------------------------------------

DISCONNECTED = "disconnected"
FAILING = "failing"


@dataclass(frozen=True)
class Standing:
    """Why a connection's figures are not up to date (kind: disconnected or failing)."""

    kind: str
    reason: str


GONE = Standing(DISCONNECTED, "No longer connected")


def standing_of(connection: ExchangeConnection | None, *, now: datetime) -> Standing | None:
    """None while the connection's figures are current. A connection is failing when it needs
    attention (a revoked key, missing permission) or its balances were last read over
    FAILING_AFTER ago (maintenance, an outage, a stuck worker)."""
    if connection is None or connection.status == ExchangeConnection.Status.DISCONNECTED:
        return GONE
    if connection.status == ExchangeConnection.Status.NEEDS_ATTENTION:
        return Standing(FAILING, "Needs attention")
    last = connection.last_balances_sync_at
    if last is not None and last < now - FAILING_AFTER:
        return Standing(FAILING, "Not updated for over 3 hours")
    return None


def standings_of(
    connections: Mapping[int, ExchangeConnection], *, now: datetime
) -> dict[int, Standing]:
    """The connections whose figures are not up to date, and why."""
    return {
        pk: standing
        for pk, connection in connections.items()
        if (standing := standing_of(connection, now=now)) is not None
    }


# -- prices -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    usd: Decimal
    change_24h_pct: Decimal | None
    as_of: datetime | None  # None: the dollar itself, which no ticker dates
    source: str

    @property
    def origin(self) -> str:
        """Where and when it was read: "binance BTC/USDT, 2026-03-11 12:25 UTC"."""
        when = self.as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if self.as_of else ""
        return ", ".join(part for part in (self.source, when) if part)


ONE_DOLLAR = Price(Decimal(1), None, None, "")


def price_of(asset: str, prices: Mapping[str, Price]) -> Price | None:
    price = prices.get(asset)
    if price is None and asset == DOLLAR:
        return ONE_DOLLAR
    return price


# -- holdings -------------------------------------------------------------------------------------


@dataclass
class Placement:
    """Where part of an asset sits: one balance row. For a figure left out of the total,
    `item` names the asset (or a position's symbol and side)."""

    exchange: str
    connection: str
    account: str
    account_type: str
    item: str
    quantity: Decimal
    value: Decimal | None
    as_of: datetime
    standing: Standing | None


@dataclass
class AssetHolding:
    asset: str
    price: Price | None
    quantity: Decimal = _ZERO
    borrowed: Decimal = _ZERO
    value: Decimal | None = None
    share_pct: Decimal | None = None
    marked: bool = False  # part of it comes from a connection that is not up to date
    oldest: datetime | None = None
    is_open: bool = False  # the page shows where it sits (?open=)

    @property
    def quoted(self) -> str:
        """The asset as a URL's query value."""
        return quote(self.asset, safe="")


@dataclass
class Holdings:
    assets: list[AssetHolding]
    total: Decimal
    as_of: datetime | None  # the oldest figure in the total: a balance read, or a price
    unpriced: list[str]
    borrowed: Decimal
    by_exchange: list[tuple[str, Decimal]]


def _oldest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def holdings_value(
    *,
    totals: Iterable[Mapping[str, Any]],
    exchange_quantities: Iterable[tuple[str | None, str, Decimal]],
    prices: Mapping[str, Price],
) -> Holdings:
    """Balances summed per asset in the database (asset, quantity, borrowed, oldest, marked)
    and per exchange and asset, valued at today's prices."""
    assets = []
    oldest = None
    for row in totals:
        holding = AssetHolding(
            asset=row["asset"],
            price=price_of(row["asset"], prices),
            quantity=row["quantity"],
            borrowed=row["borrowed"] or _ZERO,
            marked=bool(row["marked"]),
            oldest=row["oldest"],
        )
        if holding.price is not None:
            holding.value = holding.quantity * holding.price.usd
            oldest = _oldest(oldest, holding.oldest, holding.price.as_of)
        assets.append(holding)
    priced = sorted(
        (h for h in assets if h.value is not None), key=lambda h: (-(h.value or 0), h.asset)
    )
    total = sum((h.value or _ZERO for h in priced), _ZERO)
    if total > 0:
        for holding in priced:
            holding.share_pct = (holding.value or _ZERO) / total * _HUNDRED
    unpriced = sorted((h for h in assets if h.price is None), key=lambda h: h.asset)
    by_exchange: dict[str, Decimal] = defaultdict(Decimal)
    for exchange, asset, quantity in exchange_quantities:
        if (price := price_of(asset, prices)) is not None:
            by_exchange[_EXCHANGES.get(exchange or "", "Removed connection")] += (
                quantity * price.usd
            )
    return Holdings(
        assets=priced + unpriced,
        total=total,
        as_of=oldest,
        unpriced=[h.asset for h in unpriced],
        borrowed=sum((h.borrowed * h.price.usd for h in priced if h.price), _ZERO),
        by_exchange=sorted(by_exchange.items(), key=lambda item: (-item[1], item[0])),
    )


_EXCHANGES = dict(Exchange.choices)


def placements_of(
    rows: Iterable[Mapping[str, Any]],
    *,
    connections: Mapping[int, ExchangeConnection],
    standings: Mapping[int, Standing],
    prices: Mapping[str, Price],
) -> list[Placement]:
    """Balance rows (connection_id, account, account_type, asset, total, as_of) as places,
    largest value first."""
    places = []
    for row in rows:
        connection = connections.get(row["connection_id"])
        price = price_of(row["asset"], prices)
        total = row["total"]
        places.append(
            Placement(
                exchange=connection.get_exchange_display() if connection else "",
                connection=connection.label if connection else "Removed connection",
                account=row["account"],
                account_type=account_words(row["account_type"], total),
                item=row["asset"],
                quantity=total,
                value=None if price is None else total * price.usd,
                as_of=row["as_of"],
                standing=standings.get(row["connection_id"], GONE if connection is None else None),
            )
        )
    return sorted(places, key=lambda p: (-(p.value or 0), p.exchange, p.connection, p.account))


# -- open positions ----------------------------------------------------------------------------


def settle_of(symbol: str) -> str:
    """The currency a contract's PnL is paid in: BTC/USDT:USDT → USDT (ccxt's unified symbol);
    a symbol without a settle part pays in its quote."""
    pair, _, settle = symbol.partition(":")
    return settle.split("-")[0] if settle else pair.partition("/")[2]


@dataclass
class OpenPosition:
    position: Any  # portfolio.models.Position
    exchange: str
    connection: str
    settle: str
    standing: Standing | None


@dataclass
class Positions:
    open: list[OpenPosition]
    pnl_by_settle: list[tuple[str, Decimal]]
    pnl_total: Decimal  # in dollars, over the settle currencies that have a price
    unpriced_settles: list[str]
    left_out: list[Placement]


def positions_summary(
    *,
    positions: Iterable[Any],
    connections: Mapping[int, ExchangeConnection],
    standings: Mapping[int, Standing],
    prices: Mapping[str, Price],
    include_stale: bool,
) -> Positions:
    """Open positions; those of connections not up to date are left out unless asked (a
    position is as current as its connection's balances: both are read by one sync)."""
    shown: list[OpenPosition] = []
    left_out: list[Placement] = []
    by_settle: dict[str, Decimal] = defaultdict(Decimal)
    for position in positions:
        connection = connections.get(position.connection_id)
        standing = standings.get(position.connection_id, GONE if connection is None else None)
        exchange = connection.get_exchange_display() if connection else ""
        label = connection.label if connection else "Removed connection"
        if standing and not include_stale:
            left_out.append(
                Placement(
                    exchange, label, position.account, position.market_type,
                    f"{position.symbol} {position.side}", position.contracts, None,
                    position.as_of, standing,
                )
            )  # fmt: skip
            continue
        settle = settle_of(position.symbol)
        shown.append(OpenPosition(position, exchange, label, settle, standing))
        if position.unrealized_pnl is not None:
            by_settle[settle] += position.unrealized_pnl
    total = _ZERO
    unpriced = []
    for settle, pnl in by_settle.items():
        price = price_of(settle, prices)
        if price is None:
            unpriced.append(settle)
        else:
            total += pnl * price.usd
    return Positions(
        open=shown,
        pnl_by_settle=sorted(by_settle.items()),
        pnl_total=total,
        unpriced_settles=sorted(unpriced),
        left_out=left_out,
    )


# -- net value over time -----------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    key: str
    label: str
    span: timedelta | None  # None: since the first balance read
    bucket: str  # a Trunc kind: hour, day, week, month


RANGES = {
    r.key: r
    for r in (
        Range("day", "Day", timedelta(days=1), "hour"),
        Range("week", "Week", timedelta(days=7), "day"),
        Range("month", "Month", timedelta(days=30), "day"),
        Range("year", "Year", timedelta(days=365), "week"),
        Range("all", "All", None, "month"),
    )
}
DEFAULT_RANGE = "month"


def all_time_bucket(first: datetime, now: datetime) -> str:
    """Buckets for "all": days for a short history, weeks up to three years, then months."""
    span = now - first
    return (
        "day" if span <= timedelta(days=92) else "week" if span <= timedelta(days=1100) else "month"
    )


def bucket_start(moment: datetime, kind: str) -> datetime:
    """What Trunc(kind, tzinfo=UTC) makes of `moment` in the database."""
    moment = moment.astimezone(UTC)
    if kind == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_next(start: datetime, kind: str) -> datetime:
    if kind == "hour":
        return start + timedelta(hours=1)
    if kind == "day":
        return start + timedelta(days=1)
    if kind == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_starts(first: datetime, now: datetime, kind: str) -> list[datetime]:
    starts = [bucket_start(first, kind)]
    while (following := bucket_next(starts[-1], kind)) <= now:
        starts.append(following)
    return starts


def series_points(
    *,
    readings: Iterable[tuple[int, datetime, Decimal | None]],
    starts: list[datetime],
    kind: str,
    now: datetime,
    stops: Mapping[int, datetime],
) -> list[tuple[datetime, Decimal]]:
    """Net value at the end of each bucket (now for the last): per connection, the value of its
    latest reading at or before that moment, summed.

    `readings` are (connection id, bucket start, value) of each connection's last reading in a
    bucket; a bucket before `starts[0]` carries the connection's value into the range.
    `stops` are the moments connections were disconnected: they count no longer after that.
    """
    per_bucket: dict[datetime, dict[int, Decimal | None]] = defaultdict(dict)
    carried: dict[int, tuple[datetime, Decimal | None]] = {}
    for connection_id, bucket, value in readings:
        if bucket < starts[0]:
            if connection_id not in carried or carried[connection_id][0] < bucket:
                carried[connection_id] = (bucket, value)
        else:
            per_bucket[bucket][connection_id] = value
    current = {cid: value for cid, (_, value) in carried.items()}
    points = []
    for start in starts:
        current.update(per_bucket.get(start, {}))
        end = min(bucket_next(start, kind), now)
        counted = [
            value
            for cid, value in current.items()
            if value is not None and (cid not in stops or stops[cid] >= end)
        ]
        if current:
            points.append((start, sum(counted, _ZERO)))
    return points

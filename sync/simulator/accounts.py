"""Simulated exchange accounts: credentials derived from the seed, trades generated on demand."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sync.simulator.holdings import Holdings, derive_holdings
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS, PriceOracle
from sync.simulator.profiles import PART_OF_MARKET, Profile, profile_named
from sync.simulator.trades import Fill, GenerationPlan, Series, generate_series

if TYPE_CHECKING:
    from sync.simulator.exchanges.base import ExchangeSimulator

# What a key may do, in words common to the nine exchanges; each module maps them onto its own
# permission names (Binance: enableReading, enableSpotAndMarginTrading, enableWithdrawals...).
PERMISSIONS = ("read", "trade", "margin", "futures", "options", "withdraw", "transfer")
STATUSES = ("active", "expired", "revoked")
MAX_TRADES = 100_000
MAX_DAYS = 730


@dataclass(frozen=True)
class Credentials:
    api_key: str
    secret: str
    passphrase: str | None = None


@dataclass
class AccountSpec:
    """Everything that defines an account; with the seed it determines all of its data."""

    label: str
    permissions: tuple[str, ...] = ("read",)
    trades: Mapping[str, int] = field(default_factory=dict)  # unified symbol -> fills
    days: int = 90
    status: str = "active"
    ip_whitelist: tuple[str, ...] = ()
    master_label: str | None = None  # set on sub-accounts
    profile: str = "full"  # see profiles.py
    # This account's own reading of unsettled evidence, by name ("<name>": choice); it wins
    # over the simulator-wide choice of /_sim/config (ExchangeSimulator.reading).
    readings: Mapping[str, str] = field(default_factory=dict)

    def validate(self, instruments: Mapping[str, Instrument], anchor_ms: int) -> None:
        """Raise ``ValueError`` with a message fit for the /_sim API caller."""
        unknown = [name for name in self.permissions if name not in PERMISSIONS]
        if unknown:
            raise ValueError(f"unknown permissions {unknown}; choose from {list(PERMISSIONS)}")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; choose from {list(STATUSES)}")
        if not isinstance(self.days, int) or not 1 <= self.days <= MAX_DAYS:
            raise ValueError(f"days must be an integer between 1 and {MAX_DAYS}")
        profile = profile_named(self.profile)
        if not isinstance(self.readings, Mapping):
            raise ValueError('readings maps a reading\'s name to a choice, e.g. {"fills": "x"}')
        total = 0
        for symbol, count in self.trades.items():
            if symbol not in instruments:
                raise ValueError(f"unknown symbol {symbol!r}; choose from {sorted(instruments)}")
            part = PART_OF_MARKET.get(instruments[symbol].market_type)
            if count and part in profile.lacks:
                raise ValueError(f"a {profile.name} account has no {part}, so no {symbol} fills")
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ValueError(f"trade count for {symbol} must be a non-negative integer")
            if count and _last_trade_ms(instruments[symbol], anchor_ms) <= (
                anchor_ms - self.days * DAY_MS
            ):
                raise ValueError(f"{symbol} expired before this account's {self.days} days")
            total += count
        if total > MAX_TRADES:
            raise ValueError(f"at most {MAX_TRADES} trades per account")


def _last_trade_ms(instrument: Instrument, end_ms: int) -> int:
    """Nothing trades after its expiry: an option's fills stop a minute before it."""
    if instrument.expiry_ms is None:
        return end_ms
    return min(end_ms, instrument.expiry_ms - 60_000)


class Account:
    """One API key on one exchange, with its lazily generated history."""

    def __init__(
        self,
        exchange: ExchangeSimulator,
        spec: AccountSpec,
        credentials: Credentials,
        *,
        seed_key: str,
        anchor_ms: int,
        oracle: PriceOracle,
        uid: int,
    ) -> None:
        self.exchange = exchange
        self.spec = spec
        self.credentials = credentials
        self.seed_key = seed_key
        self.anchor_ms = anchor_ms
        self.oracle = oracle
        self.uid = uid
        self.created_ms = anchor_ms - (spec.days + 30) * DAY_MS
        self.sub_accounts: list[Account] = []
        self.master: Account | None = None
        self._lock = threading.Lock()
        self._series: dict[str, Series] | None = None
        self._holdings: Holdings | None = None
        self._appended = 0

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def api_key(self) -> str:
        return self.credentials.api_key

    @property
    def email(self) -> str:
        return f"{self.label}.{self.uid}@{self.exchange.id}.sim.invalid"

    def can(self, permission: str) -> bool:
        return permission in self.spec.permissions

    @property
    def profile(self) -> Profile:
        return profile_named(self.spec.profile)

    def has(self, part: str) -> bool:
        """Whether the account ever opened ``part`` (profiles.PARTS)."""
        return part not in self.profile.lacks

    def key_reaches(self, part: str) -> bool:
        """Whether this key can read ``part``: the account has it and the key is not barred."""
        return self.has(part) and part not in self.profile.key_cannot

    def series(self) -> dict[str, Series]:
        """Fills by instrument key (the unified symbol, or e.g. "BTC/USDT cross margin"),
        generated on first use and then kept."""
        with self._lock:
            if self._series is None:
                start = self.anchor_ms - self.spec.days * DAY_MS
                end = self.anchor_ms - 60_000
                instruments = self.exchange.instruments_by_symbol()
                self._series = {
                    key: generate_series(
                        GenerationPlan(
                            instruments[key],
                            count,
                            start,
                            _last_trade_ms(instruments[key], end),
                            f"{self.seed_key}:{key}",
                        ),
                        self.oracle,
                        self.exchange.fee_policy,
                    )
                    for key, count in self.spec.trades.items()
                    if count > 0
                }
            return self._series

    @property
    def appended(self) -> int:
        """How many times fills were appended: a module that derives something from the
        fills and keeps it rebuilds it when this moves."""
        return self._appended

    def append_fills(
        self, symbol: str, count: int, now_ms: int, *, same_order: bool = False
    ) -> list[Fill]:
        """``count`` new fills on ``symbol`` between the account's last one and ``now_ms``,
        as trading goes on while we sync; balances stay as they were derived. With
        ``same_order`` the first of them fill ``symbol``'s last order again, one that rested
        on the book since its earlier fills."""
        instruments = self.exchange.instruments_by_symbol()
        instrument = instruments.get(symbol)
        if instrument is None:
            raise ValueError(f"unknown symbol {symbol!r}; choose from {sorted(instruments)}")
        if PART_OF_MARKET.get(instrument.market_type) in self.profile.lacks:
            raise ValueError(f"a {self.profile.name} account has no {symbol} market")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10_000:
            raise ValueError("count is an integer between 1 and 10000")
        series = self.series()
        with self._lock:
            current = series.get(symbol)
            # trading goes on now: after every fill the account already has, on any market
            latest = max((item.timestamps[-1] for item in series.values() if len(item)), default=0)
            start = max(latest + 1, now_ms - 60_000)
            end = _last_trade_ms(instrument, now_ms)
            if end < start:
                raise ValueError(f"{symbol} no longer trades")
            self._appended += 1
            key = f"{self.seed_key}:{symbol}:+{self._appended}"
            later = generate_series(
                GenerationPlan(instrument, count, start, end, key),
                self.oracle,
                self.exchange.fee_policy,
            )
            # an order that fills again keeps its side: draw again until the first one has it
            draws = 1
            while same_order and current and later.fill(0).side != current.fill(-1).side:
                later = generate_series(
                    GenerationPlan(instrument, count, start, end, f"{key}/{draws}"),
                    self.oracle,
                    self.exchange.fee_policy,
                )
                draws += 1
            if current is None:
                series[symbol] = later
            else:
                current.extend(later, same_order=same_order)
            added = series[symbol]
            return added.fills(len(added) - len(later))

    def holdings(self) -> Holdings:
        series = self.series()
        with self._lock:
            if self._holdings is None:
                holdings = derive_holdings(
                    series.values(),
                    self.oracle,
                    self.seed_key,
                    self.anchor_ms,
                    self.exchange.fee_policy.discount_asset,
                )
                # A part never opened holds nothing (the random draws stay the same, so a
                # full account's figures do not move).
                if not self.has("margin"):
                    holdings.margin_free.clear()
                    holdings.margin_borrowed.clear()
                if not self.has("earn"):
                    holdings.earn_flexible.clear()
                    holdings.earn_locked.clear()
                self._holdings = holdings
            return self._holdings

    def fills(self) -> list[Fill]:
        """Every fill of the account, oldest first: the ground truth."""
        everything = [fill for item in self.series().values() for fill in item.fills()]
        everything.sort(key=lambda fill: (fill.timestamp, fill.instrument.symbol, fill.id))
        return everything

    def trade_counts(self) -> dict[str, dict[str, int]]:
        by_type: dict[str, int] = {}
        by_symbol: dict[str, int] = {}
        instruments = self.exchange.instruments_by_symbol()
        for key, count in self.spec.trades.items():
            market_type = instruments[key].market_type
            by_type[market_type] = by_type.get(market_type, 0) + count
            by_symbol[key] = count
        return {"by_type": by_type, "by_symbol": by_symbol}

    def describe(self) -> dict[str, Any]:
        counts = self.trade_counts()
        return {
            "exchange": self.exchange.id,
            "label": self.label,
            "api_key": self.credentials.api_key,
            "secret": self.credentials.secret,
            "passphrase": self.credentials.passphrase,
            "permissions": list(self.spec.permissions),
            "profile": self.profile.name,
            "profile_description": self.profile.description,
            "mode": self.exchange.account_mode(self),
            "readings": dict(self.spec.readings),
            "status": self.spec.status,
            "ip_whitelist": list(self.spec.ip_whitelist),
            "days": self.spec.days,
            "anchor_ms": self.anchor_ms,
            "trades": counts["by_type"],
            "trades_by_symbol": counts["by_symbol"],
            "email": self.email,
            "master": self.master.label if self.master else None,
            "sub_accounts": [sub.label for sub in self.sub_accounts],
        }


class AccountKey:
    """Another API key of an existing account (``SimulatorState.add_key``): it signs with its
    own credentials and is the account in everything else (uid, fills, balances, permissions,
    profile), each read from the account itself, so fills appended to one key show on both.
    It stands in for its ``Account`` wherever one is expected."""

    def __init__(self, account: Account, credentials: Credentials) -> None:
        self.owner = account
        self.credentials = credentials

    @property
    def api_key(self) -> str:
        return self.credentials.api_key

    def __getattr__(self, name: str) -> Any:
        # only what this object does not hold itself: everything but its key
        return getattr(self.owner, name)

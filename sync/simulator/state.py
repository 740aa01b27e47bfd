"""Everything a running simulator holds: exchanges, accounts, faults, counters, the clock."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, cast

from sync.simulator.accounts import Account, AccountKey, AccountSpec, Credentials
from sync.simulator.exchanges import EXCHANGES
from sync.simulator.faults import FaultBoard
from sync.simulator.prices import PriceOracle
from sync.simulator.ratelimit import RateLimiter
from sync.simulator.signing import derive_bytes
from sync.simulator.stats import Stats

if TYPE_CHECKING:
    from sync.simulator.exchanges.base import ExchangeSimulator


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class SimulatorState:
    """Deterministic for a given ``seed`` and ``anchor_ms`` (when history ends; default: now)."""

    def __init__(
        self,
        seed: int = 0,
        *,
        anchor_ms: int | None = None,
        rate_limit_scale: float = 1.0,
        exchanges: dict[str, type[ExchangeSimulator]] | None = None,
    ) -> None:
        if exchanges is None:
            exchanges = EXCHANGES
        self.seed = seed
        self.anchor_ms = wall_clock_ms() if anchor_ms is None else anchor_ms
        self.anchor_fixed = anchor_ms is not None
        self.oracle = PriceOracle(seed, self.anchor_ms)
        self.default_rate_limit_scale = rate_limit_scale
        self.limiter = RateLimiter(rate_limit_scale)
        self.stats = Stats()
        self.exchanges = {exchange_id: cls(self) for exchange_id, cls in exchanges.items()}
        for exchange in self.exchanges.values():
            for instrument in exchange.instruments:
                for asset in (instrument.base, instrument.quote):
                    if not self.oracle.knows(asset):
                        raise ValueError(
                            f"{exchange.id} {instrument.symbol}: no price model for {asset}; "
                            "add one to sync/simulator/prices.py"
                        )
        self._hosts = {
            host: exchange
            for exchange in self.exchanges.values()
            for host in exchange.router.hosts()
        }
        self.faults = FaultBoard(
            tuple(self.exchanges),
            hosts={host: exchange.id for host, exchange in self._hosts.items()},
        )
        self._lock = threading.Lock()
        self._by_key: dict[str, Account] = {}
        self._by_label: dict[tuple[str, str], Account] = {}
        # keys added to an account after the one it was created with, by (exchange, label)
        self._added_keys: dict[tuple[str, str], int] = {}
        # set to release requests held by a timeout fault or latency when faults are cleared
        self._release = threading.Event()
        self._readings = self._default_readings()
        for exchange in self.exchanges.values():
            self._seed_accounts(exchange)

    def _default_readings(self) -> dict[str, str]:
        return {
            f"{exchange.id}.{name}": choices[0]
            for exchange in self.exchanges.values()
            for name, choices in exchange.readings.items()
        }

    def reading(self, exchange_id: str, name: str) -> str:
        """Which reading of unsettled evidence ``exchange_id`` answers with now."""
        return self._readings[f"{exchange_id}.{name}"]

    def choose_reading(self, key: str, choice: str) -> None:
        """Raises ``ValueError`` naming the choices for an unknown reading or choice."""
        exchange_id, _, name = key.partition(".")
        exchange = self.exchanges.get(exchange_id)
        choices = exchange.readings.get(name) if exchange is not None else None
        if choices is None:
            raise ValueError(f"unknown reading {key!r}; choose from {sorted(self._readings)}")
        if choice not in choices:
            raise ValueError(f"{key} is one of {list(choices)}, not {choice!r}")
        self._readings[key] = choice

    def describe_readings(self) -> dict[str, dict[str, object]]:
        return {
            f"{exchange.id}.{name}": {
                "choice": self._readings[f"{exchange.id}.{name}"],
                "choices": list(choices),
            }
            for exchange in self.exchanges.values()
            for name, choices in exchange.readings.items()
        }

    def now_ms(self) -> int:
        return wall_clock_ms()

    def exchange_for_host(self, host: str) -> ExchangeSimulator | None:
        return self._hosts.get(host)

    def _seed_accounts(self, exchange: ExchangeSimulator) -> None:
        for spec in exchange.seed_specs():
            self.create_account(exchange.id, spec, anchor_ms=self.anchor_ms)

    def create_account(
        self, exchange_id: str, spec: AccountSpec, *, anchor_ms: int | None = None
    ) -> Account:
        """Register an account; raises ``ValueError`` for bad input or a duplicate label."""
        exchange = self.exchanges.get(exchange_id)
        if exchange is None:
            raise ValueError(
                f"unknown exchange {exchange_id!r}; choose from {list(self.exchanges)}"
            )
        anchor_ms = self.wall_anchor() if anchor_ms is None else anchor_ms
        spec.validate(exchange.instruments_by_symbol(), anchor_ms)
        exchange.check_readings(spec.readings)
        label_key = f"{exchange_id}:{spec.label}"
        account = Account(
            exchange,
            spec,
            exchange.credentials(self.seed, label_key),
            seed_key=f"{self.seed}:{label_key}",
            anchor_ms=anchor_ms,
            oracle=self.oracle,
            uid=int.from_bytes(derive_bytes(self.seed, f"{label_key}:uid", 4)) % 900_000_000
            + 100_000_000,
        )
        with self._lock:
            if (exchange_id, spec.label) in self._by_label:
                raise ValueError(f"{exchange_id} already has an account labelled {spec.label!r}")
            if spec.master_label is not None:
                master = self._by_label.get((exchange_id, spec.master_label))
                if master is None:
                    raise ValueError(f"no master account labelled {spec.master_label!r}")
                account.master = master
                master.sub_accounts.append(account)
            self._by_label[(exchange_id, spec.label)] = account
            self._by_key[account.api_key] = account
        return account

    def add_key(self, account: Account) -> Credentials:
        """A new key of ``account`` (or of the account an added key belongs to), deterministic
        from the seed, the label and the key's number (the account's own key is number 1).
        Raises ``ValueError`` if another account's label made the same key."""
        if isinstance(account, AccountKey):
            account = account.owner
        exchange_id = account.exchange.id
        with self._lock:
            number = self._added_keys.get((exchange_id, account.label), 1) + 1
            self._added_keys[(exchange_id, account.label)] = number
            credentials = account.exchange.credentials(
                self.seed, f"{exchange_id}:{account.label}:key-{number}"
            )
            if credentials.api_key in self._by_key:
                raise ValueError(f"key {number} of {account.label!r} is another account's key")
            # an AccountKey stands in for the account wherever the exchanges look one up
            self._by_key[credentials.api_key] = cast(Account, AccountKey(account, credentials))
        return credentials

    def wall_anchor(self) -> int:
        """History of accounts created at run time ends now, unless the anchor was fixed."""
        return self.anchor_ms if self.anchor_fixed else self.now_ms()

    def account_by_key(self, api_key: str | None) -> Account | None:
        if api_key is None:
            return None
        return self._by_key.get(api_key)

    def accounts(self, exchange_id: str | None = None) -> list[Account]:
        with self._lock:
            return [
                account
                for (exchange, _), account in self._by_label.items()
                if exchange_id is None or exchange == exchange_id
            ]

    def pause(self, seconds: float) -> None:
        """Sleep that a reset cuts short, so a hanging request never outlives its test."""
        self._release.wait(seconds)

    def clear_faults(self, fault_id: int | None = None) -> int:
        cleared = self.faults.clear(fault_id)
        self._release.set()
        self._release = threading.Event()
        return cleared

    def reset(self) -> None:
        """Back to the start: no faults, no counters, the start-up rate-limit scale."""
        self.clear_faults()
        self._readings = self._default_readings()
        self.stats.reset()
        self.limiter.reset(self.default_rate_limit_scale)

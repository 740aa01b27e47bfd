"""What an exchange module provides to the simulator core: routes, auth, errors, markets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sync.simulator.accounts import Account, AccountSpec, Credentials
from sync.simulator.http import Rejected, Request, Response
from sync.simulator.instruments import Instrument
from sync.simulator.profiles import PART_OF_MARKET, profile_named
from sync.simulator.ratelimit import RateLimit, Verdict
from sync.simulator.signing import derive_alphanumeric
from sync.simulator.trades import FeePolicy

if TYPE_CHECKING:
    from sync.simulator.state import SimulatorState


@dataclass(frozen=True)
class Call:
    """What a route handler receives: the request, the authenticated account, the clock."""

    request: Request
    account: Account | None
    now_ms: int
    exchange: ExchangeSimulator

    @property
    def params(self) -> dict[str, str]:
        return self.request.params

    def signed_account(self) -> Account:
        assert self.account is not None, "route is not declared signed"
        return self.account


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Route:
    method: str
    host: str
    path: str
    handler: Handler
    weight: int | Callable[[Request], int]
    pool: str | None
    signed: bool
    needs_read: bool

    def weight_of(self, request: Request) -> int:
        return self.weight(request) if callable(self.weight) else self.weight


class Router:
    """Routes of one exchange, keyed by (method, host, path); modules each fill one."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str, str], Route] = {}

    def route(
        self,
        method: str,
        host: str,
        path: str,
        *,
        weight: int | Callable[[Request], int] = 1,
        pool: str | None = None,
        signed: bool = False,
        needs_read: bool | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register a handler. Signed routes need the read permission unless told otherwise."""

        def register(handler: Handler) -> Handler:
            key = (method, host, path)
            if key in self._routes:
                raise ValueError(f"route {method} {host}{path} registered twice")
            self._routes[key] = Route(
                method,
                host,
                path,
                handler,
                weight,
                pool,
                signed,
                signed if needs_read is None else needs_read,
            )
            return handler

        return register

    def get(self, host: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", host, path, **options)

    def post(self, host: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", host, path, **options)

    @classmethod
    def combine(cls, *routers: Router) -> Router:
        combined = cls()
        for router in routers:
            for key, route in router._routes.items():
                if key in combined._routes:
                    raise ValueError(f"route {key} registered twice")
                combined._routes[key] = route
        return combined

    def find(self, method: str, host: str, path: str) -> Route | None:
        return self._routes.get((method, host, path))

    def hosts(self) -> set[str]:
        return {host for _, host, _ in self._routes}


# Rejection kinds the core asks an exchange module to put on the wire.
REJECTION_KINDS = (
    "maintenance",
    "rate_limit",
    "ban",
    "server_error",
    "expired_key",
    "revoked_key",
    "no_read_permission",
    "ip_not_allowed",
    "not_found",
)


class ExchangeSimulator:
    """Base class of an exchange module. Subclasses set the class attributes and the hooks."""

    id: ClassVar[str]
    router: ClassVar[Router]
    instruments: ClassVar[tuple[Instrument, ...]]
    fee_policy: ClassVar[FeePolicy] = FeePolicy()
    rate_limits: ClassVar[dict[str, RateLimit]] = {}
    uses_passphrase: ClassVar[bool] = False
    # fills per unified symbol for the seeded "demo" account and the other seeded accounts
    demo_trades: ClassVar[dict[str, int]] = {}
    sample_trades: ClassVar[dict[str, int]] = {}
    # Profiles (profiles.py) besides "full" and "spot-only" this exchange has accounts of;
    # each is seeded under its own name as label.
    profiles: ClassVar[tuple[str, ...]] = ()
    # Where the evidence about the real exchange is silent or conflicts: each reading by name,
    # the default first; /_sim/config switches between them (state.reading()).
    readings: ClassVar[dict[str, tuple[str, ...]]] = {}
    # What the exchange sends for an error code nobody has seen (the "unknown_error" fault):
    # its own error envelope with a code outside every table. Modules override it.
    unseen_error: ClassVar[tuple[int, dict[str, Any]]] = (
        400,
        {"code": 987654, "msg": "An error nobody has seen before."},
    )

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self._by_symbol = {instrument.key: instrument for instrument in self.instruments}
        self._by_id: dict[tuple[str, str], Instrument] = {
            (instrument.market_type if not instrument.inverse else "inverse", instrument.id): (
                instrument
            )
            for instrument in self.instruments
        }

    # -- hooks ---------------------------------------------------------------------------------

    def credentials(self, seed: int, label: str) -> Credentials:
        """Key material in the exchange's format; Binance: 64 letters and digits each."""
        return Credentials(
            api_key=derive_alphanumeric(seed, f"{label}:api_key"),
            secret=derive_alphanumeric(seed, f"{label}:secret"),
            passphrase=(
                derive_alphanumeric(seed, f"{label}:passphrase", 16)
                if self.uses_passphrase
                else None
            ),
        )

    def claimed_api_key(self, request: Request) -> str | None:
        """The key a request says it comes from, before any verification."""
        raise NotImplementedError

    def authenticate(self, request: Request, now_ms: int) -> Account:
        """The account behind a signed request, or ``Rejected`` the way the exchange refuses."""
        raise NotImplementedError

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        """The exchange's own answer for a rejection kind of ``REJECTION_KINDS``."""
        raise NotImplementedError

    def decorate(self, response: Response, route: Route, verdict: Verdict | None) -> Response:
        """Last touch on every answer, e.g. Binance's used-weight headers."""
        return response

    def seed_specs(self) -> list[AccountSpec]:
        """Accounts every simulator starts with; the labels are the same on every exchange."""
        sample = dict(self.sample_trades)
        return [
            AccountSpec(
                "spot-only", ("read",), self.trades_allowed("spot-only"), profile="spot-only"
            ),
            *(
                AccountSpec(name, ("read",), self.trades_allowed(name), profile=name)
                for name in self.profiles
            ),
            AccountSpec("demo", ("read",), dict(self.demo_trades), days=150),
            AccountSpec("read-only", ("read",), sample),
            AccountSpec("trade-enabled", ("read", "trade", "margin", "futures"), sample),
            AccountSpec("withdraw-enabled", ("read", "trade", "withdraw", "transfer"), sample),
            AccountSpec("expired", ("read",), sample, status="expired"),
            AccountSpec("ip-restricted", ("read",), sample, ip_whitelist=("127.0.0.1", "::1")),
            AccountSpec("no-read", (), sample),
        ]

    # -- helpers for modules -------------------------------------------------------------------

    def trades_allowed(self, profile_name: str) -> dict[str, int]:
        """The sample fills an account of ``profile_name`` can have (no futures if it has none)."""
        lacks = profile_named(profile_name).lacks
        instruments = self.instruments_by_symbol()
        return {
            symbol: count
            for symbol, count in self.sample_trades.items()
            if PART_OF_MARKET.get(instruments[symbol].market_type) not in lacks
        }

    def reading(self, name: str, account: Account | None = None) -> str:
        """The reading in force for ``account``: its own choice, else the simulator-wide one."""
        if account is not None and name in account.spec.readings:
            return account.spec.readings[name]
        return self.state.reading(self.id, name)

    def check_readings(self, readings: Mapping[str, str]) -> None:
        """Raise ``ValueError`` naming the choices for an unknown reading or choice."""
        for name, choice in readings.items():
            choices = self.readings.get(name)
            if choices is None:
                raise ValueError(
                    f"{self.id} has no reading {name!r}; choose from {sorted(self.readings)}"
                )
            if choice not in choices:
                raise ValueError(f"{self.id}.{name} is one of {list(choices)}, not {choice!r}")

    def account_mode(self, account: Account) -> str | None:
        """The exchange's own name for the kind of account this is, where it has more than one
        (Bybit "unified" or "classic"): listed beside the profile by ``/_sim/accounts``, from
        the same test that decides how the account answers."""
        return None

    def unseen(self) -> Response:
        status, body = self.unseen_error
        return Response.json(body, status)

    def instruments_by_symbol(self) -> dict[str, Instrument]:
        """By unified symbol; a margin book by its key, e.g. "BTC/USDT cross margin"."""
        return self._by_symbol

    def instrument(self, kind: str, market_id: str) -> Instrument | None:
        """Look up by exchange id within ``kind``: 'spot', 'swap' (linear) or 'inverse'."""
        return self._by_id.get((kind, market_id))

    def account_by_key(self, api_key: str | None) -> Account | None:
        account = self.state.account_by_key(api_key)
        return account if account is not None and account.exchange is self else None

    def rejected(self, kind: str, request: Request, **detail: Any) -> Rejected:
        return Rejected(self.reject(kind, request, **detail))

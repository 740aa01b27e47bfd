"""The one small interface every exchange adapter implements.

An adapter knows one exchange: which ccxt class to use, what a valid credential looks like,
and how to ask the exchange what a key may do. Adding an exchange means one module in this
folder and one line in `registry.py`.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar

import ccxt
from django.conf import settings

from connections.vault import CredentialSecret
from sync.markets import markets_ensure

from .capabilities import Availability, Part, part_log_of
from .client import build_client
from .errors import ErrorCode, ExchangeCallFailed, ExchangeFailure, classify, failure_for
from .records import (
    BalanceRecord,
    KnownStreams,
    PositionRecord,
    PriceRecord,
    Stream,
    TradePage,
    TradeRecord,
    from_millis,
    to_decimal,
)

T = TypeVar("T")

# What an asset is priced in, by preference: US dollars, then the dollar stablecoins, which
# are themselves priced at their own USD ticker (never assumed to be worth one dollar).
PRICE_QUOTES = ("USD", "USDT", "USDC")
STABLECOINS = ("USDT", "USDC")
# Failures that say the key may not see something, as opposed to "not now".
_REFUSED_KEY = frozenset(
    {
        ErrorCode.AUTHENTICATION,
        ErrorCode.PERMISSION,
        ErrorCode.IP_NOT_ALLOWED,
        ErrorCode.ACCOUNT_SUSPENDED,
    }
)
# Failures that say the key itself is bad, wherever they happen; any other failure of the
# account id's own read only leaves the id unknown.
_BAD_KEY = frozenset({ErrorCode.AUTHENTICATION, ErrorCode.IP_NOT_ALLOWED})


class OptionalCall(Protocol):
    """`ExchangeAdapter.optional` bound to one client (`optional_for`), for helper modules."""

    def __call__(
        self,
        part: Part,
        call: Callable[[], T],
        default: T,
        *,
        refusal: Availability = Availability.FAILED,
    ) -> T: ...


@dataclass(frozen=True)
class Permissions:
    """What a key may do, as the exchange reports it; None where it does not say."""

    verifiable: bool
    read: bool | None = None
    trade: bool | None = None
    withdraw: bool | None = None
    transfer: bool | None = None
    ip_restricted: bool | None = None
    expires_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # Which optional parts of the account the key can see (capabilities.PartLog entries),
    # filled by the connect-time check; stored apart from the permissions.
    capabilities: dict[str, Any] = field(default_factory=dict)
    # The exchange's own id of the account the key belongs to (Binance uid, Bybit userID…),
    # read at connect time; None where the exchange names none (the key stands in for it).
    account_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "verifiable": self.verifiable,
            "read": self.read,
            "trade": self.trade,
            "withdraw": self.withdraw,
            "transfer": self.transfer,
            "ip_restricted": self.ip_restricted,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            **self.details,
        }


def id_text(value: object) -> str | None:
    """An exchange's id as we store ids, as text whatever JSON type it came in; None where the
    answer has none."""
    return None if value is None or value == "" else str(value)


@dataclass(frozen=True)
class CredentialShape:
    """What the form asks for and accepts, for one exchange."""

    needs_passphrase: bool = False
    secret_is_pem: bool = False
    api_key_pattern: str = r"[A-Za-z0-9\-_]{16,128}"
    secret_pattern: str = r"[A-Za-z0-9\-_+/=]{16,256}"
    api_key_example: str = ""
    has_futures_key: bool = False


@dataclass(frozen=True)
class IpStep:
    """The key-creation step about the key's IP allow-list, in the exchange's own words.

    Said one way where this installation sends from fixed addresses (THRIVE_EGRESS_IPS, listed
    under the steps), the other where it does not: a key restricted to addresses we cannot name
    would be refused.
    """

    restricted: str
    unrestricted: str


class ExchangeAdapter:
    exchange_id: ClassVar[str]
    ccxt_id: ClassVar[str]
    shape: ClassVar[CredentialShape] = CredentialShape()
    # How to create a read-only key, shown on the form: (step, step, …).
    key_help: ClassVar[tuple[str | IpStep, ...]] = ()
    # Error codes in the exchange's own error body that mean "your IP is not allow-listed",
    # and those that mean the key itself failed, whatever class ccxt chose.
    ip_error_codes: ClassVar[frozenset[str]] = frozenset()
    auth_error_codes: ClassVar[frozenset[str]] = frozenset()
    # ccxt's fetchMarkets options that load the spot markets alone, and the params that go
    # with them: used when the full market list fails because one family's list does not
    # answer (a futures host down, a margin list refused), which must not stop spot.
    spot_markets_options: ClassVar[dict[str, Any]] = {"types": ["spot"]}
    spot_markets_params: ClassVar[dict[str, Any]] = {}
    # Optional parts' lists that ccxt reads even to load the spot markets (margin pairs, MEXC's
    # contracts), by ccxt method, with the empty answer a failed load then gives in their
    # place: such a list that fails must stop neither spot nor the other families.
    spot_markets_without: ClassVar[dict[str, Any]] = {}
    # Codes an optional part answers when the account never opened it (Binance -3003).
    not_opened_codes: ClassVar[frozenset[str]] = frozenset()
    client_options: ClassVar[dict[str, Any]] = {}
    # Whether one client also keeps ccxt's even spacing between its calls: needed where the
    # exchange counts requests per second; an exchange that counts weight per minute is kept
    # in bounds by the shared budget alone and may burst.
    spaces_requests: ClassVar[bool] = True

    @classmethod
    def key_steps(cls, *, fixed_ips: bool) -> list[str]:
        """The key-creation steps, the IP step said as fits whether we send from fixed IPs."""
        return [
            (step.restricted if fixed_ips else step.unrestricted)
            if isinstance(step, IpStep)
            else step
            for step in cls.key_help
        ]

    def client(
        self, secret: CredentialSecret | None = None, *, futures: bool = False
    ) -> ccxt.Exchange:
        return build_client(
            self.ccxt_id,
            route_as=self.exchange_id,
            secret=secret,
            futures=futures,
            options=self.client_options,
            spaced=self.spaces_requests,
        )

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        """Ask the exchange what the key may do, through read-only endpoints only."""
        raise NotImplementedError

    @property
    def markets_route(self) -> str:
        """Where this exchange's requests go (a relay, or "" for the exchange itself): the
        shared markets cache keeps each place's markets apart."""
        return settings.THRIVE_EXCHANGE_URLS.get(self.exchange_id, "")

    def ensure_markets(self, client: ccxt.Exchange) -> None:
        """The client's markets: the process's shared copy, or loaded. If the full list fails,
        for this client only (not cached, so the next sync tries the full list again): every
        market but the lists of `spot_markets_without`, else the spot markets alone."""
        try:
            markets_ensure(client, key=self.ccxt_id, route=self.markets_route)
        except Exception:
            if self.spot_markets_without:
                for method, empty in self.spot_markets_without.items():
                    # ccxt calls its API methods on the instance, so this answer stands in
                    setattr(client, method, lambda *_, empty=empty: copy.deepcopy(empty))
                with contextlib.suppress(Exception):
                    client.load_markets(True)
                    return
            fetch_markets = client.options.get("fetchMarkets")
            client.options["fetchMarkets"] = {
                **(fetch_markets if isinstance(fetch_markets, dict) else {}),
                **self.spot_markets_options,
            }
            client.load_markets(True, dict(self.spot_markets_params))

    def markets_missing(self, client: ccxt.Exchange, part: Part, flag: str) -> bool:
        """Whether no market with ccxt's ``flag`` ("swap", "linear"…) loaded because its list
        failed and ensure_markets went without it. The part is then recorded failed for this
        sync, rather than read as empty or its fills taken for another family's."""
        if any(market.get(flag) for market in (client.markets or {}).values()):
            return False
        self.record_failure(client, part, failure_for(ErrorCode.UNAVAILABLE))
        return True

    def read_probe(self, client: ccxt.Exchange) -> None:
        """One harmless signed read, proving the key authenticates and can read."""
        client.fetch_balance()

    @staticmethod
    def last_body(client: ccxt.Exchange) -> dict[str, Any] | None:
        """The last answer's JSON object, read from the text ccxt always keeps (its parsed copy
        depends on an option and is dropped on some error paths); None if it was not one."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "null")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """The exchange's own error code from the last response body, if it has one."""
        body = getattr(client, "last_json_response", None)
        if isinstance(body, dict):
            for key in ("code", "retCode", "label", "error_code"):
                if body.get(key) not in (None, "", 0, "0"):
                    return str(body[key])
        return None

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """Our failure for an exception, refined by the exchange's own body where it is clearer."""
        failure = classify(exc)
        code = self.error_code_of(client)
        if code is not None and code in self.ip_error_codes:
            failure = failure_for(ErrorCode.IP_NOT_ALLOWED)
        elif code is not None and code in self.auth_error_codes:
            failure = failure_for(ErrorCode.AUTHENTICATION)
        return replace(failure, exchange_code=code or "")

    def failure_of(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """`failure()` with the exchange's own code kept, whatever an adapter's override built:
        the page names it ("not available to this key (MEXC 700007)")."""
        failure = self.failure(exc, client)
        if failure.exchange_code:
            return failure
        return replace(failure, exchange_code=self.error_code_of(client) or "")

    def availability_of(
        self, failure: ExchangeFailure, *, refusal: Availability = Availability.FAILED
    ) -> Availability:
        """What an optional part's failure says about the part. `refusal` is what a plain
        "no" from the exchange (no class of its own) means for this part."""
        if failure.exchange_code and failure.exchange_code in self.not_opened_codes:
            return Availability.NOT_OPENED
        if failure.code in _REFUSED_KEY:
            return Availability.NO_ACCESS
        if failure.code is ErrorCode.EXCHANGE:
            return refusal
        return Availability.FAILED

    def optional(
        self,
        client: ccxt.Exchange,
        part: Part,
        call: Callable[[], T],
        default: T,
        *,
        refusal: Availability = Availability.FAILED,
        quiet: bool = False,
    ) -> T:
        """`call()` for an optional part: any error is recorded and `default` returned, so an
        optional part never fails a sync. A part known to be unavailable is not called.
        `quiet` records failures only: a catch-all around parts the adapter records finer."""
        log = part_log_of(client)
        if log.skips(part):
            return default
        try:
            result = call()
        except Exception as exc:
            failure = self.failure_of(exc, client)
            self.record_failure(client, part, failure, refusal=refusal)
            return default
        if not quiet:
            log.record(part, Availability.AVAILABLE)
        return result

    def record_failure(
        self,
        client: ccxt.Exchange,
        part: Part,
        failure: ExchangeFailure,
        *,
        refusal: Availability = Availability.FAILED,
    ) -> None:
        """What an optional part's failure says of it, on this sync's part log."""
        part_log_of(client).record(
            part,
            self.availability_of(failure, refusal=refusal),
            error_code=failure.code.value,
            exchange_code=failure.exchange_code,
        )

    def optional_for(self, client: ccxt.Exchange) -> OptionalCall:
        return functools.partial(self.optional, client)

    def account_id(self, client: ccxt.Exchange, permissions: Permissions) -> str | None:
        """The exchange's own id of the key's account, for the connect-time check: by default
        what the permission answer named. An adapter whose check reads it from another answer,
        or needs one more cheap read of the core account for it, says so here."""
        return permissions.account_id

    def _account_id_or_none(self, client: ccxt.Exchange, permissions: Permissions) -> str | None:
        """`account_id()`, or None when its read fails for any reason but a bad key: the caller
        then stands the key's fingerprint in for the account."""
        try:
            return self.account_id(client, permissions)
        except Exception as exc:
            failure = self.failure_of(exc, client)
            if failure.code in _BAD_KEY:
                raise ExchangeCallFailed(failure) from None
            return None

    def check(self, secret: CredentialSecret) -> Permissions:
        """The connect-time check: one read, the permissions and the account's own id, then
        which optional parts the key can see (a failing optional part never fails the check).
        Raises ExchangeCallFailed."""
        client = self.client(secret)
        try:
            # ccxt needs the markets to read (some exchanges load them for any private call);
            # they are shared per process and hour.
            self.ensure_markets(client)
            self.read_probe(client)
            permissions = self.fetch_permissions(client)
            permissions = replace(
                permissions, account_id=self._account_id_or_none(client, permissions)
            )
            self.fetch_balances(client)
        except ExchangeCallFailed:
            raise
        except Exception as exc:
            raise ExchangeCallFailed(self.failure_of(exc, client)) from None
        return replace(permissions, capabilities=part_log_of(client).as_json())

    # -- the sync engine's side -------------------------------------------------------------

    def trade_streams(self, client: ccxt.Exchange, *, known: KnownStreams) -> list[Stream]:
        """Every stream of trades to walk: `known` are streams found before (with a cursor,
        walked or not) and how far their searches went."""
        raise NotImplementedError

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        """Pages of `stream` after `cursor` (empty: start at `since_ms`), oldest first.

        Each page carries the cursor that resumes right after it, so the engine can commit a
        page and its cursor together and a crash resumes without loss or duplicates.
        """
        raise NotImplementedError

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        raise NotImplementedError

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        return []

    def price_symbols(self, client: ccxt.Exchange, assets: set[str]) -> list[str]:
        """The spot markets that price `assets`: each asset against US dollars if the exchange
        lists it, else against a dollar stablecoin, and the stablecoins against US dollars."""
        markets = client.markets or {}
        chosen: list[str] = []
        for asset in sorted(assets):
            for quote in PRICE_QUOTES:
                market = markets.get(f"{asset}/{quote}")
                if asset != quote and market and market.get("spot"):
                    chosen.append(f"{asset}/{quote}")
                    break
        chosen += [f"{s}/USD" for s in STABLECOINS if (markets.get(f"{s}/USD") or {}).get("spot")]
        return list(dict.fromkeys(chosen))

    def fetch_prices(self, client: ccxt.Exchange, assets: set[str]) -> list[PriceRecord]:
        """Last prices of `assets` from the exchange's public spot tickers, in one request
        where the exchange answers many symbols at once. An exchange that cannot is an
        adapter's to override."""
        symbols = self.price_symbols(client, assets)
        if not symbols:
            return []
        wanted = set(symbols)
        records = []
        for symbol, ticker in client.fetch_tickers(symbols).items():
            last = ticker.get("last") or ticker.get("close")
            if symbol not in wanted or last is None:
                continue
            base, quote = symbol.split("/")
            change = ticker.get("percentage")
            records.append(
                PriceRecord(
                    asset=base,
                    quote=quote,
                    price=Decimal(str(last)),
                    symbol=symbol,
                    change_24h_pct=None if change is None else Decimal(str(change)),
                )
            )
        return records

    def requests_made(self, client: ccxt.Exchange) -> int:
        """Requests this sync made; adapters that attach a second client add its count."""
        return int(client.requests_made)

    def fee_of(self, trade: dict[str, Any]) -> tuple[Any, str]:
        """(fee, currency) of a ccxt trade. ccxt 4.5.90 loses `fee.cost` when numbers are
        Decimal, so adapters read the exchange's own fields; this is the unified fallback."""
        fee = trade.get("fee") or {}
        return fee.get("cost"), fee.get("currency") or ""

    def realized_pnl_of(self, trade: dict[str, Any]) -> Any:
        return None

    def record_of(
        self, client: ccxt.Exchange, trade: dict[str, Any], *, account: str = "main"
    ) -> TradeRecord:
        """Our record of one ccxt trade: Decimal amounts, UTC time, the unified symbol."""
        market = client.market(trade["symbol"])
        fee, fee_currency = self.fee_of(trade)
        return TradeRecord(
            account=account,
            market_type=market.get("type") or "spot",
            symbol=trade["symbol"],
            base=market.get("base") or "",
            quote=market.get("quote") or "",
            settle=market.get("settle") or "",
            side=trade["side"],
            price=to_decimal(trade["price"]),
            amount=to_decimal(trade["amount"]),
            cost=to_decimal(trade["cost"]),
            fee=to_decimal(fee),
            fee_currency=fee_currency or "",
            executed_at=from_millis(trade["timestamp"]),
            trade_id=str(trade["id"]),
            order_id=str(trade.get("order") or ""),
            taker_or_maker=trade.get("takerOrMaker") or "",
            realized_pnl=to_decimal(self.realized_pnl_of(trade)),
        )

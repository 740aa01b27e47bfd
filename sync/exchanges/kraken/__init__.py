"""Kraken: spot with margin and staking, plus Kraken Futures on a key pair of its own.

Spot keys describe themselves through ``POST /0/private/GetApiKeyInfo`` (permissions, IP
allow-list, expiry, a restricted query window), which needs no permission at all; Kraken
Futures keys through ``GET /api/auth/v1/api-keys/v3/check`` (`futures.key_check`).

Spot (trades and ``BalanceEx``, staked assets included) is the core. Margin positions and
everything of Kraken Futures are optional parts: the futures key is optional to give, and
whatever it answers (refused, never opened, down) is recorded on the connection, never a
connection state.

Trades: one "spot" stream (``TradesHistory``, every pair, margin trades included; `spot.py`)
and, with a futures key, one "futures" stream (fills plus the account log's fees;
`futures.py`), both walked newest first with a cursor holding both ends (`walk.py`). Kraken
keeps the whole history of both. Balances: spot and earn (``BalanceEx``), the futures cash,
flex and margin accounts. Positions: spot margin and futures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import ccxt

from connections.vault import CredentialSecret
from sync.markets import markets_ensure

from ..base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from ..capabilities import Part, part_log_of
from ..client import build_client
from ..errors import ErrorCode, ExchangeCallFailed, ExchangeFailure, failure_for
from ..records import (
    BalanceRecord,
    PositionRecord,
    PriceRecord,
    Stream,
    TradePage,
    TradeRecord,
)
from . import futures as futures_side
from . import spot as spot_side
from .walk import newest_first_pages

# GetApiKeyInfo's permission names. Kraken documents four
# (https://docs.kraken.com/api-reference/account-data/get-api-key-info); TradesHistory needs
# "Query Closed Orders & Trades" too, whose name (query-closed-trades) is inferred (audit P4).
# A list that only uses documented names cannot say whether that box is ticked: the key is
# taken at its word for funds, and TradesHistory itself answers for the trades.
DOCUMENTED_PERMISSIONS = frozenset(
    {"query-funds", "withdraw-funds", "query-open-trades", "modify-trades"}
)
CLOSED_TRADES = "query-closed-trades"
TRADE_PERMISSIONS = frozenset({"modify-trades", "close-trades"})
# Kraken Futures answers a key of an account that never traded there with "accountInactive"
# ("When account has no trade history / no order history", ccxt krakenfutures.py).
NOT_OPENED = frozenset({"accountInactive"})
FUTURES_PART = Part("futures", "Kraken Futures")
MARGIN = Part("margin", "Margin positions")
# Kraken names a wrong secret "EAPI:Invalid signature", which ccxt 4.5.90 leaves unmapped
# (a bare ExchangeError); for a person it is a wrong key pair like any other.
AUTHENTICATION_ERRORS = frozenset({"EAPI:Invalid signature"})
# Kraken Futures answers "unavailable" while it is down for maintenance; ccxt 4.5.90 raises a
# plain ExchangeNotAvailable for it (an outage behind Cloudflare is an HTML page instead).
FUTURES_MAINTENANCE_ERRORS = frozenset({"unavailable", "Unavailable"})
SPOT, FUTURES = "spot", "futures"
R = TypeVar("R")


def _increasing_nonce(client: ccxt.Exchange) -> None:
    """Kraken refuses a nonce that is not above the key's last one. ccxt's is the clock in
    milliseconds, which two calls inside one millisecond would repeat."""
    last = 0

    def nonce() -> int:
        nonlocal last
        clock = int(client.milliseconds()) - int(client.options.get("timeDifference", 0))
        last = max(clock, last + 1)
        return last

    client.nonce = nonce


def _with_futures_key(permissions: Permissions, futures: dict[str, Any]) -> Permissions:
    """The pair's permissions: a futures key that says what it may do adds its warnings. One
    that cannot say (refused, or silent about its permissions) leaves a spot key that can
    already trade or withdraw its warning, and a read-only one unable to vouch for the pair."""
    details = {**permissions.details, "futures": futures}
    if not futures.get("verifiable"):
        return dataclasses.replace(
            permissions,
            verifiable=permissions.verifiable and bool(permissions.trade or permissions.withdraw),
            details=details,
        )
    return dataclasses.replace(
        permissions,
        trade=bool(permissions.trade or futures["trade"]),
        withdraw=bool(permissions.withdraw or futures["withdraw"]),
        details=details,
    )


def _seconds_to_datetime(value: object) -> datetime | None:
    try:
        seconds = int(str(value))
    except ValueError:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds > 0 else None


class KrakenAdapter(ExchangeAdapter):
    exchange_id = "kraken"
    ccxt_id = "kraken"
    # API keys are 56 base64 characters, private keys 88 (64 bytes); Kraken Futures keys
    # look the same and go into the futures fields.
    shape = CredentialShape(
        api_key_pattern=r"[A-Za-z0-9+/]{56}",
        secret_pattern=r"[A-Za-z0-9+/]{86}==",
        has_futures_key=True,
    )
    key_help = (
        "On kraken.com open Settings → Connections & API and choose “Create API key”.",
        "Tick only Query Funds, Query Open Orders & Trades, Query Closed Orders & Trades and "
        "Query Ledger Entries; leave every order, deposit and withdrawal box unticked.",
        IpStep(
            restricted=(
                "Add our addresses below to the key's IP allowlist and leave the query start and "
                "end dates empty, so that we can read your whole history."
            ),
            unrestricted=(
                "Leave the key's IP allowlist empty (there are no addresses of ours to list, see "
                "below) and the query start and end dates too, so that we can read your whole "
                "history."
            ),
        ),
        "For Kraken Futures, create a second key in Kraken Futures → Settings → API Keys with "
        "“General API: Read Only” and “Withdrawal API: No Access”, and enter it below too.",
        "Copy each public and private key: Kraken shows a private key only once.",
    )
    # Kraken answers "EGeneral:Permission denied" both for a missing permission and for an
    # address outside the allow-list; `check` tells them apart with GetApiKeyInfo.
    ip_error_codes = frozenset()
    not_opened_codes = NOT_OPENED

    def client(
        self, secret: CredentialSecret | None = None, *, futures: bool = False
    ) -> ccxt.Exchange:
        """The spot client; with a futures key pair, the Kraken Futures client rides along as
        ``client.futures_client`` (None without one)."""
        client = build_client(
            "krakenfutures" if futures else self.ccxt_id,
            route_as=self.exchange_id,
            secret=secret,
            futures=futures,
            options=self.client_options,
        )
        if futures:
            return client
        # ccxt 4.5.90 loads Kraken's currencies with the markets and then reads their
        # precision through safe_number, which cannot read a Decimal: load_markets fails
        # ("missing currencyPrecision"). Kraken's X/Z asset ids resolve without them.
        client.has = {**client.has, "fetchCurrencies": False}
        _increasing_nonce(client)
        client.futures_client = (
            self.client(secret, futures=True) if secret and secret.futures_api_key else None
        )
        return client

    def requests_made(self, client: ccxt.Exchange) -> int:
        futures = getattr(client, "futures_client", None)
        extra = int(futures.requests_made) if futures is not None else 0
        return int(client.requests_made) + extra

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """The first entry of spot's ``error`` list, or the futures ``error`` code. ccxt keeps
        the last body as text only (``last_json_response`` needs an option)."""
        body = self.last_body(client)
        if body is None:
            return None
        error: Any = body.get("error")
        if isinstance(error, list):
            return str(error[0]) if error else None
        if isinstance(error, str) and error:
            return error
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or "") or None
        return None

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        if isinstance(exc, ExchangeCallFailed):
            # already classified from the futures client's own answer (`_guarded`)
            return exc.failure
        code = self.error_code_of(client)
        if code in AUTHENTICATION_ERRORS:
            return failure_for(ErrorCode.AUTHENTICATION)
        if isinstance(exc, ccxt.ExchangeNotAvailable) and not isinstance(exc, ccxt.OnMaintenance):
            if client.id != self.ccxt_id and code in FUTURES_MAINTENANCE_ERRORS:
                return failure_for(ErrorCode.MAINTENANCE)
            if self._in_maintenance(client):
                return failure_for(ErrorCode.MAINTENANCE)
        return super().failure(exc, client)

    def _in_maintenance(self, client: ccxt.Exchange) -> bool:
        """Kraken refuses every call with "EService:Unavailable" during maintenance, for which
        ccxt has nothing better than ExchangeNotAvailable; the public SystemStatus says which."""
        if client.id != self.ccxt_id:
            return False
        try:
            return client.fetch_status().get("status") == "maintenance"
        except Exception:
            return False

    def read_probe(self, client: ccxt.Exchange) -> None:
        # POST /0/private/BalanceEx needs "Query Funds" and changes nothing; Kraken's private
        # API is POST throughout.
        client.private_post_balanceex()

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # POST /0/private/GetApiKeyInfo describes the calling key and nothing else.
        info = client.private_post_getapikeyinfo().get("result") or {}
        granted = set(info.get("permissions") or [])
        details: dict[str, Any] = {}
        query_from = _seconds_to_datetime(info.get("queryFrom"))
        query_to = _seconds_to_datetime(info.get("queryTo"))
        if query_from or query_to:
            # the key only sees trades inside this window: older history stays out of reach
            details["history_window"] = {
                "from": query_from.isoformat() if query_from else None,
                "to": query_to.isoformat() if query_to else None,
            }
        withdraw = "withdraw-funds" in granted
        # A list in the fuller vocabulary that lacks query-closed-trades says the box is off.
        closed_trades = CLOSED_TRADES in granted or granted <= DOCUMENTED_PERMISSIONS
        permissions = Permissions(
            verifiable=True,
            read="query-funds" in granted and closed_trades,
            trade=bool(granted & TRADE_PERMISSIONS),
            withdraw=withdraw,
            # funds move to the futures wallet under "Withdraw Funds"; there is no other right
            transfer=withdraw,
            ip_restricted=bool(info.get("ipAllowlist")),
            expires_at=_seconds_to_datetime(info.get("validUntil")),
            details=details,
            # Kraken names accounts by their IIBAN ("AA88 N84G WOAK NMOI"): GetApiKeyInfo
            # answers it as "iban" (its documented example), and the futures key check calls
            # the same value "IIBAN of the account that the API key belongs to"
            # (https://docs.kraken.com/api-reference/account-data/get-api-key-info,
            # https://docs.kraken.com/api-reference/api-keys/check-v3-api-key)
            account_id=id_text(info.get("iban")),
        )
        if getattr(client, "futures_client", None) is None:
            return permissions
        return _with_futures_key(permissions, self._futures_key(client))

    def _futures_key(self, client: ccxt.Exchange) -> dict[str, Any]:
        """What the futures key says of itself; a refusal is recorded, never raised."""
        futures = self._sharing_log(client)
        answer = self.optional(futures, FUTURES_PART, lambda: futures_side.key_check(futures), {})
        if not answer:
            return {"verifiable": False, "works": False}
        return futures_side.key_details(answer)

    def check(self, secret: CredentialSecret) -> Permissions:
        """The spot key as usual, then the optional parts; a futures key, when given, is one
        of them: whatever it answers is recorded and never fails the check."""
        client = self.client(secret)
        try:
            try:
                self.read_probe(client)
            except ccxt.PermissionDenied:
                return self._refused_read(client)
            permissions = self.fetch_permissions(client)
            self.fetch_balances(client)
        except ExchangeCallFailed:
            raise
        except Exception as exc:
            raise ExchangeCallFailed(self.failure_of(exc, client)) from None
        return dataclasses.replace(permissions, capabilities=part_log_of(client).as_json())

    def _refused_read(self, client: ccxt.Exchange) -> Permissions:
        """BalanceEx was refused. GetApiKeyInfo needs no permission, so if it is refused too
        the key refuses our address; if it answers, it says what the key lacks."""
        try:
            permissions = self.fetch_permissions(client)
        except ccxt.PermissionDenied:
            raise ExchangeCallFailed(failure_for(ErrorCode.IP_NOT_ALLOWED)) from None
        if permissions.read:
            raise ExchangeCallFailed(failure_for(ErrorCode.PERMISSION))
        return permissions

    def _sharing_log(self, client: ccxt.Exchange) -> ccxt.Exchange:
        """The futures client, recording its optional calls in the spot client's part log
        (the one the sync engine reads), its failures classified from its own answers."""
        futures = client.futures_client
        futures.thrive_part_log = part_log_of(client)
        return futures

    def _futures(self, client: ccxt.Exchange) -> ccxt.Exchange:
        """The futures client with its markets (cached like the spot ones)."""
        futures = self._sharing_log(client)
        if not futures.markets:
            self._guarded(futures, markets_ensure)(
                futures, key="krakenfutures", route=self.markets_route
            )
        return futures

    def _guarded(self, futures: ccxt.Exchange, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` with its failures classified from the futures client's own last answer
        (the engine only sees the spot client's)."""

        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except ExchangeCallFailed:
                raise
            except Exception as exc:
                raise ExchangeCallFailed(self.failure_of(exc, futures)) from None

        return run

    # -- trades -----------------------------------------------------------------------------

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        """TradesHistory and the futures fills each cover every market at once: no discovery.
        A futures stream walked before is left alone once its key is gone (nothing to ask
        with)."""
        streams = [Stream(SPOT)]
        if client.futures_client is not None:
            streams.append(Stream(FUTURES, part=FUTURES_PART))
        return streams

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        if stream.name == FUTURES:
            return self._futures_pages(client, cursor, since_ms=since_ms)
        return newest_first_pages(
            fetch=spot_side.trades_fetch(client),
            identify=spot_side.identify,
            convert=lambda rows: [spot_side.record_of_trade(client, row) for row in rows],
            cursor=cursor,
            since_ms=since_ms,
        )

    def _futures_pages(
        self, client: ccxt.Exchange, cursor: dict[str, Any], *, since_ms: int
    ) -> Iterator[TradePage]:
        futures = self._futures(client)
        log = futures_side.AccountLog(futures)
        identify = futures_side.identify(futures)

        def convert(rows: list[dict[str, Any]]) -> list[TradeRecord]:
            entries = log.entries([identify(row) for row in rows])
            return [
                futures_side.record_of_fill(futures, row, entries.get(row["fill_id"]))
                for row in rows
            ]

        return newest_first_pages(
            fetch=self._guarded(futures, futures_side.fills_fetch(futures)),
            identify=identify,
            convert=self._guarded(futures, convert),
            cursor=cursor,
            since_ms=since_ms,
        )

    # -- balances and positions -------------------------------------------------------------

    def _optional_futures(
        self, client: ccxt.Exchange, call: Callable[[ccxt.Exchange], list[R]]
    ) -> list[R]:
        """``call(futures)`` as the optional Kraken Futures part; nothing without a key."""
        if client.futures_client is None:
            return []
        futures = self._sharing_log(client)
        return self.optional(futures, FUTURES_PART, lambda: call(self._futures(client)), [])

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        return spot_side.balances(client) + self._optional_futures(client, futures_side.balances)

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        # Margin positions are optional too: an account that never traded on margin has none,
        # and whatever OpenPositions answers must not hold up the futures ones.
        margin = self.optional(client, MARGIN, lambda: spot_side.margin_positions(client), [])
        return margin + self._optional_futures(client, futures_side.positions)

    # -- prices -------------------------------------------------------------------------------

    def fetch_prices(self, client: ccxt.Exchange, assets: set[str]) -> list[PriceRecord]:
        """The spot tickers (``GET /0/public/Ticker?pair=…``, every pair in one request) of the
        spot client: Kraken Futures prices nothing here. Kraken's ticker has no price of 24
        hours ago: its ``o`` is today's opening price and "today's prices start at midnight
        UTC" (https://docs.kraken.com/api-reference/market-data/get-ticker-information), yet
        ccxt derives ``percentage`` from it (kraken.py parse_ticker). A change since midnight
        is not a 24-hour change, so none is kept."""
        return [
            dataclasses.replace(record, change_24h_pct=None)
            for record in super().fetch_prices(client, assets)
        ]

"""KuCoin: spot, margin, lending and earn on api.kucoin.com, futures on api-futures.kucoin.com.

One KuCoin key serves both hosts, so one client checks it. A sync attaches a second client of
ccxt's ``kucoinfutures`` class for the futures host: its own markets and its own budget.

Trades (every list answers at most 7 days per query, newest first):
- spot on HF accounts: ``/api/v1/hf/fills`` needs a symbol; one stream per symbol whose base
  the account holds, paged by ``lastId``, 100 a page;
- spot on low-frequency accounts: ``/api/v1/fills`` covers every pair, 500 a page;
- margin: ``/api/v3/hf/margin/fills`` per symbol (HF), or ``/api/v1/fills`` with its
  ``tradeType`` (low-frequency), cross and isolated apart;
- futures: ``/api/v1/fills`` on api-futures covers every contract, 1000 a page, and keeps only
  the last three months; a first walk reads it only if a futures wallet holds anything.

Funding and spot are the core. Cross and isolated margin, margin lending, earn and futures
are optional parts (see wallets.py): KuCoin refuses margin accounts to anyone who never
enabled margin trading (101030, or 130306 "has not opened leveraged trading"), which reads as
not opened; any other answer of an optional part is recorded and never fails a sync.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import ccxt

from connections.vault import CredentialSecret
from sync.markets import markets_ensure

from ..base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from ..capabilities import Part, attach_part_log, part_log_of
from ..client import build_client
from ..errors import ErrorCode, ExchangeCallFailed, ExchangeFailure, failure_for
from ..records import BalanceRecord, PositionRecord, Stream, TradePage, TradeRecord, to_decimal
from ..walking import OVERLAP_MS
from .walk import last_id_fetch, page_number_fetch, window_pages
from .wallets import (
    CROSS_MARGIN,
    ISOLATED_MARGIN,
    futures_balances,
    futures_positions,
    held_assets,
    spot_side_balances,
)

# "Access denied, requires more permission.": ccxt calls it an AuthenticationError, but the
# key authenticated; it lacks "General", KuCoin's read permission.
ACCESS_DENIED = "400007"
# KuCoin names trading rights per market; "Trade" is the name of v1/v2 keys.
_TRADING = frozenset({"Spot", "Margin", "Futures", "Trade"})
# "Transfer" is the withdrawal right; "InnerTransfer" (shown as Flex Transfer) moves funds
# between one's own accounts.
_WITHDRAWAL = frozenset({"Transfer", "Withdraw"})
_INNER_TRANSFER = frozenset({"InnerTransfer", "FlexTransfer"})

HF_PAGE = 100
MARGIN_PAGE = 200
CLASSIC_PAGE = 500
FUTURES_PAGE = 1000
FUTURES = "futures"
# KuCoin keeps futures fills for three months (docs-new, futures "Get Trade History").
FUTURES_REACH_DAYS = 90
FUTURES_OPTIONS = {
    "uta": False,
    # the futures client never reads spot, so it needs no HF probe before its markets
    "hf": False,
    "fetchMarkets": {"types": ["swap", "future", "contract"], "fetchTickersFees": False},
}
# Our margin stream kinds -> ccxt's marginMode (HF lists) and KuCoin's tradeType (the
# low-frequency list).
MARGIN_MODES = {"margin": "cross", "isolated": "isolated"}
TRADE_TYPES = {"spot": "TRADE", "margin": "MARGIN_TRADE", "isolated": "MARGIN_ISOLATED_TRADE"}

FUTURES_PART = Part("futures", "Futures")
# Which optional part each stream kind belongs to (spot is the core).
STREAM_PARTS = {"margin": CROSS_MARGIN, "isolated": ISOLATED_MARGIN, FUTURES: FUTURES_PART}

Call = Callable[[int, int, dict[str, Any]], list[dict[str, Any]]]


class KucoinAdapter(ExchangeAdapter):
    exchange_id = "kucoin"
    ccxt_id = "kucoin"
    # keys are MongoDB ObjectIds (24 hex), secrets UUIDs; the passphrase is the user's own
    shape = CredentialShape(
        needs_passphrase=True,
        api_key_pattern=r"[0-9a-f]{24}",
        secret_pattern=r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    )
    key_help = (
        "On kucoin.com open Account → API Management and choose Create API → API Trading.",
        "Name the key and choose its passphrase (7 to 32 characters): you will enter it here.",
        "Tick only “General”; leave Spot, Margin, Futures, Earn, Flex Transfer and Withdrawal off.",
        IpStep(
            restricted="Set IP restriction to “Yes” and add our addresses below.",
            unrestricted=(
                "Set IP restriction to “No”: there are no addresses of ours to list (see below)."
            ),
        ),
        "Confirm, then copy the API key and the secret: KuCoin shows the secret only once.",
    )
    # 400006 "Invalid request IP, the current client IP is: …"
    ip_error_codes = frozenset({"400006"})
    # Margin never enabled: {"code":"101030","msg":"You haven't yet enabled the margin
    # trading"} (ccxt kucoin.py ``exceptions``, PermissionDenied) and 130306 "The account has
    # not opened leveraged trading" (same table, NotSupported).
    not_opened_codes = frozenset({"101030", "130306"})
    # ccxt asks the account mode (unified or classic, weight 30) before markets, balances and
    # trades unless told; connections are classic accounts. This client needs spot markets
    # only (contracts are the futures client's) and no ticker list.
    client_options = {"uta": False, "fetchMarkets": {"types": ["spot"], "fetchTickersFees": False}}
    # ccxt also asks the margin symbol lists with credentials set; without them, spot alone
    spot_markets_params = {"marginables": False}

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /api/v1/accounts (General): the funding account, no market list needed
        client.private_get_accounts({"type": "main"})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v1/user/api-key: read-only by nature. KuCoin keys do not expire.
        info: dict[str, Any] = client.private_get_user_api_key().get("data") or {}
        names = [name.strip() for name in str(info.get("permission") or "").split(",")]
        granted = {name for name in names if name}
        withdraw = bool(granted & _WITHDRAWAL)
        return Permissions(
            verifiable=True,
            read="General" in granted,
            trade=bool(granted & _TRADING),
            withdraw=withdraw,
            transfer=withdraw or bool(granted & _INNER_TRANSFER),
            ip_restricted=bool(info.get("ipWhitelist")),
            details={"exchange_permissions": [name for name in names if name]},
            # "uid": the UID of the key's account ("Get Apikey Info",
            # https://www.kucoin.com/docs-new/rest/account-info/account-funding/get-apikey-info);
            # ccxt 4.5.90 lists the endpoint (private user/api-key) without reading it
            account_id=id_text(info.get("uid")),
        )

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """KuCoin's ``code`` from the last body: ccxt keeps the text but not the parsed JSON."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "")
        except ValueError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return None if code in (None, "", "200000") else str(code)

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """Refines ccxt's class where KuCoin says more: a missing permission, and maintenance
        (ccxt has no maintenance code for KuCoin: a 503 that says when to come back, with
        ``Retry-After``, is a planned upgrade; any other unavailability an outage)."""
        failure = super().failure(exc, client)
        if self.error_code_of(client) == ACCESS_DENIED:
            return failure_for(ErrorCode.PERMISSION)
        headers = getattr(client, "last_response_headers", None) or {}
        if failure.code is ErrorCode.UNAVAILABLE and headers.get("Retry-After"):
            return failure_for(ErrorCode.MAINTENANCE)
        return failure

    # -- clients ----------------------------------------------------------------------------

    def client(
        self, secret: CredentialSecret | None = None, *, futures: bool = False
    ) -> ccxt.Exchange:
        client = super().client(secret, futures=futures)
        client.futures_client = build_client(
            "kucoinfutures", route_as=self.exchange_id, secret=secret, options=FUTURES_OPTIONS
        )
        return client

    def requests_made(self, client: ccxt.Exchange) -> int:
        return int(client.requests_made) + int(client.futures_client.requests_made)

    def _guarded(self, futures: ccxt.Exchange, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` with its failures classified from the futures client's own last answer
        (the engine only sees the spot client's)."""

        def run(*args: Any) -> Any:
            try:
                if not futures.markets:
                    markets_ensure(futures, key="kucoinfutures", route=self.markets_route)
                return function(*args)
            except ExchangeCallFailed:
                raise
            except Exception as exc:
                raise ExchangeCallFailed(self.failure_of(exc, futures)) from None

        return run

    @staticmethod
    def _is_hf(client: ccxt.Exchange) -> bool:
        # GET /api/v1/hf/accounts/opened, unless loading the markets asked it already
        client.load_migration_status()
        return bool(client.options.get("hf"))

    # -- trades -----------------------------------------------------------------------------

    def fee_of(self, trade: dict[str, Any]) -> tuple[Any, str]:
        # ccxt 4.5.90 loses the whole fee (cost and currency) for Decimal clients
        info = trade.get("info") or {}
        return info.get("fee"), info.get("feeCurrency") or ""

    def record_of(
        self, client: ccxt.Exchange, trade: dict[str, Any], *, account: str = "main"
    ) -> TradeRecord:
        """Futures sizes are lots: the amount is lots x contractSize (base units on linear
        contracts, USD on inverse ones). KuCoin Futures calls bitcoin XBT."""
        record = super().record_of(client, trade, account=account)
        market = client.market(trade["symbol"])
        fee_currency = client.safe_currency_code(record.fee_currency) if record.fee_currency else ""
        if market.get("contract"):
            size = to_decimal(market.get("contractSize"))
            return replace(record, amount=record.amount * size, fee_currency=fee_currency)
        return replace(record, fee_currency=fee_currency)

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        """Futures in one stream; spot and margin by symbol on HF accounts (symbols whose base
        the wallet holds, plus every stream walked before), or one stream per trade type on
        low-frequency accounts."""
        held = getattr(client, "kucoin_held", None) or held_assets(
            client, self.optional_for(client)
        )
        names = set(known) | {FUTURES}
        if self._is_hf(client):
            for market in client.markets.values():
                if not market.get("spot") or market.get("active") is False:
                    continue
                if market["base"] in held.spot:
                    names.add(f"spot:{market['symbol']}")
                if market.get("margin") and market["base"] in held.margin:
                    names.add(f"margin:{market['symbol']}")
            names |= {f"isolated:{client.safe_symbol(pair, None, '-')}" for pair in held.isolated}
        else:
            names.add("spot")
            if held.margin:
                names.add("margin")
            if held.isolated:
                names.add("isolated")
        return [
            Stream(
                name,
                reach_days=FUTURES_REACH_DAYS if name == FUTURES else None,
                part=STREAM_PARTS.get(name.split(":")[0]),
            )
            for name in sorted(names)
            # a symbol KuCoin no longer lists cannot be asked for
            if ":" not in name or name.split(":", 1)[1] in client.markets
        ]

    def _futures_ever_used(self, client: ccxt.Exchange) -> bool:
        """Whether a first walk of the futures fills can find anything: not when every futures
        wallet (read by this sync's balances, else asked now, one request a settle coin) holds
        nothing. That spares an account that never funded futures 13 empty weekly windows; an
        answer that did not come reads as used. A futures wallet emptied to exactly zero before
        the first sync reads as never used: its three months of fills then need a CSV."""
        balances = getattr(client, "kucoin_futures", None)
        if balances is None:
            balances = self._futures_optional(client, futures_balances, None)
        return balances is None or bool(balances)

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        kind, _, symbol = stream.name.partition(":")
        source = client
        if kind == FUTURES and not cursor and not self._futures_ever_used(client):
            # Nothing to walk: the stream starts now, so later syncs ask only the newest week
            # (a wallet funded later has its fills read from there).
            return iter([TradePage([], {"from_ms": max(now_ms + 1 - OVERLAP_MS, since_ms)})])
        if kind == FUTURES:
            source = futures = client.futures_client
            call: Call = self._guarded(
                futures,
                lambda start, end, extra: futures.fetch_my_trades(
                    None, start, FUTURES_PAGE, {"until": end, **extra}
                ),
            )
            fetch = page_number_fetch(call, FUTURES_PAGE)
        elif symbol:
            params = {"hf": True} if kind == "spot" else {"marginMode": MARGIN_MODES[kind]}
            page = HF_PAGE if kind == "spot" else MARGIN_PAGE
            fetch = last_id_fetch(
                lambda start, end, extra: client.fetch_my_trades(
                    symbol, start, page, {**params, "until": end, **extra}
                ),
                page,
            )
        else:
            params = {"hf": False, "tradeType": TRADE_TYPES[kind]}
            fetch = page_number_fetch(
                lambda start, end, extra: client.fetch_my_trades(
                    None, start, CLASSIC_PAGE, {**params, "until": end, **extra}
                ),
                CLASSIC_PAGE,
            )
        market_type = "margin" if kind in MARGIN_MODES else None

        def convert(trades: list[dict[str, Any]]) -> list[TradeRecord]:
            records = [self.record_of(source, trade) for trade in trades]
            if market_type:
                return [replace(record, market_type=market_type) for record in records]
            return records

        return window_pages(
            fetch=fetch, cursor=cursor, since_ms=since_ms, now_ms=now_ms, convert=convert
        )

    # -- balances and positions -------------------------------------------------------------

    def _futures_optional(
        self, client: ccxt.Exchange, call: Callable[[ccxt.Exchange], Any], default: Any
    ) -> Any:
        """`call(futures client)` as the optional futures part: its failures are read from the
        futures client's own last answer and logged where the spot client's are."""
        futures = client.futures_client
        attach_part_log(futures, part_log_of(client))

        def run() -> Any:
            if not futures.markets:
                markets_ensure(futures, key="kucoinfutures", route=self.markets_route)
            return call(futures)

        return self.optional(futures, FUTURES_PART, run, default)

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        records, client.kucoin_held = spot_side_balances(client, self.optional_for(client))
        # kept for this sync's trade streams (None: the futures part did not answer)
        client.kucoin_futures = self._futures_optional(client, futures_balances, None)
        return records + (client.kucoin_futures or [])

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        return self._futures_optional(client, futures_positions, [])

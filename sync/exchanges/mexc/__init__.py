"""MEXC: spot (API v3) and USDT-M perpetuals (futures API v1).

MEXC documents no endpoint that tells what a key may do. ``GET /api/v3/account`` answers
``canTrade``, ``canWithdraw`` and ``permissions`` for the account, not the key (a read-only key
of an account that may trade reads ``canTrade: true``), so a key's permissions stay
unverifiable: we only learn that it can read, spot and futures separately. ccxt also lists
``GET /api/v3/apiKeyInfo``, which MEXC does not document; it is not relied upon.

Syncing: spot fills reach back a month and perpetual fills 90 days (`trades`); balances of
spot, futures and a master key's sub-accounts' spot, and open perpetual positions
(`holdings`). MEXC lets a master key read its sub-accounts' balances but not their fills.

Spot is the core. Futures and sub-accounts are optional parts (`parts`): most accounts never
opened futures and are no master, and whatever MEXC answers there is recorded, never a
connection state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import ccxt

from ..base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from ..errors import ErrorCode, ExchangeFailure, failure_for
from ..records import BalanceRecord, PositionRecord, Stream, TradePage, TradeRecord, to_decimal
from . import holdings, trades
from .parts import FUTURES
from .wire import (
    CLOCK_CODES,
    PERMISSION_CODES,
    UNKNOWN_KEY_CODES,
    error_code_of,
    futures_assets,
    spot_account,
)

# MEXC's futures deal sides: 1 open long, 2 close short (buys), 3 open short, 4 close long
# (sells). ccxt 4.5.90 only maps 1 right: 2 reads "sell", 3 and 4 stay raw.
DEAL_SIDES = {1: "buy", 2: "buy", 3: "sell", 4: "sell"}


class MexcAdapter(ExchangeAdapter):
    exchange_id = "mexc"
    ccxt_id = "mexc"
    # Access keys are "mx0" and 15 letters or digits, secret keys 32 lowercase hex digits.
    shape = CredentialShape(
        api_key_pattern=r"mx0[A-Za-z0-9]{15}",
        secret_pattern=r"[0-9a-f]{32}",
        api_key_example="mx0aBYs33eIilxBWC5",
    )
    key_help = (
        "On mexc.com open your profile → API Management and choose Create API Key.",
        "Tick only the viewing permissions (View Account Details and View Order Details) for "
        "Spot and for Futures; leave Trade, Transfer and Withdrawal unticked.",
        IpStep(
            restricted=(
                "Link our IP addresses below to the key: MEXC lets a key without linked IPs "
                "expire after 90 days."
            ),
            unrestricted=(
                "Link no IP addresses: there are no addresses of ours to list (see below). MEXC "
                "lets a key without linked IPs expire after 90 days; replace it here then."
            ),
        ),
        "Copy the Access Key (it starts with mx0) and the Secret Key: MEXC shows the secret "
        "only once.",
    )
    # 700006 "IP [...] not in the ip white list" (spot), 406 "Accessed IP is not in the
    # whitelist" (futures).
    ip_error_codes = frozenset({"700006", "406"})
    # 1000 "Account does not exist" (MEXC's futures error list): one reading of what the
    # futures API answers an account that never opened futures (parts.py).
    not_opened_codes = frozenset({"1000"})
    # Nothing to pre-set: ccxt's MEXC client makes no hidden account-mode calls.
    client_options = {}
    # ccxt loads the contracts with the spot markets whatever the types (mexc.py
    # fetch_markets); futures are optional, so their failure must not stop spot.
    spot_markets_without = {"contractPublicGetDetail": {"data": []}}

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        return error_code_of(client)

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        code = self.error_code_of(client)
        if code in self.ip_error_codes:
            return failure_for(ErrorCode.IP_NOT_ALLOWED)
        if code in PERMISSION_CODES:
            return failure_for(ErrorCode.PERMISSION)
        if code in UNKNOWN_KEY_CODES:
            return failure_for(ErrorCode.AUTHENTICATION)
        if code in CLOCK_CODES:
            return failure_for(ErrorCode.CLOCK_SKEW)
        return super().failure(exc, client)

    def read_probe(self, client: ccxt.Exchange) -> None:
        # one signed GET that loads no markets: MEXC answers its futures contract list only
        # once per 5 seconds per IP
        spot_account(client)

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        """Read both accounts with harmless GETs: the spot one must answer (else the key
        cannot read at all); whether the futures one does is recorded, never decisive."""
        spot_account(client)
        futures = self.optional(client, FUTURES, lambda: futures_assets(client), None)
        return Permissions(
            verifiable=False, read=True, details={"futures_read": futures is not None}
        )

    def account_id(self, client: ccxt.Exchange, permissions: Permissions) -> str | None:
        # Nothing the check reads names the account (``/api/v3/account`` has no uid): one more
        # read of the spot account, GET /api/v3/uid ("Query UID", SPOT_ACCOUNT_READ, weight 1,
        # https://www.mexc.com/api-docs/spot-v3/spot-account-trade#query-uid; ccxt 4.5.90
        # spot private "uid")
        return id_text(client.spot_private_get_uid().get("uid"))

    # -- the sync engine's side -------------------------------------------------------------

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        # Without the contract list (ensure_markets went without it) no perpetual can be named
        # or walked: the part fails for this sync rather than read as empty.
        self.markets_missing(client, FUTURES, "swap")
        return trades.trade_streams(client, known, self.optional_for(client))

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        kind, symbol = stream.name.split(":", 1)

        def convert(fills: list[dict[str, Any]]) -> list[TradeRecord]:
            return [self.record_of(client, fill) for fill in fills]

        walk = trades.spot_pages if kind == "spot" else trades.deal_pages
        return walk(client, symbol, cursor, since_ms=since_ms, now_ms=now_ms, convert=convert)

    def fee_of(self, trade: dict[str, Any]) -> tuple[Any, str]:
        # ccxt 4.5.90 drops fee.cost with Decimal numbers: spot says commission and
        # commissionAsset, futures fee and feeCurrency
        info = trade.get("info") or {}
        if "commission" in info:
            return info["commission"], info.get("commissionAsset") or ""
        return info.get("fee"), info.get("feeCurrency") or ""

    def realized_pnl_of(self, trade: dict[str, Any]) -> Any:
        return (trade.get("info") or {}).get("profit")

    def record_of(
        self, client: ccxt.Exchange, trade: dict[str, Any], *, account: str = "main"
    ) -> TradeRecord:
        """Perpetual fills count contracts (``vol``): the amount in base coin is contracts x
        contract size, which ccxt 4.5.90 leaves out of ``cost`` when numbers are Decimal; the
        side comes from MEXC's deal side."""
        record = super().record_of(client, trade, account=account)
        market = client.market(trade["symbol"])
        if not market.get("contract"):
            return record
        amount = record.amount * to_decimal(market["contractSize"])
        return replace(
            record,
            side=DEAL_SIDES[int(trade["info"]["side"])],
            amount=amount,
            cost=record.price * amount,
        )

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        return holdings.fetch_balances(client, self.optional_for(client))

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        return holdings.fetch_positions(client, self.optional_for(client))

"""Bybit (V5): spot, USDT perpetuals and inverse perpetuals; unified and classic accounts.

Trades: `/v5/execution/list` needs no symbol, so there is one stream per category (spot,
linear, inverse), walked in 7-day windows (executions.py). Balances: the wallets of the
account's mode plus the funding wallet; positions: linear and inverse (wallets.py).

The core is the spot side: spot fills and the wallet that holds spot coins (UNIFIED, or SPOT on
a classic account). Everything else is an optional part: USDT and inverse perpetuals (fills and
positions), a classic or UTA 1.0 account's CONTRACT wallet, and the funding wallet, which a read
key without Wallet rights is refused (10005, shared/docs/real-api-audit.md P3).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import ccxt

from ..base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from ..capabilities import Availability, Part, part_log_of
from ..errors import ErrorCode, ExchangeFailure, failure_for
from ..records import BalanceRecord, PositionRecord, Stream, TradePage, TradeRecord
from .executions import (
    NOT_FILLS,
    PAGE,
    execution_pages,
    fill_record,
    market_index,
    unlisted_market,
)
from .wallets import (
    account_mode,
    funding_records,
    open_positions,
    remember_account_mode,
    wallet_records,
)

# Permission groups of GET /v5/user/query-api that let a read-write key place orders.
_TRADING_GROUPS = ("ContractTrade", "Spot", "Options", "Derivatives", "CopyTrading", "BlockTrade")
_TRANSFERS = ("AccountTransfer", "SubMemberTransfer")
# The Wallet rights of which a key needs one for the transfer endpoints, FUND's balance among
# them (ccxt bybit.py L1501-1503 and L9584-9585; Bybit's "Modify Sub API Key" page spells the
# sub-account one "SubMemberTransferList").
_WALLET_RIGHTS = frozenset({*_TRANSFERS, "SubMemberTransferList", "Withdraw"})

FUNDING = Part("funding", "Funding wallet")
CONTRACT = Part("contract", "Derivatives wallet")
LINEAR = Part("linear", "USDT perpetuals")
INVERSE = Part("inverse", "Inverse perpetuals")
CATEGORY_PARTS = {"linear": LINEAR, "inverse": INVERSE}
# A classic account's spot fills reach back 180 days (Get Trade History); its stream carries
# its own name, so a trades-only sync knows the reach without asking for the account mode.
CLASSIC_SPOT = "classic-spot"
CLASSIC_SPOT_REACH_DAYS = 180
# 10006 "Too many visits": a per-UID, per-second limit (execution/list: 50 a second), which a
# backfill bursting on the shared budget reaches; Bybit says in X-Bapi-Limit-Reset-Timestamp
# when it lifts. Other limits (the IP's 403) are left to the engine's retry.
TOO_MANY_VISITS = "10006"
RATE_RETRIES = 3
RATE_WAIT_MAX_S = 5.0


def _expiry(info: dict[str, Any]) -> datetime | None:
    """When a key without a bound IP lapses; Bybit sends 1970-01-01 for keys that never do."""
    try:
        moment = datetime.strptime(str(info.get("expiredAt")), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.year > 1970 else None


class BybitAdapter(ExchangeAdapter):
    exchange_id = "bybit"
    ccxt_id = "bybit"
    # System-generated keys: 18 letters and digits, the secret 36.
    shape = CredentialShape(
        api_key_pattern=r"[A-Za-z0-9]{18}",
        secret_pattern=r"[A-Za-z0-9]{36}",
        api_key_example="a1B2c3D4e5F6g7H8i9",
    )
    key_help = (
        "On bybit.com open your profile → API → Create New Key → System-generated API Keys.",
        "Choose “Read-Only” and tick only what we read: Unified Trading (orders, positions), "
        "SPOT, Wallet and Exchange history. Never Withdrawal.",
        IpStep(
            restricted=(
                "Under IP access choose “Only IPs with permissions granted…” and add our "
                "addresses below; keys without an IP lapse after three months."
            ),
            unrestricted=(
                "Under IP access choose “No IP restriction”: there are no addresses of ours to "
                "list (see below). Bybit lets such a key lapse after three months; replace it "
                "here then."
            ),
        ),
        "Confirm with your 2FA code and copy the API key and the secret: Bybit shows the "
        "secret only once.",
    )
    # 10010 "Unmatched IP, please check your API key's bound IP addresses."
    ip_error_codes = frozenset({"10010"})
    # Bybit has no "never opened" code: a Unified Trading Account can trade every category,
    # and one that never did answers empty lists; a refusal (10005) is the key's, not the
    # account's.
    # Options markets are not synced; without this load_markets asks for six option families.
    client_options = {"fetchMarkets": {"types": ["spot", "linear", "inverse"]}}

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """Bybit's ``retCode`` (``ret_code`` on legacy paths) from the last body; 0 is success.

        Read from the text ccxt always keeps, since ``last_json_response`` depends on a flag."""
        body = self.last_body(client)
        if body is None:
            return None
        code = body.get("retCode", body.get("ret_code"))
        return None if code in (None, "", 0, "0") else str(code)

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /v5/account/info: needs a readable key, works on unified and classic accounts
        # alike, and skips load_markets and ccxt's account-mode probe; the balances that
        # follow need the mode it tells.
        remember_account_mode(client)

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /v5/user/query-api: the key describes itself; any key may ask.
        info = client.private_get_v5_user_query_api().get("result") or {}
        groups = info.get("permissions") or {}
        read_only = str(info.get("readOnly")) == "1"
        wallet = set(groups.get("Wallet") or [])
        # the balances that follow leave out a funding wallet this key was refused before
        client.bybit_wallet_rights = bool(wallet & _WALLET_RIGHTS)
        ips = [ip for ip in info.get("ips") or [] if ip != "*"]
        return Permissions(
            verifiable=True,
            read=any(groups.get(name) for name in groups),
            trade=not read_only and any(groups.get(name) for name in _TRADING_GROUPS),
            withdraw=not read_only and "Withdraw" in wallet,
            transfer=not read_only and bool(wallet.intersection(_TRANSFERS)),
            ip_restricted=bool(ips),
            expires_at=None if ips else _expiry(info),
            details={"unified_account": str(info.get("uta")) == "1"},
            # "userID": the UID of the key's own account, a sub-account's for its keys
            # (https://bybit-exchange.github.io/docs/v5/user/apikey-info; ccxt bybit.py's
            # query-api response comment)
            account_id=id_text(info.get("userID")),
        )

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """Bybit has no maintenance error code: its gateway answers 503 while
        ``/v5/system/status`` stays up and lists the ongoing maintenance; ask it."""
        failure = super().failure(exc, client)
        if failure.code is ErrorCode.UNAVAILABLE and self._in_maintenance(client):
            return failure_for(ErrorCode.MAINTENANCE)
        return failure

    def _in_maintenance(self, client: ccxt.Exchange) -> bool:
        try:
            return client.fetch_status().get("status") == "maintenance"
        except (ccxt.BaseError, OSError):
            return False

    # -- the sync engine's side -------------------------------------------------------------

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        """spot (or classic-spot), linear, inverse: every stream this adapter ever walks, so
        `known` names no other. The account mode is asked only while no spot stream has a
        cursor yet."""
        if known & {"spot", CLASSIC_SPOT}:
            spot = CLASSIC_SPOT if CLASSIC_SPOT in known else "spot"
        else:
            spot = CLASSIC_SPOT if account_mode(client).classic else "spot"
        return [
            Stream(spot, reach_days=CLASSIC_SPOT_REACH_DAYS if spot == CLASSIC_SPOT else None),
            Stream("linear", part=LINEAR),
            Stream("inverse", part=INVERSE),
        ]

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        category = "spot" if stream.name == CLASSIC_SPOT else stream.name
        markets = market_index(client.markets, category)
        quotes = {market["quoteId"] for market in client.markets.values() if market.get("spot")}

        def fetch(start: int, end: int, page_cursor: str) -> tuple[list[dict[str, Any]], str]:
            params = {"category": category, "startTime": start, "endTime": end, "limit": PAGE}
            if page_cursor:
                params["cursor"] = page_cursor
            result = self._execution_list(client, params).get("result") or {}
            return result.get("list") or [], result.get("nextPageCursor") or ""

        def convert(rows: list[dict[str, Any]]) -> list[TradeRecord]:
            return [
                fill_record(
                    row,
                    markets.get(row["symbol"]) or unlisted_market(row["symbol"], category, quotes),
                    category=category,
                )
                for row in rows
                if row.get("execType") not in NOT_FILLS
            ]

        return execution_pages(
            fetch=fetch, cursor=cursor, since_ms=since_ms, now_ms=now_ms, convert=convert
        )

    def _execution_list(self, client: ccxt.Exchange, params: dict[str, Any]) -> dict[str, Any]:
        """One page of fills, waiting out Bybit's per-second limit instead of failing on it."""
        retries = 0
        while True:
            try:
                return client.private_get_v5_execution_list(params)
            except ccxt.RateLimitExceeded:
                retries += 1
                if retries > RATE_RETRIES or self.error_code_of(client) != TOO_MANY_VISITS:
                    raise
                headers = client.last_response_headers or {}
                reset_ms = int(headers.get("X-Bapi-Limit-Reset-Timestamp") or 0)
                wait_s = (reset_ms - client.milliseconds()) / 1000
                time.sleep(min(max(wait_s, 0.05), RATE_WAIT_MAX_S))

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        """The wallet holding spot coins (the core), the CONTRACT wallet where the mode keeps
        one, and the funding wallet: non-zero coins only."""
        core, *others = account_mode(client).wallets
        records = wallet_records(client, core)
        for account_type in others:
            records += self.optional(
                client, CONTRACT, lambda t=account_type: wallet_records(client, t), []
            )
        return records + self._funding(client)

    def _funding(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        """The funding wallet, unless this key was refused it and still has no Wallet rights
        (query-api, asked just before): asking again would only be refused again. A key
        given Wallet rights since, or one never refused, is asked."""
        log = part_log_of(client)
        before = log.previous.get(FUNDING.key) or {}
        if (
            getattr(client, "bybit_wallet_rights", True) is False
            and before.get("availability") == Availability.NO_ACCESS
        ):
            log.record(
                FUNDING,
                Availability.NO_ACCESS,
                error_code=before.get("error_code", ""),
                exchange_code=before.get("exchange_code", ""),
            )
            return []
        return self.optional(client, FUNDING, lambda: funding_records(client), [])

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        return [
            position
            for category, part in CATEGORY_PARTS.items()
            for position in self.optional(
                client, part, lambda c=category: open_positions(client, c), []
            )
        ]

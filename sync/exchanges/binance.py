"""Binance: spot, USDⓈ-M and COIN-M futures, sub-accounts.

Trades: every market needs a symbol per call and walks upward by `fromId` (1000 a page, no
window limit; USDⓈ-M keeps 6 months). Which symbols to walk comes from the spot balance (spot)
and the income history (futures: every fill leaves a commission row), plus every stream
walked before.

Spot is the core. Everything else is an optional part most accounts do not have, each answered
the way Binance answers (shared/docs/real-api-audit.md H1-H4): margin never opened → -3003;
futures never opened, opened after the key, or portfolio margin → -2015 on fapi/dapi; an
ordinary account asking for sub-accounts → a refusal whose words vary. None of them fails a
sync; the connection page names what is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions
from .capabilities import Availability, Part
from .records import (
    BalanceRecord,
    KnownStreams,
    PositionRecord,
    Stream,
    TradePage,
    balance_records,
    to_decimal,
)
from .walking import id_pages

DAY_MS = 86_400_000
PAGE = 1000
# A completed income search is taken up again this far before where it ended: a COMMISSION
# row may be written a moment after its fill.
SEARCH_OVERLAP_MS = DAY_MS
# How far back a first sync asks the income history for traded contracts: USDⓈ-M keeps three
# months ("Get Income History": only the last three months); COIN-M allows a window of up to a
# year ("Get Income History", COIN-M). One window each, so one request per 1000 fills.
INCOME_REACH_MS = {"usdm": 90 * DAY_MS, "coinm": 365 * DAY_MS}
# USDⓈ-M userTrades reach back 6 months (Binance API docs, "Account Trade List").
USDM_REACH_DAYS = 180

FUNDING = Part("funding", "Funding wallet")
MARGIN = Part("margin", "Cross margin")
USDM = Part("usdm", "USDⓈ-M futures")
COINM = Part("coinm", "COIN-M futures")
EARN = Part("earn", "Simple Earn")
SUB_ACCOUNTS = Part("sub_accounts", "Sub-accounts")

# ccxt's fetch_balance type for each of our optional wallets. Savings (`type: savings`,
# /sapi/v1/lending/union/account) is gone: Binance retired it (audit H1); Simple Earn is read
# directly below.
WALLETS = (
    ("funding", FUNDING, {"type": "funding"}),
    ("margin", MARGIN, {"type": "margin"}),
    ("futures", USDM, {"type": "swap"}),
    ("delivery", COINM, {"type": "future", "subType": "inverse"}),
)
EARN_PAGE = 100
FUTURES_PARTS = {"usdm": USDM, "coinm": COINM}


def _ms_to_datetime(value: object) -> datetime | None:
    try:
        millis = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(millis / 1000, tz=UTC) if millis > 0 else None


class BinanceAdapter(ExchangeAdapter):
    exchange_id = "binance"
    ccxt_id = "binance"
    shape = CredentialShape(api_key_pattern=r"[A-Za-z0-9]{64}", secret_pattern=r"[A-Za-z0-9]{64}")
    key_help = (
        "On binance.com open Account → API Management and choose Create API → System generated.",
        "Leave only “Enable Reading” ticked: no spot, margin, futures or withdrawal permissions.",
        "Choose “Restrict access to trusted IPs only” and add our addresses below.",
        "Copy the API key and the secret key: Binance shows the secret only once.",
    )
    # -2015 is "Invalid API-key, IP, or permissions". ccxt turns it into DDoSProtection once
    # the client has made one successful private call (binance.py handle_errors), which is
    # how a key revoked mid-sync looks: it is an authentication failure, not a rate limit.
    auth_error_codes = frozenset({"-2015", "-2014", "-1022"})
    # {"code":-3003,"msg":"Margin account does not exist."} (ccxt binance.py spot table)
    not_opened_codes = frozenset({"-3003"})
    client_options = {"fetchMarkets": {"types": ["spot", "linear", "inverse"]}}
    # Binance counts request weight per minute (6000 spot, 2400 futures), so a sync may burst
    # within the shared budget instead of spacing every call.
    spaces_requests = False

    def read_probe(self, client: ccxt.Exchange) -> None:
        client.fetch_balance({"type": "spot"})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /sapi/v1/account/apiRestrictions: read-only by nature.
        info = client.sapi_get_account_apirestrictions()
        trade = any(
            bool(info.get(flag))
            for flag in (
                "enableSpotAndMarginTrading",
                "enableMargin",
                "enableFutures",
                "enableVanillaOptions",
                "enablePortfolioMarginTrading",
                "enableFixApiTrade",
            )
        )
        return Permissions(
            verifiable=True,
            read=bool(info.get("enableReading")),
            trade=trade,
            withdraw=bool(info.get("enableWithdrawals")),
            transfer=bool(
                info.get("enableInternalTransfer") or info.get("permitsUniversalTransfer")
            ),
            ip_restricted=bool(info.get("ipRestrict")),
            expires_at=_ms_to_datetime(info.get("tradingAuthorityExpirationTime")),
        )

    # -- trades ---------------------------------------------------------------------------

    def fee_of(self, trade: dict[str, Any]) -> tuple[Any, str]:
        info = trade.get("info") or {}
        return info.get("commission"), info.get("commissionAsset") or ""

    def realized_pnl_of(self, trade: dict[str, Any]) -> Any:
        return (trade.get("info") or {}).get("realizedPnl")

    def trade_streams(self, client: ccxt.Exchange, *, known: KnownStreams) -> list[Stream]:
        now_ms = client.milliseconds()
        names = set(known)
        spot = client.fetch_balance({"type": "spot"})
        held = {asset for asset, total in spot["total"].items() if total}
        names |= {
            f"spot:{market['symbol']}"
            for market in client.markets.values()
            if market["spot"] and market["active"] is not False and market["base"] in held
        }
        for method, prefix, flag in (
            ("fapiprivate_get_income", "usdm", "linear"),
            ("dapiprivate_get_income", "coinm", "inverse"),
        ):
            # Until one search of a family has completed, look as far back as the income
            # history reaches; after that, from where the last completed search ended.
            reach = now_ms - INCOME_REACH_MS[prefix]
            searched = known.searched_through(prefix)
            since = reach if searched is None else max(reach, searched - SEARCH_OVERLAP_MS)
            ids = self.optional(
                client,
                FUTURES_PARTS[prefix],
                lambda method=method, since=since: self._income_market_ids(
                    client, method, since_ms=since, now_ms=now_ms
                ),
                None,
            )
            if ids is None:
                continue
            known.mark_searched(prefix, now_ms)
            names |= {
                f"{prefix}:{market['symbol']}"
                for market in client.markets.values()
                if market.get("contract") and market.get(flag) and market["id"] in ids
            }
        # Spot first: it is what most people trade, so the journal fills from it first.
        order = {"spot": 0, "usdm": 1, "coinm": 2}
        return [
            Stream(
                name,
                reach_days=USDM_REACH_DAYS if name.startswith("usdm:") else None,
                part=FUTURES_PARTS.get(name.split(":")[0]),
            )
            for name in sorted(names, key=lambda name: (order[name.split(":")[0]], name))
        ]

    @staticmethod
    def _income_market_ids(
        client: ccxt.Exchange, method: str, *, since_ms: int, now_ms: int
    ) -> set[str]:
        """Contracts traded since `since_ms`: every fill leaves one COMMISSION row (asking for
        that type alone halves the pages realized-PnL and funding rows would add)."""
        found: set[str] = set()
        cursor = since_ms
        while True:
            rows = getattr(client, method)(
                {"incomeType": "COMMISSION", "startTime": cursor, "endTime": now_ms, "limit": PAGE}
            )
            found.update(row["symbol"] for row in rows if row.get("symbol"))
            if len(rows) < PAGE:
                return found
            # the next page starts at the last row's millisecond (rows sharing it come again,
            # which a set absorbs); a full page inside one millisecond moves past it
            last = int(rows[-1]["time"])
            cursor = last if last > cursor else cursor + 1

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        symbol = stream.name.split(":", 1)[1]

        def convert(trades: list[dict[str, Any]]) -> list:
            return [self.record_of(client, trade) for trade in trades]

        # Every market walks upward by trade id: `fromId` is not limited to a time window
        # (futures windows are 7 days at most), so a quiet year costs one request, not 53.
        # USDⓈ-M answers only what it still keeps (6 months); the engine drops anything
        # older than 12 months.
        return id_pages(
            fetch=lambda from_id: client.fetch_my_trades(symbol, None, PAGE, {"fromId": from_id}),
            cursor=cursor,
            page_size=PAGE,
            convert=convert,
        )

    # -- balances and positions -----------------------------------------------------------

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        return self._own_balances(client) + self._sub_account_balances(client)

    def _own_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        records = balance_records("spot", client.fetch_balance({"type": "spot"}))
        for account_type, part, params in WALLETS:
            balance = self.optional(
                client, part, lambda p=params: client.fetch_balance(dict(p)), {}
            )
            if balance:
                records += balance_records(account_type, balance)
        return records + self.optional(client, EARN, lambda: self._earn_balances(client), [])

    @staticmethod
    def _earn_balances(client: ccxt.Exchange) -> list[BalanceRecord]:
        """Simple Earn flexible and locked positions, summed per asset (GET
        /sapi/v1/simple-earn/{flexible,locked}/position, pages of up to 100)."""
        totals: dict[str, Any] = {}
        for method, field in (
            (client.sapi_get_simple_earn_flexible_position, "totalAmount"),
            (client.sapi_get_simple_earn_locked_position, "amount"),
        ):
            page = 1
            while True:
                answer = method({"current": page, "size": EARN_PAGE})
                rows = answer.get("rows") or []
                for row in rows:
                    totals[row["asset"]] = totals.get(row["asset"], 0) + to_decimal(row[field])
                if len(rows) < EARN_PAGE:
                    break
                page += 1
        return [
            BalanceRecord(account_type="earn", asset=asset, total=total)
            for asset, total in sorted(totals.items())
            if total
        ]

    def _sub_account_emails_or_none(self, client: ccxt.Exchange) -> list[str]:
        """The sub-accounts of a master key. Any other key is refused the list, in words that
        vary (audit H4: "Sub-account function is not enabled", -10038 for brokers, -1002):
        every refusal means "not a master account"."""
        return self.optional(
            client,
            SUB_ACCOUNTS,
            lambda: self._sub_account_emails(client),
            [],
            refusal=Availability.NOT_OPENED,
        )

    def _sub_account_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        """A master key also sees its sub-accounts' spot and USDⓈ-M wallets (account = the
        sub-account's email)."""
        emails = self._sub_account_emails_or_none(client)
        return self.optional(
            client, SUB_ACCOUNTS, lambda: self._balances_of_subs(client, emails), []
        )

    @staticmethod
    def _balances_of_subs(client: ccxt.Exchange, emails: list[str]) -> list[BalanceRecord]:
        records: list[BalanceRecord] = []
        for email in emails:
            spot = client.sapiv4_get_sub_account_assets({"email": email})["balances"]
            records += [
                BalanceRecord(
                    account=email,
                    account_type="spot",
                    asset=row["asset"],
                    free=to_decimal(row["free"]),
                    used=to_decimal(row["locked"]),
                    total=to_decimal(row["free"]) + to_decimal(row["locked"]),
                )
                for row in spot
                if to_decimal(row["free"]) or to_decimal(row["locked"])
            ]
            futures = client.sapiv2_get_sub_account_futures_account(
                {"email": email, "futuresType": 1}
            )["futureAccountResp"]["assets"]
            records += [
                BalanceRecord(
                    account=email,
                    account_type="futures",
                    asset=row["asset"],
                    total=to_decimal(row["walletBalance"]),
                )
                for row in futures
                if to_decimal(row["walletBalance"])
            ]
        return records

    @staticmethod
    def _sub_account_emails(client: ccxt.Exchange) -> list[str]:
        emails: list[str] = []
        page = 1
        while True:
            rows = client.sapi_get_sub_account_list({"page": page, "limit": 200})["subAccounts"]
            emails += [row["email"] for row in rows]
            if len(rows) < 200:
                return emails
            page += 1

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        return self._own_positions(client) + self._sub_account_positions(client)

    def _sub_account_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        """A master key's view of its sub-accounts' USDⓈ-M and COIN-M positions."""
        emails = self._sub_account_emails_or_none(client)
        return self.optional(
            client, SUB_ACCOUNTS, lambda: self._positions_of_subs(client, emails), []
        )

    @staticmethod
    def _positions_of_subs(client: ccxt.Exchange, emails: list[str]) -> list[PositionRecord]:
        records: list[PositionRecord] = []
        for email in emails:
            for futures_type, key, flag in (
                (1, "futurePositionRiskVos", "linear"),
                (2, "deliveryPositionRiskVos", "inverse"),
            ):
                rows = (
                    client.sapiv2_get_sub_account_futures_positionrisk(
                        {"email": email, "futuresType": futures_type}
                    ).get(key)
                    or []
                )
                for row in rows:
                    amount = to_decimal(row["positionAmount"])
                    if not amount:
                        continue
                    market = next(
                        m
                        for m in client.markets.values()
                        if m["id"] == row["symbol"] and m.get(flag)
                    )
                    records.append(
                        PositionRecord(
                            account=email,
                            market_type=market["type"],
                            symbol=market["symbol"],
                            side="long" if amount > 0 else "short",
                            contracts=abs(amount),
                            entry_price=to_decimal(row["entryPrice"]),
                            mark_price=to_decimal(row["markPrice"]),
                            unrealized_pnl=to_decimal(row["unrealizedProfit"]),
                            leverage=to_decimal(row["leverage"]),
                            liquidation_price=to_decimal(row["liquidationPrice"]),
                        )
                    )
        return records

    def _own_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        positions = self.optional(client, USDM, client.fetch_positions, []) + self.optional(
            client, COINM, lambda: client.fetch_positions(None, {"subType": "inverse"}), []
        )
        return [
            PositionRecord(
                market_type=client.market(position["symbol"])["type"],
                symbol=position["symbol"],
                side=position["side"] or "",
                contracts=to_decimal(position["contracts"]),
                contract_size=to_decimal(position.get("contractSize")),
                entry_price=to_decimal(position.get("entryPrice")),
                mark_price=to_decimal(position.get("markPrice")),
                notional=to_decimal(position.get("notional")),
                unrealized_pnl=to_decimal(position.get("unrealizedPnl")),
                leverage=to_decimal(position.get("leverage")),
                liquidation_price=to_decimal(position.get("liquidationPrice")),
                margin_mode=position.get("marginMode") or "",
            )
            for position in positions
            if position.get("contracts")
        ]

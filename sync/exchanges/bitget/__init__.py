"""Bitget (API v2, classic accounts): spot, USDT-M futures, copy trading.

Trades (walked in `walks.py`): every fills endpoint answers newest first, 100 a page, and
pages downward with `idLessThan`. Spot needs a symbol and keeps 90 days; which symbols to walk
comes from the spot assets plus every stream walked before. USDT-M needs no symbol: one stream
for the product type, walked in weeks of fill-history, which keeps the whole history, and one
window of order/fills for the last 90 days.

Spot is the core. USDT-M futures and copy trading are optional parts most accounts never
opened: whatever they answer is recorded against the part and never fails a sync. Bitget does
not document what either answers an account without it, so both readings are handled: an
empty answer (recorded as available, nothing to import) or a refusal (recorded, shown, tried
again next cycle; "not a follower" reads as not opened).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import ccxt

from ..base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from ..capabilities import Part
from ..records import (
    BalanceRecord,
    PositionRecord,
    Stream,
    TradePage,
    TradeRecord,
    balance_records,
    to_decimal,
)
from .limits import ACCOUNT_INFO, COPY_ORDERS, FILL_HISTORY, ORDER_FILLS, SPOT_FILLS, within_limit
from .walks import SPOT_REACH_DAYS, mix_pages, spot_pages

# GET /api/v2/spot/account/info lists a key's rights as codes, one per module: "...r" read
# only, "...w" read and write (https://www.bitget.com/api-doc/spot/account/Get-Account-Info).
# Older keys still answer with the words "readonly" and "trade". Every write right other than
# withdrawing and transferring counts as "trade": futures, spot, margin, copy trading, and
# also sub-account management ("chow"), P2P ("p2p", "p2pw"), pledge loans ("pllw") and tax
# ("taxw"), so that such a key is never shown as read-only (audit P2).
TRADE_CODES = frozenset(
    {"coow", "cpow", "stow", "smow", "ttow", "chow", "p2p", "p2pw", "pllw", "taxw", "trade"}
)
WITHDRAW_CODES = frozenset({"wwow", "withdraw"})
TRANSFER_CODES = frozenset({"wtow", "transfer"})

ZERO = Decimal(0)
USDT_FUTURES = "USDT-FUTURES"
SPOT = "spot:"
MIX = "mix:"
# Copy-trading lists page by tracking number, 100 at most.
COPY_PAGE = 100
# Open copy trades that all-position does not list are recorded under this account.
COPY_ACCOUNT = "copy-trading"

USDT_M = Part("usdt_futures", "USDT-M futures")
COPY_TRADING = Part("copy_trading", "Copy trading")


def _fill_list(response: dict[str, Any]) -> list[dict[str, Any]]:
    return (response.get("data") or {}).get("fillList") or []


def permissions_from(authorities: Iterable[str], ips: str | None) -> Permissions:
    """What a key may do, from the ``authorities`` and ``ips`` of the account-info answer."""
    codes = {str(code).lower() for code in authorities}
    return Permissions(
        verifiable=True,
        read=bool(codes),
        trade=bool(codes & TRADE_CODES),
        withdraw=bool(codes & WITHDRAW_CODES),
        transfer=bool(codes & TRANSFER_CODES),
        ip_restricted=bool((ips or "").strip()),
        details={"authorities": sorted(codes)},
    )


class BitgetAdapter(ExchangeAdapter):
    exchange_id = "bitget"
    ccxt_id = "bitget"
    shape = CredentialShape(
        needs_passphrase=True,
        api_key_pattern=r"bg_[0-9a-f]{32}",
        secret_pattern=r"[0-9a-f]{64}",
        api_key_example="bg_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    )
    key_help = (
        "On bitget.com open Profile → API Keys and choose Create API Key → System-generated.",
        "Give it a name and a passphrase of 8 to 32 letters and digits; you will enter the "
        "passphrase here too.",
        "Choose Read-only for Futures, Spot, Margin and Copy trading; leave every Read-Write, "
        "Transfer and Withdraw permission off.",
        IpStep(
            restricted="Under “Bind IP address”, enter our IP addresses listed below.",
            unrestricted=(
                "Leave “Bind IP address” empty: there are no addresses of ours to list (see below)."
            ),
        ),
        "Copy the API key and the secret key: Bitget shows the secret only once.",
    )
    # 40018 "Invalid IP": the request came from outside the key's IP binding.
    ip_error_codes = frozenset({"40018"})
    # 40017 is Bitget's "Parameter verification failed", which the copy-trading endpoints
    # also answer an account that is not a trader ("User idNot currently a trader",
    # ccxt/ccxt#14533; ACCOUNT_NOT_COPY_TRADER in tiagosiebler/bitget-api). Our optional calls
    # send only valid parameters, so from them it means the part was never opened.
    not_opened_codes = frozenset({"40017"})
    # Classic accounts only: without this ccxt probes GET /api/v3/account/settings (the
    # unified-account API) once per client before its first private call.
    client_options = {"uta": False}
    # ccxt reads the margin currencies with the spot symbols (bitget.py fetch_default_markets);
    # we sync no margin, so their failure must not stop spot.
    spot_markets_without = {"publicMarginGetV2MarginCurrencies": {"data": []}}

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """Bitget's ``code`` from the last body. ccxt keeps ``last_json_response`` only when
        ``enableLastJsonResponse`` is on (it is off by default), but always keeps the text."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "null")
        except ValueError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return None if code in (None, "", "00000") else str(code)

    def read_probe(self, client: ccxt.Exchange) -> None:
        client.fetch_balance({"type": "spot"})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v2/spot/account/info: read-only by nature. It needs the spot read right
        # ("SPOT read or SPOT read/write permission needed", bitget.fit/api-doc/spot/account/
        # Get-Account-Info), as does the spot balance that is our core: a futures-only key
        # is refused both with 40014 and shown "Missing read permission", which it is for us.
        # It allows one request a second per account, and the first sync starts right after
        # the connect-time check asked: paced, and a refusal waited out (limits.py).
        answer = within_limit(client, ACCOUNT_INFO, client.private_spot_get_v2_spot_account_info)
        data = answer.get("data") or {}
        permissions = permissions_from(data.get("authorities") or [], data.get("ips"))
        # "userId" is the key's own account, a sub-account's for its keys ("parentId" is the
        # master's): https://www.bitget.com/api-doc/spot/account/Get-Account-Info
        return replace(permissions, account_id=id_text(data.get("userId")))

    # -- trades ---------------------------------------------------------------------------

    def fee_of(self, trade: dict[str, Any]) -> tuple[Any, str]:
        """Bitget's ``feeDetail``: one object on spot, a list on futures, with ``totalFee``
        negative for a fee paid. ccxt 4.5.90 loses the cost when numbers are Decimal."""
        detail = (trade.get("info") or {}).get("feeDetail") or []
        entries = [detail] if isinstance(detail, dict) else list(detail)
        if not entries:
            return None, ""
        coin = entries[0].get("feeCoin") or ""
        paid = sum(
            (
                to_decimal(entry.get("totalFee")) or ZERO
                for entry in entries
                if (entry.get("feeCoin") or "") == coin
            ),
            ZERO,
        )
        return -paid, coin

    def realized_pnl_of(self, trade: dict[str, Any]) -> Any:
        return (trade.get("info") or {}).get("profit")

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        spot = client.fetch_balance({"type": "spot"})
        held = {asset for asset, total in spot["total"].items() if total}
        # A spot stream of a market Bitget has since removed has nothing left to walk.
        names = {
            name
            for name in known
            if not name.startswith(SPOT) or name.removeprefix(SPOT) in client.markets
        }
        # Without USDT-M's contract list (ensure_markets went without it) its fills would be
        # read against the spot markets, which share their ids (BTCUSDT): not walked then.
        if self.markets_missing(client, USDT_M, "swap"):
            names.discard(MIX + USDT_FUTURES)
        elif MIX + USDT_FUTURES not in known and self.optional(
            client, USDT_M, lambda: self._futures_ever_used(client), False
        ):
            names.add(MIX + USDT_FUTURES)
        names |= {
            SPOT + market["symbol"]
            for market in client.markets.values()
            if market["spot"] and market["active"] is not False and market["base"] in held
        }
        return [
            Stream(name, reach_days=SPOT_REACH_DAYS)
            if name.startswith(SPOT)
            else Stream(name, part=USDT_M)
            for name in sorted(names)
        ]

    @staticmethod
    def _futures_ever_used(client: ccxt.Exchange) -> bool:
        """Whether the USDT-M wallet holds anything: one cheap call that spares an account
        that never funded futures a year of weekly fill-history pages (52 requests). Once
        walked, the stream is kept. A wallet emptied to exactly zero before the first sync
        reads as unused; its history then needs a CSV."""
        rows = client.private_mix_get_v2_mix_account_accounts({"productType": USDT_FUTURES})
        return any(
            to_decimal(row.get("accountEquity")) or to_decimal(row.get("available"))
            for row in rows.get("data") or []
        )

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        if stream.name.startswith(SPOT):
            market = client.market(stream.name.removeprefix(SPOT))

            def spot_fills(request: dict[str, Any]) -> list[dict[str, Any]]:
                request["symbol"] = market["id"]
                fills = client.private_spot_get_v2_spot_trade_fills
                return within_limit(client, SPOT_FILLS, fills, request).get("data") or []

            return spot_pages(
                fetch=spot_fills,
                convert=lambda rows: self._records(client, rows, market),
                cursor=cursor,
                since_ms=since_ms,
                now_ms=now_ms,
            )
        product_type = stream.name.removeprefix(MIX)

        def recent_fills(request: dict[str, Any]) -> list[dict[str, Any]]:
            request["productType"] = product_type
            fills = client.private_mix_get_v2_mix_order_fills
            return _fill_list(within_limit(client, ORDER_FILLS, fills, request))

        def history_fills(request: dict[str, Any]) -> list[dict[str, Any]]:
            request["productType"] = product_type
            fills = client.private_mix_get_v2_mix_order_fill_history
            return _fill_list(within_limit(client, FILL_HISTORY, fills, request))

        return mix_pages(
            fetch_recent=recent_fills,
            fetch_history=history_fills,
            convert=lambda rows: self._records(client, rows, None),
            cursor=cursor,
            since_ms=since_ms,
            now_ms=now_ms,
        )

    def _records(
        self, client: ccxt.Exchange, rows: list[dict[str, Any]], market: dict[str, Any] | None
    ) -> list[TradeRecord]:
        """Our records of raw fills. Spot and USDT-M share market ids (BTCUSDT), so a futures
        row is parsed with its swap market, or ccxt picks one it cannot tell apart."""
        return [
            self.record_of(
                client,
                client.parse_trade(
                    row, market or client.safe_market(row.get("symbol"), None, None, "swap")
                ),
            )
            for row in rows
        ]

    # -- balances and positions -----------------------------------------------------------

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        records = balance_records("spot", client.fetch_balance({"type": "spot"}))
        futures = self.optional(
            client,
            USDT_M,
            lambda: client.fetch_balance({"type": "swap", "productType": USDT_FUTURES}),
            {},
        )
        return records + (balance_records("futures", futures) if futures else [])

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        positions = self.optional(
            client,
            USDT_M,
            lambda: client.fetch_positions(None, {"productType": USDT_FUTURES}),
            [],
        )
        records = [
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
        # A follower's copy trades may be listed by all-position as well: there the row of
        # all-position is kept, since it is marked to market, and the copy trade is skipped.
        listed = {(record.symbol, record.side) for record in records}
        return records + [
            record
            for record in self._copy_positions(client)
            if (record.symbol, record.side) not in listed
        ]

    def _copy_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        """A follower's open copy trades (ccxt has no unified call), one position per symbol
        and side, at the average opening price. Someone who follows nobody, or whose key may
        not read copy trading, has none to show."""
        opened: dict[tuple[str, str], tuple[Decimal, Decimal, Any]] = {}
        for row in self.optional(client, COPY_TRADING, lambda: self._copy_rows(client), []):
            size = (to_decimal(row.get("openSize")) or ZERO) - (
                to_decimal(row.get("closeSize")) or ZERO
            )
            if size <= 0:
                continue
            symbol = client.safe_market(row.get("symbol"), None, None, "swap")["symbol"]
            key = (symbol, row.get("posSide") or "")
            contracts, cost, leverage = opened.get(key, (ZERO, ZERO, row.get("openLeverage")))
            price = to_decimal(row.get("openPriceAvg")) or ZERO
            opened[key] = (contracts + size, cost + size * price, leverage)
        return [
            PositionRecord(
                market_type=client.market(symbol)["type"],
                symbol=symbol,
                side=side,
                contracts=contracts,
                contract_size=to_decimal(client.market(symbol).get("contractSize")),
                entry_price=cost / contracts,
                leverage=to_decimal(leverage),
                account=COPY_ACCOUNT,
            )
            for (symbol, side), (contracts, cost, leverage) in sorted(opened.items())
        ]

    @staticmethod
    def _copy_rows(client: ccxt.Exchange) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        request: dict[str, Any] = {"productType": USDT_FUTURES, "limit": COPY_PAGE}
        while True:
            orders = client.private_copy_get_v2_copy_mix_follower_query_current_orders
            data = within_limit(client, COPY_ORDERS, orders, request)
            page = (data.get("data") or {}).get("trackingList") or []
            rows += page
            if len(page) < COPY_PAGE:
                return rows
            request["idLessThan"] = min(int(row["trackingNo"]) for row in page)

"""Bybit wallets and positions, read through the V5 endpoints directly.

ccxt's fetch_balance first probes the account mode with two hidden calls (query-api and
account/info, exchanges.md 2.6) and maps every type to one wallet; asking
`/v5/account/info` once and then each wallet of that mode costs fewer requests and names the
wallets the way Bybit does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ccxt

from ..records import BalanceRecord, PositionRecord, to_decimal

# unifiedMarginStatus of /v5/account/info: 1 classic account, 2 unified margin account,
# 3 and 4 Unified Trading Account 1.0, 5 and 6 UTA 2.0.
CLASSIC = 1
UTA_2 = 5
POSITION_PAGE = 200
# Positions without a symbol: linear needs settleCoin; USDT perpetuals are the ones we sync.
POSITION_QUERIES = {
    "linear": {"category": "linear", "settleCoin": "USDT"},
    "inverse": {"category": "inverse"},
}


@dataclass(frozen=True)
class AccountMode:
    status: int
    margin_mode: str

    @property
    def classic(self) -> bool:
        return self.status == CLASSIC

    @property
    def wallets(self) -> tuple[str, ...]:
        """Bybit's accountType of every wallet the mode has (Get Wallet Balance): classic
        keeps SPOT and CONTRACT; UTA 1.0 keeps inverse contracts apart in CONTRACT; UTA 2.0
        holds everything in UNIFIED."""
        if self.classic:
            return ("SPOT", "CONTRACT")
        if self.status < UTA_2:
            return ("UNIFIED", "CONTRACT")
        return ("UNIFIED",)


def account_mode(client: ccxt.Exchange) -> AccountMode:
    """The account's mode, asked once per client (balances and trade streams both need it)."""
    mode = getattr(client, "bybit_account_mode", None)
    return mode if mode is not None else remember_account_mode(client)


def remember_account_mode(client: ccxt.Exchange) -> AccountMode:
    """Ask GET /v5/account/info and keep the answer on the client."""
    info = client.private_get_v5_account_info().get("result") or {}
    mode = AccountMode(
        status=int(info.get("unifiedMarginStatus") or UTA_2),
        margin_mode=str(info.get("marginMode") or ""),
    )
    client.bybit_account_mode = mode
    return mode


def wallet_records(client: ccxt.Exchange, account_type: str) -> list[BalanceRecord]:
    """The non-zero coins of one wallet (Get Wallet Balance)."""
    answer = client.private_get_v5_account_wallet_balance({"accountType": account_type})
    return [
        record
        for entry in (answer.get("result") or {}).get("list") or []
        for coin in entry.get("coin") or []
        if (record := _wallet_coin(account_type.lower(), coin)) is not None
    ]


def funding_records(client: ccxt.Exchange) -> list[BalanceRecord]:
    """The funding wallet's non-zero coins: only the transfer endpoint shows it."""
    funding = client.private_get_v5_asset_transfer_query_account_coins_balance(
        {"accountType": "FUND"}
    )
    records = []
    for row in (funding.get("result") or {}).get("balance") or []:
        total = to_decimal(row.get("walletBalance"))
        if total:
            free = to_decimal(row.get("transferBalance"))
            used = total - free if free is not None else None
            records.append(BalanceRecord("funding", row["coin"], total, free, used))
    return records


def _wallet_coin(account_type: str, coin: dict[str, Any]) -> BalanceRecord | None:
    total = to_decimal(coin.get("walletBalance"))
    if not total:
        return None
    free = to_decimal(coin.get("availableToWithdraw") or coin.get("free"))
    if free is None:
        # UNIFIED leaves availableToWithdraw empty: what is tied up is the locked amount and
        # the margins of positions and orders (the way ccxt reads it too).
        used = sum(
            (to_decimal(coin.get(name)) or Decimal(0))
            for name in ("locked", "totalPositionIM", "totalOrderIM")
        )
        free = total - used
    return BalanceRecord(account_type, coin["coin"], total, free, total - free)


def open_positions(client: ccxt.Exchange, category: str) -> list[PositionRecord]:
    """Open positions of one category (linear: USDT), paged by cursor; flat rows are skipped."""
    query = POSITION_QUERIES[category]
    isolated_account = account_mode(client).margin_mode == "ISOLATED_MARGIN"
    index = {
        market["id"]: market
        for market in client.markets.values()
        if market.get("contract") and market.get(category)
    }
    records: list[PositionRecord] = []
    cursor = ""
    while True:
        params = {**query, "limit": POSITION_PAGE, **({"cursor": cursor} if cursor else {})}
        result = client.private_get_v5_position_list(params).get("result") or {}
        for row in result.get("list") or []:
            market = index.get(row["symbol"])
            if market is not None and to_decimal(row.get("size")):
                records.append(_position(row, market, isolated_account))
        # A short page is the last one, whatever cursor comes with it: Bybit's docs print ""
        # there, but a real answer with one open position still carried
        # "LTCUSDT%2C1699948800031%2C0" (ccxt ts/src/test/static/response/bybit.json,
        # fetchPositions); following it costs a request for a page past the end at best, and
        # never stops where that request is answered with the same page.
        cursor = result.get("nextPageCursor") or ""
        if not cursor or len(result.get("list") or []) < POSITION_PAGE:
            return records


def _position(
    row: dict[str, Any], market: dict[str, Any], isolated_account: bool
) -> PositionRecord:
    # tradeMode is 1 for an isolated position; on a UTA it is always 0 and the margin mode is
    # the account's (account/info marginMode).
    isolated = str(row.get("tradeMode")) == "1" or isolated_account
    return PositionRecord(
        market_type=market["type"],
        symbol=market["symbol"],
        side="long" if row.get("side") == "Buy" else "short",
        contracts=Decimal(row["size"]),
        contract_size=to_decimal(market.get("contractSize")),
        entry_price=to_decimal(row.get("avgPrice")),
        mark_price=to_decimal(row.get("markPrice")),
        notional=to_decimal(row.get("positionValue")),
        unrealized_pnl=to_decimal(row.get("unrealisedPnl")),
        leverage=to_decimal(row.get("leverage")),
        liquidation_price=to_decimal(row.get("liqPrice")),
        margin_mode="isolated" if isolated else "cross",
    )

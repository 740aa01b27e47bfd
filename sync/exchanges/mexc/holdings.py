"""MEXC balances (spot, futures, a master key's sub-accounts) and open perpetual positions.

Read from MEXC's own answers rather than ccxt's: ccxt's futures balance leaves the margin held
in positions out of its total, and its positions carry no mark price, which MEXC publishes
apart as the fair price.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import ccxt

from ..base import OptionalCall
from ..capabilities import Availability
from ..records import BalanceRecord, PositionRecord, to_decimal
from .parts import FUTURES, SUB_ACCOUNTS
from .wire import futures_assets, open_positions, spot_account, swap_market

# ``/api/v3/sub-account/list`` pages by ``page`` and ``limit`` (at most 200).
SUB_ACCOUNT_PAGE = 200
_ZERO = Decimal(0)


def fetch_balances(client: ccxt.Exchange, optional: OptionalCall) -> list[BalanceRecord]:
    records = _spot_records(spot_account(client).get("balances") or [], account="main")
    records += optional(FUTURES, lambda: _futures_records(client), [])
    # An ordinary account is refused the list or gets an empty one (MEXC documents the
    # endpoint "For Master Account" only): any refusal means it has no sub-accounts.
    return records + optional(
        SUB_ACCOUNTS, lambda: _sub_account_records(client), [], refusal=Availability.NOT_OPENED
    )


def _futures_records(client: ccxt.Exchange) -> list[BalanceRecord]:
    records = []
    for row in futures_assets(client):
        # cashBalance is the wallet: deposits, realized PnL and fees; the unrealized PnL of
        # open positions is in the positions, and the margin they hold is in neither free
        # (availableBalance) nor frozenBalance, so `used` adds it
        total = to_decimal(row.get("cashBalance")) or _ZERO
        if not total:
            continue
        records.append(
            BalanceRecord(
                account_type="futures",
                asset=str(row["currency"]),
                total=total,
                free=to_decimal(row.get("availableBalance")),
                used=(to_decimal(row.get("frozenBalance")) or _ZERO)
                + (to_decimal(row.get("positionMargin")) or _ZERO),
            )
        )
    return records


def _sub_account_records(client: ccxt.Exchange) -> list[BalanceRecord]:
    records = []
    for uid, name in _sub_accounts(client):
        # only SPOT is served: "accountType: SPOT, FUTURES; only support SPOT currently"
        answer = client.spot_private_get_sub_account_asset(
            {"subAccount": name, "accountType": "SPOT"}
        )
        records += _spot_records(answer.get("balances") or [], account=uid)
    return records


def _spot_records(rows: list[dict[str, Any]], *, account: str) -> list[BalanceRecord]:
    records = []
    for row in rows:
        free = to_decimal(row.get("free")) or _ZERO
        used = to_decimal(row.get("locked")) or _ZERO
        if free + used:
            records.append(
                BalanceRecord(
                    account_type="spot",
                    asset=str(row["asset"]),
                    total=free + used,
                    free=free,
                    used=used,
                    account=account,
                )
            )
    return records


def _sub_accounts(client: ccxt.Exchange) -> Iterator[tuple[str, str]]:
    """(uid, name) of each sub-account of a master key. A sub-account's own key is refused
    the list with 700007 (ccxt: AuthenticationError): the part records it."""
    page = 1
    while True:
        answer = client.spot_private_get_sub_account_list({"page": page, "limit": SUB_ACCOUNT_PAGE})
        rows = answer.get("subAccounts") or []
        for row in rows:
            yield str(row["uid"]), str(row["subAccount"])
        if len(rows) < SUB_ACCOUNT_PAGE:
            return
        page += 1


def fetch_positions(client: ccxt.Exchange, optional: OptionalCall) -> list[PositionRecord]:
    return optional(FUTURES, lambda: _positions(client), [])


def _positions(client: ccxt.Exchange) -> list[PositionRecord]:
    """Open perpetual positions, valued at MEXC's fair price (its mark), one call each."""
    records = []
    for row in open_positions(client):
        contracts = to_decimal(row.get("holdVol")) or _ZERO
        market = swap_market(client, str(row.get("symbol")))
        if not contracts or market is None:
            continue
        size = to_decimal(market["contractSize"]) or Decimal(1)
        entry = to_decimal(row.get("holdAvgPriceFullyScale") or row.get("holdAvgPrice"))
        fair = client.contract_public_get_fair_price_symbol({"symbol": market["id"]})
        mark = to_decimal(fair["data"]["fairPrice"])
        long = int(row["positionType"]) == 1
        amount = contracts * size if long else -contracts * size
        liquidation = to_decimal(row.get("liquidatePrice"))
        records.append(
            PositionRecord(
                market_type="swap",
                symbol=market["symbol"],
                side="long" if long else "short",
                contracts=contracts,
                contract_size=size,
                entry_price=entry,
                mark_price=mark,
                notional=abs(amount) * mark if mark is not None else None,
                unrealized_pnl=amount * (mark - entry)
                if mark is not None and entry is not None
                else None,
                leverage=to_decimal(row.get("leverage")),
                liquidation_price=liquidation or None,
                # openType 1 is isolated, 2 cross
                margin_mode="isolated" if int(row.get("openType") or 0) == 1 else "cross",
            )
        )
    return records

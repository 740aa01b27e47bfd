"""KuCoin balances of every account type, read from KuCoin's own answers.

ccxt's `fetch_balance` is avoided on purpose: on HF accounts it turns every type but
"main" into "trade_hf" before it looks at margin, it adds an ``interest`` field the cross
account does not have and so reports no cross debt at all, and it needs one call per type
where ``/api/v1/accounts`` lists funding and spot together.

Funding and spot are the core. Cross and isolated margin, margin lending and earn are optional
parts, read through the adapter's ``optional`` (passed in bound, ``OptionalCall``): KuCoin
refuses the margin accounts of anyone who never enabled margin trading (audit H6), and what
those refusals say is recorded, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ccxt

from ..base import OptionalCall
from ..capabilities import Part
from ..records import BalanceRecord, PositionRecord, to_decimal

CROSS_MARGIN = Part("margin", "Cross margin")
ISOLATED_MARGIN = Part("isolated", "Isolated margin")
LENDING = Part("lending", "Margin lending")
EARN = Part("earn", "Earn")
# ExchangeAdapter.optional bound to one client: (part, call, default) -> call() or default
# /api/v1/accounts types -> ours. "margin" rows are read from the cross margin account,
# which also carries the debt.
ACCOUNT_TYPES = {"main": "funding", "trade": "spot", "trade_hf": "spot"}
LENDING_PAGE = 50
EARN_PAGE = 500
AMOUNT_KEYS = ("total", "liability")


@dataclass
class Held:
    """What the account holds where, for discovering which symbols it traded."""

    spot: set[str] = field(default_factory=set)
    margin: set[str] = field(default_factory=set)
    isolated: set[str] = field(default_factory=set)


class _Sheet:
    """Sums per (account type, asset): one record each, as KuCoin may list an asset twice
    (a migrated account's "trade" and "trade_hf" wallets, or a coin in two isolated pairs)."""

    def __init__(self, client: ccxt.Exchange) -> None:
        self._client = client
        self._rows: dict[tuple[str, str], tuple[Decimal, Decimal | None, Decimal | None]] = {}

    def add(
        self, account_type: str, currency: str, total: Any, free: Any = None, used: Any = None
    ) -> None:
        amount = to_decimal(total)
        if not amount:
            return
        key = (account_type, self._client.safe_currency_code(currency))
        new = (amount, to_decimal(free), to_decimal(used))
        old = self._rows.get(key)
        if old is not None:
            new = (
                old[0] + amount,
                _plus(old[1], new[1]),
                _plus(old[2], new[2]),
            )
        self._rows[key] = new

    def records(self) -> list[BalanceRecord]:
        return [
            BalanceRecord(account_type=account_type, asset=asset, total=total, free=free, used=used)
            for (account_type, asset), (total, free, used) in sorted(self._rows.items())
            if total
        ]


def _plus(left: Decimal | None, right: Decimal | None) -> Decimal | None:
    return None if left is None or right is None else left + right


def _negative(value: Any) -> Decimal | None:
    amount = to_decimal(value)
    return -amount if amount else None


def _all_items(
    method: Callable[[dict[str, Any]], Any], params: dict[str, Any], size: int
) -> Iterator[dict[str, Any]]:
    """Every item of KuCoin's classic paging (``currentPage`` from 1 to ``totalPage``)."""
    number = 1
    while True:
        data = method({**params, "currentPage": number, "pageSize": size}).get("data") or {}
        yield from data.get("items") or []
        if number >= int(data.get("totalPage") or 0):
            return
        number += 1


def _accounts(client: ccxt.Exchange) -> list[dict[str, Any]]:
    # GET /api/v1/accounts without a type: funding, spot and margin rows in one call
    return client.private_get_accounts().get("data") or []


def _isolated_pairs(client: ccxt.Exchange, optional: OptionalCall) -> list[dict[str, Any]]:
    # GET /api/v3/isolated/accounts
    return optional(
        ISOLATED_MARGIN,
        lambda: (client.private_get_isolated_accounts().get("data") or {}).get("assets") or [],
        [],
    )


def _sides(pair: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return pair.get("baseAsset") or {}, pair.get("quoteAsset") or {}


def _held(
    client: ccxt.Exchange, accounts: list[dict[str, Any]], pairs: list[dict[str, Any]]
) -> Held:
    held = Held()
    for row in accounts:
        if to_decimal(row.get("balance")):
            wallet = held.margin if row["type"] == "margin" else held.spot
            wallet.add(client.safe_currency_code(row["currency"]))
    for pair in pairs:
        amounts = [to_decimal(side.get(key)) for side in _sides(pair) for key in AMOUNT_KEYS]
        if any(amounts):
            held.isolated.add(pair["symbol"])
    return held


def held_assets(client: ccxt.Exchange, optional: OptionalCall) -> Held:
    """What `spot_side_balances` learns about holdings, in two calls instead of six; an
    account without isolated margin still has its spot and cross holdings found."""
    return _held(client, _accounts(client), _isolated_pairs(client, optional))


def _lent_out(client: ccxt.Exchange, currencies: list[str]) -> Iterator[tuple[str, Any]]:
    """(currency, amount) of every margin-lending subscription still lent out ("PENDING").

    GET /api/v3/purchase/orders is documented with ``currency`` mandatory (audit H5), so it is
    asked per currency the account has an account for: lent funds leave the funding account,
    whose row stays. Its amount is ``purchaseSize`` in the documented table and
    ``purchaseAmount`` in the example beside it; either is read."""
    for currency in currencies:
        for row in _all_items(
            client.private_get_purchase_orders,
            {"status": "PENDING", "currency": currency},
            LENDING_PAGE,
        ):
            yield row["currency"], row.get("purchaseSize", row.get("purchaseAmount"))


def spot_side_balances(
    client: ccxt.Exchange, optional: OptionalCall
) -> tuple[list[BalanceRecord], Held]:
    """Funding, spot, cross and isolated margin with their debts (negative totals, so that
    an asset's rows add up to what the account owns), margin lending and earn holdings."""
    sheet = _Sheet(client)
    accounts = _accounts(client)
    for row in accounts:
        account_type = ACCOUNT_TYPES.get(row["type"])
        if account_type:
            sheet.add(account_type, row["currency"], row["balance"], row["available"], row["holds"])
    # GET /api/v3/margin/accounts (weight 15; ccxt's cross balance calls the v1 one, 40)
    cross = optional(
        CROSS_MARGIN, lambda: client.private_get_margin_accounts().get("data") or {}, {}
    )
    for row in cross.get("accounts") or []:
        sheet.add("margin", row["currency"], row["total"], row["available"], row["hold"])
        sheet.add("margin_debt", row["currency"], _negative(row.get("liability")))
    pairs = _isolated_pairs(client, optional)
    for pair in pairs:
        for side in _sides(pair):
            sheet.add("isolated", side["currency"], side["total"], side["available"], side["hold"])
            sheet.add("isolated_debt", side["currency"], _negative(side.get("liability")))
    # margin lending still lent out; settled orders ("DONE") are back in funding
    currencies = sorted({row["currency"] for row in accounts})
    for currency, amount in optional(LENDING, lambda: list(_lent_out(client, currencies)), []):
        sheet.add("lending", currency, amount)
    earn = optional(
        EARN, lambda: list(_all_items(client.earn_get_earn_hold_assets, {}, EARN_PAGE)), []
    )
    for row in earn:
        sheet.add("earn", row["currency"], row["holdAmount"])
    return sheet.records(), _held(client, accounts, pairs)


def futures_balances(futures: ccxt.Exchange) -> list[BalanceRecord]:
    """One futures account per settle coin (``account-overview?currency=USDT|XBT|…``).

    The total is ``marginBalance``, the wallet without unrealised PnL, which the positions
    carry; KuCoin: marginBalance = positionMargin + orderMargin + frozenFunds +
    availableBalance.
    """
    sheet = _Sheet(futures)
    settle_ids = sorted({m["settleId"] for m in futures.markets.values() if m.get("settleId")})
    for settle_id in settle_ids:
        data = futures.futuresprivate_get_account_overview({"currency": settle_id}).get("data")
        if not data:
            continue
        total = to_decimal(data.get("marginBalance"))
        free = to_decimal(data.get("availableBalance"))
        used = None if total is None or free is None else total - free
        sheet.add("futures", data.get("currency") or settle_id, total, free, used)
    return sheet.records()


def futures_positions(futures: ccxt.Exchange) -> list[PositionRecord]:
    """Open positions on every settle coin (one ``/api/v1/positions`` call); flat rows skipped.

    ccxt 4.5.90 drops ``contractSize`` for Decimal clients (read it from the market) and
    reports the entry value as ``notional``: the notional here is KuCoin's ``markValue``.
    """
    records = []
    for position in futures.fetch_positions():
        if not position.get("contracts"):
            continue
        market = futures.market(position["symbol"])
        info = position.get("info") or {}
        mark_value = to_decimal(info.get("markValue"))
        records.append(
            PositionRecord(
                market_type=market["type"],
                symbol=position["symbol"],
                side=position["side"] or "",
                contracts=to_decimal(position["contracts"]),
                contract_size=to_decimal(market.get("contractSize")),
                entry_price=to_decimal(position.get("entryPrice")),
                mark_price=to_decimal(position.get("markPrice")),
                notional=None if mark_value is None else abs(mark_value),
                unrealized_pnl=to_decimal(position.get("unrealizedPnl")),
                leverage=to_decimal(position.get("leverage")),
                liquidation_price=to_decimal(position.get("liquidationPrice")),
                margin_mode=position.get("marginMode") or "",
            )
        )
    return records

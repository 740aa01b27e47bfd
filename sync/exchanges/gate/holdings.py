"""Gate balances and open positions, read from Gate's own rows.

The raw endpoints are called rather than ccxt's ``fetch_balance``: once ccxt knows a key is
unified it answers every ``fetch_balance`` type from ``/unified/accounts``, and it drops the
isolated margin ``interest`` and the lending ``lent`` amounts.

Accounts: a classic key has spot (the core), isolated margin (per pair, with its loans), the
margin lending account, one perpetual account per settle currency and the delivery account. A
unified key pools spot, margin loans and the USDT perpetual account into ``/unified/accounts``
(its core); its BTC perpetual, delivery and lending accounts stay apart. Every account but the
core is an optional part (parts.py).

Cross margin: Gate dropped ``GET /margin/cross/accounts`` from its API spec in v6.99.0
(gateio/gateapi-python commit 1419b55, 2025-06-17; audit H7), so it is not called. Cross margin
moved into the unified account's margin modes, whose balances ``/unified/accounts`` holds; a
classic key has no documented endpoint left for an old cross margin balance, so none is read.

Borrowed amounts are liabilities: recorded negative, so a connection's rows sum to its worth.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ccxt

from ..base import OptionalCall
from ..records import BalanceRecord, PositionRecord, to_decimal
from .markets import market_by_id
from .parts import DELIVERY, LENDING, MARGIN, PERPETUAL

PERPETUAL_SETTLES = ("usdt", "btc")
# ccxt's gate lists delivery contracts settled in USDT only (options.future.fetchMarkets).
DELIVERY_SETTLES = ("usdt",)
_ZERO = Decimal(0)


def _dec(row: dict[str, Any], *fields: str) -> Decimal:
    return sum((to_decimal(row.get(name)) or _ZERO for name in fields), _ZERO)


def _asset(client: ccxt.Exchange, currency_id: Any) -> str:
    return client.safe_currency_code(str(currency_id))


def fetch_balances(client: ccxt.Exchange, optional: OptionalCall) -> list[BalanceRecord]:
    # ccxt asks /account/detail once unless the key's mode is already known
    unified = client.load_unified_status()
    records: list[BalanceRecord] = []
    if unified:
        records += _unified(client, client.private_unified_get_accounts())
    else:
        records += _spot(client, client.private_spot_get_accounts())
        records += optional(MARGIN, lambda: _isolated_margin(client, margin_accounts(client)), [])
    records += optional(
        LENDING, lambda: _lending(client, client.private_margin_get_funding_accounts()), []
    )
    for settle in PERPETUAL_SETTLES:
        if unified and settle == "usdt":
            continue
        records += optional(
            PERPETUAL[settle],
            lambda s=settle: _contract_account(
                client, "futures", client.private_futures_get_settle_accounts({"settle": s})
            ),
            [],
        )
    for settle in DELIVERY_SETTLES:
        records += optional(
            DELIVERY[settle],
            lambda s=settle: _contract_account(
                client, "delivery", client.private_delivery_get_settle_accounts({"settle": s})
            ),
            [],
        )
    return records


def margin_accounts(client: ccxt.Exchange) -> list[dict[str, Any]]:
    """GET /margin/accounts, kept on the client: the trade streams of the same sync decide
    from it whether there is isolated or cross margin to walk, without asking again."""
    client.gate_margin_accounts = client.private_margin_get_accounts()
    return client.gate_margin_accounts


def margin_opened(pairs: list[dict[str, Any]]) -> bool:
    """Whether the isolated margin list shows an account ever opened. An account that never
    opened one is told an empty list, or rows of ``account_type`` "inactive" ("market not
    activated", gocryptotrader PR #2207) with nothing in them; any other row was activated and
    may have fills, even when it is empty now."""
    return any(
        pair.get("account_type") != "inactive"
        or any(
            _dec(side, "available", "locked", "borrowed", "interest")
            for side in (pair.get("base") or {}, pair.get("quote") or {})
        )
        for pair in pairs
    )


def _held(account_type: str, asset: str, free: Decimal, used: Decimal) -> list[BalanceRecord]:
    total = free + used
    if not total:
        return []
    return [
        BalanceRecord(account_type=account_type, asset=asset, total=total, free=free, used=used)
    ]


def _owed(account_type: str, asset: str, owed: Decimal) -> list[BalanceRecord]:
    return [BalanceRecord(account_type=account_type, asset=asset, total=-owed)] if owed else []


def _spot(client: ccxt.Exchange, rows: list[dict[str, Any]]) -> list[BalanceRecord]:
    return [
        record
        for row in rows
        for record in _held(
            "spot", _asset(client, row["currency"]), _dec(row, "available"), _dec(row, "locked")
        )
    ]


def _isolated_margin(client: ccxt.Exchange, pairs: list[dict[str, Any]]) -> list[BalanceRecord]:
    """One isolated account per pair, each with a base and a quote side; summed per asset."""
    free: dict[str, Decimal] = {}
    used: dict[str, Decimal] = {}
    owed: dict[str, Decimal] = {}
    for pair in pairs:
        for side in (pair.get("base") or {}, pair.get("quote") or {}):
            if not side.get("currency"):
                continue
            asset = _asset(client, side["currency"])
            free[asset] = free.get(asset, _ZERO) + _dec(side, "available")
            used[asset] = used.get(asset, _ZERO) + _dec(side, "locked")
            owed[asset] = owed.get(asset, _ZERO) + _dec(side, "borrowed", "interest")
    records: list[BalanceRecord] = []
    for asset in sorted(free):
        records += _held("margin", asset, free[asset], used[asset])
        records += _owed("margin_borrowed", asset, owed[asset])
    return records


def _lending(client: ccxt.Exchange, rows: list[dict[str, Any]]) -> list[BalanceRecord]:
    return [
        record
        for row in rows
        for record in _held(
            "lending",
            _asset(client, row["currency"]),
            _dec(row, "available"),
            _dec(row, "locked", "lent"),
        )
    ]


def _unified(client: ccxt.Exchange, account: dict[str, Any]) -> list[BalanceRecord]:
    records: list[BalanceRecord] = []
    for currency, row in sorted((account.get("balances") or {}).items()):
        asset = _asset(client, currency)
        records += _held("unified", asset, _dec(row, "available"), _dec(row, "freeze"))
        liability = "total_liab" if row.get("total_liab") is not None else "borrowed"
        records += _owed("unified_borrowed", asset, _dec(row, liability))
    return records


def _contract_account(
    client: ccxt.Exchange, account_type: str, row: dict[str, Any]
) -> list[BalanceRecord]:
    """``total`` is the margin balance without unrealized PnL; ``available`` what is free."""
    total, free = _dec(row, "total"), _dec(row, "available")
    return _held(account_type, _asset(client, row["currency"]), free, total - free)


def fetch_positions(client: ccxt.Exchange, optional: OptionalCall) -> list[PositionRecord]:
    # holding=true: without it Gate also lists every contract traded before, with size 0
    rows: list[dict[str, Any]] = []
    for settle in PERPETUAL_SETTLES:
        params = {"settle": settle, "holding": "true"}
        rows += optional(
            PERPETUAL[settle], lambda p=params: client.private_futures_get_settle_positions(p), []
        )
    for settle in DELIVERY_SETTLES:
        params = {"settle": settle, "holding": "true"}
        rows += optional(
            DELIVERY[settle], lambda p=params: client.private_delivery_get_settle_positions(p), []
        )
    return [_position(client, row) for row in rows if to_decimal(row.get("size"))]


def _position(client: ccxt.Exchange, row: dict[str, Any]) -> PositionRecord:
    market = market_by_id(client, str(row["contract"]), contract=True)
    size = to_decimal(row["size"]) or _ZERO
    mode = row.get("mode")
    if mode in ("dual_long", "dual_short"):
        side = mode.removeprefix("dual_")
    else:
        side = "long" if size > 0 else "short"
    # Gate prints leverage "0" for cross margin and keeps the cross leverage apart
    leverage = to_decimal(row.get("leverage")) or _ZERO
    cross = not leverage
    liquidation = to_decimal(row.get("liq_price"))
    return PositionRecord(
        market_type=market["type"],
        symbol=market["symbol"],
        side=side,
        contracts=abs(size),
        contract_size=to_decimal(market.get("contractSize")),
        entry_price=to_decimal(row.get("entry_price")),
        mark_price=to_decimal(row.get("mark_price")),
        notional=to_decimal(row.get("value")),
        unrealized_pnl=to_decimal(row.get("unrealised_pnl")),
        leverage=to_decimal(row.get("cross_leverage_limit")) if cross else leverage,
        liquidation_price=liquidation or None,
        margin_mode="cross" if cross else "isolated",
    )

"""Spot, isolated and cross margin, margin funding and unified accounts.

A legacy unified account (key mode 2) pools the spot balances and the USDT perpetual account;
ccxt's ``fetch_balance`` asks ``/unified/accounts`` whenever ``/account/detail`` said mode 2.
For a classic account Gate still answers ``/unified/accounts``, with ``mode: "classic"`` and
the spot balances only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.gate.auth import key_mode
from sync.simulator.exchanges.gate.common import endpoint, money
from sync.simulator.exchanges.gate.derivatives import book_of
from sync.simulator.holdings import SPOT as SPOT_WALLET
from sync.simulator.instruments import MONEY_DECIMALS
from sync.simulator.trades import decimal_units

router = Router()

_ZERO = Decimal(0)
# Isolated margin lives in one pair here: the margin wallet's BTC and USDT.
MARGIN_PAIR = "BTC_USDT"


def _units(value: int) -> Decimal:
    return decimal_units(value, MONEY_DECIMALS)


@endpoint(router, "/spot/accounts", signed=True)
def spot_accounts(call: Call) -> list[dict[str, Any]]:
    account = call.signed_account()
    holdings = account.holdings()
    currency = call.params.get("currency")
    update_id = sum(len(item) for item in account.series().values()) + 1
    return [
        {
            "currency": asset,
            "available": money(_units(units)),
            "locked": "0",
            "update_id": update_id,
        }
        for asset, units in sorted(holdings.wallet(SPOT_WALLET).items())
        if currency is None or asset == currency
    ]


def _margin_side(account: Account, asset: str) -> dict[str, Any]:
    holdings = account.holdings()
    return {
        "currency": asset,
        "available": money(_units(holdings.margin_free.get(asset, 0))),
        "locked": "0",
        "borrowed": money(_units(holdings.margin_borrowed.get(asset, 0))),
        "interest": "0",
    }


@endpoint(router, "/margin/accounts", signed=True)
def isolated_margin_accounts(call: Call) -> list[dict[str, Any]]:
    account = call.signed_account()
    pair = call.params.get("currency_pair")
    if pair is not None and pair != MARGIN_PAIR:
        return []
    base, quote = MARGIN_PAIR.split("_")
    return [
        {
            "currency_pair": MARGIN_PAIR,
            "account_type": "margin",
            "leverage": "10",
            "locked": False,
            "risk": "9.99",
            "mmr": "0.1",
            "base": _margin_side(account, base),
            "quote": _margin_side(account, quote),
        }
    ]


# Deprecated (cross margin moved into the unified account), still what ccxt calls for
# marginMode cross; the simulated accounts keep nothing there.
@endpoint(router, "/margin/cross/accounts", signed=True)
def cross_margin_account(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    return {
        "user_id": account.uid,
        "refresh_time": call.now_ms,
        "locked": False,
        "balances": {},
        "total": "0",
        "borrowed": "0",
        "interest": "0",
        "risk": "9999.99",
        "total_initial_margin": "0",
        "total_margin_balance": "0",
        "total_maintenance_margin": "0",
        "total_initial_margin_rate": "0",
        "total_maintenance_margin_rate": "0",
        "total_available_margin": "0",
        "portfolio_margin_total": "0",
    }


@endpoint(router, "/margin/funding_accounts", signed=True)
def funding_accounts(call: Call) -> list[dict[str, Any]]:
    funding = call.signed_account().holdings().funding
    currency = call.params.get("currency")
    return [
        {
            "currency": asset,
            "available": money(_units(units)),
            "locked": "0",
            "lent": "0",
            "total_lent": "0",
        }
        for asset, units in sorted(funding.items())
        if currency is None or asset == currency
    ]


def unified_balances(account: Account) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """asset -> (available, borrowed, unrealized PnL) of the unified account."""
    holdings = account.holdings()
    balances = {
        asset: [_units(units), _ZERO, _ZERO]
        for asset, units in holdings.wallet(SPOT_WALLET).items()
    }
    if key_mode(account) == 2:
        perpetual = book_of(account, "usdt")
        row = balances.setdefault("USDT", [_ZERO, _ZERO, _ZERO])
        row[0] += _units(perpetual.total)
        row[2] += sum((item.unrealized_pnl for item in perpetual.positions), _ZERO)
        for asset, units in holdings.margin_borrowed.items():
            balances.setdefault(asset, [_ZERO, _ZERO, _ZERO])[1] += _units(units)
    return {asset: (row[0], row[1], row[2]) for asset, row in sorted(balances.items())}


@endpoint(router, "/unified/accounts", signed=True)
def unified_account(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    balances = unified_balances(account)
    currency = call.params.get("currency")
    rows = {}
    total = borrowed_total = equity_total = _ZERO
    for asset, (available, borrowed, unrealized) in balances.items():
        if currency is not None and asset != currency:
            continue
        equity = available - borrowed + unrealized
        usd = Decimal(str(account.oracle.usd(asset, account.anchor_ms)))
        total += available * usd
        borrowed_total += borrowed * usd
        equity_total += equity * usd
        rows[asset] = {
            "available": money(available),
            "freeze": "0",
            "borrowed": money(borrowed),
            "negative_liab": "0",
            "futures_pos_liab": "0",
            "equity": money(equity),
            "total_freeze": "0",
            "total_liab": money(borrowed),
            "spot_in_use": "0",
            "funding": "0",
            "funding_version": "1",
            "cross_balance": money(available),
            "iso_balance": "0",
            "im": "0",
            "mm": "0",
            "mmr": "0",
            "margin_balance": money(equity),
            "available_margin": money(equity),
            "enabled_collateral": True,
        }
    return {
        "user_id": account.uid,
        "refresh_time": call.now_ms,
        "locked": False,
        "balances": rows,
        "total": money(total),
        "borrowed": money(borrowed_total),
        "total_initial_margin": "0",
        "total_margin_balance": money(equity_total),
        "total_maintenance_margin": "0",
        "total_initial_margin_rate": "0",
        "total_maintenance_margin_rate": "0",
        "total_available_margin": money(equity_total),
        "unified_account_total": money(equity_total),
        "unified_account_total_liab": money(borrowed_total),
        "unified_account_total_equity": money(equity_total),
        "leverage": "3",
        "spot_order_loss": "0",
        "spot_hedge": False,
        "use_funding": False,
        "is_all_collateral": True,
        "mode": "multi_currency" if key_mode(account) == 2 else "classic",
    }

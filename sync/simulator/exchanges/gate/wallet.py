"""Spot, isolated margin, margin funding and unified accounts.

Isolated margin: every account that has margin holds a BTC_USDT position made of the core's
seeded margin wallet and its debt; a pair traded on isolated margin adds what its fills did (the
core books them in a wallet per pair).

The classic cross margin account (``GET /margin/cross/accounts``) is not served: Gate dropped it
(with all of ``/margin/cross/*`` but the loan and repayment histories) from its API spec in v6.99.0
(gateio/gateapi-python commit 1419b55, 2025-06-17, README and docs/MarginApi.md: "Retrieve
cross margin account. (deprecated)" removed); cross margin now lives in the unified account's
margin modes. It answers 404 NOT_FOUND like any unknown path (errors.rejection).

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
from sync.simulator.exchanges.gate.catalog import MARGIN_BOOKS
from sync.simulator.exchanges.gate.common import endpoint, money
from sync.simulator.exchanges.gate.derivatives import book_of
from sync.simulator.holdings import SPOT as SPOT_WALLET
from sync.simulator.holdings import isolated_wallet
from sync.simulator.instruments import MONEY_DECIMALS
from sync.simulator.trades import decimal_units

router = Router()

_ZERO = Decimal(0)
# The seeded isolated position: the margin wallet's BTC and USDT.
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


def isolated_pairs(account: Account) -> dict[str, dict[str, tuple[int, int]]]:
    """pair -> asset -> (available, borrowed) in money units, for every isolated account."""
    holdings = account.holdings()
    pairs = {
        MARGIN_PAIR: {
            asset: (holdings.margin_free.get(asset, 0), holdings.margin_borrowed.get(asset, 0))
            for asset in MARGIN_PAIR.split("_")
        }
    }
    for book in (item for item in MARGIN_BOOKS if item.margin_mode == "isolated"):
        traded = holdings.wallet(isolated_wallet(book.symbol))
        if not traded:
            continue
        sides = pairs.setdefault(book.id, dict.fromkeys((book.base, book.quote), (0, 0)))
        for asset, units in traded.items():
            available, borrowed = sides[asset]
            sides[asset] = (available + units, borrowed)
    return dict(sorted(pairs.items()))


def _margin_side(asset: str, available: int, borrowed: int) -> dict[str, Any]:
    return {
        "currency": asset,
        "available": money(_units(available)),
        "locked": "0",
        "borrowed": money(_units(borrowed)),
        "interest": "0",
    }


def _never_opened_margin(call: Call) -> list[dict[str, Any]]:
    """What an account that never opened isolated margin is told. Gate documents no error for
    it, and the list carries a per-pair ``account_type`` that can say "inactive" ("market not
    activated", gocryptotrader PR #2207, gateio_types.go): the reading picks an empty list or
    such rows with nothing in them."""
    if call.exchange.reading("margin_not_opened") == "empty":
        return []
    base, quote = MARGIN_PAIR.split("_")
    return [
        {
            "currency_pair": MARGIN_PAIR,
            "account_type": "inactive",
            "leverage": "10",
            "locked": False,
            "base": _margin_side(base, 0, 0),
            "quote": _margin_side(quote, 0, 0),
        }
    ]


@endpoint(router, "/margin/accounts", signed=True)
def isolated_margin_accounts(call: Call) -> list[dict[str, Any]]:
    if not call.signed_account().has("margin"):
        return _never_opened_margin(call)
    wanted = call.params.get("currency_pair")
    rows = []
    for pair, sides in isolated_pairs(call.signed_account()).items():
        if wanted is not None and pair != wanted:
            continue
        base, quote = pair.split("_")
        rows.append(
            {
                "currency_pair": pair,
                "account_type": "margin",
                "leverage": "10",
                "locked": False,
                "risk": "9.99",
                "mmr": "0.1",
                "base": _margin_side(base, *sides[base]),
                "quote": _margin_side(quote, *sides[quote]),
            }
        )
    return rows


@endpoint(router, "/margin/funding_accounts", signed=True)
def funding_accounts(call: Call) -> list[dict[str, Any]]:
    account = call.signed_account()
    # One row per currency in the margin lending account (gateapi-python
    # docs/MarginApi.md, list_funding_accounts): an account that never lent has none.
    funding = account.holdings().funding if account.has("lending") else {}
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

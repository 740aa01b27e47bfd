"""Wallets (Advanced Trade v3 and Coinbase App v2), the key's permissions, the fee tier.

- ``GET /api/v3/brokerage/accounts``: one trading wallet per currency with ``available_balance``
  and ``hold``; ``limit`` 49 by default, at most 250, ``cursor``/``has_next`` paging
  (https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/accounts/list-accounts).
  ccxt reads it with ``options['fetchBalance'] = 'v3PrivateGetBrokerageAccounts'`` and follows
  the cursor itself.
- ``GET /v2/accounts``: ccxt's default balance source. It lists every Coinbase wallet, staking
  ones included (``"Staked ETH"``, type ``wallet``), so ccxt adds staked coins to the total;
  ``limit`` 25 by default, ``starting_after`` paging, newest first. ccxt asks once for 250.
- Whether a trading wallet's v2 ``id`` is its v3 ``uuid`` is undocumented (audit, "Coinbase
  v2 vs v3 wallet ids"). ccxt's recorded v2 answers show both a UUID (coinbase.py L2477,
  ``"id":"94ad58bc-…"``) and the currency code (L599, ``"id": "XLM"``, ``resource_path``
  ``/v2/accounts/XLM``). The ``wallet_ids`` reading answers each way: ``same`` (the v3 uuid),
  ``other_uuid`` (a UUID of its own) or ``currency_code``. Staking wallets exist in v2 only and
  keep a UUID of their own. ``primary`` marks no trading wallet: ccxt's examples print
  ``false`` on ordinary ones.
- ``GET /api/v3/brokerage/key_permissions``: what the CDP key may do and the portfolio it is
  scoped to. Any valid key may ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.coinbase.catalog import (
    CRYPTO,
    FIAT,
    HOST,
    currency_object,
    stable_uuid,
)
from sync.simulator.exchanges.coinbase.common import amount_text, bounded_int, rfc3339_ms, rfc3339_s
from sync.simulator.exchanges.coinbase.errors import invalid_argument, v2_error
from sync.simulator.holdings import SPOT
from sync.simulator.http import Rejected
from sync.simulator.instruments import MONEY_DECIMALS
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import decimal_units

router = Router()

V3_DEFAULT_LIMIT, V3_MAX_LIMIT = 49, 250
V2_DEFAULT_LIMIT, V2_MAX_LIMIT = 25, 300
_V3_PLACES = 16
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Wallet:
    uuid: str
    code: str
    name: str
    balance: Decimal
    staked: bool
    created_ms: int
    updated_ms: int

    @property
    def fiat(self) -> bool:
        return self.code in FIAT


def portfolio_uuid(account: Account) -> str:
    return stable_uuid(account.seed_key, "portfolio")


def user_uuid(account: Account) -> str:
    return stable_uuid(account.seed_key, "user")


def wallets(account: Account, *, with_staked: bool) -> list[Wallet]:
    """Trading wallets for every listed currency and every asset held, then staking wallets."""
    holdings = account.holdings()
    spot = holdings.wallet(SPOT)
    updated = holdings.last_update_ms.get(SPOT, account.created_ms)
    codes = sorted(set(spot) | set(CRYPTO) | {"USD"})
    result = [
        Wallet(
            uuid=stable_uuid(account.seed_key, "wallet", code),
            code=code,
            name=f"Cash ({code})" if code in FIAT else f"{code} Wallet",
            balance=decimal_units(spot.get(code, 0), MONEY_DECIMALS),
            staked=False,
            created_ms=account.created_ms,
            updated_ms=updated if code in spot else account.created_ms,
        )
        for code in codes
    ]
    if with_staked:
        result += [
            Wallet(
                uuid=stable_uuid(account.seed_key, "staked", code),
                code=code,
                name=f"Staked {code}",
                balance=decimal_units(units, MONEY_DECIMALS),
                staked=True,
                created_ms=account.created_ms + DAY_MS,
                updated_ms=account.anchor_ms - DAY_MS,
            )
            for code, units in sorted(holdings.earn_locked.items())
        ]
    return result


def _v3_row(account: Account, wallet: Wallet) -> dict[str, Any]:
    return {
        "uuid": wallet.uuid,
        "name": wallet.name,
        "currency": wallet.code,
        "available_balance": {
            "value": amount_text(wallet.balance, _V3_PLACES),
            "currency": wallet.code,
        },
        "default": True,
        "active": True,
        "created_at": rfc3339_ms(wallet.created_ms),
        "updated_at": rfc3339_ms(wallet.updated_ms),
        "deleted_at": None,
        "type": "ACCOUNT_TYPE_FIAT" if wallet.fiat else "ACCOUNT_TYPE_CRYPTO",
        "ready": True,
        "hold": {"value": amount_text(_ZERO, _V3_PLACES), "currency": wallet.code},
        "retail_portfolio_id": portfolio_uuid(account),
        "platform": "ACCOUNT_PLATFORM_CONSUMER",
    }


def _after(rows: list[Wallet], cursor: str | None) -> int | None:
    """Index of the first wallet after the one ``cursor`` names; None for an unknown one."""
    if not cursor:
        return 0
    for index, wallet in enumerate(rows):
        if wallet.uuid == cursor:
            return index + 1
    return None


@router.get(HOST, "/api/v3/brokerage/accounts", pool="v3_private", signed=True)
def v3_accounts(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    limit = bounded_int(call, "limit", V3_DEFAULT_LIMIT, V3_MAX_LIMIT)
    rows = wallets(account, with_staked=False)
    start = _after(rows, call.params.get("cursor"))
    if start is None:
        raise invalid_argument("invalid cursor")
    page = rows[start : start + limit]
    has_next = start + limit < len(rows)
    return {
        "accounts": [_v3_row(account, wallet) for wallet in page],
        "has_next": has_next,
        "cursor": page[-1].uuid if has_next else "",
        "size": len(page),
    }


def _v2_id(call: Call, account: Account, wallet: Wallet) -> str:
    """The wallet's v2 ``id`` under the ``wallet_ids`` reading (see the module's docstring)."""
    reading = call.exchange.reading("wallet_ids")
    if wallet.staked or reading == "same":
        return wallet.uuid
    if reading == "currency_code":
        return wallet.code
    return stable_uuid(account.seed_key, "v2 wallet", wallet.code)


def _v2_row(wallet: Wallet, wallet_id: str) -> dict[str, Any]:
    currency = currency_object(wallet.code)
    return {
        "id": wallet_id,
        "name": wallet.name,
        "primary": not wallet.staked,
        "type": "fiat" if wallet.fiat else "wallet",
        "currency": currency,
        "balance": {
            "amount": amount_text(wallet.balance, currency["exponent"]),
            "currency": wallet.code,
        },
        "created_at": rfc3339_s(wallet.created_ms),
        "updated_at": rfc3339_s(wallet.updated_ms),
        "resource": "account",
        "resource_path": f"/v2/accounts/{wallet_id}",
        "allow_deposits": True,
        "allow_withdrawals": not wallet.staked,
    }


@router.get(HOST, "/v2/accounts", pool="v2_private", signed=True)
def v2_accounts(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    limit = bounded_int(call, "limit", V2_DEFAULT_LIMIT, V2_MAX_LIMIT)
    # newest first, as the v2 API orders wallets by default
    rows = sorted(
        wallets(account, with_staked=True),
        key=lambda wallet: (wallet.created_ms, wallet.code, wallet.staked),
        reverse=True,
    )
    ids = [_v2_id(call, account, wallet) for wallet in rows]
    starting_after = call.params.get("starting_after")
    if starting_after and starting_after not in ids:
        raise Rejected(v2_error(400, "invalid_request", "starting_after is not a valid account"))
    start = ids.index(starting_after) + 1 if starting_after else 0
    page = list(zip(rows, ids, strict=True))[start : start + limit]
    next_id = page[-1][1] if start + limit < len(rows) else None
    return {
        "pagination": {
            "ending_before": None,
            "starting_after": starting_after,
            "previous_ending_before": page[0][1] if page and start else None,
            "next_starting_after": next_id,
            "limit": limit,
            "order": "desc",
            "previous_uri": None,
            "next_uri": (
                f"/v2/accounts?limit={limit}&starting_after={next_id}" if next_id else None
            ),
        },
        "data": [_v2_row(wallet, wallet_id) for wallet, wallet_id in page],
    }


@router.get(
    HOST, "/api/v3/brokerage/key_permissions", pool="v3_private", signed=True, needs_read=False
)
def key_permissions(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    return {
        "can_view": account.can("read"),
        "can_trade": account.can("trade"),
        # CDP's "Transfer" scope is what lets a key send funds off Coinbase
        "can_transfer": account.can("withdraw") or account.can("transfer"),
        "portfolio_uuid": portfolio_uuid(account),
        "portfolio_type": "DEFAULT",
    }


@router.get(HOST, "/api/v3/brokerage/transaction_summary", pool="v3_private", signed=True)
def transaction_summary(call: Call) -> dict[str, Any]:
    """30-day volume and fees; the tier is the one the simulated fills are charged at."""
    since = call.now_ms - 30 * DAY_MS
    volume_units = fee_units = 0
    for series in call.signed_account().series().values():
        first = series.index_from_time(since)
        volume_units += sum(series.costs[first:])
        fee_units += sum(series.fees[first:])
    policy = call.exchange.fee_policy
    volume = format(decimal_units(volume_units, MONEY_DECIMALS).normalize(), "f")
    fees = format(decimal_units(fee_units, MONEY_DECIMALS).normalize(), "f")
    return {
        "total_volume": volume,
        "total_fees": fees,
        "fee_tier": {
            "pricing_tier": "Advanced 1",
            "usd_from": "0",
            "usd_to": "10000",
            "taker_fee_rate": format(policy.spot_taker, "f"),
            "maker_fee_rate": format(policy.spot_maker, "f"),
            "aop_from": "",
            "aop_to": "",
        },
        "margin_rate": None,
        "goods_and_services_tax": None,
        "advanced_trade_only_volume": volume,
        "advanced_trade_only_fees": fees,
        "coinbase_pro_volume": "0",
        "coinbase_pro_fees": "0",
        "total_balance": "",
        "has_promo_fee": False,
    }

"""Wallets, the account mode, the key's own description and coin information.

A Unified Trading Account (UTA) keeps spot, linear and inverse funds in one ``UNIFIED``
wallet; a classic account keeps a ``SPOT`` and a ``CONTRACT`` wallet
(https://bybit-exchange.github.io/docs/v5/account/wallet-balance). The funding wallet is
``FUND`` on both, read through ``/v5/asset/transfer/query-account-coins-balance``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bybit import catalog
from sync.simulator.exchanges.bybit.catalog import HOST
from sync.simulator.exchanges.bybit.common import (
    envelope,
    is_classic,
    money,
    parameter_error,
    refuse,
    usd_price,
)
from sync.simulator.exchanges.bybit.errors import PERMISSION_DENIED
from sync.simulator.exchanges.bybit.positions import Margins, margins_of, settle_coin
from sync.simulator.holdings import INVERSE, LINEAR, SPOT
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import decimal_units

router = Router()

UNIFIED_WALLETS = (SPOT, LINEAR, INVERSE)
CONTRACT_WALLETS = (LINEAR, INVERSE)
# Keys without a bound IP lapse three months after they were made; the seeded keys were made
# a month before the anchor.
KEY_AGE_MS = 30 * DAY_MS
UNBOUND_KEY_LIFETIME_MS = 90 * DAY_MS
WRITES = ("trade", "margin", "futures", "options", "withdraw", "transfer")
# The Wallet group's transfer rights as query-api lists them (Bybit's "Get API Key
# Information" page; "Account Transfer" and "Subaccount Transfer" on the website).
WALLET_RIGHTS = ("AccountTransfer", "SubMemberTransfer")


def wallet_types(account: Account) -> dict[str, tuple[str, ...]]:
    """Bybit account types of this account and the simulator wallets each one holds."""
    if is_classic(account):
        return {"SPOT": (SPOT,), "CONTRACT": CONTRACT_WALLETS}
    return {"UNIFIED": UNIFIED_WALLETS}


def balances_of(account: Account, wallets: Iterable[str]) -> dict[str, Decimal]:
    """Coin balances of simulator wallets added together, as one Bybit account type shows."""
    holdings = account.holdings()
    total: dict[str, Decimal] = {}
    for wallet in wallets:
        for coin, units in holdings.wallet(wallet).items():
            total[coin] = total.get(coin, Decimal(0)) + decimal_units(units, 8)
    return total


def margins_by_coin(account: Account, wallets: tuple[str, ...]) -> dict[str, Margins]:
    """Unrealized PnL and margins of the open positions, per settle coin."""
    result: dict[str, Margins] = {}
    zero = Margins(Decimal(0), Decimal(0), Decimal(0))
    for position in account.holdings().positions:
        kind = INVERSE if position.instrument.inverse else LINEAR
        if kind not in wallets:
            continue
        coin = settle_coin(position.instrument)
        figures, before = margins_of(position), result.get(coin, zero)
        result[coin] = Margins(
            before.unrealized_pnl + figures.unrealized_pnl,
            before.initial + figures.initial,
            before.maintenance + figures.maintenance,
        )
    return result


def _realized(account: Account, wallets: tuple[str, ...]) -> dict[str, Decimal]:
    """Cumulative realized PnL per settle coin, over every contract the account traded."""
    result: dict[str, Decimal] = {}
    for series in account.series().values():
        instrument = series.instrument
        if not instrument.contract or (INVERSE if instrument.inverse else LINEAR) not in wallets:
            continue
        coin = settle_coin(instrument)
        result[coin] = result.get(coin, Decimal(0)) + decimal_units(sum(series.pnls), 8)
    return result


def _coin_filter(call: Call) -> set[str] | None:
    raw = call.params.get("coin")
    return {coin for coin in raw.split(",") if coin} if raw else None


def _ratio(numerator: Decimal, denominator: Decimal) -> str:
    if denominator <= 0:
        return "0"
    return format((numerator / denominator).quantize(Decimal("0.0001"), ROUND_HALF_UP), "f")


def _wallet_entry(call: Call, account_type: str, wallets: tuple[str, ...]) -> dict[str, Any]:
    account = call.signed_account()
    balances = balances_of(account, wallets)
    margins = margins_by_coin(account, wallets)
    realized = _realized(account, wallets)
    wanted = _coin_filter(call)
    coins = sorted(wanted if wanted is not None else (c for c, v in balances.items() if v != 0))
    zero = Margins(Decimal(0), Decimal(0), Decimal(0))
    rows = []
    totals = {"wallet": Decimal(0), "upl": Decimal(0), "im": Decimal(0), "mm": Decimal(0)}
    for coin in coins:
        balance = balances.get(coin, Decimal(0))
        figures = margins.get(coin, zero)
        price = usd_price(account, coin)
        totals["wallet"] += balance * price
        totals["upl"] += figures.unrealized_pnl * price
        totals["im"] += figures.initial * price
        totals["mm"] += figures.maintenance * price
        rows.append(_coin_row(account_type, coin, balance, figures, realized, price))
    entry: dict[str, Any] = {"accountType": account_type}
    if account_type == "UNIFIED":
        margin_balance = totals["wallet"] + totals["upl"]
        entry.update(
            {
                "totalEquity": money(margin_balance),
                "accountIMRate": _ratio(totals["im"], margin_balance),
                "accountIMRateByMp": _ratio(totals["im"], margin_balance),
                "totalMarginBalance": money(margin_balance),
                "totalInitialMargin": money(totals["im"]),
                "totalInitialMarginByMp": money(totals["im"]),
                "totalAvailableBalance": money(margin_balance - totals["im"]),
                "accountMMRate": _ratio(totals["mm"], margin_balance),
                "accountMMRateByMp": _ratio(totals["mm"], margin_balance),
                "totalPerpUPL": money(totals["upl"]),
                "totalWalletBalance": money(totals["wallet"]),
                "accountLTV": "0",
                "totalMaintenanceMargin": money(totals["mm"]),
                "totalMaintenanceMarginByMp": money(totals["mm"]),
            }
        )
    else:
        # classic wallets leave the account-wide USD figures empty
        for name in ("totalEquity", "totalWalletBalance", "totalMarginBalance"):
            entry[name] = ""
    entry["coin"] = rows
    return entry


def _coin_row(
    account_type: str,
    coin: str,
    balance: Decimal,
    figures: Margins,
    realized: dict[str, Decimal],
    price: Decimal,
) -> dict[str, Any]:
    equity = balance + figures.unrealized_pnl
    row: dict[str, Any] = {
        "coin": coin,
        "equity": money(equity),
        "usdValue": money(equity * price),
        "walletBalance": money(balance),
        "locked": "0",
        "unrealisedPnl": money(figures.unrealized_pnl),
        "cumRealisedPnl": money(realized.get(coin, Decimal(0))),
        "totalOrderIM": "0",
        "totalPositionIM": money(figures.initial),
        "totalPositionMM": money(figures.maintenance),
        "bonus": "0",
    }
    if account_type == "UNIFIED":
        # availableToWithdraw and free are deprecated for UNIFIED and come back empty
        row.update(
            {
                "availableToWithdraw": "",
                "availableToBorrow": "",
                "borrowAmount": "0",
                "accruedInterest": "0",
                "spotBorrow": "0",
                "spotHedgingQty": "0",
                "marginCollateral": True,
                "collateralSwitch": True,
                "colRes": "0",
            }
        )
    elif account_type == "CONTRACT":
        row["availableToWithdraw"] = money(max(Decimal(0), balance - figures.initial))
        row["borrowAmount"] = ""
        row["accruedInterest"] = ""
    else:
        row["free"] = money(balance)
        row["availableToWithdraw"] = money(balance)
        row["borrowAmount"] = ""
        row["accruedInterest"] = ""
    return row


@router.get(HOST, "/v5/account/wallet-balance", pool="wallet", signed=True)
def wallet_balance(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    types = wallet_types(account)
    requested = call.params.get("accountType", "")
    if not requested:
        raise parameter_error(call, "params error: accountType is empty")
    if requested not in types:
        raise parameter_error(call, f"accountType only support {', '.join(types)}.")
    entry = _wallet_entry(call, requested, types[requested])
    return envelope({"list": [entry]}, call.now_ms)


@router.get(
    HOST, "/v5/asset/transfer/query-account-coins-balance", pool="coins-balance", signed=True
)
def all_coins_balance(call: Call) -> dict[str, Any]:
    """Balances of one account type; the only way to read the funding wallet (FUND)."""
    account = call.signed_account()
    requested = call.params.get("accountType", "")
    wanted = _coin_filter(call)
    types = wallet_types(account)
    if requested == "FUND":
        if not has_wallet_rights(account) and call.exchange.reading("fund_access") == (
            "wallet_rights"
        ):
            # ccxt bybit.py L3626-3627 reads FUND here "only [if] we have no other choice
            # because it requires transfer permission", and its handle_errors (L9584-9585)
            # explains a 10005 as the key lacking "Account Transfer", "Subaccount Transfer" or
            # "Withdrawal"; a user was refused 10005 on the sibling single-coin query until the
            # Wallet section's first box was ticked (github.com/JKorf/Bybit.Net/issues/173).
            # Bybit's page for this endpoint names no permission: reading "any_read_key".
            raise refuse(10005, PERMISSION_DENIED, call.now_ms)
        balances = {
            coin: decimal_units(units, 8) for coin, units in account.holdings().funding.items()
        }
    elif requested in types:
        if requested == "UNIFIED" and wanted is None:
            raise parameter_error(call, "params error: coin is required for UNIFIED")
        balances = balances_of(account, types[requested])
    else:
        raise parameter_error(call, "params error: accountType invalid")
    coins = sorted(wanted if wanted is not None else balances)
    rows = [
        {
            "coin": coin,
            "walletBalance": money(balances.get(coin, Decimal(0))),
            "transferBalance": money(balances.get(coin, Decimal(0))),
            "bonus": "",
        }
        for coin in coins
    ]
    result = {"memberId": str(account.uid), "accountType": requested, "balance": rows}
    return envelope(result, call.now_ms, "success")


@router.get(HOST, "/v5/account/info", pool="account-info", signed=True)
def account_info(call: Call) -> dict[str, Any]:
    """The account mode ccxt's ``is_unified_enabled`` probes before every balance query."""
    account = call.signed_account()
    return envelope(
        {
            "marginMode": "REGULAR_MARGIN",
            "updatedTime": str(account.created_ms),
            # 1: classic account, 6: Unified Trading Account 2.0 (pro)
            "unifiedMarginStatus": 1 if is_classic(account) else 6,
            "dcpStatus": "OFF",
            "timeWindow": 0,
            "smpGroup": 0,
            "isMasterTrader": False,
            "spotHedgingStatus": "OFF",
        },
        call.now_ms,
    )


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _permission_map(account: Account, read_only: bool) -> dict[str, list[str]]:
    """Bybit's permission groups: for a read-only key what it may read, else what it may do."""
    can = account.can
    empty: dict[str, list[str]] = {
        name: []
        for name in (
            "ContractTrade", "Spot", "Wallet", "Options", "Derivatives", "CopyTrading",
            "BlockTrade", "Exchange", "NFT", "Affiliate", "Earn",
        )
    }  # fmt: skip
    if read_only:
        if not can("read"):
            return empty
        return {
            **empty,
            "ContractTrade": ["Order", "Position"],
            "Spot": ["SpotTrade"],
            # the Wallet boxes are ticked apart from the rest, and often left empty
            "Wallet": list(WALLET_RIGHTS) if account.key_reaches("transfer") else [],
            "Options": ["OptionsTrade"],
            "Derivatives": ["DerivativesTrade"],
            "Exchange": ["ExchangeHistory"],
            "Earn": ["Earn"],
        }
    wallet = []
    if can("transfer"):
        wallet += WALLET_RIGHTS
    if can("withdraw"):
        wallet.append("Withdraw")
    return {
        **empty,
        "ContractTrade": ["Order", "Position"] if can("futures") or can("trade") else [],
        "Spot": ["SpotTrade"] if can("trade") or can("margin") else [],
        "Wallet": wallet,
        "Options": ["OptionsTrade"] if can("options") else [],
        "Derivatives": ["DerivativesTrade"] if can("futures") or can("trade") else [],
        "Exchange": ["ExchangeHistory"] if can("read") else [],
    }


def _read_only(account: Account) -> bool:
    return not any(account.can(name) for name in WRITES)


def has_wallet_rights(account: Account) -> bool:
    """Whether the key's Wallet group (query-api) grants anything."""
    return bool(_permission_map(account, _read_only(account))["Wallet"])


@router.get(HOST, "/v5/user/query-api", pool="query-api", signed=True, needs_read=False)
def query_api(call: Call) -> dict[str, Any]:
    """The key's own description. "Any permission can access this endpoint" (Bybit docs)."""
    account = call.signed_account()
    read_only = _read_only(account)
    bound = list(account.spec.ip_whitelist)
    created = account.anchor_ms - KEY_AGE_MS
    if bound:
        # keys bound to IPs never lapse; Bybit then reports these placeholder values
        deadline_day, expires = -2, _iso(0)
    else:
        lapses = created + UNBOUND_KEY_LIFETIME_MS
        deadline_day, expires = (lapses - call.now_ms) // DAY_MS, _iso(lapses)
    return envelope(
        {
            "id": str(account.uid % 10_000_000),
            "note": account.label,
            "apiKey": account.api_key,
            "readOnly": 1 if read_only else 0,
            "secret": "",
            "permissions": _permission_map(account, read_only),
            "ips": bound or ["*"],
            "type": 1,
            "deadlineDay": deadline_day,
            "expiredAt": expires,
            "createdAt": _iso(created),
            "unified": 0,
            "uta": 0 if is_classic(account) else 1,
            "userID": account.uid,
            "inviterID": 0,
            "vipLevel": "No VIP",
            "mktMakerLevel": "0",
            "affiliateID": 0,
            "rsaPublicKey": "",
            "isMaster": True,
            "parentUid": "0",
            "kycLevel": "LEVEL_1",
            "kycRegion": "",
        },
        call.now_ms,
        "",
    )


# Any valid key may list coins, so load_markets works before the read permission is checked.
@router.get(HOST, "/v5/asset/coin/query-info", pool="coin-info", signed=True, needs_read=False)
def coin_info(call: Call) -> dict[str, Any]:
    coin = call.params.get("coin")
    coins = [coin] if coin in catalog.COINS else [] if coin else list(catalog.COINS)
    return envelope({"rows": [catalog.coin_row(item) for item in coins]}, call.now_ms, "success")

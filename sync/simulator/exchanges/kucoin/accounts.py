"""KuCoin account endpoints: the key itself, account type and mode, and every wallet but
futures (futures.py): funding ("main"), spot ("trade" / "trade_hf"), cross and isolated margin
with their debts, lending and earn holdings.

Seeded accounts are classic (not unified) and trade spot on the high-frequency ("HF")
engine KuCoin moves accounts to: their spot wallet is ``trade_hf`` and their fills are on
``/api/v1/hf/fills``. The ``low-frequency`` account keeps the old ``trade`` wallet and
``/api/v1/fills``.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kucoin.catalog import INSTRUMENTS, MARGIN_BOOKS, SPOT_HOST
from sync.simulator.exchanges.kucoin.common import (
    bounded_int,
    eight,
    money,
    object_id,
    ok,
    optional_int,
    plain,
)
from sync.simulator.exchanges.kucoin.errors import bad_parameter, refuse
from sync.simulator.holdings import CROSS_MARGIN, SPOT, isolated_wallet
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import decimal_units

router = Router()

LOW_FREQUENCY_LABELS = frozenset({"low-frequency"})

# Our permission words -> KuCoin's names in ``permission``; "Transfer" is withdrawal,
# "InnerTransfer" moves funds between one's own accounts.
PERMISSION_NAMES = {
    "read": "General",
    "trade": "Spot",
    "margin": "Margin",
    "futures": "Futures",
    "withdraw": "Transfer",
    "transfer": "InnerTransfer",
}
_ACCOUNT_TYPES = ("main", "trade", "trade_hf", "margin")
_LENDING_RATE = Decimal("0.0365")
_STAKING_RATE = Decimal("0.035")


def is_hf(account: Account) -> bool:
    return account.label not in LOW_FREQUENCY_LABELS


def spot_account_type(account: Account) -> str:
    return "trade_hf" if is_hf(account) else "trade"


def _usd(account: Account, asset: str, units: int) -> Decimal:
    price = Decimal(repr(account.oracle.usd(asset, account.anchor_ms)))
    return decimal_units(units, 8) * price


@router.get(SPOT_HOST, "/api/v1/hf/accounts/opened", weight=2, pool="spot", signed=True)
def hf_opened(call: Call) -> dict[str, Any]:
    """ "Get Account Type - Spot": whether spot trading runs on the HF engine."""
    return ok(is_hf(call.signed_account()))


@router.get(SPOT_HOST, "/api/ua/v1/account/mode", weight=30, pool="management", signed=True)
def account_mode(call: Call) -> dict[str, Any]:
    """What ccxt's ``is_uta_enabled`` asks before balances, trades and currencies."""
    return ok({"selfAccountMode": "CLASSIC", "subAccountModes": []})


@router.get(SPOT_HOST, "/api/v1/user/api-key", weight=20, pool="management", signed=True)
def api_key_info(call: Call) -> dict[str, Any]:
    """ "Get API Key Info" (General permission): what this key may do and where from."""
    account = call.signed_account()
    info: dict[str, Any] = {
        "remark": account.label,
        "apiKey": account.api_key,
        "apiVersion": 3,
        "permission": ",".join(
            name for word, name in PERMISSION_NAMES.items() if account.can(word)
        ),
        "createdAt": account.created_ms,
        "uid": account.uid,
        "isMaster": account.master is None,
    }
    if account.spec.ip_whitelist:
        info["ipWhitelist"] = ",".join(account.spec.ip_whitelist)
    return ok(info)


def cross_margin(account: Account) -> dict[str, int]:
    """The cross margin account: the seeded margin wallet plus what cross margin fills did to
    it (the core books those in a wallet of their own)."""
    holdings = account.holdings()
    free = dict(holdings.margin_free)
    for asset, units in holdings.wallet(CROSS_MARGIN).items():
        free[asset] = free.get(asset, 0) + units
    return free


def _account_rows(account: Account) -> list[dict[str, Any]]:
    holdings = account.holdings()
    # KuCoin keeps an account per currency once it was created, empty or not: a currency lent
    # out in full still has its (empty) funding row, which is where the loan came from.
    funding = {asset: 0 for asset in lent_out(account)} | dict(holdings.funding)
    wallets = {
        "main": funding,
        spot_account_type(account): holdings.wallet(SPOT),
        "margin": cross_margin(account),
    }
    opened = account.created_ms // 1000
    rows = []
    for index, (kind, assets) in enumerate(wallets.items()):
        for offset, (asset, units) in enumerate(sorted(assets.items())):
            rows.append(
                {
                    "id": object_id(opened, account.uid * 64 + index * 16 + offset),
                    "currency": asset,
                    "type": kind,
                    "balance": money(units),
                    "available": money(units),
                    "holds": "0",
                }
            )
    return rows


@router.get(SPOT_HOST, "/api/v1/accounts", weight=5, pool="management", signed=True)
def account_list(call: Call) -> dict[str, Any]:
    wanted_type = call.params.get("type")
    if wanted_type and wanted_type not in _ACCOUNT_TYPES:
        raise bad_parameter("type not in the given range!")
    wanted_currency = call.params.get("currency")
    return ok(
        [
            row
            for row in _account_rows(call.signed_account())
            if (not wanted_type or row["type"] == wanted_type)
            and (not wanted_currency or row["currency"] == wanted_currency)
        ]
    )


def require_margin(call: Call) -> Account:
    """The account, unless it never enabled margin trading: KuCoin's margin account endpoints
    "require margin trading to be enabled" (audit H6). The code is not documented for them;
    reading "101030" (the default) is ccxt's recorded body {"code":"101030","msg":"You
    haven't yet enabled the margin trading"} (kucoin.py ``exceptions``: PermissionDenied);
    reading "130306" is KuCoin's "The account has not opened leveraged trading" (same
    table: NotSupported)."""
    account = call.signed_account()
    if account.has("margin"):
        return account
    if call.exchange.reading("margin_not_enabled") == "130306":
        raise refuse(400, "130306", "The account has not opened leveraged trading")
    raise refuse(400, "101030", "You haven't yet enabled the margin trading")


def _cross_rows(account: Account) -> list[tuple[str, int, int]]:
    borrowed = account.holdings().margin_borrowed
    free = cross_margin(account)
    return [
        (asset, free.get(asset, 0), borrowed.get(asset, 0))
        for asset in sorted(set(free) | set(borrowed))
    ]


def _debt_ratio(account: Account, rows: list[tuple[str, int, int]]) -> str:
    assets = sum((_usd(account, asset, free) for asset, free, _ in rows), Decimal(0))
    debts = sum((_usd(account, asset, debt) for asset, _, debt in rows), Decimal(0))
    return plain((debts / assets).quantize(Decimal("0.0001"))) if assets else "0"


def _max_borrow(free: int, borrowed: int) -> str:
    # cross margin lends up to 5x: four times the equity beyond what is borrowed already
    return money(max(0, 4 * (free - borrowed)))


@router.get(SPOT_HOST, "/api/v1/margin/account", weight=40, pool="spot", signed=True)
def cross_margin_v1(call: Call) -> dict[str, Any]:
    """The v1 cross margin account, still what ccxt's ``fetch_balance({'type': 'margin'})``
    calls; ``liability`` is the debt."""
    account = require_margin(call)
    rows = _cross_rows(account)
    return ok(
        {
            "debtRatio": _debt_ratio(account, rows),
            "accounts": [
                {
                    "currency": asset,
                    "totalBalance": money(free),
                    "availableBalance": money(free),
                    "holdBalance": "0",
                    "liability": money(borrowed),
                    "maxBorrowSize": _max_borrow(free, borrowed),
                }
                for asset, free, borrowed in rows
            ],
        }
    )


@router.get(SPOT_HOST, "/api/v3/margin/accounts", weight=15, pool="spot", signed=True)
def cross_margin_v3(call: Call) -> dict[str, Any]:
    account = require_margin(call)
    rows = _cross_rows(account)
    assets = sum((_usd(account, asset, free) for asset, free, _ in rows), Decimal(0))
    debts = sum((_usd(account, asset, debt) for asset, _, debt in rows), Decimal(0))
    return ok(
        {
            "totalAssetOfQuoteCurrency": plain(eight(assets)),
            "totalLiabilityOfQuoteCurrency": plain(eight(debts)),
            "debtRatio": _debt_ratio(account, rows),
            "status": "EFFECTIVE",
            "accounts": [
                {
                    "currency": asset,
                    "total": money(free),
                    "available": money(free),
                    "hold": "0",
                    "liability": money(borrowed),
                    "liabilityPrincipal": money(borrowed),
                    "liabilityInterest": "0",
                    "maxBorrowSize": _max_borrow(free, borrowed),
                    "borrowEnabled": True,
                    "transferInEnabled": True,
                }
                for asset, free, borrowed in rows
            ],
        }
    )


def isolated_pairs(account: Account) -> list[tuple[str, dict[str, int], dict[str, int]]]:
    """Isolated margin accounts, one per pair, in money units: (symbol, totals, debts).

    Every account holds an ETH-USDT position, USDT collateral and borrowed ETH, derived here
    from its seed (the core's seeded margin wallet is served as cross margin); a pair traded
    on isolated margin adds what its fills did, which the core books in that pair's wallet."""
    rng = random.Random(f"{account.seed_key}:kucoin:isolated")
    eth_usd = account.oracle.usd("ETH", account.anchor_ms)
    collateral = int(rng.uniform(200, 800) * 10_000) * 10_000
    borrowed = int(rng.uniform(50, 150) / eth_usd * 10_000) * 10_000
    pairs = {"ETH-USDT": ({"ETH": borrowed, "USDT": collateral}, {"ETH": borrowed, "USDT": 0})}
    holdings = account.holdings()
    for book in (item for item in MARGIN_BOOKS if item.margin_mode == "isolated"):
        traded = holdings.wallet(isolated_wallet(book.symbol))
        if not traded:
            continue
        sides = dict.fromkeys((book.base, book.quote), 0)
        totals, _ = pairs.setdefault(book.id, (dict(sides), dict(sides)))
        for asset, units in traded.items():
            totals[asset] += units
    return [(symbol, totals, debts) for symbol, (totals, debts) in sorted(pairs.items())]


def _isolated_side(asset: str, total: int, debt: int) -> dict[str, Any]:
    return {
        "currency": asset,
        "borrowEnabled": True,
        "transferInEnabled": True,
        "liability": money(debt),
        "liabilityPrincipal": money(debt),
        "liabilityInterest": "0",
        "total": money(total),
        "available": money(total),
        "hold": "0",
        "maxBorrowSize": money(max(0, 4 * total - debt)),
        "interest": "0",
    }


@router.get(SPOT_HOST, "/api/v3/isolated/accounts", weight=15, pool="spot", signed=True)
def isolated_margin(call: Call) -> dict[str, Any]:
    account = require_margin(call)
    wanted = call.params.get("symbol")
    if wanted and wanted not in {item.id for item in INSTRUMENTS if not item.contract}:
        raise bad_parameter("Unsupported trading pair.")
    total_value = total_debt = Decimal(0)
    pairs = []
    for symbol, totals, debts in isolated_pairs(account):
        if wanted and wanted != symbol:
            continue
        base, quote = symbol.split("-")
        value = sum((_usd(account, asset, units) for asset, units in totals.items()), Decimal(0))
        debt = sum((_usd(account, asset, units) for asset, units in debts.items()), Decimal(0))
        total_value, total_debt = total_value + value, total_debt + debt
        pairs.append(
            {
                "symbol": symbol,
                "status": "EFFECTIVE",
                "debtRatio": plain((debt / value).quantize(Decimal("0.0001"))),
                "baseAsset": _isolated_side(base, totals[base], debts[base]),
                "quoteAsset": _isolated_side(quote, totals[quote], debts[quote]),
            }
        )
    return ok(
        {
            "totalAssetOfQuoteCurrency": plain(eight(total_value)) if pairs else "0",
            "totalLiabilityOfQuoteCurrency": plain(eight(total_debt)) if pairs else "0",
            "timestamp": call.now_ms,
            "assets": pairs,
        }
    )


def _page(call: Call, items: list[dict[str, Any]], maximum: int = 50) -> dict[str, Any]:
    """KuCoin's classic paging: currentPage from 1, pageSize, totalNum, totalPage."""
    page = optional_int(call, "currentPage") or 1
    size = bounded_int(call, "pageSize", 50, maximum)
    return {
        "currentPage": page,
        "pageSize": size,
        "totalNum": len(items),
        "totalPage": -(-len(items) // size),
        "items": items[(page - 1) * size : page * size],
    }


def _required_status(call: Call, allowed: tuple[str, ...]) -> str:
    status = call.params.get("status")
    if status not in allowed:
        raise bad_parameter("status not in the given range!")
    return status


def lent_out(account: Account) -> dict[str, int]:
    """What the account has lent through margin lending: its flexible earn holdings; an
    account without lending has lent nothing."""
    return dict(account.holdings().earn_flexible) if account.has("lending") else {}


# "Get Subscription Orders" names its amounts two ways: the response table says purchaseSize,
# matchSize and incomeSize, the example on the same page purchaseAmount, lendAmount and
# incomeAmount (audit H5; kucoin.btc-store.de/docs/rest/margin-trading/lending-market-v3-/
# get-subscription-orders). Reading "lending_fields" answers with either.
_LENDING_FIELDS = {
    "table": ("purchaseSize", "matchSize", "incomeSize"),
    "example": ("purchaseAmount", "lendAmount", "incomeAmount"),
}


@router.get(SPOT_HOST, "/api/v3/purchase/orders", weight=10, pool="spot", signed=True)
def lending_orders(call: Call) -> dict[str, Any]:
    """Margin lending subscriptions: the account's flexible earn holdings, still lent out
    ("PENDING"); none has been settled ("DONE").

    The documentation marks ``currency`` mandatory ("currency String Yes", same page), a
    third-party client treats it as optional (rosssaunders/ccrxt): reading "lending_currency"
    "required" (the default) refuses a request without it with 400100, "optional" lists every
    currency."""
    status = _required_status(call, ("DONE", "PENDING"))
    wanted = call.params.get("currency")
    if not wanted and call.exchange.reading("lending_currency") == "required":
        raise bad_parameter("currency can not be empty")
    account = call.signed_account()
    purchased, matched, income = _LENDING_FIELDS[call.exchange.reading("lending_fields")]
    items = []
    if status == "PENDING":
        applied = account.created_ms + 3 * DAY_MS
        days = Decimal(account.anchor_ms - applied) / DAY_MS
        for offset, (asset, units) in enumerate(sorted(lent_out(account).items())):
            if wanted and asset != wanted:
                continue
            size = decimal_units(units, 8)
            items.append(
                {
                    "currency": asset,
                    "purchaseOrderNo": object_id(applied // 1000, account.uid * 8 + offset),
                    purchased: money(units),
                    matched: money(units),
                    "interestRate": plain(_LENDING_RATE),
                    income: plain(eight(size * _LENDING_RATE * days / 365)),
                    "applyTime": applied,
                    "status": "PENDING",
                }
            )
    return ok(_page(call, items))


@router.get(SPOT_HOST, "/api/v3/redeem/orders", weight=10, pool="spot", signed=True)
def redemption_orders(call: Call) -> dict[str, Any]:
    _required_status(call, ("DONE", "PENDING"))
    return ok(_page(call, []))


@router.get(SPOT_HOST, "/api/v3/margin/borrow", weight=15, pool="spot", signed=True)
def borrow_history(call: Call) -> dict[str, Any]:
    """Cross margin loans behind the margin account's liabilities."""
    currency = call.params.get("currency")
    if not currency:
        raise bad_parameter("currency is required")
    account = call.signed_account()
    borrowed = account.holdings().margin_borrowed.get(currency, 0)
    taken = account.created_ms + 5 * DAY_MS
    items = []
    if borrowed and call.params.get("isIsolated", "false") != "true":
        items.append(
            {
                "orderNo": object_id(taken // 1000, account.uid * 4 + 1),
                "symbol": None,
                "currency": currency,
                "size": money(borrowed),
                "actualSize": money(borrowed),
                "status": "SUCCESS",
                "createdTime": taken,
            }
        )
    return ok({"timestamp": call.now_ms, **_page(call, items)})


@router.get(SPOT_HOST, "/api/v1/earn/hold-assets", weight=5, pool="earn", signed=True)
def earn_holdings(call: Call) -> dict[str, Any]:
    """Earn products held: the account's locked (staking) holdings."""
    account = call.signed_account()
    wanted = call.params.get("currency")
    start = account.created_ms + 10 * DAY_MS
    items = [
        {
            "orderId": str(2_700_000 + account.uid % 100_000 * 10 + offset),
            "productId": str(2_600 + offset),
            "productCategory": "STAKING",
            "productType": "TIME",
            "currency": asset,
            "incomeCurrency": asset,
            "returnRate": plain(_STAKING_RATE),
            "holdAmount": money(units),
            "redeemedAmount": "0",
            "redeemingAmount": "0",
            "lockStartTime": start,
            "lockEndTime": account.anchor_ms + 30 * DAY_MS,
            "purchaseTime": start,
            "redeemPeriod": 1,
            "status": "LOCKED",
            "earlyRedeemSupported": 0,
        }
        for offset, (asset, units) in enumerate(sorted(account.holdings().earn_locked.items()))
        if not wanted or asset == wanted
    ]
    return ok(_page(call, items, maximum=500))

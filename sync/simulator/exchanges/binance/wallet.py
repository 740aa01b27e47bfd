"""Spot, funding, margin and earn wallets, currencies, and the key's own restrictions.

The legacy savings summary (``GET /sapi/v1/lending/union/account``, what ccxt calls for
``fetch_balance({'type': 'savings'})``) is not served: Binance retired it (binance-connector-js
#151, v3.2.0, "Removed - Deprecated Savings endpoints"; JKorf/Binance.Net#1341), so it answers
404 like any unknown path. Simple Earn replaced it.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.binance.catalog import COINS, INSTRUMENTS, SPOT_HOST, coin_config
from sync.simulator.exchanges.binance.common import money
from sync.simulator.exchanges.binance.errors import refuse
from sync.simulator.holdings import SPOT
from sync.simulator.prices import DAY_MS

router = Router()


@router.get(SPOT_HOST, "/api/v3/account", weight=20, pool="spot", signed=True)
def spot_account(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    holdings = account.holdings()
    balances = [
        {"asset": asset, "free": money(units), "locked": money(0)}
        for asset, units in sorted(holdings.wallet(SPOT).items())
    ]
    if call.params.get("omitZeroBalances") == "true":
        balances = [row for row in balances if row["free"] != money(0)]
    return {
        "makerCommission": 10,
        "takerCommission": 10,
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": "0.00100000",
            "taker": "0.00100000",
            "buyer": "0.00000000",
            "seller": "0.00000000",
        },
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": holdings.last_update_ms.get(SPOT, account.anchor_ms),
        "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"],
        "uid": account.uid,
    }


@router.get(SPOT_HOST, "/sapi/v1/capital/config/getall", weight=10, pool="sapi", signed=True)
def all_coins(call: Call) -> list[dict[str, Any]]:
    spot = call.signed_account().holdings().wallet(SPOT)
    return [coin_config(coin, money(spot.get(coin, 0))) for coin in COINS]


def _margin_pairs() -> list[dict[str, Any]]:
    return [
        {
            "id": str(351637150141315861 + index),
            "symbol": item.id,
            "base": item.base,
            "quote": item.quote,
            "isMarginTrade": True,
            "isBuyAllowed": True,
            "isSellAllowed": True,
        }
        for index, item in enumerate(INSTRUMENTS)
        if not item.contract
    ]


# Binance only needs a valid key here (MARKET_DATA); ccxt signs the call anyway.
@router.get(SPOT_HOST, "/sapi/v1/margin/allPairs", pool="sapi", signed=True, needs_read=False)
def cross_margin_pairs(call: Call) -> list[dict[str, Any]]:
    return _margin_pairs()


@router.get(
    SPOT_HOST,
    "/sapi/v1/margin/isolated/allPairs",
    weight=10,
    pool="sapi",
    signed=True,
    needs_read=False,
)
def isolated_margin_pairs(call: Call) -> list[dict[str, Any]]:
    return [{key: row[key] for key in row if key != "id"} for row in _margin_pairs()]


@router.get(
    SPOT_HOST, "/sapi/v1/account/apiRestrictions", pool="sapi", signed=True, needs_read=False
)
def api_restrictions(call: Call) -> dict[str, Any]:
    """What the key may do. Any valid key may ask, so a permission probe works on all keys."""
    account = call.signed_account()
    restrictions: dict[str, Any] = {
        "ipRestrict": bool(account.spec.ip_whitelist),
        "createTime": account.created_ms,
        "enableReading": account.can("read"),
        "enableWithdrawals": account.can("withdraw"),
        "enableInternalTransfer": account.can("transfer"),
        "enableMargin": account.can("margin"),
        "enableFutures": account.can("futures"),
        "permitsUniversalTransfer": account.can("transfer"),
        "enableVanillaOptions": account.can("options"),
        "enableFixApiTrade": False,
        "enableFixReadOnly": account.can("read"),
        "enableSpotAndMarginTrading": account.can("trade"),
        "enablePortfolioMarginTrading": False,
    }
    if account.can("trade"):
        # Binance lets trading rights of keys without an IP whitelist lapse after 90 days
        restrictions["tradingAuthorityExpirationTime"] = account.anchor_ms + 90 * DAY_MS
    return restrictions


@router.get(SPOT_HOST, "/sapi/v1/account/status", pool="sapi", signed=True)
def account_status(call: Call) -> dict[str, Any]:
    return {"data": "Normal"}


@router.post(SPOT_HOST, "/sapi/v1/asset/get-funding-asset", pool="sapi", signed=True)
def funding_wallet(call: Call) -> list[dict[str, Any]]:
    wanted = call.params.get("asset")
    return [
        {
            "asset": asset,
            "free": money(units),
            "locked": "0",
            "freeze": "0",
            "withdrawing": "0",
            "btcValuation": "0",
        }
        for asset, units in sorted(call.signed_account().holdings().funding.items())
        if wanted is None or asset == wanted
    ]


@router.get(SPOT_HOST, "/sapi/v1/margin/account", weight=10, pool="sapi", signed=True)
def cross_margin_account(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    if not account.has("margin"):
        # ccxt's spot table records this body (binance.py '-3003': BadRequest); users without
        # a margin account get it (JKorf/Binance.Net#682).
        raise refuse(400, -3003, "Margin account does not exist.")
    holdings = account.holdings()
    assets = sorted(set(holdings.margin_free) | set(holdings.margin_borrowed))
    rows = []
    for asset in assets:
        free = holdings.margin_free.get(asset, 0)
        borrowed = holdings.margin_borrowed.get(asset, 0)
        rows.append(
            {
                "asset": asset,
                "borrowed": money(borrowed),
                "free": money(free),
                "interest": money(0),
                "locked": money(0),
                "netAsset": money(free - borrowed),
            }
        )
    return {
        "created": True,
        "borrowEnabled": True,
        "marginLevel": "999.00000000",
        "collateralMarginLevel": "999.00000000",
        "totalAssetOfBtc": "0.00000000",
        "totalLiabilityOfBtc": "0.00000000",
        "totalNetAssetOfBtc": "0.00000000",
        "TotalCollateralValueInUSDT": "0.00000000",
        "tradeEnabled": True,
        "transferInEnabled": True,
        "transferOutEnabled": True,
        "accountType": "MARGIN_1",
        "userAssets": rows,
    }


@router.get(
    SPOT_HOST, "/sapi/v1/simple-earn/flexible/position", weight=150, pool="sapi", signed=True
)
def flexible_earn(call: Call) -> dict[str, Any]:
    earn = call.signed_account().holdings().earn_flexible
    rows = [
        {
            "totalAmount": money(units),
            "tierAnnualPercentageRate": {},
            "latestAnnualPercentageRate": "0.02599895",
            "asset": asset,
            "canRedeem": True,
            "collateralAmount": "0",
            "productId": f"{asset}001",
            "yesterdayRealTimeRewards": "0",
            "cumulativeBonusRewards": "0",
            "cumulativeRealTimeRewards": "0",
            "cumulativeTotalRewards": "0",
            "autoSubscribe": True,
        }
        for asset, units in sorted(earn.items())
    ]
    return {"rows": rows, "total": len(rows)}


@router.get(SPOT_HOST, "/sapi/v1/simple-earn/locked/position", weight=150, pool="sapi", signed=True)
def locked_earn(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    rows = [
        {
            "positionId": 123123 + index,
            "projectId": f"{asset}*120",
            "asset": asset,
            "amount": money(units),
            "purchaseTime": str(account.anchor_ms - 30 * DAY_MS),
            "duration": "120",
            "accrualDays": "30",
            "rewardAsset": asset,
            "APY": "0.03",
            "rewardAmt": "0",
            "nextPay": "0",
            "nextPayDate": str(account.anchor_ms + DAY_MS),
            "payPeriod": "1",
            "redeemAmountEarly": money(units),
            "rewardsEndDate": str(account.anchor_ms + 90 * DAY_MS),
            "deliverDate": str(account.anchor_ms + 91 * DAY_MS),
            "redeemPeriod": "1",
            "redeemingAmt": "0",
            "redeemTo": "FLEXIBLE",
            "canRedeemEarly": True,
            "autoSubscribe": False,
            "type": "NORMAL",
            "status": "HOLDING",
            "canReStake": False,
        }
        for index, (asset, units) in enumerate(sorted(account.holdings().earn_locked.items()))
    ]
    return {"rows": rows, "total": len(rows)}

"""Sub-account endpoints a master key may call (``sapi/*/sub-account/*``)."""

from __future__ import annotations

from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.binance.catalog import SPOT_HOST
from sync.simulator.exchanges.binance.common import fixed8, money, optional_int, plain
from sync.simulator.exchanges.binance.errors import bad_parameter, not_authorized, refuse
from sync.simulator.exchanges.binance.futures import account_totals, asset_rows
from sync.simulator.holdings import SPOT
from sync.simulator.http import Rejected, Response

router = Router()


def _master(call: Call) -> Account:
    account = call.signed_account()
    if account.sub_accounts:
        return account
    reading = call.exchange.reading("sub_account_refusal")
    if reading == "not_enabled":
        # What ordinary accounts are told (binance-connector-python#237; the body from
        # ccxt/ccxt#7848, which ccxt raises as ExchangeError).
        raise Rejected(
            Response.json({"msg": "Sub-account function is not enabled.", "success": False}, 400)
        )
    if reading == "broker":
        # A broker account's answer (binance-connector-php#10).
        raise refuse(400, -10038, "Broker account is not supported.")
    raise not_authorized()


def _sub_account(call: Call) -> Account:
    master = _master(call)
    email = call.params.get("email")
    if not email:
        raise bad_parameter("email")
    for sub in master.sub_accounts:
        if sub.email == email:
            return sub
    raise refuse(400, -12022, f"Sub-account {email} does not exist.")


@router.get(SPOT_HOST, "/sapi/v1/sub-account/list", pool="sapi", signed=True)
def sub_account_list(call: Call) -> dict[str, Any]:
    master = _master(call)
    email = call.params.get("email")
    page = optional_int(call, "page") or 1
    # Binance's default page holds a single sub-account
    limit = min(max(optional_int(call, "limit") or 1, 1), 200)
    subs = [sub for sub in master.sub_accounts if email is None or sub.email == email]
    return {
        "subAccounts": [
            {
                "email": sub.email,
                "isFreeze": False,
                "createTime": sub.created_ms,
                "isManagedSubAccount": False,
                "isAssetManagementSubAccount": False,
            }
            for sub in subs[(page - 1) * limit : page * limit]
        ]
    }


@router.get(SPOT_HOST, "/sapi/v4/sub-account/assets", weight=60, pool="sapi", signed=True)
def sub_account_assets(call: Call) -> dict[str, Any]:
    sub = _sub_account(call)
    return {
        "balances": [
            {"asset": asset, "free": money(units), "locked": "0", "freeze": "0", "withdrawing": "0"}
            for asset, units in sorted(sub.holdings().wallet(SPOT).items())
        ]
    }


@router.get(SPOT_HOST, "/sapi/v1/sub-account/spotSummary", pool="sapi", signed=True)
def sub_account_spot_summary(call: Call) -> dict[str, Any]:
    master = _master(call)

    def btc_value(account: Account) -> str:
        total = 0.0
        for asset, units in account.holdings().wallet(SPOT).items():
            total += units / 1e8 * account.oracle.price(asset, "BTC", account.anchor_ms)
        return f"{total:.8f}"

    return {
        "totalCount": len(master.sub_accounts),
        "masterAccountTotalAsset": btc_value(master),
        "spotSubUserAssetBtcVoList": [
            {"email": sub.email, "totalAsset": btc_value(sub)} for sub in master.sub_accounts
        ],
    }


@router.get(SPOT_HOST, "/sapi/v2/sub-account/futures/account", pool="sapi", signed=True)
def sub_account_futures(call: Call) -> dict[str, Any]:
    sub = _sub_account(call)
    futures_type = call.params.get("futuresType")
    if futures_type not in ("1", "2"):
        raise bad_parameter("futuresType")
    inverse = futures_type == "2"
    assets = asset_rows(sub, inverse=inverse)
    body: dict[str, Any] = {
        "email": sub.email,
        "assets": assets,
        "canDeposit": True,
        "canTrade": True,
        "canWithdraw": True,
        "feeTier": 0,
        "updateTime": sub.anchor_ms,
    }
    if inverse:
        return {"deliveryAccountResp": body}
    body.update(account_totals(assets, "USDT"))
    body["asset"] = "USDT"
    return {"futureAccountResp": body}


@router.get(SPOT_HOST, "/sapi/v2/sub-account/futures/positionRisk", pool="sapi", signed=True)
def sub_account_position_risk(call: Call) -> dict[str, Any]:
    """A sub-account's open futures positions, as the master key sees them."""
    sub = _sub_account(call)
    futures_type = call.params.get("futuresType")
    if futures_type not in ("1", "2"):
        raise bad_parameter("futuresType")
    inverse = futures_type == "2"
    rows = [
        {
            "symbol": position.instrument.id,
            "positionAmount": plain(position.amount),
            "entryPrice": plain(position.entry_price),
            "markPrice": fixed8(position.mark_price),
            "unrealizedProfit": fixed8(position.unrealized_pnl),
            "liquidationPrice": fixed8(position.liquidation_price),
            "leverage": str(position.leverage),
            "maxNotional": "5000000",
        }
        for position in sub.holdings().positions
        if position.instrument.inverse == inverse
    ]
    return {"deliveryPositionRiskVos": rows} if inverse else {"futurePositionRiskVos": rows}

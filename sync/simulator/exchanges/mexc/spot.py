"""Spot account, coin list and the master key's sub-account endpoints (spot v3).

``/api/v3/account`` reports ``canTrade``, ``canWithdraw`` and ``permissions`` for the account,
not for the key calling it: a read-only key of an account that may trade still reads
``canTrade: true``. MEXC documents no endpoint that tells what a key may do.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.mexc.catalog import COINS, SPOT_HOST, coin_config
from sync.simulator.exchanges.mexc.common import optional_int, plain, spot_pool
from sync.simulator.exchanges.mexc.errors import (
    NO_PERMISSION,
    refuse_spot,
    spot_bad_parameter,
    spot_error,
)
from sync.simulator.holdings import SPOT
from sync.simulator.http import Rejected
from sync.simulator.trades import decimal_units

router = Router()


def balance_rows(account: Account) -> list[dict[str, str]]:
    return [
        {"asset": asset, "free": plain(decimal_units(units, 8)), "locked": "0"}
        for asset, units in sorted(account.holdings().wallet(SPOT).items())
        if units
    ]


@router.get(SPOT_HOST, "/api/v3/account", weight=10, pool=spot_pool("/api/v3/account"), signed=True)
def spot_account(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    return {
        "makerCommission": None,
        "takerCommission": None,
        "buyerCommission": None,
        "sellerCommission": None,
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "updateTime": None,
        "accountType": "SPOT",
        "balances": balance_rows(account),
        "permissions": ["SPOT"],
    }


@router.get(SPOT_HOST, "/api/v3/uid", pool=spot_pool("/api/v3/uid"), signed=True)
def query_uid(call: Call) -> dict[str, str]:
    """ "Query UID" (SPOT_ACCOUNT_READ, weight 1): the key's own account, a sub-account's own uid
    for its keys, as a string (https://www.mexc.com/api-docs/spot-v3/spot-account-trade#query-uid,
    example ``{"uid": "209302839"}``)."""
    return {"uid": str(call.signed_account().uid)}


@router.get(
    SPOT_HOST,
    "/api/v3/capital/config/getall",
    weight=10,
    pool=spot_pool("/api/v3/capital/config/getall"),
    signed=True,
)
def all_coins(call: Call) -> list[dict[str, Any]]:
    return [coin_config(coin) for coin in COINS]


def sub_account_name(account: Account) -> str:
    """MEXC sub-accounts are named with 8 to 32 letters and digits."""
    return f"{account.label.replace('-', '')}{account.uid}"


def _master(call: Call) -> Account:
    account = call.signed_account()
    if account.master is not None:
        # a sub-account's key may not list or read its siblings
        raise refuse_spot(NO_PERMISSION)
    if not account.has("sub_accounts") and (
        call.exchange.reading("sub_account_list_ordinary") == "no_permission"
    ):
        # an ordinary account, answered as a sub-account's key is (MexcSimulator.readings)
        raise refuse_spot(NO_PERMISSION)
    return account


@router.get(
    SPOT_HOST,
    "/api/v3/sub-account/list",
    pool=spot_pool("/api/v3/sub-account/list"),
    signed=True,
)
def sub_account_list(call: Call) -> dict[str, Any]:
    master = _master(call)
    wanted = call.params.get("subAccount")
    page = max(optional_int(call, "page", spot_bad_parameter) or 1, 1)
    limit = min(max(optional_int(call, "limit", spot_bad_parameter) or 10, 1), 200)
    subs = [sub for sub in master.sub_accounts if wanted is None or sub_account_name(sub) == wanted]
    if call.params.get("isFreeze") == "true":
        subs = []
    return {
        "subAccounts": [
            {
                "subAccount": sub_account_name(sub),
                "isFreeze": False,
                "createTime": sub.created_ms,
                "uid": str(sub.uid),
            }
            for sub in subs[(page - 1) * limit : page * limit]
        ]
    }


def _sub_account(call: Call) -> Account:
    master = _master(call)
    name = call.params.get("subAccount")
    if not name:
        raise spot_bad_parameter("subAccount")
    for sub in master.sub_accounts:
        if sub_account_name(sub) == name:
            return sub
    raise Rejected(spot_error(400, 140001, "sub account does not exist"))


@router.get(
    SPOT_HOST,
    "/api/v3/sub-account/asset",
    pool=spot_pool("/api/v3/sub-account/asset"),
    signed=True,
)
def sub_account_asset(call: Call) -> dict[str, Any]:
    sub = _sub_account(call)
    account_type = call.params.get("accountType")
    if not account_type:
        raise spot_bad_parameter("accountType")
    if account_type != "SPOT":
        # "accountType: SPOT, FUTURES; only support SPOT currently"
        raise Rejected(spot_error(400, 730002, "Your input param is invalid"))
    return {"balances": balance_rows(sub)}

"""Spot assets, the key's own information, and the classic-vs-unified account probe.

Balances come from the account's fills (a deposit plus every fill), so they always agree
with the trade history the fills endpoints serve.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bitget.catalog import COINS, HOST
from sync.simulator.exchanges.bitget.common import fixed8, ok, refuse
from sync.simulator.holdings import SPOT
from sync.simulator.trades import decimal_units

router = Router()

# A seeded read key that also holds the write rights beyond trading, withdrawing and
# transferring that the documentation lists (audit P2): "chow" sub-account manage, "p2p" P2P,
# "pllw" pledge loan write, "taxw" tax read and write
# (https://www.bitget.com/api-doc/spot/account/Get-Account-Info, "authorities").
OTHER_WRITE_LABEL = "other-write-rights"
OTHER_WRITE_CODES = ("chow", "p2p", "pllw", "taxw")


@router.get(HOST, "/api/v2/spot/account/assets", pool="spot-assets", signed=True)
def spot_assets(call: Call) -> dict[str, Any]:
    """``assetType`` "hold_only" (the default) lists coins held, "all" every coin."""
    account = call.signed_account()
    holdings = account.holdings()
    wallet = dict(holdings.wallet(SPOT))
    if call.params.get("assetType") == "all":
        for code in COINS:
            wallet.setdefault(code, 0)
    wanted = call.params.get("coin")
    updated = holdings.last_update_ms.get(SPOT, account.anchor_ms)
    return ok(
        call,
        [
            {
                "coin": code,
                "available": fixed8(decimal_units(units, 8)),
                "frozen": "0.00000000",
                "locked": "0.00000000",
                "limitAvailable": "0",
                "uTime": str(updated),
            }
            for code, units in sorted(wallet.items())
            if wanted in (None, code) and (units or call.params.get("assetType") == "all")
        ],
    )


def authorities(account: Account) -> list[str]:
    """Bitget's permission codes: "...r" read-only, "...w" read and write, per module
    (coo/cpo futures orders and holdings, sto spot, smo margin, tto copy trading, wto
    transfer, wwow withdrawal; cho sub-accounts, p2p, pll pledge loans, tax), see
    https://www.bitget.com/api-doc/spot/account/Get-Account-Info."""
    if not account.can("read"):
        return []
    codes = ["coow", "cpow"] if account.can("futures") else ["coor", "cpor"]
    codes.append("stow" if account.can("trade") else "stor")
    codes.append("smow" if account.can("margin") else "smor")
    codes.append("ttor")
    codes.append("wtow" if account.can("transfer") else "wtor")
    if account.can("withdraw"):
        codes.append("wwow")
    if account.label == OTHER_WRITE_LABEL:
        codes += OTHER_WRITE_CODES
    return codes


@router.get(HOST, "/api/v2/spot/account/info", pool="account-info", signed=True)
def account_info(call: Call) -> dict[str, Any]:
    """The key's permissions and IP allow-list; needs a spot read permission, as documented."""
    account = call.signed_account()
    return ok(
        call,
        {
            "userId": str(account.uid),
            "inviterId": "",
            "ips": ",".join(account.spec.ip_whitelist),
            "authorities": authorities(account),
            "parentId": account.master.uid if account.master else account.uid,
            "traderType": "not_trader",
            "channelCode": "",
            "channel": "",
            "regisTime": str(account.created_ms),
        },
    )


# ccxt probes this UTA endpoint unless options["uta"] is set, and swallows the refusal. Every
# simulated account is a classic one, which Bitget refuses with 40084.
@router.get(HOST, "/api/v3/account/settings", pool="uta-settings", signed=True, needs_read=False)
def unified_account_settings(call: Call) -> dict[str, Any]:
    raise refuse(
        call,
        "40084",
        "You are in Classic Account mode, and the Unified Account API is not supported at this "
        "time",
    )

"""The account group: ``/account/detail`` (ccxt's unified-mode probe) and
``/account/main_keys`` (what each key of the main account may do).

Both need the key's "account" permission; without it Gate answers 403 FORBIDDEN, which ccxt's
``load_unified_status`` swallows (it then assumes a classic account).
"""

from __future__ import annotations

from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.gate.auth import NO_ACCOUNT_PERMISSION_LABEL, key_mode, key_perms
from sync.simulator.exchanges.gate.common import endpoint
from sync.simulator.exchanges.gate.errors import forbidden
from sync.simulator.http import Rejected
from sync.simulator.signing import derive_bytes

router = Router()

# How Gate masks the keys it lists is undocumented (audit "Gate /account/main_keys"); the
# reading "key_mask" picks: the first twelve characters then asterisks (the default), the first
# and last four around asterisks, or asterisks alone.
_SHOWN = 12
_ENDS = 4


def masked(call: Call, key: str) -> str:
    reading = call.exchange.reading("key_mask")
    if reading == "prefix":
        return key[:_SHOWN] + "*****"
    if reading == "ends":
        return key[:_ENDS] + "********" + key[-_ENDS:]
    return "*****"


def _with_account_permission(call: Call) -> Account:
    account = call.signed_account()
    if account.label == NO_ACCOUNT_PERMISSION_LABEL:
        raise Rejected(forbidden(call.request))
    return account


@endpoint(router, "/account/detail", signed=True)
def account_detail(call: Call) -> dict[str, Any]:
    account = _with_account_permission(call)
    return {
        "user_id": account.uid,
        "ip_whitelist": list(account.spec.ip_whitelist),
        "currency_pairs": [],
        "key": {"mode": key_mode(account)},
        "tier": 0,
        "tier_expire_time": "0001-01-01T00:00:00Z",
        "copy_trading_role": 0,
    }


def _key_row(
    account: Account,
    masked: str,
    name: str,
    perms: list[dict[str, object]],
    ip_whitelist: list[str],
    last_access_s: int,
) -> dict[str, Any]:
    created_s = account.created_ms // 1000
    return {
        "state": 1,
        "mode": key_mode(account),
        "name": name,
        "user_id": account.uid,
        "perms": perms,
        "ip_whitelist": ip_whitelist,
        "currency_pairs": [],
        "key": masked,
        "created_at": created_s,
        "update_at": created_s,
        "last_access": last_access_s,
    }


@endpoint(router, "/account/main_keys", signed=True)
def main_keys(call: Call) -> list[dict[str, Any]]:
    """Every key of the main account, not only the calling one: here the caller's key and an
    older trading key the same person made for a bot."""
    account = _with_account_permission(call)
    seed = account.exchange.state.seed
    bot_key = derive_bytes(seed, f"gate:{account.label}:bot-key", 16).hex()
    bot_perms: list[dict[str, object]] = [
        {"name": "spot", "read_only": False},
        {"name": "futures", "read_only": False},
    ]
    created_s = account.created_ms // 1000
    return [
        _key_row(account, masked(call, bot_key), "bot", bot_perms, [], created_s),
        _key_row(
            account,
            masked(call, account.api_key),
            account.label,
            key_perms(account),
            list(account.spec.ip_whitelist),
            call.now_ms // 1000,
        ),
    ]

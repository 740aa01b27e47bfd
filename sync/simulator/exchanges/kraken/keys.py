"""Kraken Futures' description of the calling key: ``GET /api/auth/v1/api-keys/v3/check``.

https://docs.kraken.com/api-reference/api-keys/check-v3-api-key: "Verify API key access and
return the authenticated key's details", signed like every futures call, answered to a key with
any permissions: ``apiKey``, ``accountUid``, ``iiban``, ``createdAt``, ``permissions``,
``allowedCidrBlock`` and ``allowedCidrBlocks``. The docs type ``permissions`` only as "object"
(their example is ``{}``), so its contents are a reading:

- ``levels``: the two settings of Kraken Futures' key form, "General API" (No Access, Read Only,
  Full Access) and "Withdrawal API" (No Access, Full Access), by name;
- ``empty``: ``{}``, exactly as the docs' example prints it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kraken.catalog import FUTURES_HOST
from sync.simulator.exchanges.kraken.common import futures_uuid

router = Router()


def _levels(account: Account) -> dict[str, str]:
    if account.can("trade") or account.can("futures"):
        general = "full-access"
    elif account.can("read"):
        general = "read-only"
    else:
        general = "no-access"
    withdrawal = "full-access" if account.can("withdraw") else "no-access"
    return {"general": general, "withdrawal": withdrawal}


def _cidr(address: str) -> str:
    return f"{address}/128" if ":" in address else f"{address}/32"


@router.get(
    FUTURES_HOST,
    "/api/auth/v1/api-keys/v3/check",
    pool="derivatives",
    signed=True,
    needs_read=False,
)
def check(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    permissions = _levels(account) if call.exchange.reading("key_permissions") == "levels" else {}
    blocks = [_cidr(address) for address in account.spec.ip_whitelist]
    created = datetime.fromtimestamp(account.created_ms / 1000, tz=UTC)
    return {
        "apiKey": account.api_key,
        "accountUid": futures_uuid("account", "uid", account.uid),
        "iiban": None,
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "permissions": permissions,
        "allowedCidrBlock": blocks[0] if blocks else None,
        "allowedCidrBlocks": blocks,
    }

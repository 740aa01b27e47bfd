"""OKX (API v5): spot, swaps, futures and options on one trading account, plus funding.

A key's permissions come from `GET /api/v5/account/config`: `perm` is "read_only",
"read_only,trade" or "read_only,withdraw,trade" (every OKX key can read) and `ip` lists the
allow-listed addresses, empty when there are none.
"""

from __future__ import annotations

import json

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions
from .errors import ErrorCode, ExchangeFailure, failure_for

# acctLv: what OKX calls each account mode
ACCOUNT_MODES = {
    "1": "spot",
    "2": "spot_and_futures",
    "3": "multi_currency_margin",
    "4": "portfolio_margin",
}
# 50120 "API key doesn't have permission to use this feature": ccxt 4.5.90 has no entry for
# it and raises a bare ExchangeError.
PERMISSION_ERROR_CODES = frozenset({"50120"})


class OkxAdapter(ExchangeAdapter):
    exchange_id = "okx"
    ccxt_id = "okx"
    shape = CredentialShape(
        needs_passphrase=True,
        api_key_pattern=r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        secret_pattern=r"[0-9A-F]{32}",
        api_key_example="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    )
    key_help = (
        "On okx.com open your profile → API keys and choose “Create API key” for API trading.",
        "Keep only the “Read” permission: leave “Trade” and “Withdraw” unticked.",
        "Enter our addresses below in the key's IP address field.",
        "Choose a passphrase of 8 to 32 characters; OKX cannot recover it, so note it.",
        "Copy the API key, the secret key and the passphrase into this form.",
    )
    # 50110 "Your IP … is not included in your API key's IP whitelist" (ccxt:
    # PermissionDenied); 50121 "You can't access our services through the IP address".
    ip_error_codes = frozenset({"50110", "50121"})

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """OKX's ``code`` from the last body. ccxt keeps ``last_json_response`` only with
        ``enableLastJsonResponse`` on (off by default), but always keeps the text."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "null")
        except ValueError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return None if code in (None, "", "0") else str(code)

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /api/v5/account/balance: signed, read-only, and no market loading first
        client.private_get_account_balance()

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        if self.error_code_of(client) in PERMISSION_ERROR_CODES:
            return failure_for(ErrorCode.PERMISSION)
        return super().failure(exc, client)

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v5/account/config: read-only by nature.
        rows = client.private_get_account_config().get("data") or [{}]
        config = rows[0]
        granted = {name.strip() for name in str(config.get("perm") or "").split(",")}
        return Permissions(
            verifiable=True,
            read="read_only" in granted,
            trade="trade" in granted,
            withdraw="withdraw" in granted,
            ip_restricted=bool(config.get("ip")),
            details={"account_mode": ACCOUNT_MODES.get(str(config.get("acctLv")))},
        )

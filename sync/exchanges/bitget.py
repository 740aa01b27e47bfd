"""Bitget (API v2, classic accounts): spot, USDT-M futures, copy trading."""

from __future__ import annotations

import json
from collections.abc import Iterable

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions

# GET /api/v2/spot/account/info lists a key's rights as codes, one per module: "...r" read
# only, "...w" read and write (https://www.bitget.com/api-doc/spot/account/Get-Account-Info).
# Older keys still answer with the words "readonly" and "trade".
TRADE_CODES = frozenset({"coow", "cpow", "stow", "smow", "ttow", "trade"})
WITHDRAW_CODES = frozenset({"wwow", "withdraw"})
TRANSFER_CODES = frozenset({"wtow", "transfer"})


def permissions_from(authorities: Iterable[str], ips: str | None) -> Permissions:
    """What a key may do, from the ``authorities`` and ``ips`` of the account-info answer."""
    codes = {str(code).lower() for code in authorities}
    return Permissions(
        verifiable=True,
        read=bool(codes),
        trade=bool(codes & TRADE_CODES),
        withdraw=bool(codes & WITHDRAW_CODES),
        transfer=bool(codes & TRANSFER_CODES),
        ip_restricted=bool((ips or "").strip()),
        details={"authorities": sorted(codes)},
    )


class BitgetAdapter(ExchangeAdapter):
    exchange_id = "bitget"
    ccxt_id = "bitget"
    shape = CredentialShape(
        needs_passphrase=True,
        api_key_pattern=r"bg_[0-9a-f]{32}",
        secret_pattern=r"[0-9a-f]{64}",
        api_key_example="bg_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    )
    key_help = (
        "On bitget.com open Profile → API Keys and choose Create API Key → System-generated.",
        "Give it a name and a passphrase of 8 to 32 letters and digits; you will enter the "
        "passphrase here too.",
        "Choose Read-only for Futures, Spot, Margin and Copy trading; leave every Read-Write, "
        "Transfer and Withdraw permission off.",
        "Under “Bind IP address”, enter our IP addresses listed below.",
        "Copy the API key and the secret key: Bitget shows the secret only once.",
    )
    # 40018 "Invalid IP": the request came from outside the key's IP binding.
    ip_error_codes = frozenset({"40018"})
    # Classic accounts only: without this ccxt probes GET /api/v3/account/settings (the
    # unified-account API) once per client before its first private call.
    client_options = {"uta": False}

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """Bitget's ``code`` from the last body. ccxt keeps ``last_json_response`` only when
        ``enableLastJsonResponse`` is on (it is off by default), but always keeps the text."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "null")
        except ValueError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return None if code in (None, "", "00000") else str(code)

    def read_probe(self, client: ccxt.Exchange) -> None:
        client.fetch_balance({"type": "spot"})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v2/spot/account/info: read-only by nature.
        data = client.private_spot_get_v2_spot_account_info().get("data") or {}
        return permissions_from(data.get("authorities") or [], data.get("ips"))

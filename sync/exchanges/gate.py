"""Gate (APIv4): spot, margin, unified, perpetual and delivery futures."""

from __future__ import annotations

import json
from typing import Any

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions
from .errors import ErrorCode, ExchangeFailure, failure_for

# Groups whose "Read and Write" setting moves funds out rather than trading them.
_WALLET = "wallet"
# Gate shows a key in its list as its first characters followed by asterisks.
_MASK = "*"


def _keys_of(response: Any) -> list[dict[str, Any]]:
    """``/account/main_keys`` answers a list of key objects; older answers were one object."""
    if isinstance(response, dict):
        return [response]
    return [item for item in response or [] if isinstance(item, dict)]


def _own_key(keys: list[dict[str, Any]], api_key: str) -> dict[str, Any] | None:
    """The entry of the calling key, recognised by its visible prefix."""
    for item in keys:
        shown = str(item.get("key") or "").rstrip(_MASK)
        if shown and api_key.startswith(shown):
            return item
    return None


class GateAdapter(ExchangeAdapter):
    exchange_id = "gate"
    ccxt_id = "gate"
    shape = CredentialShape(
        api_key_pattern=r"[0-9a-f]{32}",
        secret_pattern=r"[0-9a-f]{64}",
        api_key_example="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    )
    key_help = (
        "On gate.com open your profile → API Management → Create API Key, and pick the "
        "account type your account uses (Classic or Unified).",
        "Under IP Permissions choose to bind IP addresses and enter our addresses below.",
        "Set Spot/Margin, Perpetual Futures, Delivery, Wallet, Unified Account and Account to "
        "“Read Only”, and leave Withdrawal off. Account read lets us confirm the key is "
        "read-only.",
        "Confirm with your fund password and 2FA, then copy the API Key and the Secret Key: "
        "Gate shows the secret only once.",
    )
    ip_error_codes = frozenset({"IP_FORBIDDEN"})
    # We do not sync options: leaving them out spares load_markets one call per underlying.
    client_options = {"fetchMarkets": {"types": ["spot", "swap", "future"]}}

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /spot/accounts: one signed read, no market list needed
        client.private_spot_get_accounts()

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /account/main_keys lists every key of the main account with its permissions.
        try:
            keys = _keys_of(client.private_account_get_main_keys())
        except ccxt.PermissionDenied:
            # Gate refuses the list to keys without the "account" permission; the read probe
            # already proved the key reads, but nothing says whether it can also trade.
            return Permissions(verifiable=False, read=True, details={"account_permission": False})
        own = _own_key(keys, client.apiKey)
        if own is None:
            return Permissions(verifiable=False, read=True, details={"key_listed": False})
        perms = [item for item in own.get("perms") or [] if isinstance(item, dict)]
        writable = sorted(str(item.get("name")) for item in perms if item.get("read_only") is False)
        return Permissions(
            verifiable=True,
            read=bool(perms),
            trade=any(name != _WALLET for name in writable),
            withdraw=_WALLET in writable,
            transfer=_WALLET in writable,
            ip_restricted=bool(own.get("ip_whitelist")),
            details={
                "account_mode": "unified" if own.get("mode") == 2 else "classic",
                "writable": writable,
                "key_state": own.get("state"),
            },
        )

    def _error_body(self, client: ccxt.Exchange) -> dict[str, Any]:
        # ccxt keeps the raw body of the last answer; its parsed copy is off by default
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "null")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """Gate names every error by its ``label``."""
        label = self._error_body(client).get("label")
        return str(label) if label else None

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """ccxt maps REQUEST_EXPIRED to AuthenticationError and knows no maintenance label;
        both are sorted here from Gate's own body."""
        body = self._error_body(client)
        label = body.get("label")
        if label == "REQUEST_EXPIRED":
            return failure_for(ErrorCode.CLOCK_SKEW)
        if (
            isinstance(exc, ccxt.ExchangeNotAvailable)
            and label == "SERVER_ERROR"
            and "maintenance" in str(body.get("message", "")).lower()
        ):
            return failure_for(ErrorCode.MAINTENANCE)
        return super().failure(exc, client)

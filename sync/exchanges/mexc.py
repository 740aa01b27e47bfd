"""MEXC: spot (API v3) and USDT-M perpetuals (futures API v1).

MEXC documents no endpoint that tells what a key may do. ``GET /api/v3/account`` answers
``canTrade``, ``canWithdraw`` and ``permissions`` for the account, not the key (a read-only key
of an account that may trade reads ``canTrade: true``), so a key's permissions stay
unverifiable: we only learn that it can read, spot and futures separately. ccxt also lists
``GET /api/v3/apiKeyInfo``, which MEXC does not document; it is not relied upon.
"""

from __future__ import annotations

import json

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions
from .errors import ErrorCode, ExchangeFailure, failure_for

# MEXC's own codes where ccxt 4.5.90's class says something else than what happened:
# spot answers an unknown key with 10072 and an address outside the key's list with 700006,
# both BadRequest to ccxt; a spot key without the read permission gets 700007, an
# AuthenticationError to ccxt; a futures Request-Time more than 10 s off is 513, a BadRequest.
UNKNOWN_KEY_CODES = frozenset({"10072"})
PERMISSION_CODES = frozenset({"700007", "701", "703"})
CLOCK_CODES = frozenset({"513", "700003"})


class MexcAdapter(ExchangeAdapter):
    exchange_id = "mexc"
    ccxt_id = "mexc"
    # Access keys are "mx0" and 15 letters or digits, secret keys 32 lowercase hex digits.
    shape = CredentialShape(
        api_key_pattern=r"mx0[A-Za-z0-9]{15}",
        secret_pattern=r"[0-9a-f]{32}",
        api_key_example="mx0aBYs33eIilxBWC5",
    )
    key_help = (
        "On mexc.com open your profile → API Management and choose Create API Key.",
        "Tick only the viewing permissions (View Account Details and View Order Details) for "
        "Spot and for Futures; leave Trade, Transfer and Withdrawal unticked.",
        "Link our IP addresses below to the key: MEXC lets a key without linked IPs expire "
        "after 90 days.",
        "Copy the Access Key (it starts with mx0) and the Secret Key: MEXC shows the secret "
        "only once.",
    )
    # 700006 "IP [...] not in the ip white list" (spot), 406 "Accessed IP is not in the
    # whitelist" (futures).
    ip_error_codes = frozenset({"700006", "406"})
    # Nothing to pre-set: ccxt's MEXC client makes no hidden account-mode calls.
    client_options = {}

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """``code`` of the last body. ccxt keeps the body only as text (``last_json_response``
        needs an option); success is code 0 (futures) or 200, or no code at all (spot)."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "null")
        except ValueError:
            return None
        if not isinstance(body, dict) or body.get("success") is True:
            return None
        code = body.get("code")
        return None if code in (None, "", 0, "0", 200, "200") else str(code)

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        code = self.error_code_of(client)
        if code in self.ip_error_codes:
            return failure_for(ErrorCode.IP_NOT_ALLOWED)
        if code in PERMISSION_CODES:
            return failure_for(ErrorCode.PERMISSION)
        if code in UNKNOWN_KEY_CODES:
            return failure_for(ErrorCode.AUTHENTICATION)
        if code in CLOCK_CODES:
            return failure_for(ErrorCode.CLOCK_SKEW)
        return super().failure(exc, client)

    def read_probe(self, client: ccxt.Exchange) -> None:
        # the implicit method signs one GET and loads no markets: MEXC answers its futures
        # contract list only once per 5 seconds per IP
        client.spot_private_get_account()

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        """Read both accounts with harmless GETs: the spot one must answer (else the key
        cannot read at all); whether the futures one does is recorded."""
        client.spot_private_get_account()
        try:
            client.contract_private_get_account_assets()
            futures_read = True
        except ccxt.PermissionDenied:
            if self.error_code_of(client) not in PERMISSION_CODES:
                raise
            futures_read = False
        return Permissions(verifiable=False, read=True, details={"futures_read": futures_read})

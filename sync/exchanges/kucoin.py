"""KuCoin: spot, margin, lending and earn on api.kucoin.com, futures on api-futures.kucoin.com.

One KuCoin key serves both hosts (ccxt's ``kucoin`` class reaches futures too), so one client
checks it.
"""

from __future__ import annotations

import json
from typing import Any

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions
from .errors import ErrorCode, ExchangeFailure, failure_for

# "Access denied, requires more permission.": ccxt calls it an AuthenticationError, but the
# key authenticated; it lacks "General", KuCoin's read permission.
ACCESS_DENIED = "400007"
# KuCoin names trading rights per market; "Trade" is the name of v1/v2 keys.
_TRADING = frozenset({"Spot", "Margin", "Futures", "Trade"})
# "Transfer" is the withdrawal right; "InnerTransfer" (shown as Flex Transfer) moves funds
# between one's own accounts.
_WITHDRAWAL = frozenset({"Transfer", "Withdraw"})
_INNER_TRANSFER = frozenset({"InnerTransfer", "FlexTransfer"})


class KucoinAdapter(ExchangeAdapter):
    exchange_id = "kucoin"
    ccxt_id = "kucoin"
    # keys are MongoDB ObjectIds (24 hex), secrets UUIDs; the passphrase is the user's own
    shape = CredentialShape(
        needs_passphrase=True,
        api_key_pattern=r"[0-9a-f]{24}",
        secret_pattern=r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    )
    key_help = (
        "On kucoin.com open Account → API Management and choose Create API → API Trading.",
        "Name the key and choose its passphrase (7 to 32 characters): you will enter it here.",
        "Tick only “General”; leave Spot, Margin, Futures, Earn, Flex Transfer and Withdrawal off.",
        "Set IP restriction to “Yes” and add our addresses below.",
        "Confirm, then copy the API key and the secret: KuCoin shows the secret only once.",
    )
    # 400006 "Invalid request IP, the current client IP is: …"
    ip_error_codes = frozenset({"400006"})
    # ccxt asks the account mode (unified or classic, weight 30) before markets, balances and
    # trades unless told; connections are classic accounts. Markets need no ticker list.
    client_options = {"uta": False, "fetchMarkets": {"fetchTickersFees": False}}

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /api/v1/accounts (General): the funding account, no market list needed
        client.private_get_accounts({"type": "main"})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v1/user/api-key: read-only by nature. KuCoin keys do not expire.
        info: dict[str, Any] = client.private_get_user_api_key().get("data") or {}
        names = [name.strip() for name in str(info.get("permission") or "").split(",")]
        granted = {name for name in names if name}
        withdraw = bool(granted & _WITHDRAWAL)
        return Permissions(
            verifiable=True,
            read="General" in granted,
            trade=bool(granted & _TRADING),
            withdraw=withdraw,
            transfer=withdraw or bool(granted & _INNER_TRANSFER),
            ip_restricted=bool(info.get("ipWhitelist")),
            details={"exchange_permissions": [name for name in names if name]},
        )

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """KuCoin's ``code`` from the last body: ccxt keeps the text but not the parsed JSON."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "")
        except ValueError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return None if code in (None, "", "200000") else str(code)

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """Refines ccxt's class where KuCoin says more: a missing permission, and maintenance
        (ccxt has no maintenance code for KuCoin: a 503 that says when to come back, with
        ``Retry-After``, is a planned upgrade; any other unavailability an outage)."""
        failure = super().failure(exc, client)
        if self.error_code_of(client) == ACCESS_DENIED:
            return failure_for(ErrorCode.PERMISSION)
        headers = getattr(client, "last_response_headers", None) or {}
        if failure.code is ErrorCode.UNAVAILABLE and headers.get("Retry-After"):
            return failure_for(ErrorCode.MAINTENANCE)
        return failure

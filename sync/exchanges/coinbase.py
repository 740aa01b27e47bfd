"""Coinbase Advanced Trade: spot wallets and fills, with a CDP API key."""

from __future__ import annotations

from typing import Any

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions
from .errors import ErrorCode, ExchangeFailure, failure_for

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class CoinbaseAdapter(ExchangeAdapter):
    exchange_id = "coinbase"
    ccxt_id = "coinbase"
    # A CDP key is a key *name* and an EC P-256 private key in PEM form (ccxt signs an ES256
    # JWT with it); legacy HMAC keys can no longer be created.
    shape = CredentialShape(
        secret_is_pem=True,
        api_key_pattern=rf"organizations/{_UUID}/apiKeys/{_UUID}",
        api_key_example="organizations/{organization id}/apiKeys/{key id}",
    )
    key_help = (
        "On portal.cdp.coinbase.com open API Keys and choose Create API key.",
        "Under Advanced settings pick the ECDSA signature algorithm: Advanced Trade does not "
        "accept Ed25519 keys.",
        "Choose the portfolio to sync and tick only “View”; leave “Trade” and “Transfer” off.",
        "In the IP allowlist add our addresses below.",
        "Copy the key name (organizations/…/apiKeys/…) and the whole private key, from "
        "“-----BEGIN EC PRIVATE KEY-----” to the END line: Coinbase shows it only once.",
    )
    # Coinbase refuses a key used from outside its allowlist with a bare 401 "Unauthorized",
    # the same answer as for a wrong or deleted key, so there is no code to tell it by.
    ip_error_codes = frozenset()
    # ccxt's default balance source is the v2 wallet list, read once with no paging; the
    # Advanced Trade accounts endpoint is paged (ccxt follows the cursor) and reports holds.
    client_options = {"fetchBalance": "v3PrivateGetBrokerageAccounts"}

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /api/v3/brokerage/accounts needs the "View" scope; one wallet is enough.
        client.v3_private_get_brokerage_accounts({"limit": 1})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v3/brokerage/key_permissions: read-only by nature. It says nothing about
        # the IP allowlist or an expiry, so those stay unknown.
        info: dict[str, Any] = client.v3_private_get_brokerage_key_permissions()
        transfer = bool(info.get("can_transfer"))
        return Permissions(
            verifiable=True,
            read=bool(info.get("can_view")),
            trade=bool(info.get("can_trade")),
            withdraw=transfer,
            transfer=transfer,
            details={
                "portfolio_uuid": info.get("portfolio_uuid"),
                "portfolio_type": info.get("portfolio_type"),
            },
        )

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """ccxt has no maintenance code for Coinbase: a 503 that says when to come back
        (``Retry-After``) is a planned maintenance, any other 5xx an outage."""
        failure = super().failure(exc, client)
        headers = getattr(client, "last_response_headers", None) or {}
        if failure.code is ErrorCode.UNAVAILABLE and headers.get("Retry-After"):
            return failure_for(ErrorCode.MAINTENANCE)
        return failure

"""Binance: spot, USDⓈ-M and COIN-M futures, sub-accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import ccxt

from .base import CredentialShape, ExchangeAdapter, Permissions


def _ms_to_datetime(value: object) -> datetime | None:
    try:
        millis = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(millis / 1000, tz=UTC) if millis > 0 else None


class BinanceAdapter(ExchangeAdapter):
    exchange_id = "binance"
    ccxt_id = "binance"
    shape = CredentialShape(api_key_pattern=r"[A-Za-z0-9]{64}", secret_pattern=r"[A-Za-z0-9]{64}")
    key_help = (
        "On binance.com open Account → API Management and choose Create API → System generated.",
        "Leave only “Enable Reading” ticked: no spot, margin, futures or withdrawal permissions.",
        "Choose “Restrict access to trusted IPs only” and add our addresses below.",
        "Copy the API key and the secret key: Binance shows the secret only once.",
    )
    # -2015 is "Invalid API-key, IP, or permissions"; Binance does not say which, so it stays an
    # authentication failure. -2014/-1022 are format and signature errors.
    ip_error_codes = frozenset()
    client_options = {"fetchMarkets": {"types": ["spot", "linear", "inverse"]}}

    def read_probe(self, client: ccxt.Exchange) -> None:
        client.fetch_balance({"type": "spot"})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /sapi/v1/account/apiRestrictions: read-only by nature.
        info = client.sapi_get_account_apirestrictions()
        trade = any(
            bool(info.get(flag))
            for flag in (
                "enableSpotAndMarginTrading",
                "enableMargin",
                "enableFutures",
                "enableVanillaOptions",
                "enablePortfolioMarginTrading",
                "enableFixApiTrade",
            )
        )
        return Permissions(
            verifiable=True,
            read=bool(info.get("enableReading")),
            trade=trade,
            withdraw=bool(info.get("enableWithdrawals")),
            transfer=bool(
                info.get("enableInternalTransfer") or info.get("permitsUniversalTransfer")
            ),
            ip_restricted=bool(info.get("ipRestrict")),
            expires_at=_ms_to_datetime(info.get("tradingAuthorityExpirationTime")),
        )

"""Coinbase Advanced Trade (api.coinbase.com): spot products, wallets, fills, CDP key auth."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account, Credentials
from sync.simulator.exchanges.base import ExchangeSimulator, Router
from sync.simulator.exchanges.coinbase import accounts, auth, errors, fills, public
from sync.simulator.exchanges.coinbase.catalog import INSTRUMENTS
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import RateLimit
from sync.simulator.signing import derive_bytes, derive_ec_private_key_pem
from sync.simulator.trades import FeePolicy


def _uuid(seed: int, label: str) -> str:
    return str(uuid.UUID(bytes=derive_bytes(seed, label, 16), version=4))


class CoinbaseSimulator(ExchangeSimulator):
    id = "coinbase"
    router = Router.combine(public.router, accounts.router, fills.router)
    instruments = INSTRUMENTS
    # https://www.coinbase.com/advanced-fees: the first tier ($0-10K over 30 days) pays 0.60%
    # maker and 1.20% taker, always in the quote currency
    fee_policy = FeePolicy(
        spot_maker=Decimal("0.006"),
        spot_taker=Decimal("0.012"),
        spot_fee_asset="quote",
    )
    # https://docs.cdp.coinbase.com/advanced-trade/docs/rest-api-rate-limits: private
    # endpoints 30 requests a second per user, public ones 10 a second per IP;
    # https://docs.cdp.coinbase.com/coinbase-app/api-architecture/rate-limiting: the v2 API
    # 10,000 requests an hour per key (per IP when public)
    rate_limits = {
        "v3_private": RateLimit("v3_private", 30, window_s=1, per="key"),
        "v3_public": RateLimit("v3_public", 10, window_s=1, per="ip"),
        "v2_private": RateLimit("v2_private", 10_000, window_s=3600, per="key"),
        "v2_public": RateLimit("v2_public", 10_000, window_s=3600, per="ip"),
    }
    demo_trades = {
        "BTC/USDT": 300,
        "ETH/USDT": 200,
        "SOL/USDT": 120,
        "XRP/USDT": 80,
        "DOGE/USDT": 60,
        "BTC/USD": 150,
        "ETH/USD": 90,
    }
    sample_trades = {"BTC/USDT": 40, "ETH/USDT": 20, "BTC/USD": 20}
    # Whether a trading wallet's v2 id is its v3 uuid (accounts.py); how a fill's
    # sequence_timestamp stands to its trade_time, which of the two the fills' time bounds
    # compare, and what a page larger than Coinbase serves gets (fills.py).
    readings = {
        "wallet_ids": ("same", "other_uuid", "currency_code"),
        "sequence_offset": ("same", "later_1ms", "earlier_60s"),
        "fills_time_filter": ("trade_time", "sequence_timestamp"),
        "fills_max_limit": ("3000", "100", "error"),
    }
    # The Coinbase App (v2) envelope, which ccxt's handle_errors reads by ``errors[0].id``,
    # with an id in none of its tables: a plain ExchangeError.
    unseen_error = (
        400,
        {"errors": [{"id": "nobody_has_seen_this", "message": "An error nobody has seen."}]},
    )

    def credentials(self, seed: int, label: str) -> Credentials:
        """A CDP key: its name ``organizations/{org}/apiKeys/{key}`` and a P-256 PEM secret."""
        organization = _uuid(seed, f"{label}:organization")
        key_id = _uuid(seed, f"{label}:key_id")
        return Credentials(
            api_key=f"organizations/{organization}/apiKeys/{key_id}",
            secret=derive_ec_private_key_pem(seed, f"{label}:secret"),
        )

    def claimed_api_key(self, request: Request) -> str | None:
        return auth.claimed_key_name(request)

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return auth.authenticate(self, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        return errors.rejection(kind, request, **detail)

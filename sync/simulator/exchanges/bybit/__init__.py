"""Bybit V5 (api.bybit.com): spot, USDT perpetuals (linear) and inverse perpetuals, on
Unified Trading Accounts and on classic accounts (labels starting with ``classic``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account, AccountSpec, Credentials
from sync.simulator.exchanges.base import ExchangeSimulator, Route, Router
from sync.simulator.exchanges.bybit import auth, errors, executions, positions, public, wallet
from sync.simulator.exchanges.bybit.catalog import INSTRUMENTS
from sync.simulator.exchanges.bybit.common import CLASSIC_PREFIX, is_classic
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import RateLimit, Verdict
from sync.simulator.signing import derive_alphanumeric
from sync.simulator.trades import FeePolicy

API_KEY_LENGTH = 18
SECRET_LENGTH = 36


class BybitSimulator(ExchangeSimulator):
    id = "bybit"
    router = Router.combine(public.router, wallet.router, positions.router, executions.router)
    instruments = INSTRUMENTS
    # https://www.bybit.com/en/help-center/article/Trading-Fee-Structure (non-VIP): spot 0.1%
    # both ways, paid in the coin received; perpetuals 0.02% maker, 0.055% taker
    fee_policy = FeePolicy(
        spot_maker=Decimal("0.001"),
        spot_taker=Decimal("0.001"),
        contract_maker=Decimal("0.0002"),
        contract_taker=Decimal("0.00055"),
        spot_fee_asset="received",
    )
    # https://bybit-exchange.github.io/docs/v5/rate-limit: 600 requests per 5 s per IP over
    # all traffic (403, then a 10-minute wait), and per-UID, per-second limits per endpoint
    rate_limits = {
        "ip": RateLimit("ip", 600, window_s=5, per="ip", ban_after_429=True, ban_s=600),
        "execution": RateLimit("execution", 50, window_s=1, per="key"),
        "position": RateLimit("position", 50, window_s=1, per="key"),
        "wallet": RateLimit("wallet", 50, window_s=1, per="key"),
        "account-info": RateLimit("account-info", 50, window_s=1, per="key"),
        "query-api": RateLimit("query-api", 10, window_s=1, per="key"),
        "coins-balance": RateLimit("coins-balance", 5, window_s=1, per="key"),
        "coin-info": RateLimit("coin-info", 5, window_s=1, per="key"),
    }
    demo_trades = {
        "BTC/USDT": 120,
        "ETH/USDT": 80,
        "SOL/USDT": 40,
        "XRP/USDT": 20,
        "DOGE/USDT": 20,
        "BTC/USDT:USDT": 60,
        "ETH/USDT:USDT": 40,
        "SOL/USDT:USDT": 20,
        "BTC/USD:BTC": 25,
        "ETH/USD:ETH": 15,
    }
    sample_trades = {"BTC/USDT": 40, "ETH/USDT": 20, "BTC/USDT:USDT": 20, "BTC/USD:BTC": 10}
    # A read key without Wallet rights (see wallet.all_coins_balance); "spot-only" (a Unified
    # Trading Account that only ever traded spot) is seeded for every exchange.
    profiles = ("no-transfer",)
    # Whether the funding wallet (FUND) needs the key's Wallet rights: ccxt and a user's report
    # say so, Bybit's page for the endpoint is silent (wallet.all_coins_balance).
    # How a classic account's spot fills are ordered: by execId as Bybit's page says, or by
    # execTime like every other list (executions._by_exec_id).
    readings = {
        "fund_access": ("wallet_rights", "any_read_key"),
        "classic_spot_order": ("exec_id", "exec_time"),
    }
    # Bybit's envelope (HTTP 200, a non-zero retCode) with a code outside ccxt's bybit.py
    # tables and words its broad table does not match: ccxt raises ExchangeError.
    unseen_error = (
        200,
        {
            "retCode": 198765,
            "retMsg": "An error nobody has seen before.",
            "result": {},
            "retExtInfo": {},
            "time": 0,
        },
    )

    def credentials(self, seed: int, label: str) -> Credentials:
        """Bybit's system-generated keys: an 18-character key and a 36-character secret."""
        return Credentials(
            api_key=derive_alphanumeric(seed, f"{label}:api_key", API_KEY_LENGTH),
            secret=derive_alphanumeric(seed, f"{label}:secret", SECRET_LENGTH),
        )

    def account_mode(self, account: Account) -> str:
        """A Unified Trading Account, or a classic account never upgraded."""
        return "classic" if is_classic(account) else "unified"

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("x-bapi-api-key")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return auth.authenticate(self, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        route = self.router.find(request.method, request.host, request.path)
        pool = route.pool if route is not None else None
        detail.setdefault("now_ms", self.state.now_ms())
        if pool is not None and not detail.get("limit"):
            detail["limit"] = self.rate_limits[pool].limit
        return errors.rejection(kind, request, per_ip=pool in (None, "ip"), **detail)

    def decorate(self, response: Response, route: Route, verdict: Verdict | None) -> Response:
        """Per-UID limits report themselves on every answer (X-Bapi-Limit*)."""
        if verdict is None or route.pool in (None, "ip"):
            return response
        if any(name == "X-Bapi-Limit" for name, _ in response.headers):
            return response
        limit = self.rate_limits[route.pool].limit
        now_ms = self.state.now_ms()
        reset_ms = now_ms if verdict.allowed else now_ms + verdict.retry_after_s * 1000
        return response.with_headers(*errors.limit_headers(limit, limit - verdict.used, reset_ms))

    def seed_specs(self) -> list[AccountSpec]:
        """The standard accounts (Unified Trading Accounts), plus one classic account."""
        return [
            *super().seed_specs(),
            AccountSpec(CLASSIC_PREFIX, ("read",), dict(self.sample_trades)),
        ]

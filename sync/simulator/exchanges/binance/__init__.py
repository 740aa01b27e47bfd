"""Binance: spot and wallet (api.binance.com), USDⓈ-M (fapi) and COIN-M (dapi) futures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account, AccountSpec
from sync.simulator.exchanges.base import ExchangeSimulator, Route, Router
from sync.simulator.exchanges.binance import (
    auth,
    errors,
    futures,
    public,
    subaccounts,
    trades,
    wallet,
)
from sync.simulator.exchanges.binance.catalog import INSTRUMENTS
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import RateLimit, Verdict
from sync.simulator.trades import FeePolicy


class BinanceSimulator(ExchangeSimulator):
    id = "binance"
    router = Router.combine(
        public.router, wallet.router, trades.router, futures.router, subaccounts.router
    )
    instruments = INSTRUMENTS
    # https://www.binance.com/en/fee/schedule: 0.1% spot, 0.02%/0.05% USDⓈ-M; paying in BNB
    # takes 25% off
    fee_policy = FeePolicy(
        spot_maker=Decimal("0.001"),
        spot_taker=Decimal("0.001"),
        contract_maker=Decimal("0.0002"),
        contract_taker=Decimal("0.0005"),
        spot_fee_asset="received",
        discount_asset="BNB",
        discount_factor=Decimal("0.75"),
        discount_share=0.3,
    )
    # https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits and the
    # futures "General Info" pages: request weight per IP and minute
    rate_limits = {
        "spot": RateLimit("spot", 6000, ban_after_429=True),
        "sapi": RateLimit("sapi", 12000, ban_after_429=True),
        "fapi": RateLimit("fapi", 2400, ban_after_429=True),
        "dapi": RateLimit("dapi", 2400, ban_after_429=True),
    }
    demo_trades = {
        "BTC/USDT": 120,
        "ETH/USDT": 80,
        "SOL/USDT": 40,
        "DOGE/USDT": 20,
        "BTC/USDT:USDT": 60,
        "ETH/USDT:USDT": 40,
        "BTC/USD:BTC": 25,
        "ETH/USD:ETH": 15,
    }
    sample_trades = {"BTC/USDT": 40, "ETH/USDT": 20, "BTC/USDT:USDT": 20, "BTC/USD:BTC": 10}

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("x-mbx-apikey")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return auth.authenticate(self, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        return errors.rejection(kind, request, **detail)

    def decorate(self, response: Response, route: Route, verdict: Verdict | None) -> Response:
        if verdict is None:
            return response
        # Binance reports the weight used in the current window on every answer
        header = "X-SAPI-USED-IP-WEIGHT-1M" if route.pool == "sapi" else "X-MBX-USED-WEIGHT-1M"
        return response.with_headers((header, str(verdict.used)))

    def seed_specs(self) -> list[AccountSpec]:
        """The standard accounts, plus a master key with two sub-accounts."""
        sample = dict(self.sample_trades)
        return [
            *super().seed_specs(),
            AccountSpec("master", ("read",), sample),
            AccountSpec(
                "sub-1", ("read",), {"ETH/USDT": 30, "ETH/USDT:USDT": 10}, master_label="master"
            ),
            AccountSpec("sub-2", ("read",), {"SOL/USDT": 15}, master_label="master"),
        ]

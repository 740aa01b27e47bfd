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
from sync.simulator.exchanges.binance.catalog import COINM_HOST, INSTRUMENTS, USDM_HOST
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import RateLimit, Verdict
from sync.simulator.trades import FeePolicy

FUTURES_HOSTS = (USDM_HOST, COINM_HOST)


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
    profiles = ("futures-after-key", "portfolio-margin", "not-master")
    readings = {
        # An account that is not a master is refused the sub-account list, in words the
        # evidence does not settle: see subaccounts._master.
        "sub_account_refusal": ("not_enabled", "broker", "not_authorized"),
        # What USDⓈ-M userTrades answers a fromId older than the 6 months it keeps: the oldest
        # trade kept, nothing, or a -1106 refusal (audit M4, see trades.usdm_trades).
        "usdm_from_id_beyond_retention": ("clamp", "empty", "error"),
        # How far back COIN-M income goes: its docs give only a window of "1 year", USDⓈ-M's
        # keep three months (audit M5, see trades._income_history); or three months, with a
        # startTime before them refused rather than moved up (the audit's "clamp or error").
        "coinm_income_retention": ("one_year", "three_months", "error"),
        # The sign of a futures fill's `commission`: Binance's USDⓈ-M "Account Trade List"
        # example showed it negative and now shows it positive (audit, lower risk; see
        # trades._contract_row).
        "futures_commission_sign": ("positive", "negative"),
    }
    # Binance's envelope with a code outside ccxt's tables: ccxt raises ExchangeError.
    unseen_error = (400, {"code": -98765, "msg": "An error nobody has seen before."})

    def account_mode(self, account: Account) -> str:
        """A Portfolio Margin account, or a classic one (Binance's two account types)."""
        return "portfolio-margin" if account.profile.portfolio_margin else "classic"

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("x-mbx-apikey")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        account = auth.authenticate(self, request, now_ms)
        if request.host in FUTURES_HOSTS and not account.key_reaches("futures"):
            # "The Futures API cannot be used if the API key was created before the Futures
            # account was opened, or if you have enabled portfolio margin"
            # (developers.binance.me/docs/wallet/account/api-key-permission); users see -2015
            # from fapi/dapi then (ccxt/ccxt#7822). Never opened futures: the same answer.
            raise errors.refuse(401, -2015, errors.INVALID_KEY_MESSAGE)
        return account

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

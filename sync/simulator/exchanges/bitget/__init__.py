"""Bitget API v2 (api.bitget.com), classic accounts: spot, USDT-M futures, copy trading."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account, AccountSpec, Credentials
from sync.simulator.exchanges.base import ExchangeSimulator, Router
from sync.simulator.exchanges.bitget import account, auth, errors, futures, public, trades
from sync.simulator.exchanges.bitget.account import OTHER_WRITE_LABEL
from sync.simulator.exchanges.bitget.catalog import INSTRUMENTS
from sync.simulator.exchanges.bitget.futures import COPY_FOLLOWER_LABEL
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import RateLimit
from sync.simulator.signing import derive_alphanumeric, derive_bytes
from sync.simulator.trades import FeePolicy


def _per_second(pool: str, limit: int, per: str) -> RateLimit:
    return RateLimit(pool, limit, window_s=1, per=per)


class BitgetSimulator(ExchangeSimulator):
    id = "bitget"
    router = Router.combine(public.router, account.router, futures.router, trades.router)
    instruments = INSTRUMENTS
    uses_passphrase = True
    # https://www.bitget.com/fee: 0.1% spot charged in the coin received, 0.02%/0.06% USDT-M
    fee_policy = FeePolicy(
        spot_maker=Decimal("0.001"),
        spot_taker=Decimal("0.001"),
        contract_maker=Decimal("0.0002"),
        contract_taker=Decimal("0.0006"),
        spot_fee_asset="received",
    )
    # Each endpoint's own limit, counted on its own ("Frequency limit" on every doc page):
    # public ones per IP, private ones per UID (one key per account here), per second.
    rate_limits = {
        "public-time": _per_second("public-time", 20, "ip"),
        "spot-symbols": _per_second("spot-symbols", 20, "ip"),
        "spot-tickers": _per_second("spot-tickers", 20, "ip"),
        "margin-currencies": _per_second("margin-currencies", 10, "ip"),
        "mix-contracts": _per_second("mix-contracts", 20, "ip"),
        "spot-coins": _per_second("spot-coins", 3, "ip"),
        "spot-assets": _per_second("spot-assets", 10, "key"),
        "account-info": _per_second("account-info", 1, "key"),
        "uta-settings": _per_second("uta-settings", 10, "key"),
        "mix-accounts": _per_second("mix-accounts", 10, "key"),
        "all-position": _per_second("all-position", 5, "key"),
        "copy-current": _per_second("copy-current", 5, "key"),
        "spot-fills": _per_second("spot-fills", 10, "key"),
        "mix-fills": _per_second("mix-fills", 10, "key"),
        "mix-fill-history": _per_second("mix-fill-history", 10, "key"),
    }
    demo_trades = {
        "BTC/USDT": 120,
        "ETH/USDT": 80,
        "SOL/USDT": 40,
        "XRP/USDT": 30,
        "DOGE/USDT": 20,
        "BTC/USDT:USDT": 60,
        "ETH/USDT:USDT": 40,
        "SOL/USDT:USDT": 20,
    }
    sample_trades = {"BTC/USDT": 40, "ETH/USDT": 20, "BTC/USDT:USDT": 20}
    # Where Bitget documents nothing: what the mix API answers an account that never opened
    # futures, and what the copy-trading list answers someone who follows nobody (see
    # futures.require_futures and futures.copy_current_orders).
    readings = {
        "futures_not_opened": ("zero_rows", "abnormal_account"),
        "copy_not_follower": ("not_follower", "empty"),
    }
    # Bitget's envelope with a code outside ccxt's table: ccxt raises ExchangeError.
    unseen_error = (
        400,
        {"code": "49876", "msg": "An error nobody has seen before", "requestTime": 0, "data": None},
    )

    def credentials(self, seed: int, label: str) -> Credentials:
        """Bitget's formats: "bg_" and 32 lowercase hex digits, a 64-hex secret, and a
        passphrase the person chose (8 to 32 letters and digits)."""
        return Credentials(
            api_key="bg_" + derive_bytes(seed, f"{label}:api_key", 16).hex(),
            secret=derive_bytes(seed, f"{label}:secret", 32).hex(),
            passphrase=derive_alphanumeric(seed, f"{label}:passphrase", 16),
        )

    def account_mode(self, account: Account) -> str:
        """Classic accounts only: the Unified Trading Account's API is not simulated."""
        return "classic"

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("access-key")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return auth.authenticate(self, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        now_ms = detail.pop("now_ms", None) or self.state.now_ms()
        return errors.rejection(kind, request, now_ms, **detail)

    def seed_specs(self) -> list[AccountSpec]:
        """The standard accounts, plus a follower whose futures positions are copy trades and
        a read key that also holds Bitget's other write rights."""
        return [
            *super().seed_specs(),
            AccountSpec(COPY_FOLLOWER_LABEL, ("read",), {"BTC/USDT:USDT": 30, "ETH/USDT:USDT": 20}),
            AccountSpec(OTHER_WRITE_LABEL, ("read",), dict(self.sample_trades)),
        ]

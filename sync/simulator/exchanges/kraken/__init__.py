"""Kraken: spot with margin and staking (api.kraken.com) and Kraken Futures
(futures.kraken.com), two exchanges to ccxt (``kraken`` and ``krakenfutures``) with keys of
their own."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sync.simulator.accounts import Account, Credentials
from sync.simulator.exchanges.base import ExchangeSimulator, Router
from sync.simulator.exchanges.kraken import (
    account,
    futures,
    futures_history,
    history,
    keys,
    public,
)
from sync.simulator.exchanges.kraken.auth import (
    NonceBook,
    authenticate_futures,
    authenticate_spot,
)
from sync.simulator.exchanges.kraken.catalog import FUTURES_INSTRUMENTS, SPOT_INSTRUMENTS
from sync.simulator.exchanges.kraken.errors import futures_rejection, spot_rejection
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import RateLimit
from sync.simulator.signing import derive_base64
from sync.simulator.trades import FeePolicy

if TYPE_CHECKING:
    from sync.simulator.state import SimulatorState


def kraken_credentials(seed: int, label: str) -> Credentials:
    """Keys as Kraken issues them: a 56-character base64 public key (42 bytes) and an
    88-character base64 private key (64 bytes), on spot and futures alike."""
    return Credentials(
        api_key=derive_base64(seed, f"{label}:api_key", 42),
        secret=derive_base64(seed, f"{label}:secret", 64),
    )


class KrakenSimulator(ExchangeSimulator):
    id = "kraken"
    router = Router.combine(public.router, account.router, history.router)
    instruments = SPOT_INSTRUMENTS
    # https://www.kraken.com/features/fee-schedule: 0.16% maker, 0.26% taker at the lowest
    # tier, charged in the quote currency
    fee_policy = FeePolicy(
        spot_maker=Decimal("0.0016"), spot_taker=Decimal("0.0026"), spot_fee_asset="quote"
    )
    # https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits: a per-key counter that
    # TradesHistory/Ledgers raise by 2 and other calls by 1; the Intermediate tier caps it at
    # 20 and lets it decay by 0.5 a second, i.e. 20 per 40 s. Public calls: about 1 a second
    # per IP.
    rate_limits = {
        "private": RateLimit("private", 20, window_s=40, per="key"),
        "public": RateLimit("public", 60, window_s=60, per="ip"),
    }
    demo_trades = {
        "BTC/USDT": 120,
        "ETH/USDT": 80,
        "SOL/USDT": 40,
        "XRP/USDT": 30,
        "DOGE/USDT": 20,
    }
    sample_trades = {"BTC/USDT": 40, "ETH/USDT": 20}
    # Which permission names GetApiKeyInfo lists: only the four Kraken documents, or those and
    # their siblings (account.PERMISSION_NAMES, audit P4).
    readings = {"permission_names": ("full", "documented")}
    # Kraken's envelope (HTTP 200, the reason in ``error``) with a reason in no ccxt table:
    # ccxt raises a plain ExchangeError.
    unseen_error = (200, {"error": ["EGeneral:Nobody has seen this before"]})

    def __init__(self, state: SimulatorState) -> None:
        super().__init__(state)
        self.nonces = NonceBook()

    def credentials(self, seed: int, label: str) -> Credentials:
        return kraken_credentials(seed, label)

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("api-key")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return authenticate_spot(self, self.nonces, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        return spot_rejection(kind, request, **detail)


class KrakenFuturesSimulator(ExchangeSimulator):
    id = "krakenfutures"
    router = Router.combine(futures.router, futures_history.router, keys.router)
    instruments = FUTURES_INSTRUMENTS
    # https://www.kraken.com/features/fee-schedule#futures: 0.02% maker, 0.05% taker
    fee_policy = FeePolicy(contract_maker=Decimal("0.0002"), contract_taker=Decimal("0.0005"))
    # https://docs.kraken.com/api/docs/guides/futures-rate-limits: /derivatives calls spend
    # from 500 per 10 s per key (accounts, openpositions 2; fills 2, or 25 with lastFillTime);
    # the history API has a bucket of 100 tokens refilled over 10 minutes.
    rate_limits = {
        "derivatives": RateLimit("derivatives", 500, window_s=10, per="key"),
        "history": RateLimit("history", 100, window_s=600, per="key"),
    }
    demo_trades = {
        "BTC/USD:USD": 60,
        "ETH/USD:USD": 40,
        "SOL/USD:USD": 20,
        "BTC/USD:BTC": 25,
        "ETH/USD:ETH": 15,
    }
    sample_trades = {"BTC/USD:USD": 20, "BTC/USD:BTC": 10}
    # Where the evidence is silent or conflicts: which of a fill's two account-log entries
    # comes first (futures_history), what the key check's ``permissions`` object holds (keys),
    # whether open positions carry an unrealized PnL (futures.open_positions).
    readings = {
        "trade_log_order": ("position_first", "wallet_first"),
        "key_permissions": ("levels", "empty"),
        "position_pnl": ("absent", "present"),
    }
    # Kraken Futures' envelope with an error in no ccxt table: ccxt raises ExchangeError.
    unseen_error = (200, {"result": "error", "error": "nobodyHasSeenThis"})

    def __init__(self, state: SimulatorState) -> None:
        super().__init__(state)
        self.nonces = NonceBook()

    def credentials(self, seed: int, label: str) -> Credentials:
        return kraken_credentials(seed, label)

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("apikey")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return authenticate_futures(self, self.nonces, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        return futures_rejection(kind, request, **detail)

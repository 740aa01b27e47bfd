"""OKX (www.okx.com, API v5): spot, perpetual swaps, delivery futures and option markets on
one unified trading account, plus the funding account. Accounts are in Spot and futures mode,
but spot-only ones and those whose label starts with ``simple`` (Spot mode) or ``multi``
(Multi-currency margin mode)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sync.simulator.accounts import Account, AccountSpec, Credentials
from sync.simulator.exchanges.base import ExchangeSimulator, Router
from sync.simulator.exchanges.okx import account, auth, errors, public, trades
from sync.simulator.exchanges.okx.catalog import (
    INSTRUMENTS,
    MAX_INSTRUMENTS,
    QUARTER_MS,
    traded_options,
    yymmdd,
)
from sync.simulator.exchanges.okx.common import (
    MULTI_CURRENCY_MODE,
    MULTI_PREFIX,
    SIMPLE_PREFIX,
    SPOT_AND_FUTURES_MODE,
    SPOT_MODE,
    account_level,
)
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import RateLimit
from sync.simulator.signing import derive_bytes
from sync.simulator.trades import FeePolicy

if TYPE_CHECKING:
    from sync.simulator.instruments import Instrument
    from sync.simulator.state import SimulatorState

_READABLE = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
_SYMBOLS = "!@#$%^&*_-"
_QUARTER = yymmdd(QUARTER_MS)


def derive_passphrase(seed: int, label: str) -> str:
    """16 characters a person could have chosen: letters, digits and one symbol (OKX asks
    for 8-32 characters)."""
    material = derive_bytes(seed, label, 17)
    letters = [_READABLE[byte % len(_READABLE)] for byte in material[:15]]
    letters.insert(material[15] % 15, _SYMBOLS[material[16] % len(_SYMBOLS)])
    return "".join(letters)


ACCOUNT_MODES = {
    SPOT_MODE: "spot",
    SPOT_AND_FUTURES_MODE: "spot-and-futures",
    MULTI_CURRENCY_MODE: "multi-currency-margin",
}


class OkxSimulator(ExchangeSimulator):
    id = "okx"
    router = Router.combine(public.router, account.router, trades.router)
    instruments = INSTRUMENTS
    uses_passphrase = True
    # https://www.okx.com/fees: regular users (Lv1) pay 0.08%/0.10% on spot, 0.02%/0.05% on
    # swaps and futures, and 0.02%/0.03% of the underlying on options (at most 12.5% of the
    # premium); spot fees are taken from the currency received
    fee_policy = FeePolicy(
        spot_maker=Decimal("0.0008"),
        spot_taker=Decimal("0.001"),
        contract_maker=Decimal("0.0002"),
        contract_taker=Decimal("0.0005"),
        option_maker=Decimal("0.0002"),
        option_taker=Decimal("0.0003"),
        option_fee_cap=Decimal("0.125"),
        spot_fee_asset="received",
    )
    # Each endpoint's own limit from its documentation page: public ones per IP, private ones
    # per user id (one key per simulated account, so per key). Instruments are limited per
    # IP and instType on OKX; one pool for all types here is stricter.
    rate_limits = {
        "time": RateLimit("time", 10, window_s=2),
        "status": RateLimit("status", 1, window_s=5),
        "instruments": RateLimit("instruments", 20, window_s=2),
        "tickers": RateLimit("tickers", 20, window_s=2),
        "balance": RateLimit("balance", 10, window_s=2, per="key"),
        "positions": RateLimit("positions", 10, window_s=2, per="key"),
        "config": RateLimit("config", 5, window_s=2, per="key"),
        "asset-balances": RateLimit("asset-balances", 6, window_s=1, per="key"),
        "currencies": RateLimit("currencies", 6, window_s=1, per="key"),
        "savings": RateLimit("savings", 6, window_s=1, per="key"),
        "fills": RateLimit("fills", 60, window_s=2, per="key"),
        "fills-history": RateLimit("fills-history", 10, window_s=2, per="key"),
    }
    demo_trades = {
        "BTC/USDT": 150,
        "ETH/USDT": 90,
        "SOL/USDT": 40,
        "XRP/USDT": 30,
        "DOGE/USDT": 25,
        "BTC/USDT:USDT": 80,
        "ETH/USDT:USDT": 50,
        "DOGE/USDT:USDT": 20,
        "BTC/USD:BTC": 30,
        f"BTC/USDT:USDT-{_QUARTER}": 25,
        f"BTC/USD:BTC-{_QUARTER}": 15,
    }
    sample_trades = {
        "BTC/USDT": 40,
        "ETH/USDT": 20,
        "BTC/USDT:USDT": 20,
        "BTC/USD:BTC": 10,
        f"BTC/USDT:USDT-{_QUARTER}": 10,
    }

    # Where OKX's own tables leave a choice: which of its two IP codes a refused address gets
    # (errors.ip_refusal); which rows the fills endpoints answer to `before` alone, the page
    # right after the cursor or the newest 100 (trades._page, audit M1).
    readings = {
        "ip_refusal": ("50110", "50121"),
        "fills_before": ("next_page", "latest"),
    }
    # OKX's envelope with a code outside ccxt's okx.py table: ccxt raises ExchangeError.
    unseen_error = (200, {"code": "59876", "msg": "An error nobody has seen before.", "data": []})

    def __init__(self, state: SimulatorState) -> None:
        # The options traded are struck around the seed's prices: per simulator, like the
        # demo account that trades them.
        self.options = traded_options(state.oracle, state.anchor_ms)
        self.instruments = (*INSTRUMENTS, *self.options)
        if len(self.instruments) > MAX_INSTRUMENTS:
            raise ValueError(f"okx: bill ids number at most {MAX_INSTRUMENTS} instruments")
        self.by_id: dict[str, Instrument] = {item.id: item for item in self.instruments}
        self.indexes = {item.id: index for index, item in enumerate(self.instruments)}
        self.demo_trades = {
            **type(self).demo_trades,
            **dict(
                zip([item.symbol for item in self.options], (30, 25, 15, 10, 20, 10), strict=True)
            ),
        }
        super().__init__(state)

    def seed_specs(self) -> list[AccountSpec]:
        """The standard accounts, plus one in Spot mode (spot fills only) and one in
        Multi-currency margin mode."""
        spot = {symbol: count for symbol, count in self.sample_trades.items() if ":" not in symbol}
        return [
            *super().seed_specs(),
            AccountSpec(SIMPLE_PREFIX, ("read",), spot),
            AccountSpec(MULTI_PREFIX, ("read",), dict(self.sample_trades)),
        ]

    def credentials(self, seed: int, label: str) -> Credentials:
        """A UUID key, a 32-hex-digit uppercase secret and a passphrase, as OKX issues them."""
        return Credentials(
            api_key=str(uuid.UUID(bytes=derive_bytes(seed, f"{label}:api_key", 16), version=4)),
            secret=derive_bytes(seed, f"{label}:secret", 16).hex().upper(),
            passphrase=derive_passphrase(seed, f"{label}:passphrase"),
        )

    def account_mode(self, account: Account) -> str:
        """The account mode (``acctLv``) in OKX's words."""
        return ACCOUNT_MODES[account_level(account)]

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("ok-access-key")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return auth.authenticate(self, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        return errors.rejection(kind, request, ip_reading=self.reading("ip_refusal"), **detail)

"""Gate (api.gateio.ws, APIv4): spot, isolated margin, unified, USDT- and BTC-settled
perpetuals and USDT delivery futures; cross margin fills, but no classic cross margin account
(wallet.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sync.simulator.accounts import AccountSpec, Credentials
from sync.simulator.exchanges.base import ExchangeSimulator, Route, Router
from sync.simulator.exchanges.gate import (
    account,
    auth,
    derivatives,
    errors,
    public,
    trades,
    wallet,
)
from sync.simulator.exchanges.gate.catalog import (
    MARGIN_BOOKS,
    PERPETUALS,
    SPOT,
    delivery_instrument,
    quarterly_expiry,
)
from sync.simulator.exchanges.gate.common import LIMITS
from sync.simulator.http import Request, Response
from sync.simulator.ratelimit import Verdict
from sync.simulator.trades import FeePolicy

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.state import SimulatorState


class GateSimulator(ExchangeSimulator):
    id = "gate"
    router = Router.combine(
        public.router, account.router, wallet.router, derivatives.router, trades.router
    )
    instruments = (*SPOT, *PERPETUALS, *MARGIN_BOOKS)
    # https://www.gate.com/fee: 0.2% spot at VIP 0 (as ccxt's tiers and the pairs' "fee" say),
    # charged in the asset received; perpetuals and delivery 0.02% maker, 0.05% taker
    fee_policy = FeePolicy(
        spot_maker=Decimal("0.002"),
        spot_taker=Decimal("0.002"),
        contract_maker=Decimal("0.0002"),
        contract_taker=Decimal("0.0005"),
        spot_fee_asset="received",
    )
    rate_limits = LIMITS
    # An account without isolated margin: see wallet._never_opened_margin; how listed keys
    # are masked: see account.masked.
    readings = {
        "margin_not_opened": ("empty", "inactive"),
        "key_mask": ("prefix", "ends", "hidden"),
        # Gate's SDK names an error's text "message"; the bodies users printed (ccxt/ccxt#13249)
        # call it "detail"
        "error_text": ("message", "detail"),
        # Delivery my_trades lists last_id, "Specify list staring point using the id of last
        # record in previous list-query results" (gateapi-python docs/DeliveryApi.md up to
        # v6.97.0); since 2025-07 (commit dd045c8) it carries another parameter's text, and
        # perpetual my_trades calls the same parameter deprecated (FuturesApi.md, v6.104.3):
        # whether Gate still reads it is unknown (audit "Gate delivery last_id"). "ignored"
        # answers the newest fills whatever last_id says; offset paging works either way.
        "delivery_last_id": ("honoured", "ignored"),
        # Spot my_trades' from/to: "processed according to the order end time" (gateapi-python
        # docs/SpotApi.md, list_my_trades), or the fill's own time as the other endpoints do
        # (trades.py)
        "my_trades_time_filter": ("fill_time", "order_end_time"),
    }
    # Gate's envelope with a label outside ccxt's table: ccxt raises ExchangeError.
    unseen_error = (400, {"label": "UNSEEN_LABEL_98765", "message": "An error nobody has seen"})

    def __init__(self, state: SimulatorState) -> None:
        # The delivery contract the accounts trade expires after the history's anchor, so the
        # market list depends on it: instruments are per simulator, not per class.
        self.expiry = quarterly_expiry(state.anchor_ms)
        self.delivery = delivery_instrument(self.expiry)
        self.instruments = (*SPOT, *PERPETUALS, self.delivery, *MARGIN_BOOKS)
        self.demo_trades = {
            "BTC/USDT": 120,
            "ETH/USDT": 80,
            "SOL/USDT": 40,
            "XRP/USDT": 30,
            "DOGE/USDT": 20,
            "BTC/USDT:USDT": 60,
            "ETH/USDT:USDT": 40,
            "SOL/USDT:USDT": 20,
            "BTC/USD:BTC": 25,
            self.delivery.symbol: 20,
            "BTC/USDT isolated margin": 40,
            "ETH/USDT isolated margin": 20,
            "BTC/USDT cross margin": 30,
        }
        self.sample_trades = {
            "BTC/USDT": 40,
            "ETH/USDT": 20,
            "BTC/USDT:USDT": 20,
            "BTC/USD:BTC": 10,
            self.delivery.symbol: 10,
        }
        super().__init__(state)

    def credentials(self, seed: int, label: str) -> Credentials:
        return auth.credentials(seed, label)

    def account_mode(self, account: Account) -> str:
        """A classic account, or a key created in (legacy) unified account mode."""
        return "unified" if auth.key_mode(account) == 2 else "classic"

    def claimed_api_key(self, request: Request) -> str | None:
        return request.header("key")

    def authenticate(self, request: Request, now_ms: int) -> Account:
        return auth.authenticate(self, request, now_ms)

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        response = errors.rejection(kind, request, **detail)
        if self.reading("error_text") == "detail":
            return errors.with_text_as_detail(response)
        return response

    def decorate(self, response: Response, route: Route, verdict: Verdict | None) -> Response:
        """Gate reports the endpoint's budget on every answer (``X-Gate-RateLimit-*``)."""
        if verdict is None or route.pool is None:
            return response
        limit = LIMITS[route.pool]
        scale = self.state.limiter.scale
        allowed = int(limit.limit * scale) if scale > 0 else limit.limit
        window_ms = limit.window_s * 1000
        now_ms = self.state.now_ms()
        return response.with_headers(
            ("X-Gate-RateLimit-Requests-Remain", str(max(allowed - verdict.used, 0))),
            ("X-Gate-RateLimit-Limit", str(allowed)),
            ("X-Gate-RateLimit-Reset-Timestamp", str(now_ms - now_ms % window_ms + window_ms)),
        )

    def seed_specs(self) -> list[AccountSpec]:
        """The standard accounts, a unified-mode key, and a read key without the "account"
        permission (Gate then refuses /account/main_keys)."""
        sample = dict(self.sample_trades)
        return [
            *super().seed_specs(),
            AccountSpec(auth.UNIFIED_LABEL, ("read",), sample),
            AccountSpec(auth.NO_ACCOUNT_PERMISSION_LABEL, ("read",), sample),
        ]

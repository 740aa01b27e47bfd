"""MEXC: spot v3 (api.mexc.com/api/v3) and USDT-M perpetuals (futures v1, api.mexc.com/api/v1
and contract.mexc.com), main accounts and a master key's sub-accounts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sync.simulator.accounts import Account, AccountSpec, Credentials
from sync.simulator.exchanges.base import ExchangeSimulator, Router
from sync.simulator.exchanges.mexc import auth, contract, errors, public, spot, trades
from sync.simulator.exchanges.mexc.catalog import (
    CONTRACT_MAKER,
    CONTRACT_TAKER,
    INSTRUMENTS,
    SPOT_MAKER,
    SPOT_TAKER,
)
from sync.simulator.exchanges.mexc.common import RATE_LIMITS, is_contract
from sync.simulator.http import Request, Response
from sync.simulator.signing import derive_alphanumeric, derive_bytes
from sync.simulator.trades import FeePolicy

# Spot fills older than a month are out of the API's reach, so the seeded accounts trade over
# the last four weeks: their whole history can be read back.
SEEDED_DAYS = 28


class MexcSimulator(ExchangeSimulator):
    id = "mexc"
    router = Router.combine(public.router, spot.router, trades.router, contract.router)
    instruments = INSTRUMENTS
    # spot fees are taken from the asset received, futures fees in USDT
    fee_policy = FeePolicy(
        spot_maker=SPOT_MAKER,
        spot_taker=SPOT_TAKER,
        contract_maker=CONTRACT_MAKER,
        contract_taker=CONTRACT_TAKER,
        spot_fee_asset="received",
    )
    rate_limits = RATE_LIMITS
    demo_trades = {
        "BTC/USDT": 120,
        "ETH/USDT": 80,
        "SOL/USDT": 40,
        "XRP/USDT": 30,
        "DOGE/USDT": 20,
        "BTC/USDT:USDT": 60,
        "ETH/USDT:USDT": 40,
        "SOL/USDT:USDT": 20,
        "DOGE/USDT:USDT": 20,
    }
    sample_trades = {"BTC/USDT": 40, "ETH/USDT": 20, "BTC/USDT:USDT": 20}
    profiles = ("not-master",)
    # Where MEXC documents nothing:
    # - "futures_not_opened": what the futures API answers an account that never opened
    #   futures: 1000 "Account does not exist" (a code of MEXC's futures list, ccxt:
    #   AuthenticationError), or success with nothing in it;
    # - "sub_account_list_ordinary": what "Query Sub-account List (For Master Account)" answers
    #   an ordinary account: an empty list, or the 700007 a sub-account's key gets;
    # - "window_order": which fills of a startTime/endTime window holding more than ``limit``
    #   myTrades answers (https://www.mexc.com/api-docs/spot-v3/spot-account-trade/
    #   account-trade-list says nothing, audit M2, and ccxt's recorded response in
    #   ts/src/test/static/response/mexc.json holds a single fill): the oldest, oldest first,
    #   or the newest, newest first, as it answers without startTime.
    readings = {
        "futures_not_opened": ("account_not_exist", "empty"),
        "sub_account_list_ordinary": ("empty", "no_permission"),
        "window_order": ("oldest_first", "newest_first"),
    }
    # MEXC's spot envelope with a code outside ccxt's tables: ccxt raises ExchangeError on
    # either API (mexc.py handle_errors reads ``code`` alone).
    unseen_error = (400, {"code": 987650, "msg": "An error nobody has seen before."})

    def credentials(self, seed: int, label: str) -> Credentials:
        """MEXC's formats: "mx0" and 15 letters and digits; a 32-hex-digit secret."""
        return Credentials(
            api_key="mx0" + derive_alphanumeric(seed, f"{label}:api_key", 15),
            secret=derive_bytes(seed, f"{label}:secret", 16).hex(),
        )

    def claimed_api_key(self, request: Request) -> str | None:
        return auth.claimed_api_key(request)

    def authenticate(self, request: Request, now_ms: int) -> Account:
        account = auth.authenticate(self, request, now_ms)
        if (
            is_contract(request.path)
            and not account.has("futures")
            and self.reading("futures_not_opened") == "account_not_exist"
        ):
            raise errors.refuse_contract(errors.ACCOUNT_NOT_EXIST)
        return account

    def reject(self, kind: str, request: Request, **detail: Any) -> Response:
        return errors.rejection(kind, request, **detail)

    def seed_specs(self) -> list[AccountSpec]:
        """The standard accounts over four weeks, plus a master key with two sub-accounts."""
        return [
            *(replace(spec, days=SEEDED_DAYS) for spec in super().seed_specs()),
            AccountSpec("master", ("read",), dict(self.sample_trades), days=SEEDED_DAYS),
            AccountSpec(
                "sub-1",
                ("read",),
                {"ETH/USDT": 30, "ETH/USDT:USDT": 10},
                days=SEEDED_DAYS,
                master_label="master",
            ),
            AccountSpec(
                "sub-2", ("read",), {"SOL/USDT": 15}, days=SEEDED_DAYS, master_label="master"
            ),
        ]

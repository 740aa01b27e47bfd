"""Perpetual (``/futures/{settle}``) and delivery (``/delivery/usdt``) accounts and positions.

Gate keeps one account per settle currency for perpetuals and a separate one for delivery. The
core books every USDT-settled fill into one "linear" wallet, so the delivery account takes the
delivery fills' effect on top of its own deposit and the perpetual account keeps the rest:
perpetual total = linear wallet - delivery effect = deposit + perpetual PnL - perpetual fees.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.gate.catalog import contract_of, mark_price
from sync.simulator.exchanges.gate.common import endpoint, money, plain, refuse, settle_of
from sync.simulator.holdings import INVERSE, LINEAR, OpenPosition
from sync.simulator.instruments import MONEY_DECIMALS, Instrument
from sync.simulator.trades import Series, decimal_units

router = Router()

DELIVERY = "delivery"
MAINTENANCE_RATE = Decimal("0.005")
_ZERO = Decimal(0)


@dataclass
class Book:
    """One Gate contract account, in money units (8 decimals) of its settle currency."""

    currency: str
    deposit: int = 0
    pnl: int = 0
    fees: int = 0
    positions: list[OpenPosition] = field(default_factory=list)
    traded: list[Instrument] = field(default_factory=list)
    updated_ms: int = 0

    @property
    def total(self) -> int:
        return self.deposit + self.pnl - self.fees


def _belongs(instrument: Instrument, book: str) -> bool:
    if book == DELIVERY:
        return instrument.market_type == "future"
    if instrument.market_type != "swap":
        return False
    return instrument.inverse if book == "btc" else not instrument.inverse


def _effect(series: Series) -> tuple[int, int, int]:
    """(realized PnL, fees, lowest running balance) of one contract's fills."""
    pnl = fees = running = lowest = 0
    for index in range(len(series)):
        pnl += series.pnls[index]
        fees += series.fees[index]
        running += series.pnls[index] - series.fees[index]
        lowest = min(lowest, running)
    return pnl, fees, lowest


def opened_account(call: Call, book: str) -> Account:
    """The signed account, if it has a ``book`` account. Gate opens a perpetual or delivery
    account on the first transfer into it; until then every private endpoint of that book
    answers USER_NOT_FOUND, "user has no futures account" (Gate's label list,
    gateio/gateapi-python#18; ccxt gate.py ``exceptions['exact']``: AccountNotEnabled). Here an
    account is open where it traded, and never where its profile has no futures."""
    account = call.signed_account()
    traded = any(_belongs(series.instrument, book) for series in account.series().values())
    if not (account.has("futures") and traded):
        raise refuse(400, "USER_NOT_FOUND", "please transfer funds first to create futures account")
    return account


def book_of(account: Account, book: str) -> Book:
    """The perpetual account of settle ``book`` ('usdt', 'btc') or the delivery account."""
    holdings = account.holdings()
    result = Book("BTC" if book == "btc" else "USDT")
    lowest = 0
    for symbol_series in account.series().values():
        instrument = symbol_series.instrument
        if not _belongs(instrument, book):
            continue
        pnl, fees, series_lowest = _effect(symbol_series)
        result.pnl += pnl
        result.fees += fees
        lowest += series_lowest
        result.traded.append(instrument)
        result.updated_ms = max(result.updated_ms, symbol_series.timestamps[-1])
    result.positions = [item for item in holdings.positions if _belongs(item.instrument, book)]
    if book == DELIVERY:
        # a deposit of its own: enough for the worst moment, plus a few thousand USDT
        rng = random.Random(f"{account.seed_key}:gate-delivery")
        cushion = round(rng.uniform(2_000, 8_000), 4)
        result.deposit = -lowest + int(Decimal(str(cushion)).scaleb(MONEY_DECIMALS))
    else:
        wallet = INVERSE if book == "btc" else LINEAR
        result.deposit = holdings.deposits.get(wallet, {}).get(result.currency, 0)
    return result


def _sum(values: list[Decimal]) -> Decimal:
    return sum(values, _ZERO)


def account_row(account: Account, book: Book) -> dict[str, Any]:
    """A futures or delivery account as Gate prints it; ``total`` excludes unrealized PnL."""
    total = decimal_units(book.total, MONEY_DECIMALS)
    unrealized = _sum([item.unrealized_pnl for item in book.positions])
    initial = _sum([item.initial_margin for item in book.positions])
    maintenance = _sum([abs(item.notional) * MAINTENANCE_RATE for item in book.positions])
    isolated = _sum([item.initial_margin for item in book.positions if item.isolated])
    available = max(total - initial, _ZERO)
    return {
        "user": account.uid,
        "currency": book.currency,
        "total": money(total),
        "unrealised_pnl": money(unrealized),
        "position_margin": money(initial),
        "order_margin": "0",
        "available": money(available),
        "point": "0",
        "bonus": "0",
        "in_dual_mode": False,
        "enable_credit": False,
        "position_initial_margin": money(initial),
        "maintenance_margin": money(maintenance),
        "cross_initial_margin": money(initial - isolated),
        "cross_maintenance_margin": money(maintenance),
        "cross_order_margin": "0",
        "cross_unrealised_pnl": money(unrealized),
        "cross_available": money(available),
        "cross_margin_balance": money(total + unrealized),
        "isolated_position_margin": money(isolated),
        "enable_new_dual_mode": False,
        "margin_mode": 0,
        "history": {
            "dnw": money(decimal_units(book.deposit, MONEY_DECIMALS)),
            "pnl": money(decimal_units(book.pnl, MONEY_DECIMALS)),
            "fee": money(-decimal_units(book.fees, MONEY_DECIMALS)),
            "refr": "0",
            "fund": "0",
            "point_dnw": "0",
            "point_fee": "0",
            "point_refr": "0",
            "bonus_dnw": "0",
            "bonus_offset": "0",
        },
    }


def size_value(call: Call, units: int) -> int | str:
    """Contract sizes are integers, or strings when the client sends X-Gate-Size-Decimal: 1
    (ccxt does, on every futures call)."""
    return str(units) if call.request.header("x-gate-size-decimal") == "1" else units


def position_row(call: Call, account: Account, position: OpenPosition) -> dict[str, Any]:
    """An open position. Gate prints leverage "0" for cross margin, with the cross leverage
    in ``cross_leverage_limit``; ccxt reads "0" as marginMode cross."""
    instrument = position.instrument
    contract = contract_of(instrument)
    maintenance = abs(position.notional) * MAINTENANCE_RATE
    updated_s = position.updated_ms // 1000
    return {
        "user": account.uid,
        "contract": instrument.id,
        "size": size_value(call, position.units),
        "leverage": str(position.leverage) if position.isolated else "0",
        "cross_leverage_limit": "0" if position.isolated else str(position.leverage),
        "risk_limit": "1000000",
        "leverage_max": str(contract.leverage_max),
        "maintenance_rate": contract.maintenance_rate,
        "value": money(abs(position.notional)),
        "margin": money(position.initial_margin),
        "entry_price": plain(position.entry_price),
        "liq_price": plain(position.liquidation_price.quantize(position.mark_price)),
        "mark_price": plain(position.mark_price),
        "initial_margin": money(position.initial_margin),
        "maintenance_margin": money(maintenance),
        "unrealised_pnl": money(position.unrealized_pnl),
        "realised_pnl": "0",
        "pnl_pnl": "0",
        "pnl_fund": "0",
        "pnl_fee": "0",
        "history_pnl": "0",
        "last_close_pnl": "0",
        "realised_point": "0",
        "history_point": "0",
        "adl_ranking": 5,
        "pending_orders": 0,
        "close_order": None,
        "mode": "single",
        "update_time": updated_s,
        "update_id": 1,
        "open_time": updated_s,
        "trade_max_size": "0",
        "average_maintenance_rate": str(MAINTENANCE_RATE),
    }


def flat_row(call: Call, account: Account, instrument: Instrument) -> dict[str, Any]:
    """A contract the account traded and has no position in: Gate still lists it, with zeros,
    unless asked for ``holding=true``."""
    contract = contract_of(instrument)
    mark = mark_price(account.oracle, instrument, account.anchor_ms)
    return {
        "user": account.uid,
        "contract": instrument.id,
        "size": size_value(call, 0),
        "leverage": "0",
        "cross_leverage_limit": "10",
        "risk_limit": "1000000",
        "leverage_max": str(contract.leverage_max),
        "maintenance_rate": contract.maintenance_rate,
        "value": "0",
        "margin": "0",
        "entry_price": "0",
        "liq_price": "0",
        "mark_price": plain(mark),
        "initial_margin": "0",
        "maintenance_margin": "0",
        "unrealised_pnl": "0",
        "realised_pnl": "0",
        "pending_orders": 0,
        "close_order": None,
        "mode": "single",
        "update_time": 0,
        "open_time": 0,
    }


def _positions(call: Call, book_name: str) -> list[dict[str, Any]]:
    account = opened_account(call, book_name)
    book = book_of(account, book_name)
    open_ids = {item.instrument.id for item in book.positions}
    rows = [position_row(call, account, item) for item in book.positions]
    if call.params.get("holding") != "true":
        rows += [flat_row(call, account, item) for item in book.traded if item.id not in open_ids]
    contract = call.params.get("contract")
    return [row for row in rows if contract is None or row["contract"] == contract]


@endpoint(
    router,
    "/futures/{settle}/accounts",
    paths=("/futures/usdt/accounts", "/futures/btc/accounts"),
    signed=True,
)
def futures_account(call: Call) -> dict[str, Any]:
    account = opened_account(call, settle_of(call))
    return account_row(account, book_of(account, settle_of(call)))


@endpoint(
    router,
    "/futures/{settle}/positions",
    paths=("/futures/usdt/positions", "/futures/btc/positions"),
    signed=True,
)
def futures_positions(call: Call) -> list[dict[str, Any]]:
    return _positions(call, settle_of(call))


@endpoint(router, "/delivery/{settle}/accounts", paths=("/delivery/usdt/accounts",), signed=True)
def delivery_account(call: Call) -> dict[str, Any]:
    account = opened_account(call, DELIVERY)
    row = account_row(account, book_of(account, DELIVERY))
    history = row["history"]
    row["history"] = {
        key: history[key]
        for key in ("dnw", "pnl", "fee", "refr", "point_dnw", "point_fee", "point_refr")
    }
    row["history"].update({"settle": "0", "settle_fee": "0"})
    return row


@endpoint(router, "/delivery/{settle}/positions", paths=("/delivery/usdt/positions",), signed=True)
def delivery_positions(call: Call) -> list[dict[str, Any]]:
    return _positions(call, DELIVERY)

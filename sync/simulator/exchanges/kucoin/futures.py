"""KuCoin Futures (api-futures.kucoin.com) account overview and open positions.

One futures account per settle currency: ``account-overview?currency=USDT`` or ``XBT``.
Balances come from the fills (realized PnL minus fees on top of a deposit); positions are
what the fills left open, valued at the mark price. Quantities are lots (``currentQty``);
KuCoin Futures prints these values as JSON numbers, here kept to 8 decimals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kucoin.catalog import (
    FUTURES_HOST,
    futures_asset,
    futures_code,
    lots,
    step,
)
from sync.simulator.exchanges.kucoin.common import eight, number, object_id, ok
from sync.simulator.holdings import INVERSE, LINEAR, OpenPosition
from sync.simulator.trades import decimal_units

router = Router()

MAINTENANCE_RATE = Decimal("0.004")
_ZERO = Decimal(0)


def _settle(position: OpenPosition) -> str:
    instrument = position.instrument
    return instrument.settle or instrument.quote


def positions_of(account: Account, settle: str | None = None) -> list[OpenPosition]:
    return [
        item for item in account.holdings().positions if settle is None or _settle(item) == settle
    ]


def overview(account: Account, asset: str) -> dict[str, Any]:
    """KuCoin's arithmetic: marginBalance = positionMargin + orderMargin + frozenFunds +
    availableBalance, and accountEquity = marginBalance + unrealisedPNL."""
    holdings = account.holdings()
    units = holdings.wallet(LINEAR).get(asset) or holdings.wallet(INVERSE).get(asset) or 0
    balance = decimal_units(units, 8)
    mine = positions_of(account, asset)
    unrealized = eight(sum((item.unrealized_pnl for item in mine), _ZERO))
    margin = eight(sum((item.initial_margin for item in mine), _ZERO))
    available = max(balance - margin, _ZERO)
    equity = balance + unrealized
    maintenance = sum((abs(item.notional) * MAINTENANCE_RATE for item in mine), _ZERO)
    return {
        "accountEquity": number(equity),
        "unrealisedPNL": number(unrealized),
        "marginBalance": number(balance),
        "positionMargin": number(margin),
        "orderMargin": 0,
        "frozenFunds": 0,
        "availableBalance": number(available),
        "currency": futures_code(asset),
        "riskRatio": number((maintenance / equity).quantize(Decimal("0.0001"))) if equity else 0,
        "maxWithdrawAmount": number(available),
    }


@router.get(FUTURES_HOST, "/api/v1/account-overview", weight=5, pool="futures", signed=True)
def account_overview(call: Call) -> dict[str, Any]:
    # KuCoin's default is XBT; ccxt sends the currency it was asked for (USDT by default)
    asset = futures_asset(call.params.get("currency") or "XBT")
    return ok(overview(call.signed_account(), asset))


def _position(account: Account, position: OpenPosition, now_ms: int) -> dict[str, Any]:
    instrument = position.instrument
    serial = account.uid * 64 + account.exchange.instruments.index(instrument)
    quantity = lots(instrument, position.amount)
    settle = futures_code(_settle(position))
    cost = eight(position.amount * position.entry_price)
    value = eight(position.notional)
    if instrument.inverse:
        assert instrument.contract_size is not None
        cost = eight(position.amount * instrument.contract_size / position.entry_price)
    margin = eight(position.initial_margin)
    unrealized = eight(position.unrealized_pnl)
    tick = step(instrument.price_decimals)
    liquidation = position.liquidation_price.quantize(tick)
    return {
        "id": object_id(position.updated_ms // 1000, serial),
        "symbol": instrument.id,
        "autoDeposit": False,
        "crossMode": not position.isolated,
        "marginMode": "ISOLATED" if position.isolated else "CROSS",
        "positionSide": "BOTH",
        "delevPercentage": 0.52,
        "openingTimestamp": position.updated_ms,
        "currentTimestamp": now_ms,
        "currentQty": quantity,
        "currentCost": number(cost),
        "currentComm": 0,
        "unrealisedCost": number(cost),
        "realisedGrossCost": 0,
        "realisedCost": 0,
        "isOpen": True,
        "markPrice": number(position.mark_price),
        "markValue": number(value),
        "posCost": number(cost),
        "posCross": 0,
        "posInit": number(margin),
        "posComm": 0,
        "posLoss": 0,
        "posMargin": number(margin),
        "posMaint": number(eight(abs(position.notional) * MAINTENANCE_RATE)),
        "maintMargin": number(margin + unrealized),
        "realisedGrossPnl": 0,
        "realisedPnl": 0,
        "unrealisedPnl": number(unrealized),
        "unrealisedPnlPcnt": number((unrealized / abs(cost)).quantize(Decimal("0.0001"))),
        "unrealisedRoePcnt": number((unrealized / margin).quantize(Decimal("0.0001"))),
        "avgEntryPrice": number(position.entry_price),
        "liquidationPrice": number(liquidation),
        "bankruptPrice": number(liquidation),
        "settleCurrency": settle,
        "isInverse": instrument.inverse,
        "maintainMargin": number(MAINTENANCE_RATE),
        "riskLimit": 100000,
        "realLeverage": position.leverage,
        "leverage": position.leverage,
    }


@router.get(FUTURES_HOST, "/api/v1/positions", weight=2, pool="futures", signed=True)
def open_positions(call: Call) -> dict[str, Any]:
    wanted = call.params.get("currency")
    settle = futures_asset(wanted) if wanted else None
    account = call.signed_account()
    return ok([_position(account, item, call.now_ms) for item in positions_of(account, settle)])

"""Futures account: assets and open positions (https://www.mexc.com/api-docs/futures/
account-and-trading-endpoints).

The wallet is a deposit plus the realized PnL minus the fees of every fill (``cashBalance``);
``equity`` adds the positions' unrealized PnL at the fair price. Positions carry entry price,
leverage, margin and liquidation price but no mark price or unrealized PnL: MEXC publishes the
mark as ``/api/v1/contract/fair_price/{symbol}``, and the asset rows carry the unrealized
total per currency.
"""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.mexc.catalog import contract_size
from sync.simulator.exchanges.mexc.common import contract_get, contract_ok, contract_pool, eight
from sync.simulator.exchanges.mexc.trades import positions_before
from sync.simulator.holdings import LINEAR, OpenPosition
from sync.simulator.http import Response
from sync.simulator.trades import decimal_units

router = Router()

_ZERO = Decimal(0)


def _positions(account: Account) -> list[OpenPosition]:
    return [item for item in account.holdings().positions if item.instrument.linear]


def asset_rows(account: Account) -> list[dict[str, Any]]:
    positions = _positions(account)
    rows = []
    for currency, units in sorted(account.holdings().wallet(LINEAR).items()):
        mine = [item for item in positions if item.instrument.settle == currency]
        cash = decimal_units(units, 8)
        unrealized = eight(sum((item.unrealized_pnl for item in mine), _ZERO))
        margin = eight(sum((item.initial_margin for item in mine), _ZERO))
        equity = cash + unrealized
        rows.append(
            {
                "currency": currency,
                "positionMargin": margin,
                "availableBalance": max(equity - margin, _ZERO),
                "cashBalance": cash,
                "frozenBalance": _ZERO,
                "equity": equity,
                "unrealized": unrealized,
                "bonus": _ZERO,
            }
        )
    return rows


@contract_get(
    router,
    "/api/v1/private/account/assets",
    pool=contract_pool("account/assets", private=True),
    signed=True,
)
def account_assets(call: Call) -> Response:
    return contract_ok(asset_rows(call.signed_account()))


def _opened(account: Account, position: OpenPosition) -> tuple[int, Decimal, Decimal]:
    """(time, realized PnL, fees) since the fill that opened the position now held."""
    series = account.series()[position.instrument.symbol]
    held = positions_before(series)
    first = len(series) - 1
    # walk back while the position held before the fill already pointed the same way
    while first > 0 and held[first] != 0 and (held[first] > 0) == (position.units > 0):
        first -= 1
    fills = series.fills(first)
    realized = sum((fill.realized_pnl or _ZERO for fill in fills[1:]), _ZERO)
    fees = sum((fill.fee for fill in fills), _ZERO)
    return fills[0].timestamp, realized, fees


def _position_row(account: Account, position: OpenPosition) -> dict[str, Any]:
    instrument = position.instrument
    opened_ms, realized, fees = _opened(account, position)
    entry = position.entry_price
    margin = eight(position.initial_margin)
    tick = Decimal(1).scaleb(-instrument.price_decimals)
    return {
        "positionId": zlib.crc32(f"{account.uid}:{instrument.id}".encode()),
        "symbol": instrument.id,
        "positionType": 1 if position.units > 0 else 2,
        "openType": 1 if position.isolated else 2,
        "state": 1,
        "holdVol": abs(position.amount) / contract_size(instrument),
        "frozenVol": _ZERO,
        "closeVol": _ZERO,
        "holdAvgPrice": entry,
        "holdAvgPriceFullyScale": format(entry, "f"),
        "openAvgPrice": entry,
        "openAvgPriceFullyScale": format(entry, "f"),
        "closeAvgPrice": _ZERO,
        "liquidatePrice": position.liquidation_price.quantize(tick),
        "oim": margin,
        "im": margin,
        "holdFee": _ZERO,
        "realised": eight(realized - fees),
        "leverage": position.leverage,
        "createTime": opened_ms,
        "updateTime": position.updated_ms,
        "autoAddIm": False,
        "version": 1,
        "newOpenAvgPrice": entry,
        "newCloseAvgPrice": _ZERO,
        "closeProfitLoss": eight(realized),
        "fee": -fees,
        "deductFeeList": [],
        "totalFee": fees,
    }


@contract_get(
    router,
    "/api/v1/private/position/open_positions",
    pool=contract_pool("open_positions", private=True),
    signed=True,
)
def open_positions(call: Call) -> Response:
    account = call.signed_account()
    wanted = call.params.get("symbol")
    return contract_ok(
        [
            _position_row(account, item)
            for item in _positions(account)
            if wanted is None or item.instrument.id == wanted
        ]
    )

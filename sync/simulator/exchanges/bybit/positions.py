"""``/v5/position/list``: open linear and inverse positions left by the account's fills.

https://bybit-exchange.github.io/docs/v5/position: ``category`` is required; linear needs
``symbol`` or ``settleCoin``; without a symbol only positions with a size are listed, with a
symbol the row is returned even when flat; ``limit`` 1-200, default 20, ``cursor`` to page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bybit.catalog import HOST, category_of, instruments_in
from sync.simulator.exchanges.bybit.common import (
    envelope,
    fixed,
    money,
    page_limit,
    parameter_error,
    plain,
    required_category,
)
from sync.simulator.holdings import OpenPosition
from sync.simulator.instruments import Instrument
from sync.simulator.trades import decimal_units

router = Router()

# Bybit's lowest risk tier keeps 0.5% maintenance margin on BTC and ETH perpetuals.
MAINTENANCE_RATE = Decimal("0.005")


@dataclass(frozen=True)
class Margins:
    """A position's margin figures in its settle coin."""

    unrealized_pnl: Decimal
    initial: Decimal
    maintenance: Decimal


def margins_of(position: OpenPosition) -> Margins:
    notional = abs(position.notional)
    return Margins(position.unrealized_pnl, position.initial_margin, notional * MAINTENANCE_RATE)


def settle_coin(instrument: Instrument) -> str:
    return instrument.settle or instrument.quote


def realized_so_far(account: Account, instrument: Instrument) -> Decimal:
    """Cumulative realized PnL net of fees, as Bybit's ``cumRealisedPnl`` counts it."""
    series = account.series().get(instrument.symbol)
    if series is None:
        return Decimal(0)
    return decimal_units(sum(series.pnls) - sum(series.fees), 8)


def _mark(account: Account, instrument: Instrument) -> Decimal:
    price = account.oracle.price(instrument.base, instrument.quote, account.anchor_ms)
    return Decimal(round(price * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)


def _open_row(account: Account, position: OpenPosition) -> dict[str, Any]:
    instrument = position.instrument
    places = instrument.price_decimals
    size = abs(position.amount)
    entry = position.entry_price
    long = position.units > 0
    if instrument.inverse:
        assert instrument.contract_size is not None
        value_at_entry = size * instrument.contract_size / entry
    else:
        value_at_entry = size * entry
    figures = margins_of(position)
    step = 1 / Decimal(position.leverage)
    bankrupt = entry * (1 - step if long else 1 + step)
    series = account.series()[instrument.symbol]
    return {
        **_common(instrument, position.mark_price),
        "side": "Buy" if long else "Sell",
        "size": plain(size),
        "avgPrice": plain(entry),
        "positionValue": money(value_at_entry),
        "tradeMode": 1 if position.isolated else 0,
        "leverage": str(position.leverage),
        "positionBalance": money(figures.initial) if position.isolated else "0",
        "liqPrice": fixed(position.liquidation_price, places),
        "bustPrice": fixed(bankrupt, places),
        "positionMM": money(figures.maintenance),
        "positionIM": money(figures.initial),
        "unrealisedPnl": money(figures.unrealized_pnl),
        "cumRealisedPnl": money(realized_so_far(account, instrument)),
        "seq": position.updated_ms // 1000,
        "createdTime": str(series.timestamps[0]),
        "updatedTime": str(position.updated_ms),
    }


def _flat_row(account: Account, instrument: Instrument) -> dict[str, Any]:
    return {
        **_common(instrument, _mark(account, instrument)),
        "side": "",
        "size": "0",
        "avgPrice": "0",
        "positionValue": "",
        "tradeMode": 0,
        "leverage": "10",
        "positionBalance": "0",
        "liqPrice": "",
        "bustPrice": "",
        "positionMM": "0",
        "positionIM": "0",
        "unrealisedPnl": "0",
        "cumRealisedPnl": money(realized_so_far(account, instrument)),
        "seq": 0,
        "createdTime": str(account.created_ms),
        "updatedTime": str(account.anchor_ms),
    }


def _common(instrument: Instrument, mark: Decimal) -> dict[str, Any]:
    return {
        "positionIdx": 0,
        "riskId": 1,
        "riskLimitValue": "150" if instrument.inverse else "2000000",
        "symbol": instrument.id,
        "positionStatus": "Normal",
        "autoAddMargin": 0,
        "adlRankIndicator": 2,
        "markPrice": fixed(mark, instrument.price_decimals),
        "tpslMode": "Full",
        "takeProfit": "",
        "stopLoss": "",
        "trailingStop": "0",
        "curRealisedPnl": "0",
        "isReduceOnly": False,
        "mmrSysUpdateTime": "",
        "leverageSysUpdatedTime": "",
        "sessionAvgPrice": "",
    }


def open_positions(account: Account, category: str) -> list[OpenPosition]:
    return [
        position
        for position in account.holdings().positions
        if category_of(position.instrument) == category
    ]


@router.get(HOST, "/v5/position/list", pool="position", signed=True)
def position_list(call: Call) -> dict[str, Any]:
    category = required_category(call, ("linear", "inverse", "option"))
    account = call.signed_account()
    limit = page_limit(call, 20, 200)
    symbol = call.params.get("symbol")
    settle = call.params.get("settleCoin")
    rows: list[dict[str, Any]] = []
    if category != "option":
        positions = {item.instrument.id: item for item in open_positions(account, category)}
        if symbol:
            instrument = next(
                (item for item in instruments_in(category) if item.id == symbol), None
            )
            if instrument is None:
                raise parameter_error(call, "params error: symbol invalid")
            position = positions.get(symbol)
            rows = [
                _open_row(account, position)
                if position is not None
                else _flat_row(account, instrument)
            ]
        else:
            if category == "linear" and not settle:
                raise parameter_error(
                    call, "Missing some parameters that must filled in, symbol or settleCoin"
                )
            rows = [
                _open_row(account, positions[market_id])
                for market_id in sorted(positions)
                if not settle or settle_coin(positions[market_id].instrument) == settle
            ]
    start = _offset(call)
    page = rows[start : start + limit]
    cursor = f"{category}%2C{start + limit}" if start + limit < len(rows) else ""
    return envelope({"list": page, "nextPageCursor": cursor, "category": category}, call.now_ms)


def _offset(call: Call) -> int:
    cursor = call.params.get("cursor")
    if not cursor:
        return 0
    _, _, offset = cursor.rpartition(",")
    if not offset.isdigit():
        raise parameter_error(call, "params error: cursor invalid")
    return int(offset)

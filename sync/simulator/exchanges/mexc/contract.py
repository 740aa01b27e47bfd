"""Futures account: assets, open and closed positions (https://www.mexc.com/api-docs/futures/
account-and-trading-endpoints).

The wallet is a deposit plus the realized PnL minus the fees of every fill (``cashBalance``);
``equity`` adds the positions' unrealized PnL at the fair price. Positions carry entry price,
leverage, margin and liquidation price but no mark price or unrealized PnL: MEXC publishes the
mark as ``/api/v1/contract/fair_price/{symbol}``, and the asset rows carry the unrealized
total per currency.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.mexc.catalog import contract_size
from sync.simulator.exchanges.mexc.common import contract_get, contract_ok, contract_pool, eight
from sync.simulator.exchanges.mexc.errors import PARAM_ERROR, refuse_contract
from sync.simulator.exchanges.mexc.trades import (
    CONTRACT_DEFAULT_PAGE,
    CONTRACT_MAX_PAGE,
    contract_int,
)
from sync.simulator.holdings import LINEAR, OpenPosition
from sync.simulator.http import Response
from sync.simulator.trades import Series, decimal_units

router = Router()

_ZERO = Decimal(0)


def _positions(account: Account) -> list[OpenPosition]:
    return [item for item in account.holdings().positions if item.instrument.linear]


def asset_rows(account: Account) -> list[dict[str, Any]]:
    if not account.has("futures"):
        # the "empty" reading of a futures account never opened (MexcSimulator.readings)
        return []
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


@dataclass
class Episode:
    """One position from the fill that opened it to the fill that closed (or flipped) it."""

    long: bool
    opened_ms: int
    first_id: int
    opened: Decimal = _ZERO  # base coin
    open_value: Decimal = _ZERO
    closed: Decimal = _ZERO
    close_value: Decimal = _ZERO
    closed_ms: int = 0
    realized: Decimal = _ZERO
    fees: Decimal = _ZERO

    def open(self, price: Decimal, amount: Decimal) -> None:
        self.opened += amount
        self.open_value += price * amount

    def close(self, price: Decimal, amount: Decimal, timestamp: int) -> None:
        self.closed += amount
        self.close_value += price * amount
        self.closed_ms = timestamp


_EPISODES: WeakKeyDictionary[Series, tuple[list[Episode], Episode | None]] = WeakKeyDictionary()
_EPISODES_LOCK = threading.Lock()


def episodes(series: Series) -> tuple[list[Episode], Episode | None]:
    """The closed positions of a perpetual, oldest first, and the one still open. A fill that
    flips the position closes one (its PnL and fee go there) and opens the next."""
    with _EPISODES_LOCK:
        known = _EPISODES.get(series)
        if known is not None:
            return known
        closed: list[Episode] = []
        current: Episode | None = None
        held = _ZERO
        for fill in series.fills():
            signed = fill.amount if fill.side == "buy" else -fill.amount
            if current is None or (held > 0) == (signed > 0):
                if current is None:
                    current = Episode(signed > 0, fill.timestamp, fill.id)
                current.open(fill.price, fill.amount)
                current.fees += fill.fee
                held += signed
                continue
            current.close(fill.price, min(fill.amount, abs(held)), fill.timestamp)
            current.realized += fill.realized_pnl or _ZERO
            current.fees += fill.fee
            held += signed
            if held == 0 or (held > 0) != current.long:
                closed.append(current)
                current = None
                if held != 0:
                    current = Episode(held > 0, fill.timestamp, fill.id)
                    current.open(fill.price, abs(held))
        _EPISODES[series] = (closed, current)
        return closed, current


def _average(value: Decimal, amount: Decimal) -> Decimal:
    return eight(value / amount) if amount else _ZERO


def _position_row(account: Account, position: OpenPosition) -> dict[str, Any]:
    instrument = position.instrument
    _, current = episodes(account.series()[instrument.symbol])
    assert current is not None, "an open position has an episode"
    entry = position.entry_price
    margin = eight(position.initial_margin)
    tick = Decimal(1).scaleb(-instrument.price_decimals)
    size = contract_size(instrument)
    return {
        "positionId": zlib.crc32(f"{account.uid}:{instrument.id}:{current.first_id}".encode()),
        "symbol": instrument.id,
        "positionType": 1 if position.units > 0 else 2,
        "openType": 1 if position.isolated else 2,
        "state": 1,
        "holdVol": abs(position.amount) / size,
        "frozenVol": _ZERO,
        "closeVol": current.closed / size,
        "holdAvgPrice": entry,
        "holdAvgPriceFullyScale": format(entry, "f"),
        "openAvgPrice": entry,
        "openAvgPriceFullyScale": format(entry, "f"),
        "closeAvgPrice": _average(current.close_value, current.closed),
        "liquidatePrice": position.liquidation_price.quantize(tick),
        "oim": margin,
        "im": margin,
        "holdFee": _ZERO,
        "realised": current.realized - current.fees,
        "leverage": position.leverage,
        "createTime": current.opened_ms,
        "updateTime": position.updated_ms,
        "autoAddIm": False,
        "version": 1,
        "newOpenAvgPrice": entry,
        "newCloseAvgPrice": _average(current.close_value, current.closed),
        "closeProfitLoss": current.realized,
        "fee": -current.fees,
        "deductFeeList": [],
        "totalFee": current.fees,
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


def _history_row(account: Account, series: Series, episode: Episode) -> dict[str, Any]:
    instrument = series.instrument
    size = contract_size(instrument)
    position_id = zlib.crc32(f"{account.uid}:{instrument.id}:{episode.first_id}".encode())
    open_price = _average(episode.open_value, episode.opened)
    close_price = _average(episode.close_value, episode.closed)
    return {
        "positionId": position_id,
        "symbol": instrument.id,
        "positionType": 1 if episode.long else 2,
        "openType": 2,
        "state": 3,
        "holdVol": _ZERO,
        "frozenVol": _ZERO,
        "closeVol": episode.closed / size,
        "holdAvgPrice": open_price,
        "holdAvgPriceFullyScale": format(open_price, "f"),
        "openAvgPrice": open_price,
        "openAvgPriceFullyScale": format(open_price, "f"),
        "closeAvgPrice": close_price,
        "liquidatePrice": _ZERO,
        "oim": _ZERO,
        "im": _ZERO,
        "holdFee": _ZERO,
        "realised": episode.realized - episode.fees,
        "leverage": (3, 5, 10, 20)[position_id % 4],
        "createTime": episode.opened_ms,
        "updateTime": episode.closed_ms,
        "autoAddIm": False,
        "version": 1,
        "newOpenAvgPrice": open_price,
        "newCloseAvgPrice": close_price,
        "closeProfitLoss": episode.realized,
        "fee": -episode.fees,
        "positionShowStatus": "CLOSED",
        "deductFeeList": [],
        "totalFee": episode.fees,
    }


@contract_get(
    router,
    "/api/v1/private/position/list/history_positions",
    pool=contract_pool("history_positions", private=True),
    signed=True,
)
def history_positions(call: Call) -> Response:
    """Closed positions, newest first: the futures way to learn which symbols an account
    traded, since fills are only listed per symbol."""
    account = call.signed_account()
    wanted = call.params.get("symbol")
    kind = contract_int(call, "type")
    page_num = contract_int(call, "page_num") or 1
    page_size = contract_int(call, "page_size") or CONTRACT_DEFAULT_PAGE
    if page_num < 1 or not 1 <= page_size <= CONTRACT_MAX_PAGE or kind not in (None, 1, 2):
        raise refuse_contract(PARAM_ERROR)
    rows = [
        _history_row(account, series, episode)
        for series in account.series().values()
        if series.instrument.linear and (wanted is None or series.instrument.id == wanted)
        for episode in episodes(series)[0]
        if kind is None or episode.long == (kind == 1)
    ]
    rows.sort(key=lambda row: (row["updateTime"], row["positionId"]), reverse=True)
    return contract_ok(rows[(page_num - 1) * page_size : page_num * page_size])

"""USDⓈ-M (fapi) and COIN-M (dapi) accounts, balances, positions and leverage brackets.

Wallet balances come from the account's fills (realized PnL minus commissions on top of a
deposit); open positions are what those fills left open, valued at the current mark price.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.binance.catalog import COINM_HOST, INSTRUMENTS, USDM_HOST
from sync.simulator.exchanges.binance.common import fixed8, plain
from sync.simulator.holdings import INVERSE, LINEAR, OpenPosition
from sync.simulator.trades import decimal_units

router = Router()

MAINTENANCE_RATE = Decimal("0.005")
_ZERO = Decimal(0)


def _positions(account: Account, inverse: bool) -> list[OpenPosition]:
    return [item for item in account.holdings().positions if item.instrument.inverse == inverse]


def asset_rows(account: Account, inverse: bool) -> list[dict[str, Any]]:
    """One row per wallet asset with Binance's margin arithmetic."""
    holdings = account.holdings()
    wallet_name = INVERSE if inverse else LINEAR
    updated = holdings.last_update_ms.get(wallet_name, account.anchor_ms)
    positions = _positions(account, inverse)
    rows = []
    for asset, units in sorted(holdings.wallet(wallet_name).items()):
        mine = [item for item in positions if item.instrument.settle == asset]
        balance = decimal_units(units, 8)
        unrealized = sum((item.unrealized_pnl for item in mine), _ZERO)
        initial = sum((item.initial_margin for item in mine), _ZERO)
        maintenance = sum((abs(item.notional) * MAINTENANCE_RATE for item in mine), _ZERO)
        margin_balance = balance + unrealized
        available = max(margin_balance - initial, _ZERO)
        rows.append(
            {
                "asset": asset,
                "walletBalance": fixed8(balance),
                "unrealizedProfit": fixed8(unrealized),
                "marginBalance": fixed8(margin_balance),
                "maintMargin": fixed8(maintenance),
                "initialMargin": fixed8(initial),
                "positionInitialMargin": fixed8(initial),
                "openOrderInitialMargin": fixed8(_ZERO),
                "crossWalletBalance": fixed8(balance),
                "crossUnPnl": fixed8(unrealized),
                "availableBalance": fixed8(available),
                "maxWithdrawAmount": fixed8(min(available, balance)),
                "updateTime": updated,
            }
        )
    return rows


def account_totals(rows: list[dict[str, Any]], asset: str) -> dict[str, str]:
    """Account totals in the settle asset (USDT), as the v2/v3 account endpoints print them."""
    row = next((item for item in rows if item["asset"] == asset), None)
    fields = {
        "totalInitialMargin": "initialMargin",
        "totalMaintMargin": "maintMargin",
        "totalWalletBalance": "walletBalance",
        "totalUnrealizedProfit": "unrealizedProfit",
        "totalMarginBalance": "marginBalance",
        "totalPositionInitialMargin": "positionInitialMargin",
        "totalOpenOrderInitialMargin": "openOrderInitialMargin",
        "totalCrossWalletBalance": "crossWalletBalance",
        "totalCrossUnPnl": "crossUnPnl",
        "availableBalance": "availableBalance",
        "maxWithdrawAmount": "maxWithdrawAmount",
    }
    return {name: row[source] if row else fixed8(_ZERO) for name, source in fields.items()}


def _isolated_margin(position: OpenPosition) -> Decimal:
    return position.initial_margin + position.unrealized_pnl if position.isolated else _ZERO


def _usdm_position(position: OpenPosition) -> dict[str, Any]:
    """A USDⓈ-M position as ``/fapi/v3/positionRisk`` prints it (no leverage field in v3)."""
    instrument = position.instrument
    return {
        "symbol": instrument.id,
        "positionSide": "BOTH",
        "positionAmt": plain(position.amount),
        "entryPrice": plain(position.entry_price),
        "breakEvenPrice": plain(position.entry_price),
        "markPrice": fixed8(position.mark_price),
        "unRealizedProfit": fixed8(position.unrealized_pnl),
        "liquidationPrice": fixed8(position.liquidation_price),
        "isolatedMargin": fixed8(_isolated_margin(position)),
        "notional": fixed8(position.notional),
        "marginAsset": instrument.settle,
        "isolatedWallet": fixed8(position.initial_margin if position.isolated else _ZERO),
        "initialMargin": fixed8(position.initial_margin),
        "maintMargin": fixed8(abs(position.notional) * MAINTENANCE_RATE),
        "positionInitialMargin": fixed8(position.initial_margin),
        "openOrderInitialMargin": "0",
        "adl": 2,
        "bidNotional": "0",
        "askNotional": "0",
        "updateTime": position.updated_ms,
    }


def _with_leverage(row: dict[str, Any], position: OpenPosition) -> dict[str, Any]:
    """The v2 and COIN-M shape, which still carries leverage and margin type."""
    return {
        **row,
        "leverage": str(position.leverage),
        "marginType": "isolated" if position.isolated else "cross",
        "isAutoAddMargin": "false",
        "maxNotionalValue": "5000000",
    }


@router.get(USDM_HOST, "/fapi/v3/account", weight=5, pool="fapi", signed=True)
def usdm_account_v3(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    assets = asset_rows(account, inverse=False)
    positions = []
    for item in _positions(account, inverse=False):
        row = _usdm_position(item)
        positions.append(
            {
                "symbol": row["symbol"],
                "positionSide": "BOTH",
                "positionAmt": row["positionAmt"],
                "unrealizedProfit": row["unRealizedProfit"],
                "isolatedMargin": row["isolatedMargin"],
                "notional": row["notional"],
                "isolatedWallet": row["isolatedWallet"],
                "initialMargin": row["initialMargin"],
                "maintMargin": row["maintMargin"],
                "updateTime": row["updateTime"],
            }
        )
    return {**account_totals(assets, "USDT"), "assets": assets, "positions": positions}


@router.get(USDM_HOST, "/fapi/v2/account", weight=5, pool="fapi", signed=True)
def usdm_account_v2(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    assets = asset_rows(account, inverse=False)
    positions = [
        _with_leverage(_usdm_position(item), item) for item in _positions(account, inverse=False)
    ]
    return {
        "feeTier": 0,
        "feeBurn": True,
        "canTrade": account.can("futures"),
        "canDeposit": True,
        "canWithdraw": account.can("withdraw"),
        "updateTime": 0,
        "multiAssetsMargin": False,
        "tradeGroupId": -1,
        **account_totals(assets, "USDT"),
        "assets": assets,
        "positions": positions,
    }


@router.get(USDM_HOST, "/fapi/v3/balance", weight=5, pool="fapi", signed=True)
@router.get(USDM_HOST, "/fapi/v2/balance", weight=5, pool="fapi", signed=True)
def usdm_balance(call: Call) -> list[dict[str, Any]]:
    account = call.signed_account()
    return [
        {
            "accountAlias": f"Sim{account.uid}",
            "asset": row["asset"],
            "balance": row["walletBalance"],
            "crossWalletBalance": row["crossWalletBalance"],
            "crossUnPnl": row["crossUnPnl"],
            "availableBalance": row["availableBalance"],
            "maxWithdrawAmount": row["maxWithdrawAmount"],
            "marginAvailable": True,
            "updateTime": row["updateTime"],
        }
        for row in asset_rows(account, inverse=False)
    ]


def _filtered(call: Call, positions: list[OpenPosition]) -> list[OpenPosition]:
    symbol = call.params.get("symbol")
    return [item for item in positions if symbol is None or item.instrument.id == symbol]


@router.get(USDM_HOST, "/fapi/v3/positionRisk", weight=5, pool="fapi", signed=True)
def usdm_position_risk_v3(call: Call) -> list[dict[str, Any]]:
    positions = _filtered(call, _positions(call.signed_account(), inverse=False))
    return [_usdm_position(item) for item in positions]


@router.get(USDM_HOST, "/fapi/v2/positionRisk", weight=5, pool="fapi", signed=True)
def usdm_position_risk_v2(call: Call) -> list[dict[str, Any]]:
    positions = _filtered(call, _positions(call.signed_account(), inverse=False))
    return [_with_leverage(_usdm_position(item), item) for item in positions]


def _coinm_position(position: OpenPosition) -> dict[str, Any]:
    instrument = position.instrument
    return {
        "symbol": instrument.id,
        "positionAmt": plain(position.amount),
        "entryPrice": plain(position.entry_price),
        "breakEvenPrice": plain(position.entry_price),
        "markPrice": fixed8(position.mark_price),
        "unRealizedProfit": fixed8(position.unrealized_pnl),
        "liquidationPrice": fixed8(position.liquidation_price),
        "leverage": str(position.leverage),
        "maxQty": "100",
        "marginType": "isolated" if position.isolated else "cross",
        "isolatedMargin": fixed8(_isolated_margin(position)),
        "isAutoAddMargin": "false",
        "positionSide": "BOTH",
        "notionalValue": fixed8(position.notional),
        "isolatedWallet": fixed8(position.initial_margin if position.isolated else _ZERO),
        "updateTime": position.updated_ms,
    }


def _flat_coinm_position(market_id: str, mark: str) -> dict[str, Any]:
    """COIN-M lists every symbol, flat ones with zeros (ccxt drops those by entryPrice)."""
    return {
        "symbol": market_id,
        "positionAmt": "0",
        "entryPrice": "0.0",
        "breakEvenPrice": "0.0",
        "markPrice": mark,
        "unRealizedProfit": "0.00000000",
        "liquidationPrice": "0",
        "leverage": "20",
        "maxQty": "100",
        "marginType": "cross",
        "isolatedMargin": "0.00000000",
        "isAutoAddMargin": "false",
        "positionSide": "BOTH",
        "notionalValue": "0",
        "isolatedWallet": "0",
        "updateTime": 0,
    }


@router.get(COINM_HOST, "/dapi/v1/positionRisk", pool="dapi", signed=True)
def coinm_position_risk(call: Call) -> list[dict[str, Any]]:
    account = call.signed_account()
    open_by_id = {item.instrument.id: item for item in _positions(account, inverse=True)}
    pair = call.params.get("pair")
    rows = []
    for instrument in INSTRUMENTS:
        if not instrument.inverse or (pair and instrument.base + instrument.quote != pair):
            continue
        position = open_by_id.get(instrument.id)
        if position is not None:
            rows.append(_coinm_position(position))
        else:
            mark = account.oracle.price(instrument.base, instrument.quote, account.anchor_ms)
            rows.append(_flat_coinm_position(instrument.id, f"{mark:.8f}"))
    return rows


@router.get(COINM_HOST, "/dapi/v1/account", weight=5, pool="dapi", signed=True)
def coinm_account(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    positions = []
    for item in _positions(account, inverse=True):
        row = _coinm_position(item)
        positions.append(
            {
                "symbol": row["symbol"],
                "positionAmt": row["positionAmt"],
                "initialMargin": fixed8(item.initial_margin),
                "maintMargin": fixed8(abs(item.notional) * MAINTENANCE_RATE),
                "unrealizedProfit": row["unRealizedProfit"],
                "positionInitialMargin": fixed8(item.initial_margin),
                "openOrderInitialMargin": "0",
                "leverage": row["leverage"],
                "isolated": item.isolated,
                "positionSide": "BOTH",
                "entryPrice": row["entryPrice"],
                "breakEvenPrice": row["breakEvenPrice"],
                "maxQty": "100",
                "notionalValue": row["notionalValue"],
                "isolatedWallet": row["isolatedWallet"],
                "updateTime": row["updateTime"],
            }
        )
    return {
        "assets": asset_rows(account, inverse=True),
        "positions": positions,
        "canDeposit": True,
        "canTrade": account.can("futures"),
        "canWithdraw": account.can("withdraw"),
        "feeTier": 0,
        "updateTime": 0,
    }


@router.get(COINM_HOST, "/dapi/v1/balance", pool="dapi", signed=True)
def coinm_balance(call: Call) -> list[dict[str, Any]]:
    account = call.signed_account()
    return [
        {
            "accountAlias": f"Sim{account.uid}",
            "asset": row["asset"],
            "balance": row["walletBalance"],
            "withdrawAvailable": row["maxWithdrawAmount"],
            "crossWalletBalance": row["crossWalletBalance"],
            "crossUnPnl": row["crossUnPnl"],
            "availableBalance": row["availableBalance"],
            "updateTime": row["updateTime"],
        }
        for row in asset_rows(account, inverse=True)
    ]


# One maintenance tier per symbol keeps the arithmetic simple; the numbers are Binance's first
# tiers. Binance sends them as JSON numbers, and ccxt reads them through safe_string.
@router.get(USDM_HOST, "/fapi/v1/leverageBracket", pool="fapi", signed=True, needs_read=False)
def usdm_leverage_brackets(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "symbol": item.id,
            "notionalCoef": 1.0,
            "brackets": [
                {
                    "bracket": 1,
                    "initialLeverage": 125,
                    "notionalCap": 50000,
                    "notionalFloor": 0,
                    "maintMarginRatio": 0.004,
                    "cum": 0.0,
                },
                {
                    "bracket": 2,
                    "initialLeverage": 100,
                    "notionalCap": 600000,
                    "notionalFloor": 50000,
                    "maintMarginRatio": 0.005,
                    "cum": 50.0,
                },
            ],
        }
        for item in INSTRUMENTS
        if item.linear and (call.params.get("symbol") is None or call.params["symbol"] == item.id)
    ]


@router.get(COINM_HOST, "/dapi/v2/leverageBracket", pool="dapi", signed=True, needs_read=False)
def coinm_leverage_brackets(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "symbol": item.id,
            "notionalCoef": 1.0,
            "brackets": [
                {
                    "bracket": 1,
                    "initialLeverage": 125,
                    "qtyCap": 5,
                    "qtyFloor": 0,
                    "maintMarginRatio": 0.004,
                    "cum": 0.0,
                },
                {
                    "bracket": 2,
                    "initialLeverage": 100,
                    "qtyCap": 10,
                    "qtyFloor": 5,
                    "maintMarginRatio": 0.005,
                    "cum": 0.005,
                },
            ],
        }
        for item in INSTRUMENTS
        if item.inverse
    ]

"""USDT-M futures (the "mix" API): account equity, open positions, and copy-trading positions.

The futures wallet is a deposit plus the realized PnL minus the fees of every contract fill;
open positions are what those fills left open, valued at the current mark price. Bitget's
futures accounts run in one-way mode here (``posMode`` "one_way_mode").

Accounts that never opened futures, and accounts that follow no lead trader, answer as the
readings chosen say (``futures_not_opened``, ``copy_not_follower``): Bitget documents neither.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bitget.catalog import HOST, MARGIN_COINS, TAKER_FEE, USDT_FUTURES
from sync.simulator.exchanges.bitget.common import (
    fixed8,
    ok,
    optional_int,
    page_limit,
    plain,
    product_type,
    refuse,
    required,
)
from sync.simulator.holdings import LINEAR, OpenPosition
from sync.simulator.trades import decimal_units

router = Router()

MAINTENANCE_RATE = Decimal("0.004")
COPY_FOLLOWER_LABEL = "copy-follower"
_ZERO = Decimal(0)


def require_futures(call: Call) -> None:
    """Refuse a futures call of an account that never opened futures, if the reading says so.

    Bitget's documentation is silent on what the mix endpoints answer such an account. Reading
    "zero_rows" (the default): the futures account exists implicitly and answers zeros and
    empty lists, as it does for a funded account's unused margin coins. Reading
    "abnormal_account": a refusal with 40710 "Abnormal account status", the account-state code
    of ccxt's table (bitget.py ``exceptions``, ExchangeError).
    """
    account = call.signed_account()
    if account.has("futures"):
        return
    if call.exchange.reading("futures_not_opened") == "abnormal_account":
        raise refuse(call, "40710", "Abnormal account status")


def positions_of(account: Account, kind: str, margin_coin: str | None = None) -> list[OpenPosition]:
    if kind != USDT_FUTURES:
        return []
    return [
        item
        for item in account.holdings().positions
        if item.instrument.linear and margin_coin in (None, item.instrument.settle)
    ]


def _equity_row(account: Account, coin: str) -> dict[str, Any]:
    holdings = account.holdings()
    balance = decimal_units(holdings.wallet(LINEAR).get(coin, 0), 8)
    positions = positions_of(account, USDT_FUTURES, coin)
    crossed = [item for item in positions if not item.isolated]
    isolated = [item for item in positions if item.isolated]
    unrealized = sum((item.unrealized_pnl for item in positions), _ZERO)
    crossed_margin = sum((item.initial_margin for item in crossed), _ZERO)
    isolated_margin = sum((item.initial_margin for item in isolated), _ZERO)
    maintenance = sum((abs(item.notional) * MAINTENANCE_RATE for item in positions), _ZERO)
    equity = balance + unrealized
    free = max(equity - crossed_margin - isolated_margin, _ZERO)
    transferable = min(free, max(balance - crossed_margin - isolated_margin, _ZERO))
    btc_price = account.oracle.price("BTC", "USDT", account.anchor_ms)
    btc_equity = equity / Decimal(round(btc_price * 100)).scaleb(-2) if coin == "USDT" else _ZERO
    return {
        "marginCoin": coin,
        "locked": "0",
        "available": fixed8(max(balance - isolated_margin, _ZERO)),
        "crossedMaxAvailable": fixed8(free),
        "isolatedMaxAvailable": fixed8(free),
        "maxTransferOut": fixed8(transferable),
        "accountEquity": fixed8(equity),
        "usdtEquity": fixed8(equity),
        "btcEquity": fixed8(btc_equity),
        "crossedRiskRate": fixed8(maintenance / equity if equity > 0 else _ZERO),
        "unrealizedPL": fixed8(unrealized),
        "coupon": "0",
        "unionTotalMagin": fixed8(equity),
        "unionAvailable": fixed8(free),
        "unionMm": fixed8(maintenance),
        "assetList": [],
        "isolatedMargin": fixed8(isolated_margin),
        "crossedMargin": fixed8(crossed_margin),
        "crossedUnrealizedPL": fixed8(sum((item.unrealized_pnl for item in crossed), _ZERO)),
        "isolatedUnrealizedPL": fixed8(sum((item.unrealized_pnl for item in isolated), _ZERO)),
        "assetMode": "single",
    }


@router.get(HOST, "/api/v2/mix/account/accounts", pool="mix-accounts", signed=True)
def accounts(call: Call) -> dict[str, Any]:
    """One row per margin coin of the product type; coins never funded show zeros."""
    kind = product_type(call)
    require_futures(call)
    account = call.signed_account()
    coins = set(MARGIN_COINS.get(kind, ()))
    if kind == USDT_FUTURES:
        coins |= set(account.holdings().wallet(LINEAR))
    return ok(call, [_equity_row(account, coin) for coin in sorted(coins)])


def _position_row(position: OpenPosition, equity: Decimal) -> dict[str, Any]:
    instrument = position.instrument
    size = plain(abs(position.amount))
    maintenance = abs(position.notional) * MAINTENANCE_RATE
    return {
        "marginCoin": instrument.settle,
        "symbol": instrument.id,
        "holdSide": "long" if position.units > 0 else "short",
        "openDelegateSize": "0",
        "marginSize": fixed8(position.initial_margin),
        "available": size,
        "locked": "0",
        "total": size,
        "leverage": str(position.leverage),
        "achievedProfits": "0",
        "openPriceAvg": plain(position.entry_price),
        "marginMode": "isolated" if position.isolated else "crossed",
        "posMode": "one_way_mode",
        "unrealizedPL": fixed8(position.unrealized_pnl),
        "liquidationPrice": plain(position.liquidation_price.quantize(Decimal("1E-8"))),
        "keepMarginRate": plain(MAINTENANCE_RATE),
        "markPrice": plain(position.mark_price),
        "marginRatio": fixed8(maintenance / equity if equity > 0 else _ZERO),
        "breakEvenPrice": plain(position.entry_price),
        "totalFee": "0",
        "deductedFee": "0",
        "takeProfit": "",
        "stopLoss": "",
        "takeProfitId": "",
        "stopLossId": "",
        "autoMargin": "off",
        "assetMode": "single",
        "grant": "",
        "cTime": str(position.updated_ms),
        "uTime": str(position.updated_ms),
    }


@router.get(HOST, "/api/v2/mix/position/all-position", pool="all-position", signed=True)
def all_positions(call: Call) -> dict[str, Any]:
    kind = product_type(call)
    margin_coin = required(call, "marginCoin").upper()
    require_futures(call)
    account = call.signed_account()
    equity = Decimal(_equity_row(account, margin_coin)["accountEquity"])
    return ok(
        call,
        [_position_row(item, equity) for item in positions_of(account, kind, margin_coin)],
    )


def _tracking_row(account: Account, position: OpenPosition) -> dict[str, Any]:
    """A follower's open copy trade as Bitget lists it: what was opened, not marked to market."""
    series = account.series()[position.instrument.symbol]
    size = abs(position.amount)
    return {
        "trackingNo": str(10**15 + series.ids[-1]),
        "traderId": str(account.uid + 7_000_000_000),
        "traderName": "SimLeadTrader",
        "openOrderId": str(series.order_ids[-1]),
        "closeOrderId": "",
        "symbol": position.instrument.id,
        "posSide": "long" if position.units > 0 else "short",
        "openLeverage": str(position.leverage),
        "openPriceAvg": plain(position.entry_price),
        "openTime": str(position.updated_ms),
        "openSize": plain(size),
        "openFee": fixed8(-size * position.entry_price * Decimal(TAKER_FEE)),
        "openMarginSz": fixed8(size * position.entry_price / position.leverage),
        "closeAvgPrice": "0",
        "closeSize": "0",
        "closeTime": "0",
    }


@router.get(
    HOST, "/api/v2/copy/mix-follower/query-current-orders", pool="copy-current", signed=True
)
def copy_current_orders(call: Call) -> dict[str, Any]:
    """Open copy trades of a follower, newest tracking number first, paged by ``idLessThan``.

    The seeded "copy-follower" account follows a lead trader with all of its USDT-M
    positions, which therefore also appear in all-position; other accounts follow nobody.
    What Bitget answers someone who follows nobody is undocumented (audit "Could not verify").
    Reading "not_follower" (the default): the refusal Bitget gives a non-trader on the
    trader-side copy endpoints, 40017 "...Not currently a trader" (ccxt/ccxt#14533; the
    bitget-api SDK names 40017 ACCOUNT_NOT_COPY_TRADER, tiagosiebler/bitget-api
    src/constants/enum.ts), worded for a follower. Reading "empty": an empty list.
    """
    kind = product_type(call)
    account = call.signed_account()
    if (
        account.label != COPY_FOLLOWER_LABEL
        and call.exchange.reading("copy_not_follower") == "not_follower"
    ):
        raise refuse(
            call, "40017", "Parameter verification failed {0},User idNot currently a follower"
        )
    limit = page_limit(call, 20, 100)
    before = optional_int(call, "idLessThan")
    symbol = call.params.get("symbol")
    rows = []
    if account.label == COPY_FOLLOWER_LABEL:
        rows = [
            _tracking_row(account, item)
            for item in positions_of(account, kind)
            if symbol in (None, item.instrument.id)
        ]
    rows.sort(key=lambda row: int(row["trackingNo"]), reverse=True)
    if before is not None:
        rows = [row for row in rows if int(row["trackingNo"]) < before]
    page = rows[:limit]
    return ok(call, {"trackingList": page, "endId": page[-1]["trackingNo"] if page else None})

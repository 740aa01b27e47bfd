"""Kraken Futures: instruments, tickers, accounts and open positions.

Balances follow the account's futures fills: the ``flex`` (multi-collateral) account settles
the ``PF_`` linear perpetuals in USD, one ``fi_<pair>`` margin account per ``PI_`` inverse
perpetual holds its coin, and the ``cash`` account keeps what is not posted as collateral.
Kraken Futures prints numbers as JSON numbers, not strings.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kraken import catalog
from sync.simulator.exchanges.kraken.catalog import FUTURES_HOST, futures_currency
from sync.simulator.exchanges.kraken.common import iso_ms, json_number
from sync.simulator.holdings import INVERSE, LINEAR, OpenPosition
from sync.simulator.trades import decimal_units

router = Router()

MAINTENANCE_SHARE = Decimal("0.5")  # Kraken's maintenance margin is half the initial one
_EIGHT = Decimal("1E-8")
_ZERO = Decimal(0)


def number(value: Decimal) -> int | float:
    return json_number(value.quantize(_EIGHT, rounding=ROUND_HALF_UP).normalize())


def success(call: Call, **body: Any) -> dict[str, Any]:
    return {"result": "success", **body, "serverTime": iso_ms(call.now_ms)}


@router.get(FUTURES_HOST, "/derivatives/api/v3/instruments")
def instruments(call: Call) -> dict[str, Any]:
    return success(call, instruments=catalog.futures_instrument_rows())


def _mark(call: Call, contract: catalog.FuturesContract) -> Decimal:
    instrument = contract.instrument
    state = call.exchange.state
    price = state.oracle.price(instrument.base, instrument.quote, state.anchor_ms)
    return Decimal(round(price * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)


@router.get(FUTURES_HOST, "/derivatives/api/v3/tickers")
def tickers(call: Call) -> dict[str, Any]:
    rows = []
    for contract in catalog.FUTURES_CONTRACTS:
        instrument = contract.instrument
        mark = _mark(call, contract)
        tick = Decimal(contract.tick_size)
        base = "XBT" if instrument.base == "BTC" else instrument.base
        rows.append(
            {
                "tag": "perpetual",
                "pair": f"{base}:USD",
                "symbol": instrument.id,
                "markPrice": number(mark),
                "bid": number(mark - tick),
                "bidSize": 1,
                "ask": number(mark + tick),
                "askSize": 1,
                "vol24h": 1000,
                "volumeQuote": number(mark * 1000),
                "openInterest": 5000,
                "open24h": number(mark),
                "high24h": number(mark + 10 * tick),
                "low24h": number(mark - 10 * tick),
                "last": number(mark),
                "lastTime": iso_ms(call.now_ms - 1000),
                "lastSize": 1,
                "suspended": False,
                "fundingRate": 0.0000012,
                "fundingRatePrediction": 0.0000011,
                "indexPrice": number(mark),
                "postOnly": False,
                "change24h": 0,
            }
        )
    return success(call, tickers=rows)


def _positions(account: Account, inverse: bool) -> list[OpenPosition]:
    return [item for item in account.holdings().positions if item.instrument.inverse == inverse]


def _maintenance(position: OpenPosition) -> Decimal:
    return position.initial_margin * MAINTENANCE_SHARE


def _flex(account: Account) -> dict[str, Any]:
    wallet = account.holdings().wallet(LINEAR)
    positions = _positions(account, inverse=False)
    unrealized = sum((item.unrealized_pnl for item in positions), _ZERO)
    initial = sum((item.initial_margin for item in positions), _ZERO)
    maintenance = sum((_maintenance(item) for item in positions), _ZERO)
    currencies = {}
    total = _ZERO
    for code, units in sorted(wallet.items()):
        quantity = decimal_units(units, 8)
        total += quantity
        currencies[code] = {
            "quantity": number(quantity),
            "value": number(quantity),
            "collateral": number(quantity),
            "available": number(max(quantity - initial, _ZERO)),
        }
    portfolio = total + unrealized
    return {
        "currencies": currencies,
        "initialMargin": number(initial),
        "initialMarginWithOrders": number(initial),
        "maintenanceMargin": number(maintenance),
        "balanceValue": number(total),
        "portfolioValue": number(portfolio),
        "collateralValue": number(total),
        "pnl": number(unrealized),
        "unrealizedFunding": 0.0,
        "totalUnrealized": number(unrealized),
        "totalUnrealizedAsMargin": number(unrealized),
        "availableMargin": number(max(portfolio - initial, _ZERO)),
        "marginEquity": number(portfolio),
        "type": "multiCollateralMarginAccount",
    }


def _margin_account(account: Account, code: str) -> tuple[str, dict[str, Any]]:
    """The ``fi_<coin>usd`` account of one inverse perpetual, in its coin."""
    balance = decimal_units(account.holdings().wallet(INVERSE).get(code, 0), 8)
    positions = [item for item in _positions(account, inverse=True) if item.instrument.base == code]
    unrealized = sum((item.unrealized_pnl for item in positions), _ZERO)
    initial = sum((item.initial_margin for item in positions), _ZERO)
    maintenance = sum((_maintenance(item) for item in positions), _ZERO)
    portfolio = balance + unrealized
    currency = futures_currency(code)
    return f"fi_{currency}usd", {
        "auxiliary": {
            "usd": 0,
            "pv": number(portfolio),
            "pnl": number(unrealized),
            "af": number(max(portfolio - initial, _ZERO)),
            "funding": 0.0,
        },
        "marginRequirements": {
            "im": number(initial),
            "mm": number(maintenance),
            "lt": number(maintenance * Decimal("0.8")),
            "tt": number(maintenance * Decimal("0.5")),
        },
        "triggerEstimates": {"im": 0, "mm": 0, "lt": 0, "tt": 0},
        # "balances: The number of Futures or currency with symbol in the account"
        # (https://support.kraken.com/hc/en-us/articles/360022635792-Accounts): the open
        # contracts sit beside the coin, under the contract's symbol (audit P5).
        "balances": {
            currency: number(balance),
            **{item.instrument.id.lower(): number(item.amount) for item in positions},
        },
        "currency": currency,
        "type": "marginAccount",
    }


@router.get(FUTURES_HOST, "/derivatives/api/v3/accounts", weight=2, pool="derivatives", signed=True)
def accounts(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    holdings = account.holdings()
    body: dict[str, Any] = {
        "cash": {
            "balances": {
                futures_currency(code): number(decimal_units(units, 8))
                for code, units in sorted(holdings.funding.items())
            },
            "type": "cashAccount",
        }
    }
    for contract in catalog.FUTURES_CONTRACTS:
        if contract.instrument.inverse:
            name, row = _margin_account(account, contract.instrument.base)
            body[name] = row
    body["flex"] = _flex(account)
    return success(call, accounts=body)


@router.get(
    FUTURES_HOST, "/derivatives/api/v3/openpositions", weight=2, pool="derivatives", signed=True
)
def open_positions(call: Call) -> dict[str, Any]:
    """Kraken documents side, symbol, price, fillTime, size, unrealizedFunding, pnlCurrency
    and maxFixedLeverage (https://support.kraken.com/hc/en-us/articles/360022635832,
    docs.kraken.com "Get open positions"): no unrealized PnL (audit P1). ccxt's
    ``parse_position`` comments (krakenfutures.py L3139-3160) show rows with an
    ``unrealizedPnl`` too. The ``position_pnl`` reading answers either way: "absent" (the
    docs, by default) or "present"."""
    with_pnl = call.exchange.reading("position_pnl") == "present"
    rows = []
    for position in call.signed_account().holdings().positions:
        instrument = position.instrument
        row: dict[str, Any] = {
            "side": "long" if position.units > 0 else "short",
            "symbol": instrument.id,
            "price": number(position.entry_price),
            "fillTime": iso_ms(position.updated_ms),
            "size": number(abs(position.amount)),
            "unrealizedFunding": 0.0,
            "pnlCurrency": "USD" if instrument.linear else instrument.base.replace("BTC", "XBT"),
        }
        if with_pnl:
            row["unrealizedPnl"] = number(position.unrealized_pnl)
        if position.isolated:
            row["maxFixedLeverage"] = float(position.leverage)
        rows.append(row)
    return success(call, openPositions=rows)


@router.get(
    FUTURES_HOST,
    "/derivatives/api/v3/leveragepreferences",
    weight=2,
    pool="derivatives",
    signed=True,
)
def leverage_preferences(call: Call) -> dict[str, Any]:
    """Isolated positions keep a maximum leverage per contract; cross ones have none."""
    preferences = [
        {"symbol": item.instrument.id, "maxLeverage": float(item.leverage)}
        for item in call.signed_account().holdings().positions
        if item.isolated
    ]
    return success(call, leveragePreferences=preferences)

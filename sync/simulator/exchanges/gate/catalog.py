"""Gate's markets and currencies as its public endpoints list them.

Spot pairs are ``BTC_USDT``; USDT-settled perpetuals ``BTC_USDT`` with a ``quanto_multiplier``
(base coin per contract); the BTC-settled perpetual ``BTC_USD`` is inverse, one USD a contract
(Gate prints ``quanto_multiplier: "0"`` there and ccxt reads it as 1); delivery futures are
``BTC_USDT_20250328``, expiring on the last Friday of a quarter at 08:00 UTC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.gate.common import plain
from sync.simulator.instruments import (
    MARGIN_MODES,
    Instrument,
    inverse_perpetual,
    linear_perpetual,
    margin,
    spot,
)
from sync.simulator.prices import PriceOracle


@dataclass(frozen=True)
class Contract:
    """What Gate prints about a contract beyond the core instrument."""

    quanto: str  # "0" for the inverse BTC_USD, as Gate prints it
    leverage_max: int
    maintenance_rate: str
    order_size_max: int


SPOT_NAMES = {
    "BTC": "Bitcoin",
    "ETH": "Ethereum",
    "SOL": "Solana",
    "XRP": "Ripple",
    "DOGE": "Dogecoin",
    "USDT": "Tether",
    "GT": "GateToken",
}
# currency -> deposit/withdrawal chains, the first being the default
CHAINS = {
    "BTC": ("BTC",),
    "ETH": ("ETH", "ARBEVM"),
    "SOL": ("SOL",),
    "XRP": ("XRP",),
    "DOGE": ("DOGE",),
    "USDT": ("ETH", "TRX", "BSC", "SOL"),
    "GT": ("GTEVM",),
}

SPOT = (
    spot("BTC", "USDT", "BTC_USDT", 1, 6),
    spot("ETH", "USDT", "ETH_USDT", 2, 4),
    spot("SOL", "USDT", "SOL_USDT", 2, 4),
    spot("XRP", "USDT", "XRP_USDT", 4, 2),
    spot("DOGE", "USDT", "DOGE_USDT", 5, 2),
)
# Every pair trades on isolated margin (Gate's "margin" account) and cross margin
# ("cross_margin") too, on the same market: accounts name these books "BTC/USDT cross margin".
MARGIN_BOOKS = tuple(margin(item, mode) for mode in MARGIN_MODES for item in SPOT)
# The amount scale of each contract is its quanto multiplier, so a fill's amount in units is
# its size in contracts, which is what Gate prints.
PERPETUALS = (
    linear_perpetual("BTC", "USDT", "BTC_USDT", 1, 4),
    linear_perpetual("ETH", "USDT", "ETH_USDT", 2, 2),
    linear_perpetual("SOL", "USDT", "SOL_USDT", 2, 0),
    inverse_perpetual("BTC", "USD", "BTC_USD", 1, "1"),
)
CONTRACTS = {
    "BTC_USDT": Contract("0.0001", 125, "0.004", 1_000_000),
    "ETH_USDT": Contract("0.01", 100, "0.005", 1_000_000),
    "SOL_USDT": Contract("1", 50, "0.01", 500_000),
    "BTC_USD": Contract("0", 100, "0.005", 1_000_000),
}
DELIVERY_CONTRACT = Contract("0.0001", 100, "0.005", 1_000_000)
OPTION_UNDERLYINGS = {"BTC_USDT": 1000, "ETH_USDT": 100}  # underlying -> strike step


def quarterly_expiry(anchor_ms: int) -> datetime:
    """The first quarterly expiry (last Friday of Mar/Jun/Sep/Dec, 08:00 UTC) at least two
    weeks after ``anchor_ms``: the contract the simulated accounts trade."""
    earliest = datetime.fromtimestamp(anchor_ms / 1000, tz=UTC) + timedelta(days=14)
    year, month = earliest.year, earliest.month
    while True:
        if month % 3 == 0:
            last_day = calendar.monthrange(year, month)[1]
            day = datetime(year, month, last_day, 8, tzinfo=UTC)
            day -= timedelta(days=(day.weekday() - calendar.FRIDAY) % 7)
            if day >= earliest:
                return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def delivery_instrument(expiry: datetime) -> Instrument:
    return Instrument(
        f"BTC/USDT:USDT-{expiry:%y%m%d}",
        f"BTC_USDT_{expiry:%Y%m%d}",
        "future",
        "BTC",
        "USDT",
        1,
        4,
        settle="USDT",
    )


def contract_of(instrument: Instrument) -> Contract:
    return DELIVERY_CONTRACT if instrument.market_type == "future" else CONTRACTS[instrument.id]


def settle_id(instrument: Instrument) -> str:
    return (instrument.settle or instrument.quote).lower()


def mark_price(oracle: PriceOracle, instrument: Instrument, at_ms: int) -> Decimal:
    price = oracle.price(instrument.base, instrument.quote, at_ms)
    return Decimal(round(price * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)


def step(decimals: int) -> str:
    return plain(Decimal(1).scaleb(-decimals))


def currency_rows() -> list[dict[str, Any]]:
    return [
        {
            "currency": code,
            "name": name,
            "delisted": False,
            "withdraw_disabled": False,
            "withdraw_delayed": False,
            "deposit_disabled": False,
            "trade_disabled": False,
            "fixed_rate": "",
            "chain": CHAINS[code][0],
            "chains": [
                {
                    "name": chain,
                    "addr": "",
                    "withdraw_disabled": False,
                    "withdraw_delayed": False,
                    "deposit_disabled": False,
                }
                for chain in CHAINS[code]
            ],
        }
        for code, name in SPOT_NAMES.items()
    ]


def spot_pair_row(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "base": instrument.base,
        "base_name": SPOT_NAMES[instrument.base],
        "quote": instrument.quote,
        "quote_name": SPOT_NAMES[instrument.quote],
        "fee": "0.2",
        "min_base_amount": step(instrument.amount_decimals),
        "min_quote_amount": "3",
        "max_base_amount": "",
        "max_quote_amount": "5000000",
        "amount_precision": instrument.amount_decimals,
        "precision": instrument.price_decimals,
        "trade_status": "tradable",
        "sell_start": 1516406400,
        "buy_start": 1516406400,
        "delisting_time": 0,
        "type": "normal",
        "trade_url": f"https://www.gate.com/trade/{instrument.id}",
        "st_tag": False,
    }


def margin_pair_row(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "base": instrument.base,
        "quote": instrument.quote,
        "leverage": 10,
        "min_base_amount": step(instrument.amount_decimals),
        "min_quote_amount": "3",
        "max_quote_amount": "1000000",
        "status": 1,
    }


def _contract_common(instrument: Instrument, mark: Decimal) -> dict[str, Any]:
    contract = contract_of(instrument)
    return {
        "name": instrument.id,
        "type": "inverse" if instrument.inverse else "direct",
        "quanto_multiplier": contract.quanto,
        "leverage_min": "1",
        "leverage_max": str(contract.leverage_max),
        "maintenance_rate": contract.maintenance_rate,
        "mark_type": "index",
        "mark_price": plain(mark),
        "index_price": plain(mark),
        "last_price": plain(mark),
        "maker_fee_rate": "-0.0001",
        "taker_fee_rate": "0.00075",
        "order_price_round": step(instrument.price_decimals),
        "mark_price_round": step(instrument.price_decimals + 1),
        "risk_limit_base": "1000000",
        "risk_limit_step": "1000000",
        "risk_limit_max": "8000000",
        "order_size_min": 1,
        "order_size_max": contract.order_size_max,
        "order_price_deviate": "0.5",
        "ref_discount_rate": "0",
        "ref_rebate_rate": "0.2",
        "orderbook_id": 1_203_922_859,
        "trade_id": 10_376_084,
        "trade_size": 767_606_392,
        "position_size": 783_779,
        "config_change_time": 1_700_000_000,
        "in_delisting": False,
        "orders_limit": 100,
    }


def perpetual_row(instrument: Instrument, mark: Decimal) -> dict[str, Any]:
    return {
        **_contract_common(instrument, mark),
        "funding_rate": "0.0001",
        "funding_rate_indicative": "0.0001",
        "funding_interval": 28800,
        "funding_next_apply": 1_784_131_200,
        "funding_offset": 0,
        "funding_impact_value": "7000",
        "funding_cap_ratio": "1",
        "funding_rate_limit": "0.02",
        "interest_rate": "0.0003",
        "enable_bonus": True,
        "enable_credit": True,
        "enable_decimal": False,
        "cross_leverage_default": "10",
        "short_users": 157,
        "long_users": 191,
        "create_time": 1_560_000_000,
        "launch_time": 1_560_000_000,
        "voucher_leverage": "0",
        "is_pre_market": False,
        "status": "trading",
        "enable_circuit_breaker": False,
        "market_order_slip_ratio": "0.04",
        "market_order_size_max": "300000",
        "contract_type": "",
    }


def delivery_row(instrument: Instrument, mark: Decimal, expiry: datetime) -> dict[str, Any]:
    return {
        **_contract_common(instrument, mark),
        "underlying": f"{instrument.base}_{instrument.quote}",
        "cycle": "QUARTERLY",
        "basis_rate": "0",
        "basis_value": "0",
        "basis_impact_value": "100000",
        "settle_price": "0",
        "settle_price_interval": 60,
        "settle_price_duration": 1800,
        "settle_fee_rate": "0.0015",
        "expire_time": int(expiry.timestamp()),
    }


def option_expiry(now_ms: int) -> datetime:
    """Gate's weekly options expire on Fridays at 08:00 UTC; the next one at least a day out."""
    earliest = datetime.fromtimestamp(now_ms / 1000, tz=UTC) + timedelta(days=1)
    friday = earliest.replace(hour=8, minute=0, second=0, microsecond=0)
    friday += timedelta(days=(calendar.FRIDAY - friday.weekday()) % 7)
    return friday if friday >= earliest else friday + timedelta(days=7)


def option_rows(underlying: str, index: Decimal, now_ms: int) -> list[dict[str, Any]]:
    """Three strikes around the index, calls and puts, on the next weekly expiry."""
    strike_step = OPTION_UNDERLYINGS[underlying]
    expiry = option_expiry(now_ms)
    centre = round(index / strike_step) * strike_step
    rows = []
    for strike in (centre - strike_step, centre, centre + strike_step):
        for is_call in (True, False):
            intrinsic = max(index - strike if is_call else strike - index, Decimal(0))
            premium = plain((intrinsic + index * Decimal("0.01")).quantize(Decimal("0.1")))
            rows.append(
                {
                    "name": f"{underlying}-{expiry:%Y%m%d}-{strike}-{'C' if is_call else 'P'}",
                    "tag": "WEEK",
                    "create_time": int(expiry.timestamp()) - 14 * 86_400,
                    "expiration_time": int(expiry.timestamp()),
                    "is_call": is_call,
                    "strike_price": str(strike),
                    "underlying": underlying,
                    "underlying_price": plain(index),
                    "multiplier": "0.0001" if underlying.startswith("BTC") else "0.01",
                    "last_price": premium,
                    "mark_price": premium,
                    "index_price": plain(index),
                    "maker_fee_rate": "0.0003",
                    "taker_fee_rate": "0.0003",
                    "order_price_round": "0.1",
                    "mark_price_round": "0.1",
                    "order_size_min": 1,
                    "order_size_max": 100000,
                    "order_price_deviate": "0.9",
                    "ref_discount_rate": "0",
                    "ref_rebate_rate": "0",
                    "orderbook_id": 575967,
                    "trade_id": 727,
                    "trade_size": 1982,
                    "position_size": 4,
                    "orders_limit": 50,
                    "settle_fee_rate": "0.0001",
                    "price_limit_fee_rate": "0.1",
                    "position_limit": 1000000,
                }
            )
    return rows

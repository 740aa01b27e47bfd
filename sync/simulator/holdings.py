"""Balances and positions derived from an account's fills, so they always agree with them.

Every wallet starts with a deposit just large enough that its running balance never went
negative, plus a cushion; what is left is the deposit plus the effect of every fill.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sync.simulator.instruments import MONEY_DECIMALS, Instrument
from sync.simulator.prices import PriceOracle
from sync.simulator.trades import Series, option_premium, units_text

SPOT = "spot"
LINEAR = "linear"
INVERSE = "inverse"
OPTION = "option"
CROSS_MARGIN = "cross_margin"
ISOLATED_MARGIN = "isolated_margin"
_SCALE = 10**MONEY_DECIMALS


@dataclass(frozen=True)
class OpenPosition:
    instrument: Instrument
    units: int  # signed, in the instrument's amount units (contracts for inverse)
    entry_price: Decimal
    mark_price: Decimal
    leverage: int
    isolated: bool
    updated_ms: int

    @property
    def amount(self) -> Decimal:
        return Decimal(self.units).scaleb(-self.instrument.amount_decimals)

    @property
    def notional(self) -> Decimal:
        """Signed value at the mark: quote currency for linear, base coin for inverse."""
        if self.instrument.inverse:
            assert self.instrument.contract_size is not None
            return self.amount * self.instrument.contract_size / self.mark_price
        return self.amount * self.mark_price

    @property
    def unrealized_pnl(self) -> Decimal:
        if self.instrument.inverse:
            assert self.instrument.contract_size is not None
            per_contract = self.instrument.contract_size * (
                1 / self.entry_price - 1 / self.mark_price
            )
            return self.amount * per_contract
        return self.amount * (self.mark_price - self.entry_price)

    @property
    def initial_margin(self) -> Decimal:
        return abs(self.notional) / self.leverage

    @property
    def liquidation_price(self) -> Decimal:
        """Isolated-style estimate with a 0.5% maintenance margin rate."""
        maintenance = Decimal("0.005")
        step = 1 / Decimal(self.leverage) - maintenance
        factor = 1 - step if self.units > 0 else 1 + step
        return self.entry_price * factor


@dataclass
class Holdings:
    """Wallet balances in money units (8 decimals), by wallet then asset."""

    wallets: dict[str, dict[str, int]] = field(default_factory=dict)
    deposits: dict[str, dict[str, int]] = field(default_factory=dict)
    last_update_ms: dict[str, int] = field(default_factory=dict)
    positions: list[OpenPosition] = field(default_factory=list)
    funding: dict[str, int] = field(default_factory=dict)
    margin_free: dict[str, int] = field(default_factory=dict)
    margin_borrowed: dict[str, int] = field(default_factory=dict)
    earn_flexible: dict[str, int] = field(default_factory=dict)
    earn_locked: dict[str, int] = field(default_factory=dict)

    def wallet(self, name: str) -> dict[str, int]:
        return self.wallets.get(name, {})

    def describe(self) -> dict[str, Any]:
        """Ground truth of balances: per wallet and asset, the deposit and the balance now."""

        def text(units: int) -> str:
            return units_text(units, MONEY_DECIMALS)

        side_wallets = {
            "funding": self.funding,
            "margin": self.margin_free,
            "margin_borrowed": self.margin_borrowed,
            "earn_flexible": self.earn_flexible,
            "earn_locked": self.earn_locked,
        }
        return {
            "wallets": {
                wallet: {
                    asset: {"deposit": text(self.deposits[wallet][asset]), "balance": text(units)}
                    for asset, units in sorted(assets.items())
                }
                for wallet, assets in sorted(self.wallets.items())
            },
            **{
                name: {asset: text(units) for asset, units in sorted(assets.items())}
                for name, assets in side_wallets.items()
            },
            "positions": [
                {
                    "symbol": item.instrument.symbol,
                    "amount": format(item.amount, "f"),
                    "entry_price": format(item.entry_price, "f"),
                    "mark_price": format(item.mark_price, "f"),
                    "leverage": item.leverage,
                    "margin_mode": "isolated" if item.isolated else "cross",
                }
                for item in self.positions
            ],
        }


def isolated_wallet(symbol: str) -> str:
    """Isolated margin is one account per pair: "isolated_margin:ETH/USDT"."""
    return f"{ISOLATED_MARGIN}:{symbol}"


def wallet_of(instrument: Instrument) -> str:
    if instrument.margin_mode == "cross":
        return CROSS_MARGIN
    if instrument.margin_mode == "isolated":
        return isolated_wallet(instrument.symbol)
    if instrument.option:
        return OPTION
    if not instrument.contract:
        return SPOT
    return INVERSE if instrument.inverse else LINEAR


def _events(series: Series) -> Iterator[tuple[int, str, str, int]]:
    """(timestamp, wallet, asset, delta) for every balance change a fill causes."""
    instrument = series.instrument
    wallet = wallet_of(instrument)
    amount_scale = 10 ** (MONEY_DECIMALS - instrument.amount_decimals)
    for index in range(len(series)):
        timestamp = series.timestamps[index]
        sell = series.flags[index] & 1
        if instrument.option:
            # the premium changes hands at the fill; the PnL a close realises is its sum
            settle = instrument.settle or instrument.quote
            cost = series.costs[index]
            yield timestamp, wallet, settle, cost if sell else -cost
        elif instrument.contract:
            settle = instrument.settle or instrument.quote
            yield timestamp, wallet, settle, series.pnls[index]
        else:
            amount = series.amounts[index] * amount_scale
            cost = series.costs[index]
            yield timestamp, wallet, instrument.base, -amount if sell else amount
            yield timestamp, wallet, instrument.quote, cost if sell else -cost
        fee_asset = series.fee_assets[series.fee_asset_index[index]]
        yield timestamp, wallet, fee_asset, -series.fees[index]


def _usd_units(
    rng: random.Random, oracle: PriceOracle, asset: str, at_ms: int, low: float, high: float
) -> int:
    """A random amount worth between ``low`` and ``high`` dollars, in money units."""
    value = rng.uniform(low, high) / oracle.usd(asset, at_ms)
    return int(value * _SCALE) // 10_000 * 10_000  # keep 4 decimals, like a human deposit


def derive_holdings(
    series: Iterable[Series],
    oracle: PriceOracle,
    seed_key: str,
    anchor_ms: int,
    discount_asset: str | None,
) -> Holdings:
    rng = random.Random(f"{seed_key}:holdings")
    all_series = list(series)
    running: dict[tuple[str, str], int] = {}
    lowest: dict[tuple[str, str], int] = {}
    holdings = Holdings()
    for timestamp, wallet, asset, delta in heapq.merge(
        *(_events(item) for item in all_series), key=lambda event: event[0]
    ):
        key = (wallet, asset)
        balance = running.get(key, 0) + delta
        running[key] = balance
        if balance < lowest.get(key, 0):
            lowest[key] = balance
        holdings.last_update_ms[wallet] = timestamp
    for (wallet, asset), balance in sorted(running.items()):
        # futures wallets also carry the margin of positions worth up to $80k
        futures = wallet in (LINEAR, INVERSE) and asset != discount_asset
        low, high = (20_000, 40_000) if futures else (100, 2_500)
        deposit = -lowest.get((wallet, asset), 0) + _usd_units(
            rng, oracle, asset, anchor_ms, low, high
        )
        holdings.deposits.setdefault(wallet, {})[asset] = deposit
        holdings.wallets.setdefault(wallet, {})[asset] = deposit + balance
    for item in all_series:
        if item.position_units and item.entry_price is not None:
            holdings.positions.append(_open_position(item, oracle, anchor_ms, rng))
    _add_side_wallets(holdings, rng, oracle, anchor_ms, discount_asset)
    return holdings


def _open_position(
    series: Series, oracle: PriceOracle, anchor_ms: int, rng: random.Random
) -> OpenPosition:
    instrument = series.instrument
    if instrument.option:
        mark = option_premium(instrument, oracle, anchor_ms)
    else:
        mark = oracle.price(instrument.base, instrument.quote, anchor_ms)
    mark_units = max(1, round(mark * 10**instrument.price_decimals))
    assert series.entry_price is not None
    return OpenPosition(
        instrument=instrument,
        units=series.position_units,
        entry_price=series.entry_price.quantize(Decimal(1).scaleb(-MONEY_DECIMALS)),
        mark_price=Decimal(mark_units).scaleb(-instrument.price_decimals),
        leverage=rng.choice((3, 5, 10, 20)),
        isolated=rng.random() < 0.2,
        updated_ms=series.timestamps[-1],
    )


def _add_side_wallets(
    holdings: Holdings,
    rng: random.Random,
    oracle: PriceOracle,
    anchor_ms: int,
    discount_asset: str | None,
) -> None:
    """Funding, margin and earn wallets: not touched by trades, seeded per account."""
    holdings.funding["USDT"] = _usd_units(rng, oracle, "USDT", anchor_ms, 50, 3_000)
    holdings.margin_free["USDT"] = _usd_units(rng, oracle, "USDT", anchor_ms, 100, 2_000)
    holdings.margin_free["BTC"] = _usd_units(rng, oracle, "BTC", anchor_ms, 200, 1_500)
    holdings.margin_borrowed["BTC"] = _usd_units(rng, oracle, "BTC", anchor_ms, 50, 150)
    holdings.earn_flexible["USDT"] = _usd_units(rng, oracle, "USDT", anchor_ms, 500, 10_000)
    holdings.earn_locked["ETH"] = _usd_units(rng, oracle, "ETH", anchor_ms, 300, 4_000)
    if discount_asset is not None:
        holdings.funding[discount_asset] = _usd_units(rng, oracle, discount_asset, anchor_ms, 5, 60)
        holdings.earn_flexible[discount_asset] = _usd_units(
            rng, oracle, discount_asset, anchor_ms, 100, 900
        )

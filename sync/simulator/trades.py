"""Trade histories: generated lazily per account and instrument, stored as compact columns.

An account may hold 100,000 fills over 18 months, so a series keeps integers in ``array``
columns sorted by (timestamp, id) and answers windows and cursors with ``bisect``. Every value
is an integer at a known scale (price, amount: the instrument's decimals; cost, fee, PnL: 8),
which makes the ground truth Decimal-exact.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sync.simulator.instruments import MONEY_DECIMALS, Instrument
from sync.simulator.prices import YEAR_MS, PriceOracle, black_scholes

_MONEY = Decimal(1).scaleb(-MONEY_DECIMALS)
_SELL = 1
_MAKER = 2
# A forced tie every 100 fills puts two fills with the same timestamp on both sides of every
# page boundary of the usual page sizes (100, 500, 1000): a client that resumes from
# "last timestamp + 1" loses a fill, one that resumes from the last id does not.
TIE_EVERY = 100


def decimal_units(units: int, decimals: int) -> Decimal:
    return Decimal(units).scaleb(-decimals)


def units_text(units: int, decimals: int, places: int | None = None) -> str:
    """Exact decimal text of an integer at a scale, optionally padded to ``places`` decimals."""
    value = decimal_units(units, decimals)
    return format(value, "f" if places is None else f".{places}f")


@dataclass(frozen=True)
class FeePolicy:
    """How an exchange charges fees; the generator follows it for every fill."""

    spot_maker: Decimal = Decimal("0.001")
    spot_taker: Decimal = Decimal("0.001")
    contract_maker: Decimal = Decimal("0.0002")
    contract_taker: Decimal = Decimal("0.0005")
    # options: a rate of the underlying's value, capped at a share of the premium
    option_maker: Decimal = Decimal("0.0002")
    option_taker: Decimal = Decimal("0.0003")
    option_fee_cap: Decimal = Decimal("0.125")
    spot_fee_asset: str = "received"  # "received" (Binance, OKX) or "quote" (Kraken, Coinbase)
    discount_asset: str | None = None  # BNB on Binance, paid at a discount when enabled
    discount_factor: Decimal = Decimal("0.75")
    discount_share: float = 0.0  # share of orders that pay in the discount asset


class Fill(NamedTuple):
    instrument: Instrument
    id: int
    order_id: int
    timestamp: int
    side: str
    maker: bool
    price: Decimal
    amount: Decimal
    cost: Decimal
    fee: Decimal
    fee_currency: str
    realized_pnl: Decimal | None

    def ground_truth(self) -> dict:
        truth = {
            "symbol": self.instrument.symbol,
            "market_type": self.instrument.market_type,
            "id": str(self.id),
            "order_id": str(self.order_id),
            "timestamp": self.timestamp,
            "side": self.side,
            "price": format(self.price, "f"),
            "amount": format(self.amount, "f"),
            "cost": format(self.cost, "f"),
            "fee": format(self.fee, "f"),
            "fee_currency": self.fee_currency,
            "taker_or_maker": "maker" if self.maker else "taker",
            "realized_pnl": None if self.realized_pnl is None else format(self.realized_pnl, "f"),
        }
        if self.instrument.margin_mode is not None:
            truth["margin_mode"] = self.instrument.margin_mode
        return truth


class Series:
    """All fills of one account on one instrument, sorted by (timestamp, id)."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.timestamps = array("q")
        self.ids = array("q")
        self.order_ids = array("q")
        self.prices = array("q")
        self.amounts = array("q")
        self.costs = array("q")
        self.fees = array("q")
        self.pnls = array("q")
        self.flags = bytearray()
        self.fee_asset_index = bytearray()
        self.fee_assets: list[str] = []
        # the open position left by the fills (contracts only), in amount units, signed
        self.position_units = 0
        self.entry_price: Decimal | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def fill(self, index: int) -> Fill:
        instrument = self.instrument
        flags = self.flags[index]
        return Fill(
            instrument=instrument,
            id=self.ids[index],
            order_id=self.order_ids[index],
            timestamp=self.timestamps[index],
            side="sell" if flags & _SELL else "buy",
            maker=bool(flags & _MAKER),
            price=decimal_units(self.prices[index], instrument.price_decimals),
            amount=decimal_units(self.amounts[index], instrument.amount_decimals),
            cost=decimal_units(self.costs[index], MONEY_DECIMALS),
            fee=decimal_units(self.fees[index], MONEY_DECIMALS),
            fee_currency=self.fee_assets[self.fee_asset_index[index]],
            realized_pnl=(
                decimal_units(self.pnls[index], MONEY_DECIMALS) if instrument.contract else None
            ),
        )

    def fills(self, start: int = 0, stop: int | None = None) -> list[Fill]:
        stop = len(self) if stop is None else min(stop, len(self))
        return [self.fill(index) for index in range(max(start, 0), stop)]

    def extend(self, later: Series, *, same_order: bool = False) -> None:
        """Append ``later``'s fills (all after ours) with ids and order ids renumbered to go
        on growing from ours, as an exchange's would; the open position carries over. With
        ``same_order`` its first order is our last one, which rested on the book and fills
        again (order ids still never fall along the series)."""
        if not later.ids:
            return
        id_shift = (self.ids[-1] + 1 - later.ids[0]) if self.ids else 0
        next_order = 0 if same_order else 1
        order_shift = (
            (self.order_ids[-1] + next_order - later.order_ids[0]) if self.order_ids else 0
        )
        self.timestamps.extend(later.timestamps)
        self.ids.extend(value + id_shift for value in later.ids)
        self.order_ids.extend(value + order_shift for value in later.order_ids)
        self.prices.extend(later.prices)
        self.amounts.extend(later.amounts)
        self.costs.extend(later.costs)
        self.fees.extend(later.fees)
        self.pnls.extend(later.pnls)
        self.flags.extend(later.flags)
        self.fee_asset_index.extend(
            self._fee_asset(later.fee_assets[index]) for index in later.fee_asset_index
        )
        self.position_units += later.position_units
        self.entry_price = later.entry_price or self.entry_price

    def index_from_time(self, timestamp_ms: int) -> int:
        """Index of the first fill at or after ``timestamp_ms``."""
        return bisect_left(self.timestamps, timestamp_ms)

    def index_after_time(self, timestamp_ms: int) -> int:
        """Index of the first fill strictly after ``timestamp_ms``."""
        return bisect_right(self.timestamps, timestamp_ms)

    def index_from_order(self, order_id: int) -> int:
        """Index of the first fill of order ``order_id`` or a later order (ids grow with time)."""
        return bisect_left(self.order_ids, order_id)

    def index_from_id(self, trade_id: int) -> int:
        """Index of the first fill whose id is ``trade_id`` or larger (ids grow with time)."""
        return bisect_left(self.ids, trade_id)

    def _fee_asset(self, asset: str) -> int:
        if asset not in self.fee_assets:
            self.fee_assets.append(asset)
        return self.fee_assets.index(asset)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` units in ``parts`` positive pieces (partial fills of one order)."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    edges = [0, *cuts, total]
    return [edges[i + 1] - edges[i] for i in range(parts)]


class _Position:
    """Running position on a contract, for realized PnL and the final entry price."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.units = 0
        self.entry: Decimal | None = None

    def _pnl(self, closed: Decimal, price: Decimal, long: bool) -> Decimal:
        assert self.entry is not None
        if self.instrument.inverse:
            size = self.instrument.contract_size
            assert size is not None
            per_unit = size * (1 / self.entry - 1 / price)
        else:
            per_unit = price - self.entry
        return closed * per_unit if long else -closed * per_unit

    def _enter(self, held: Decimal, added: Decimal, price: Decimal) -> Decimal:
        if self.entry is None or held == 0:
            return price
        if self.instrument.inverse:
            return (held + added) / (held / self.entry + added / price)
        return (self.entry * held + price * added) / (held + added)

    def apply(self, signed_units: int, price: Decimal) -> Decimal:
        """Book a fill; returns the realized PnL (settle currency, 8 decimals)."""
        decimals = self.instrument.amount_decimals
        realized = Decimal(0)
        if self.units == 0 or (self.units > 0) == (signed_units > 0):
            self.entry = self._enter(
                decimal_units(abs(self.units), decimals),
                decimal_units(abs(signed_units), decimals),
                price,
            )
            self.units += signed_units
        else:
            closed = min(abs(signed_units), abs(self.units))
            realized = self._pnl(decimal_units(closed, decimals), price, self.units > 0)
            remainder = abs(signed_units) - closed
            self.units += signed_units
            if self.units == 0:
                self.entry = None
            elif remainder:
                self.entry = price
        return realized.quantize(_MONEY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GenerationPlan:
    instrument: Instrument
    count: int
    start_ms: int
    end_ms: int
    seed_key: str


def generate_series(plan: GenerationPlan, oracle: PriceOracle, fees: FeePolicy) -> Series:
    """Fills for one instrument: orders of 1-4 partial fills, sharing order id and timestamp."""
    instrument = plan.instrument
    rng = random.Random(plan.seed_key)
    series = Series(instrument)
    sizes: list[int] = []
    remaining = plan.count
    while remaining > 0:
        parts = 1 if rng.random() < 0.6 else rng.randint(2, 4)
        sizes.append(min(parts, remaining))
        remaining -= sizes[-1]
    times = sorted(rng.randint(plan.start_ms, plan.end_ms) for _ in sizes)
    position = _Position(instrument) if instrument.contract else None
    trade_id = rng.randint(10_000_000, 900_000_000)
    order_id = rng.randint(1_000_000_000, 9_000_000_000)
    price_step = 10**instrument.price_decimals
    amount_step = 10**instrument.amount_decimals
    random_unit = rng.random
    index = 0
    for timestamp, parts in zip(times, sizes, strict=True):
        # ids are per market and shared with every other user, hence the gaps
        order_id += 1 + int(random_unit() * 40_000)
        trade_id += 1 + int(random_unit() * 4000)
        mid = oracle.price(instrument.base, instrument.quote, timestamp)
        if instrument.option:
            # option quotes are wide: a few percent around the model's value
            premium = option_premium(instrument, oracle, timestamp) * (1 + rng.gauss(0, 0.02))
            price_units = max(1, round(premium * price_step))
        else:
            price_units = max(1, round(mid * (1 + rng.gauss(0, 0.0015)) * price_step))
        notional_usd = min(max(math.exp(rng.gauss(math.log(600), 1.0)), 15.0), 60_000.0)
        quote_usd = oracle.usd(instrument.quote, timestamp)
        if instrument.inverse:
            assert instrument.contract_size is not None
            total_units = max(parts, round(notional_usd / float(instrument.contract_size)))
        else:
            total_units = max(parts, round(notional_usd / quote_usd / mid * amount_step))
        side_sell = _choose_side(instrument, position, total_units, mid, amount_step, rng)
        maker = rng.random() < 0.4
        discount_usd = None
        if fees.discount_asset is not None and rng.random() < fees.discount_share:
            discount_usd = oracle.usd(fees.discount_asset, timestamp)
        flags = (_SELL if side_sell else 0) | (_MAKER if maker else 0)
        for part, part_units in enumerate(_split(total_units, parts, rng)):
            if index and index % TIE_EVERY == 0:
                timestamp = series.timestamps[-1]
            if part:
                trade_id += 1 + int(random_unit() * 3)
            cost_units = _cost_units(instrument, price_units, part_units)
            if instrument.option:
                fee_units = _option_fee(
                    instrument, fees, maker, part_units, cost_units, oracle, timestamp
                )
                fee_asset = instrument.settle or instrument.quote
            else:
                fee_units, fee_asset = _fee(
                    instrument,
                    fees,
                    side_sell,
                    maker,
                    part_units,
                    cost_units,
                    quote_usd,
                    discount_usd,
                )
            pnl_units = 0
            if position is not None:
                price = decimal_units(price_units, instrument.price_decimals)
                pnl = position.apply(-part_units if side_sell else part_units, price)
                pnl_units = int(pnl.scaleb(MONEY_DECIMALS))
            series.timestamps.append(timestamp)
            series.ids.append(trade_id)
            series.order_ids.append(order_id)
            series.prices.append(price_units)
            series.amounts.append(part_units)
            series.costs.append(cost_units)
            series.fees.append(fee_units)
            series.pnls.append(pnl_units)
            series.flags.append(flags)
            series.fee_asset_index.append(series._fee_asset(fee_asset))
            # a taker sweeping the book prints each further fill a tick or two worse
            price_units = max(1, price_units + (-1 if side_sell else 1) * int(random_unit() * 3))
            index += 1
    if position is not None:
        series.position_units = position.units
        series.entry_price = position.entry
    return series


def _choose_side(
    instrument: Instrument,
    position: _Position | None,
    units: int,
    mid: float,
    amount_step: int,
    rng: random.Random,
) -> bool:
    """True for a sell. Contracts keep their position under about $80k of exposure."""
    if position is not None:
        if instrument.inverse:
            assert instrument.contract_size is not None
            cap = 80_000 / float(instrument.contract_size)
        else:
            cap = 80_000 / mid * amount_step
        if position.units + units > cap:
            return True
        if position.units - units < -cap:
            return False
    return rng.random() < 0.5


def _cost_units(instrument: Instrument, price_units: int, amount_units: int) -> int:
    if instrument.inverse:
        # value in the base coin, truncated to 8 decimals as Binance prints baseQty
        assert instrument.contract_size is not None
        value = (
            Decimal(amount_units)
            * instrument.contract_size
            / decimal_units(price_units, instrument.price_decimals)
        )
        return int(value.quantize(_MONEY, rounding=ROUND_DOWN).scaleb(MONEY_DECIMALS))
    scale = MONEY_DECIMALS - instrument.price_decimals - instrument.amount_decimals
    return price_units * amount_units * 10**scale


def option_premium(instrument: Instrument, oracle: PriceOracle, timestamp_ms: int) -> float:
    """An option's model value at ``timestamp_ms``, in its settle currency per unit of the
    underlying: Black-Scholes on the oracle's price and volatility of the underlying."""
    assert instrument.strike is not None and instrument.expiry_ms is not None
    quote_usd = oracle.usd(instrument.quote, timestamp_ms)
    value = black_scholes(
        oracle.usd(instrument.base, timestamp_ms) / quote_usd,
        float(instrument.strike),
        (instrument.expiry_ms - timestamp_ms) / YEAR_MS,
        oracle.volatility(instrument.base),
        instrument.option_type == "call",
    )
    return value * quote_usd / oracle.usd(instrument.settle or instrument.quote, timestamp_ms)


def _option_fee(
    instrument: Instrument,
    fees: FeePolicy,
    maker: bool,
    amount_units: int,
    cost_units: int,
    oracle: PriceOracle,
    timestamp_ms: int,
) -> int:
    """A rate of the underlying's value in the settle currency, at most ``option_fee_cap`` of
    the premium paid: how OKX, Bybit and Binance charge option fills."""
    rate = fees.option_maker if maker else fees.option_taker
    underlying = Decimal(amount_units * 10 ** (MONEY_DECIMALS - instrument.amount_decimals))
    settle = instrument.settle or instrument.quote
    if settle != instrument.base:
        underlying *= Decimal(repr(oracle.price(instrument.base, settle, timestamp_ms)))
    return min(_round_units(underlying * rate), _round_units(cost_units * fees.option_fee_cap))


def _round_units(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _fee(
    instrument: Instrument,
    fees: FeePolicy,
    side_sell: bool,
    maker: bool,
    amount_units: int,
    cost_units: int,
    quote_usd: float,
    discount_usd: float | None,
) -> tuple[int, str]:
    """Fee in money units and its currency; ``discount_usd`` set means paid in the discount
    asset (BNB), at its price then."""
    if instrument.contract:
        rate = fees.contract_maker if maker else fees.contract_taker
    else:
        rate = fees.spot_maker if maker else fees.spot_taker
    if discount_usd is not None and fees.discount_asset is not None and not instrument.inverse:
        discounted = cost_units * quote_usd * float(rate * fees.discount_factor) / discount_usd
        return round(discounted), fees.discount_asset
    if instrument.contract:
        return _round_units(Decimal(cost_units) * rate), instrument.settle or instrument.quote
    if fees.spot_fee_asset == "received" and not side_sell:
        base_units = amount_units * 10 ** (MONEY_DECIMALS - instrument.amount_decimals)
        return _round_units(Decimal(base_units) * rate), instrument.base
    return _round_units(Decimal(cost_units) * rate), instrument.quote

"""Markets an exchange module offers, described once so the core can generate trades on them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Quantities are kept as integers at a fixed scale; 8 decimals is what every exchange of the
# nine prints for balances, fees and PnL.
MONEY_DECIMALS = 8

MARKET_TYPES = ("spot", "swap", "future")


@dataclass(frozen=True)
class Instrument:
    """One tradable market: a spot pair, a linear perpetual or an inverse (coin-margined) one."""

    symbol: str  # unified ccxt symbol: BTC/USDT, BTC/USDT:USDT, BTC/USD:BTC
    id: str  # the exchange's own market id: BTCUSDT, BTCUSD_PERP
    market_type: str
    base: str
    quote: str
    price_decimals: int
    amount_decimals: int
    settle: str | None = None
    contract_size: Decimal | None = None  # quote units per contract, inverse contracts only

    def __post_init__(self) -> None:
        if self.market_type not in MARKET_TYPES:
            raise ValueError(f"unknown market type {self.market_type!r}")
        if not self.inverse and self.price_decimals + self.amount_decimals > MONEY_DECIMALS:
            # price x amount must stay exact at the money scale
            raise ValueError(f"{self.symbol}: price and amount decimals exceed {MONEY_DECIMALS}")

    @property
    def contract(self) -> bool:
        return self.market_type != "spot"

    @property
    def inverse(self) -> bool:
        return self.contract_size is not None

    @property
    def linear(self) -> bool:
        return self.contract and not self.inverse


def spot(
    base: str, quote: str, market_id: str, price_decimals: int, amount_decimals: int
) -> Instrument:
    return Instrument(
        f"{base}/{quote}", market_id, "spot", base, quote, price_decimals, amount_decimals
    )


def linear_perpetual(
    base: str, quote: str, market_id: str, price_decimals: int, amount_decimals: int
) -> Instrument:
    return Instrument(
        f"{base}/{quote}:{quote}",
        market_id,
        "swap",
        base,
        quote,
        price_decimals,
        amount_decimals,
        settle=quote,
    )


def inverse_perpetual(
    base: str, quote: str, market_id: str, price_decimals: int, contract_size: str
) -> Instrument:
    return Instrument(
        f"{base}/{quote}:{base}",
        market_id,
        "swap",
        base,
        quote,
        price_decimals,
        0,
        settle=base,
        contract_size=Decimal(contract_size),
    )

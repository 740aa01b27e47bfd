"""Markets an exchange module offers, described once so the core can generate trades on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

# Quantities are kept as integers at a fixed scale; 8 decimals is what every exchange of the
# nine prints for balances, fees and PnL.
MONEY_DECIMALS = 8

MARKET_TYPES = ("spot", "margin", "swap", "future", "option")
CONTRACT_TYPES = ("swap", "future", "option")
MARGIN_MODES = ("cross", "isolated")
OPTION_TYPES = ("call", "put")


@dataclass(frozen=True)
class Instrument:
    """One tradable market: a spot pair (or its margin book), a linear or inverse perpetual, a
    delivery future, or an option."""

    symbol: str  # unified ccxt symbol: BTC/USDT, BTC/USDT:USDT, BTC/USD:BTC-250328-90000-C
    id: str  # the exchange's own market id: BTCUSDT, BTCUSD_PERP
    market_type: str
    base: str
    quote: str
    price_decimals: int
    amount_decimals: int
    settle: str | None = None
    contract_size: Decimal | None = None  # quote units per contract, inverse contracts only
    margin_mode: str | None = None  # "cross" or "isolated", margin books only
    # options: amounts count the underlying (base) coin, ``multiplier`` of it per contract;
    # prices are the premium in the settle currency per unit of the underlying
    strike: Decimal | None = None
    expiry_ms: int | None = None
    option_type: str | None = None
    multiplier: Decimal | None = None

    def __post_init__(self) -> None:
        if self.market_type not in MARKET_TYPES:
            raise ValueError(f"unknown market type {self.market_type!r}")
        if (self.market_type == "margin") != (self.margin_mode in MARGIN_MODES):
            raise ValueError(f"{self.symbol}: a margin book needs a margin mode, only it")
        if self.option and (
            self.strike is None
            or self.expiry_ms is None
            or self.option_type not in OPTION_TYPES
            or self.multiplier is None
        ):
            raise ValueError(f"{self.symbol}: an option needs strike, expiry, type, multiplier")
        if not self.inverse and self.price_decimals + self.amount_decimals > MONEY_DECIMALS:
            # price x amount must stay exact at the money scale
            raise ValueError(f"{self.symbol}: price and amount decimals exceed {MONEY_DECIMALS}")

    @property
    def key(self) -> str:
        """The instrument's name in an account's trades: its symbol, except that a margin
        book shares its pair's symbol and is named "BTC/USDT cross margin"."""
        if self.margin_mode is None:
            return self.symbol
        return f"{self.symbol} {self.margin_mode} margin"

    @property
    def contract(self) -> bool:
        return self.market_type in CONTRACT_TYPES

    @property
    def option(self) -> bool:
        return self.market_type == "option"

    @property
    def inverse(self) -> bool:
        return self.contract_size is not None

    @property
    def linear(self) -> bool:
        return self.contract and not self.inverse and not self.option


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


def margin(pair: Instrument, mode: str) -> Instrument:
    """The cross or isolated margin book of a spot pair: same market, borrowed funds."""
    return Instrument(
        pair.symbol,
        pair.id,
        "margin",
        pair.base,
        pair.quote,
        pair.price_decimals,
        pair.amount_decimals,
        margin_mode=mode,
    )


def option(
    base: str,
    quote: str,
    market_id: str,
    *,
    settle: str,
    expiry_ms: int,
    strike: Decimal,
    option_type: str,
    multiplier: str,
    price_decimals: int,
) -> Instrument:
    """A European option on ``base``; one amount unit is one contract of ``multiplier``
    (a power of ten) of the underlying."""
    size = Decimal(multiplier)
    amount_decimals = -size.as_tuple().exponent
    if size != Decimal(1).scaleb(-amount_decimals):
        raise ValueError(f"{market_id}: the multiplier must be a power of ten, not {multiplier}")
    expiry = datetime.fromtimestamp(expiry_ms / 1000, tz=UTC).strftime("%y%m%d")
    kind = "C" if option_type == "call" else "P"
    return Instrument(
        f"{base}/{quote}:{settle}-{expiry}-{strike.normalize():f}-{kind}",
        market_id,
        "option",
        base,
        quote,
        price_decimals,
        int(amount_decimals),
        settle=settle,
        strike=strike,
        expiry_ms=expiry_ms,
        option_type=option_type,
        multiplier=size,
    )

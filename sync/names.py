"""Markets and trade streams in words, for people: "USDⓈ-M BTC/USDT perpetual", not
`usdm:BTC/USDT:USDT`.

One place for every exchange's names, so the connection cards, a connection's page and its
progress line say the same thing. Symbols are ccxt's unified ones (BASE/QUOTE, then
:SETTLE for contracts, -YYMMDD for an expiry, -STRIKE-C|P for an option); stream ids are the
adapters' (sync/exchanges/*: `Stream.name`). Anything not recognised is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SPOT, MARGIN, SWAP, FUTURE, OPTION = "spot", "margin", "swap", "future", "option"
# Short names of the market families, in the order the coverage line lists them.
FAMILY_ORDER = (
    "Spot",
    "Margin",
    "USDⓈ-M",
    "COIN-M",
    "Perpetuals",
    "Inverse perpetuals",
    "Futures",
    "Inverse futures",
    "Options",
)
# Binance names its two futures platforms by their margin: USDⓈ-M (settled in a stablecoin)
# and COIN-M (inverse, settled in the base coin).
BINANCE_FAMILIES = {"usdm": "USDⓈ-M", "coinm": "COIN-M"}
# Streams that walk a whole family at once (one cursor for every instrument in it).
WHOLE_FAMILIES: dict[str, dict[str, str]] = {
    "bybit": {
        "spot": "Spot",
        "classic-spot": "Spot (classic account)",
        "linear": "USDT and USDC perpetuals and futures",
        "inverse": "Inverse perpetuals and futures",
    },
    "okx": {
        "spot": "Spot",
        "margin": "Margin",
        "swap": "Perpetual swaps",
        "futures": "Expiry futures",
        "option": "Options",
    },
    "bitget": {"mix:USDT-FUTURES": "USDT-M futures"},
    "coinbase": {"spot": "Spot"},
    "kraken": {"spot": "Spot and margin", "futures": "Kraken Futures"},
    "kucoin": {
        "spot": "Spot",
        "margin": "Cross margin",
        "isolated": "Isolated margin",
        "futures": "Futures",
    },
    "gate": {
        "spot": "Spot",
        "margin:cross": "Cross margin",
        "margin:isolated": "Isolated margin",
        "perpetual:usdt": "USDT perpetuals",
        "perpetual:btc": "BTC-settled perpetuals",
        "delivery:usdt": "USDT delivery futures",
    },
}
# Streams of one instrument, "<prefix>:<symbol>": the prefix says what the symbol does not.
MARGIN_PREFIXES = {"kucoin": {"margin": "Cross margin", "isolated": "Isolated margin"}}


@dataclass(frozen=True)
class Symbol:
    """A ccxt unified symbol taken apart."""

    base: str
    quote: str
    settle: str = ""
    expiry: date | None = None
    strike: str = ""
    right: str = ""  # "call" or "put" for an option

    @property
    def pair(self) -> str:
        return f"{self.base}/{self.quote}"

    @property
    def inverse(self) -> bool:
        """Settled in the base coin (COIN-M, Bybit's and Kraken's inverse contracts)."""
        return bool(self.settle) and self.settle == self.base and self.settle != self.quote


def symbol_parse(symbol: str) -> Symbol | None:
    """The parts of a unified symbol, or None for anything else."""
    pair, _, contract = symbol.partition(":")
    base, slash, quote = pair.partition("/")
    if not (base and slash and quote):
        return None
    if not contract:
        return Symbol(base, quote)
    settle, *rest = contract.split("-")
    expiry = _expiry(rest[0]) if rest else None
    if rest and expiry is None:
        return None
    if len(rest) == 3 and rest[2] in {"C", "P"}:
        return Symbol(base, quote, settle, expiry, rest[1], "call" if rest[2] == "C" else "put")
    if len(rest) > 1:
        return None
    return Symbol(base, quote, settle, expiry)


def _expiry(text: str) -> date | None:
    if len(text) != 6 or not text.isdigit():
        return None
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError:
        return None


def day_in_words(day: date) -> str:
    """ "9 Jun 2025": no leading zero, the month's short name, the year."""
    return f"{day.day} {day:%b %Y}"


def _strike(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text
    return f"{number:,.0f}" if number == int(number) else text


def market_in_words(exchange: str, market_type: str, symbol: str) -> str:
    """One market as a person names it: "Spot BTC/USDT", "USDⓈ-M BTC/USDT perpetual",
    "COIN-M BTC/USD 26 Dec 2025", "BTC/USD 60,000 call 27 Mar 2026 option"."""
    parsed = symbol_parse(symbol)
    if parsed is None:
        return symbol
    if market_type == SPOT:
        return f"Spot {parsed.pair}"
    if market_type == MARGIN:
        return f"Margin {parsed.pair}"
    family = _binance_family(exchange, parsed)
    named = f"{family} {parsed.pair}" if family else parsed.pair
    inverse = "inverse " if parsed.inverse and not family else ""
    when = day_in_words(parsed.expiry) if parsed.expiry else ""
    if market_type == OPTION or parsed.right:
        strike = f"{_strike(parsed.strike)} {parsed.right}".strip()
        return " ".join(part for part in (named, strike, when, "option") if part)
    if market_type == FUTURE or parsed.expiry:
        if family:
            return f"{named} {when}".strip()
        return f"{named} {inverse}future {when}".strip()
    return f"{named} {inverse}perpetual"


def _binance_family(exchange: str, parsed: Symbol) -> str:
    if exchange != "binance" or not parsed.settle or parsed.right:
        return ""
    return BINANCE_FAMILIES["coinm" if parsed.inverse else "usdm"]


def market_family(exchange: str, market_type: str, symbol: str) -> str:
    """The family a market belongs to, as the coverage line lists it: "Spot", "USDⓈ-M"…"""
    if market_type == SPOT:
        return "Spot"
    if market_type == MARGIN:
        return "Margin"
    if market_type == OPTION:
        return "Options"
    parsed = symbol_parse(symbol)
    if parsed is None:
        return market_type.capitalize()
    family = _binance_family(exchange, parsed)
    if family:
        return family
    if market_type == FUTURE or parsed.expiry:
        return "Inverse futures" if parsed.inverse else "Futures"
    return "Inverse perpetuals" if parsed.inverse else "Perpetuals"


def families_in_order(families: set[str]) -> list[str]:
    known = [name for name in FAMILY_ORDER if name in families]
    return known + sorted(families - set(FAMILY_ORDER))


def stream_in_words(exchange: str, stream: str) -> str:
    """A trade stream (a cursor's `stream`) in words; its id where nothing better is known."""
    whole = WHOLE_FAMILIES.get(exchange, {}).get(stream)
    if whole is not None:
        return whole
    prefix, _, symbol = stream.partition(":")
    parsed = symbol_parse(symbol)
    if parsed is None:
        return stream
    margin = MARGIN_PREFIXES.get(exchange, {}).get(prefix)
    if margin is not None:
        return f"{margin} {parsed.pair}"
    if prefix == SPOT:
        return market_in_words(exchange, SPOT, symbol)
    if prefix in BINANCE_FAMILIES and exchange == "binance":
        return market_in_words(exchange, FUTURE if parsed.expiry else SWAP, symbol)
    if prefix == SWAP:
        return market_in_words(exchange, SWAP, symbol)
    return stream


def progress_in_words(exchange: str, *, first: bool, progress: dict, trades: int) -> str:
    """A running sync, as its card shows it: "Importing USDⓈ-M BTC/USDT perpetual · 1,200
    trades so far · market 3 of 5". `progress` is the run's (sync.runner writes its "walk")."""
    verb = "Importing" if first else "Syncing"
    walk = progress.get("walk")
    if not isinstance(walk, dict):
        return f"{verb} · reading balances and finding markets"
    plural = "" if trades == 1 else "s"
    counted = f"{trades:,} trade{plural} so far" if first else f"{trades:,} new trade{plural}"
    name = stream_in_words(exchange, str(walk.get("stream", "")))
    return f"{verb} {name} · {counted} · market {walk.get('number')} of {walk.get('of')}"

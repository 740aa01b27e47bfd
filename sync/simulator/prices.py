"""Deterministic, realistic price paths: one daily random walk per asset, shared by all accounts.

Prices here are floats on purpose: they only choose the integer tick a trade prints at. The
ground truth is those integers, never the floats.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

DAY_MS = 86_400_000
YEAR_MS = 365 * DAY_MS
HISTORY_DAYS = 800


@dataclass(frozen=True)
class AssetModel:
    low: float
    high: float
    start: float
    daily_volatility: float


# Ranges seen between 2022 and 2025, in US dollars.
ASSETS: dict[str, AssetModel] = {
    "BTC": AssetModel(20_000, 100_000, 45_000, 0.028),
    "ETH": AssetModel(1_000, 4_500, 2_400, 0.035),
    "SOL": AssetModel(15, 250, 60, 0.05),
    "XRP": AssetModel(0.30, 3.50, 0.55, 0.045),
    "DOGE": AssetModel(0.05, 0.45, 0.09, 0.05),
    "BNB": AssetModel(200, 750, 320, 0.03),
    "ADA": AssetModel(0.20, 1.20, 0.40, 0.045),
    "LTC": AssetModel(50, 150, 80, 0.04),
}
STABLE = {"USDT": 1.0, "USDC": 1.0, "FDUSD": 1.0, "USD": 1.0, "EUR": 1.08, "GBP": 1.27}


class PriceOracle:
    """Daily closes ending at ``anchor_ms``; intraday prices interpolate between them."""

    def __init__(self, seed: int, anchor_ms: int) -> None:
        self.seed = seed
        self.first_day_ms = anchor_ms - HISTORY_DAYS * DAY_MS
        self._paths: dict[str, list[float]] = {}

    def knows(self, asset: str) -> bool:
        return asset in ASSETS or asset in STABLE

    def _path(self, asset: str) -> list[float]:
        path = self._paths.get(asset)
        if path is None:
            model = ASSETS[asset]
            rng = random.Random(f"{self.seed}:price:{asset}")
            log_low, log_high = math.log(model.low), math.log(model.high)
            value = math.log(model.start)
            path = []
            for _ in range(HISTORY_DAYS + 2):
                path.append(math.exp(value))
                value += rng.gauss(0.0015, model.daily_volatility)
                # reflect at the band so the walk stays in a believable range
                if value > log_high:
                    value = 2 * log_high - value
                elif value < log_low:
                    value = 2 * log_low - value
            self._paths[asset] = path
        return path

    def usd(self, asset: str, timestamp_ms: int) -> float:
        if asset in STABLE:
            return STABLE[asset]
        path = self._path(asset)
        offset = (timestamp_ms - self.first_day_ms) / DAY_MS
        day = min(max(int(offset), 0), len(path) - 2)
        fraction = min(max(offset - day, 0.0), 1.0)
        return path[day] + (path[day + 1] - path[day]) * fraction

    def price(self, base: str, quote: str, timestamp_ms: int) -> float:
        return self.usd(base, timestamp_ms) / self.usd(quote, timestamp_ms)

    def volatility(self, asset: str) -> float:
        """Annualised volatility of the asset's daily walk, what options are priced with."""
        return ASSETS[asset].daily_volatility * math.sqrt(365)


def black_scholes(spot: float, strike: float, years: float, volatility: float, call: bool) -> float:
    """A European option's value in the currency of ``spot`` and ``strike`` (no rates)."""
    if years <= 0:
        return max(spot - strike, 0.0) if call else max(strike - spot, 0.0)
    deviation = volatility * math.sqrt(years)
    d1 = (math.log(spot / strike) + deviation * deviation / 2) / deviation
    d2 = d1 - deviation

    def normal(x: float) -> float:
        return (1 + math.erf(x / math.sqrt(2))) / 2

    if call:
        return spot * normal(d1) - strike * normal(d2)
    return strike * normal(-d2) - spot * normal(-d1)

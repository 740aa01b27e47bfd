"""Kraken's markets and assets, spot (api.kraken.com) and futures (futures.kraken.com).

Spot keeps Kraken's legacy asset ids (XXBT, XETH, XXDG ...) next to their altnames (XBT, ETH,
XDG), which ccxt turns into BTC, ETH and DOGE; staked and opt-in-rewards balances carry a
suffix (``ETH2.S``, ``USDT.F``) and are assets of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.simulator.instruments import Instrument, inverse_perpetual, linear_perpetual, spot

SPOT_HOST = "api.kraken.com"
FUTURES_HOST = "futures.kraken.com"


@dataclass(frozen=True)
class Asset:
    """One row of ``/0/public/Assets``: Kraken's id, its altname, decimals and margin use."""

    id: str
    altname: str
    decimals: int
    display_decimals: int
    collateral_value: str | None = None
    margin_rate: str | None = None


ASSETS: tuple[Asset, ...] = (
    Asset("XXBT", "XBT", 10, 5, "1.0", "0.01"),
    Asset("XETH", "ETH", 10, 5, "1.0", "0.02"),
    Asset("SOL", "SOL", 10, 5, "0.9", "0.02"),
    Asset("XXRP", "XRP", 8, 5, "0.9", "0.02"),
    Asset("XXDG", "XDG", 8, 2, "0.85", "0.02"),
    Asset("USDT", "USDT", 8, 4, "1.0", "0.01"),
    Asset("USDC", "USDC", 8, 4),
    Asset("ZUSD", "USD", 4, 2, "1.0", "0.01"),
    Asset("ZEUR", "EUR", 4, 2, "1.0", "0.01"),
    Asset("ETH2", "ETH2", 10, 5),
    Asset("ETH2.S", "ETH2.S", 10, 5),
    Asset("SOL.S", "SOL.S", 10, 5),
    Asset("USDT.F", "USDT.F", 8, 4),
    Asset("XBT.M", "XBT.M", 10, 5),
)
ASSET_BY_CODE = {
    "BTC": "XXBT",
    "ETH": "XETH",
    "SOL": "SOL",
    "XRP": "XXRP",
    "DOGE": "XXDG",
    "USDT": "USDT",
    "USDC": "USDC",
    "USD": "ZUSD",
}
# Staked (bonded) ETH is reported as ETH2.S; balances earning opt-in rewards take ".F".
STAKED_ASSET = {"ETH": "ETH2.S", "SOL": "SOL.S"}
REWARDS_ASSET = {"USDT": "USDT.F"}


@dataclass(frozen=True)
class SpotPair:
    """A spot pair as ``AssetPairs`` lists it; ``instrument`` is what the core trades on, its
    id the pair's key (ccxt's market id), ``altname`` the pair's other name.

    Kraken quotes lots with 8 decimals; the generator uses fewer so that price x amount stays
    exact at 8 decimals, which every lot it prints still satisfies.
    """

    instrument: Instrument
    base_id: str
    quote_id: str
    lot_decimals: int
    cost_decimals: int
    ordermin: str
    costmin: str
    leverage: tuple[int, ...]
    tick_size: str
    altname: str
    stablecoin: bool


def _pair(
    base: str,
    quote: str,
    pair_id: str,
    price_decimals: int,
    ordermin: str,
    leverage: tuple[int, ...],
    *,
    altname: str | None = None,
) -> SpotPair:
    tick = "1" if price_decimals == 0 else "0." + "0" * (price_decimals - 1) + "1"
    return SpotPair(
        spot(base, quote, pair_id, price_decimals, 8 - price_decimals),
        ASSET_BY_CODE[base],
        ASSET_BY_CODE[quote],
        lot_decimals=8,
        cost_decimals=5,
        ordermin=ordermin,
        costmin="0.5",
        leverage=leverage,
        tick_size=tick,
        altname=altname or pair_id,
        stablecoin=base in ("USDT", "USDC") and quote == "USD",
    )


SPOT_PAIRS: tuple[SpotPair, ...] = (
    _pair("BTC", "USDT", "XBTUSDT", 1, "0.00005", (2, 3, 4, 5)),
    _pair("ETH", "USDT", "ETHUSDT", 2, "0.002", (2, 3, 4, 5)),
    _pair("SOL", "USDT", "SOLUSDT", 2, "0.02", (2, 3)),
    _pair("XRP", "USDT", "XRPUSDT", 5, "2", (2, 3)),
    _pair("DOGE", "USDT", "XDGUSDT", 7, "13", (2, 3)),
    # The dollar markets of the two stablecoins, where a stablecoin's own USD price is read:
    # keys USDTZUSD and USDCUSD, altnames USDTUSD and USDCUSD, no margin; the old AssetPairs
    # example row of USDTZUSD has pair_decimals 4, lot_decimals 8 and leverage []
    # (https://docs.kraken.com/api-reference/market-data/get-tradable-asset-pairs lists both
    # pairs). Their minimum order of 5 units is the site's, not from an API example [U].
    _pair("USDT", "USD", "USDTZUSD", 4, "5", (), altname="USDTUSD"),
    _pair("USDC", "USD", "USDCUSD", 4, "5", ()),
)
SPOT_INSTRUMENTS: tuple[Instrument, ...] = tuple(pair.instrument for pair in SPOT_PAIRS)
PAIR_BY_SYMBOL = {pair.instrument.symbol: pair for pair in SPOT_PAIRS}

# Kraken's fee schedule, lowest volume tier: 0.16% maker, 0.26% taker (percent, as listed).
_SPOT_TAKER_TIERS = [
    [0, 0.26],
    [50000, 0.24],
    [100000, 0.22],
    [250000, 0.2],
    [500000, 0.18],
    [1000000, 0.16],
    [2500000, 0.14],
    [5000000, 0.12],
    [10000000, 0.1],
]
_SPOT_MAKER_TIERS = [
    [0, 0.16],
    [50000, 0.14],
    [100000, 0.12],
    [250000, 0.1],
    [500000, 0.08],
    [1000000, 0.06],
    [2500000, 0.04],
    [5000000, 0.02],
    [10000000, 0],
]
# Stablecoin and FX pairs have a schedule of their own, the same for maker and taker
# (https://www.kraken.com/features/fee-schedule, "Stablecoin & FX pairs"; the old AssetPairs
# example row of USDTZUSD shows its first two tiers, 0.2 and 0.16).
_STABLE_TIERS = [
    [0, 0.2],
    [50000, 0.16],
    [100000, 0.12],
    [250000, 0.08],
    [500000, 0.04],
    [1000000, 0],
]


def asset_rows() -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for asset in ASSETS:
        row: dict[str, Any] = {
            "aclass": "currency",
            "altname": asset.altname,
            "decimals": asset.decimals,
            "display_decimals": asset.display_decimals,
        }
        if asset.collateral_value is not None:
            row["collateral_value"] = asset.collateral_value
        if asset.margin_rate is not None:
            row["margin_rate"] = float(asset.margin_rate)
        row["status"] = "enabled"
        rows[asset.id] = row
    return rows


def asset_pair_rows() -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for pair in SPOT_PAIRS:
        instrument = pair.instrument
        base_alt = next(asset.altname for asset in ASSETS if asset.id == pair.base_id)
        quote_alt = next(asset.altname for asset in ASSETS if asset.id == pair.quote_id)
        rows[instrument.id] = {
            "altname": pair.altname,
            "wsname": f"{base_alt}/{quote_alt}",
            "aclass_base": "currency",
            "base": pair.base_id,
            "aclass_quote": "currency",
            "quote": pair.quote_id,
            "lot": "unit",
            "cost_decimals": pair.cost_decimals,
            "pair_decimals": instrument.price_decimals,
            "lot_decimals": pair.lot_decimals,
            "lot_multiplier": 1,
            "leverage_buy": list(pair.leverage),
            "leverage_sell": list(pair.leverage),
            "fees": _STABLE_TIERS if pair.stablecoin else _SPOT_TAKER_TIERS,
            "fees_maker": _STABLE_TIERS if pair.stablecoin else _SPOT_MAKER_TIERS,
            "fee_volume_currency": "ZUSD",
            "margin_call": 80,
            "margin_stop": 40,
            "ordermin": pair.ordermin,
            "costmin": pair.costmin,
            "tick_size": pair.tick_size,
            "status": "online",
            "long_position_limit": 250,
            "short_position_limit": 200,
        }
    return rows


@dataclass(frozen=True)
class FuturesContract:
    """A Kraken Futures perpetual: ``PF_`` multi-collateral linear, ``PI_`` inverse."""

    instrument: Instrument
    underlying: str
    tick_size: str
    trade_precision: int  # contractValueTradePrecision: decimals of a position size
    opening_date: str


FUTURES_CONTRACTS: tuple[FuturesContract, ...] = (
    FuturesContract(
        linear_perpetual("BTC", "USD", "PF_XBTUSD", 0, 4), "rr_xbtusd", "1", 4, "2022-09-08"
    ),
    FuturesContract(
        linear_perpetual("ETH", "USD", "PF_ETHUSD", 1, 3), "rr_ethusd", "0.1", 3, "2022-09-08"
    ),
    FuturesContract(
        linear_perpetual("SOL", "USD", "PF_SOLUSD", 2, 2), "rr_solusd", "0.01", 2, "2022-09-08"
    ),
    FuturesContract(
        linear_perpetual("XRP", "USD", "PF_XRPUSD", 4, 0), "rr_xrpusd", "0.0001", 0, "2022-09-08"
    ),
    FuturesContract(
        linear_perpetual("DOGE", "USD", "PF_DOGEUSD", 6, 0),
        "rr_dogeusd",
        "0.000001",
        0,
        "2022-09-08",
    ),
    FuturesContract(
        inverse_perpetual("BTC", "USD", "PI_XBTUSD", 1, "1"), "rr_xbtusd", "0.5", 0, "2018-08-31"
    ),
    FuturesContract(
        inverse_perpetual("ETH", "USD", "PI_ETHUSD", 2, "1"), "rr_ethusd", "0.05", 0, "2019-02-22"
    ),
)
FUTURES_INSTRUMENTS: tuple[Instrument, ...] = tuple(
    contract.instrument for contract in FUTURES_CONTRACTS
)

# Kraken Futures names coins by their Kraken code in lower case (xbt, eth, usd ...).
FUTURES_CURRENCY = {"BTC": "xbt", "ETH": "eth", "SOL": "sol", "XRP": "xrp", "DOGE": "doge"}


def futures_currency(code: str) -> str:
    return FUTURES_CURRENCY.get(code, code.lower())


def _margin_levels(inverse: bool) -> list[dict[str, Any]]:
    """Tiers by position size: contracts (USD) for inverse, base units for linear ones."""
    steps = (0, 500000, 1000000) if inverse else (0, 25, 50)
    rates = ((0.02, 0.01), (0.04, 0.02), (0.06, 0.03))
    return [
        {"contracts": size, "initialMargin": initial, "maintenanceMargin": maintenance}
        for size, (initial, maintenance) in zip(steps, rates, strict=True)
    ]


def futures_instrument_rows() -> list[dict[str, Any]]:
    rows = []
    for contract in FUTURES_CONTRACTS:
        instrument = contract.instrument
        base = "XBT" if instrument.base == "BTC" else instrument.base
        row: dict[str, Any] = {
            "symbol": instrument.id,
            "type": "futures_inverse" if instrument.inverse else "flexible_futures",
            "underlying": contract.underlying,
            "tickSize": float(contract.tick_size),
            "contractSize": 1,
            "tradeable": True,
            "impactMidSize": 1 if instrument.inverse else 0.01,
            "maxPositionSize": 1000000,
            "openingDate": f"{contract.opening_date}T00:00:00.000Z",
            "marginLevels": _margin_levels(instrument.inverse),
            "fundingRateCoefficient": 8,
            "maxRelativeFundingRate": 0.001,
            "isin": "GB00J62YGL67",
            "contractValueTradePrecision": contract.trade_precision,
            "postOnly": False,
            "feeScheduleUid": "eef90775-995b-4596-9257-0917f6134766",
            "retailMarginLevels": _margin_levels(instrument.inverse)[:1],
            "category": "Layer 1",
            "tags": [],
        }
        if not instrument.inverse:
            row.update(
                {"base": base, "quote": "USD", "pair": f"{base}:USD", "mtf": False, "tradfi": False}
            )
        rows.append(row)
    # Kraken lists its spot indices among the instruments; ccxt keeps them as type "index"
    rows.append({"symbol": "in_xbtusd", "type": "spot index", "tradeable": False})
    rows.append({"symbol": "rr_xbtusd", "type": "spot index", "tradeable": False})
    return rows

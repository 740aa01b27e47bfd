"""Bybit markets and coins as ``/v5/market/instruments-info`` and ``/v5/asset/coin/query-info``
describe them (https://bybit-exchange.github.io/docs/v5/market/instrument)."""

from __future__ import annotations

from typing import Any

from sync.simulator.instruments import Instrument, inverse_perpetual, linear_perpetual, spot

HOST = "api.bybit.com"
# Contracts list their launch (BTCUSDT's, 2020-03-30); ccxt reads it as the market's creation.
CONTRACT_LAUNCH_MS = 1_585_526_400_000

INSTRUMENTS: tuple[Instrument, ...] = (
    spot("BTC", "USDT", "BTCUSDT", 2, 6),
    spot("ETH", "USDT", "ETHUSDT", 2, 5),
    spot("SOL", "USDT", "SOLUSDT", 2, 3),
    spot("XRP", "USDT", "XRPUSDT", 4, 2),
    spot("DOGE", "USDT", "DOGEUSDT", 5, 1),
    linear_perpetual("BTC", "USDT", "BTCUSDT", 1, 3),
    linear_perpetual("ETH", "USDT", "ETHUSDT", 2, 2),
    linear_perpetual("SOL", "USDT", "SOLUSDT", 3, 1),
    linear_perpetual("XRP", "USDT", "XRPUSDT", 4, 0),
    linear_perpetual("DOGE", "USDT", "DOGEUSDT", 5, 0),
    # inverse contracts are worth one US dollar each; ccxt reads minOrderQty as contract size
    inverse_perpetual("BTC", "USD", "BTCUSD", 1, "1"),
    inverse_perpetual("ETH", "USD", "ETHUSD", 2, "1"),
    inverse_perpetual("XRP", "USD", "XRPUSD", 4, "1"),
)

# coin -> (name, [(chain, chain type, withdraw fee, withdraw minimum, confirmations)])
COINS: dict[str, tuple[str, list[tuple[str, str, str, str, str]]]] = {
    "BTC": ("BTC", [("BTC", "BTC", "0.0001", "0.0002", "1")]),
    "ETH": (
        "ETH",
        [
            ("ETH", "Ethereum", "0.0008", "0.001", "6"),
            ("ARBI", "Arbitrum One", "0.0001", "0.0002", "12"),
        ],
    ),
    "SOL": ("SOL", [("SOL", "Solana", "0.008", "0.1", "50")]),
    "XRP": ("XRP", [("XRP", "Ripple", "0.2", "1", "1")]),
    "DOGE": ("DOGE", [("DOGE", "Dogecoin", "5", "25", "40")]),
    "USDT": (
        "USDT",
        [
            ("ETH", "Ethereum", "3", "10", "6"),
            ("TRX", "TRC20", "1", "10", "20"),
            ("SOL", "Solana", "1", "10", "50"),
        ],
    ),
}


def tick(decimals: int) -> str:
    """``10**-decimals`` as Bybit prints a tick or step: ``0.01``, ``1``."""
    return "1" if decimals == 0 else "0." + "0" * (decimals - 1) + "1"


def category_of(instrument: Instrument) -> str:
    """Bybit's product category of a market: spot, linear or inverse."""
    if not instrument.contract:
        return "spot"
    return "inverse" if instrument.inverse else "linear"


def instruments_in(category: str) -> list[Instrument]:
    return [item for item in INSTRUMENTS if category_of(item) == category]


def spot_row(instrument: Instrument) -> dict[str, Any]:
    return {
        "symbol": instrument.id,
        "baseCoin": instrument.base,
        "quoteCoin": instrument.quote,
        "innovation": "0",
        "status": "Trading",
        "marginTrading": "utaOnly",
        "stTag": "0",
        "lotSizeFilter": {
            "basePrecision": tick(instrument.amount_decimals),
            "quotePrecision": "0.00000001",
            "minOrderQty": tick(instrument.amount_decimals),
            "maxOrderQty": "9000000",
            "minOrderAmt": "5",
            "maxOrderAmt": "8000000",
            "maxLimitOrderQty": "9000000",
            "maxMarketOrderQty": "4500000",
            "postOnlyMaxLimitOrderSize": "60000",
        },
        "priceFilter": {"tickSize": tick(instrument.price_decimals)},
        "riskParameters": {"priceLimitRatioX": "0.005", "priceLimitRatioY": "0.01"},
        "symbolType": "",
    }


def contract_row(instrument: Instrument) -> dict[str, Any]:
    inverse = instrument.inverse
    step = "1" if inverse else tick(instrument.amount_decimals)
    lot_size: dict[str, str] = {
        "maxOrderQty": "1000000",
        "minOrderQty": step,
        "qtyStep": step,
        "postOnlyMaxOrderQty": "1000000",
        "maxMktOrderQty": "500000",
    }
    if not inverse:
        lot_size["minNotionalValue"] = "5"
    return {
        "symbol": instrument.id,
        "contractType": "InversePerpetual" if inverse else "LinearPerpetual",
        "status": "Trading",
        "baseCoin": instrument.base,
        "quoteCoin": instrument.quote,
        "launchTime": str(CONTRACT_LAUNCH_MS),
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": str(instrument.price_decimals),
        "leverageFilter": {
            "minLeverage": "1",
            "maxLeverage": "100.00",
            "leverageStep": "0.01",
        },
        "priceFilter": {
            "minPrice": tick(instrument.price_decimals),
            "maxPrice": "1999999.80",
            "tickSize": tick(instrument.price_decimals),
        },
        "lotSizeFilter": lot_size,
        "unifiedMarginTrade": True,
        "fundingInterval": 480,
        "settleCoin": instrument.settle,
        "copyTrading": "both",
        "upperFundingRate": "0.00375",
        "lowerFundingRate": "-0.00375",
        "isPreListing": False,
        "preListingInfo": None,
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"},
        "symbolType": "",
    }


def coin_row(coin: str) -> dict[str, Any]:
    name, chains = COINS[coin]
    return {
        "name": name,
        "coin": coin,
        "remainAmount": "10000000",
        "chains": [
            {
                "chainType": chain_type,
                "confirmation": confirmations,
                "withdrawFee": fee,
                "depositMin": "0",
                "withdrawMin": minimum,
                "chain": chain,
                "chainDeposit": "1",
                "chainWithdraw": "1",
                "minAccuracy": "8",
                "withdrawPercentageFee": "0",
                "contractAddress": "",
                "safeConfirmNumber": confirmations,
                "withdrawMax": "10000000",
            }
            for chain, chain_type, fee, minimum, confirmations in chains
        ],
    }

"""Bitget markets and coins as the v2 public endpoints describe them.

Shapes follow https://www.bitget.com/api-doc/spot/market/Get-Symbols,
/contract/market/Get-All-Symbols-Contracts, /margin/common/support-currencies and
/spot/market/Get-Coin-List. Bitget prints every number as a string.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.instruments import Instrument, linear_perpetual, spot

HOST = "api.bitget.com"
USDT_FUTURES = "USDT-FUTURES"
# Every product type ccxt's fetch_markets asks for; only USDT-M perpetuals are simulated.
PRODUCT_TYPES = (
    USDT_FUTURES,
    "COIN-FUTURES",
    "USDC-FUTURES",
    "SUSDT-FUTURES",
    "SCOIN-FUTURES",
    "SUSDC-FUTURES",
)
# Margin coins of the live product types, for accounts that hold nothing in them.
MARGIN_COINS = {USDT_FUTURES: ("USDT",), "USDC-FUTURES": ("USDC",), "COIN-FUTURES": ("BTC", "ETH")}

INSTRUMENTS: tuple[Instrument, ...] = (
    spot("BTC", "USDT", "BTCUSDT", 2, 6),
    spot("ETH", "USDT", "ETHUSDT", 2, 4),
    spot("SOL", "USDT", "SOLUSDT", 3, 4),
    spot("XRP", "USDT", "XRPUSDT", 4, 2),
    spot("DOGE", "USDT", "DOGEUSDT", 5, 2),
    linear_perpetual("BTC", "USDT", "BTCUSDT", 1, 4),
    linear_perpetual("ETH", "USDT", "ETHUSDT", 2, 2),
    linear_perpetual("SOL", "USDT", "SOLUSDT", 3, 1),
    linear_perpetual("XRP", "USDT", "XRPUSDT", 4, 0),
    linear_perpetual("DOGE", "USDT", "DOGEUSDT", 5, 0),
)

# coin -> (coin id, [(chain, withdraw fee, minimum withdrawal, needs tag)])
COINS: dict[str, tuple[str, list[tuple[str, str, str, bool]]]] = {
    "BTC": ("1", [("BTC", "0.0001", "0.0005", False)]),
    "ETH": ("2", [("ERC20", "0.0008", "0.005", False)]),
    "USDT": ("3", [("ERC20", "3", "10", False), ("TRC20", "1", "10", False)]),
    "SOL": ("104", [("SOL", "0.008", "0.1", False)]),
    "XRP": ("9", [("XRP", "0.25", "20", True)]),
    "DOGE": ("21", [("DOGE", "4", "20", False)]),
}

# https://www.bitget.com/fee: 0.1% spot, 0.02% maker / 0.06% taker on USDT-M
SPOT_FEE = "0.001"
MAKER_FEE = "0.0002"
TAKER_FEE = "0.0006"


def step(decimals: int) -> str:
    """``10**-decimals`` the way Bitget prints steps: "0.0001", or "1"."""
    return "1" if decimals == 0 else "0." + "0" * (decimals - 1) + "1"


def spot_symbol(instrument: Instrument) -> dict[str, Any]:
    return {
        "symbol": instrument.id,
        "baseCoin": instrument.base,
        "quoteCoin": instrument.quote,
        "minTradeAmount": "0",
        "maxTradeAmount": "10000000000",
        "takerFeeRate": SPOT_FEE,
        "makerFeeRate": SPOT_FEE,
        "pricePrecision": str(instrument.price_decimals),
        "quantityPrecision": str(instrument.amount_decimals),
        "quotePrecision": str(instrument.price_decimals + instrument.amount_decimals),
        "status": "online",
        "minTradeUSDT": "1",
        "buyLimitPriceRatio": "0.05",
        "sellLimitPriceRatio": "0.05",
        "orderQuantity": "200",
        "areaSymbol": "no",
        "offTime": "",
    }


def margin_currency(instrument: Instrument) -> dict[str, Any]:
    """A row of /api/v2/margin/currencies; ccxt recognises the list by ``isBorrowable``."""
    return {
        "symbol": instrument.id,
        "baseCoin": instrument.base,
        "quoteCoin": instrument.quote,
        "maxCrossedLeverage": "3",
        "maxIsolatedLeverage": "10",
        "warningRiskRatio": "0.8",
        "liquidationRiskRatio": "1",
        "minTradeAmount": "0",
        "maxTradeAmount": "10000000000",
        "takerFeeRate": SPOT_FEE,
        "makerFeeRate": SPOT_FEE,
        "pricePrecision": str(instrument.price_decimals),
        "quantityPrecision": str(instrument.amount_decimals),
        "minTradeUSDT": "5",
        "isBorrowable": True,
        "isCrossBorrowable": True,
        "isIsolatedBaseBorrowable": True,
        "isIsolatedQuoteBorrowable": True,
        "userMinBorrow": "0.00000001",
        "status": "1",
    }


def contract(instrument: Instrument) -> dict[str, Any]:
    return {
        "symbol": instrument.id,
        "baseCoin": instrument.base,
        "quoteCoin": instrument.quote,
        "buyLimitPriceRatio": "0.05",
        "sellLimitPriceRatio": "0.05",
        "feeRateUpRatio": "0.005",
        "makerFeeRate": MAKER_FEE,
        "takerFeeRate": TAKER_FEE,
        "openCostUpRatio": "0.01",
        "supportMarginCoins": [instrument.settle],
        "minTradeNum": step(instrument.amount_decimals),
        "priceEndStep": "1",
        "volumePlace": str(instrument.amount_decimals),
        "pricePlace": str(instrument.price_decimals),
        "sizeMultiplier": step(instrument.amount_decimals),
        "symbolType": "perpetual",
        "minTradeUSDT": "5",
        "maxSymbolOrderNum": "200",
        "maxProductOrderNum": "400",
        "maxPositionNum": "150",
        "symbolStatus": "normal",
        "offTime": "-1",
        "limitOpenTime": "-1",
        "deliveryTime": "",
        "deliveryStartTime": "",
        "deliveryPeriod": "",
        "launchTime": "",
        "fundInterval": "8",
        "minLever": "1",
        "maxLever": "125",
        "posLimit": "0.05",
        "maintainTime": "",
        "openTime": "",
    }


def coin(code: str) -> dict[str, Any]:
    coin_id, chains = COINS[code]
    return {
        "coinId": coin_id,
        "coin": code,
        "transfer": "true",
        "chains": [
            {
                "chain": chain,
                "needTag": "true" if tag else "false",
                "withdrawable": "true",
                "rechargeable": "true",
                "withdrawFee": fee,
                "extraWithdrawFee": "0",
                "depositConfirm": "12",
                "withdrawConfirm": "64",
                "minDepositAmount": "0.0001",
                "minWithdrawAmount": minimum,
                "browserUrl": "",
                "contractAddress": "",
                "withdrawStep": "0",
                "withdrawMinScale": "8",
                "congestion": "normal",
            }
            for chain, fee, minimum, tag in chains
        ],
        "areaCoin": "no",
    }

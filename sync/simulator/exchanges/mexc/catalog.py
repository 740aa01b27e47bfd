"""MEXC markets and coins as ``/api/v3/exchangeInfo``, ``/api/v1/contract/detail`` and
``/api/v3/capital/config/getall`` describe them.

Spot pairs are ``BTCUSDT``; USDT-M perpetuals ``BTC_USDT``. MEXC counts perpetuals in
contracts of ``contractSize`` base coin (BTC 0.0001, ETH 0.01, SOL 0.1, XRP 1, DOGE 100, as its
contract detail lists them), so each perpetual's amount step here is one contract: DOGE's
step of 100 coins is ``amount_decimals=-2``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.instruments import Instrument, linear_perpetual, spot

SPOT_HOST = "api.mexc.com"
# ccxt 4.5.90 reaches the futures API through api.mexc.com/api/v1; MEXC's futures
# documentation still names contract.mexc.com, which serves the same paths.
CONTRACT_HOSTS = ("api.mexc.com", "contract.mexc.com")

INSTRUMENTS: tuple[Instrument, ...] = (
    spot("BTC", "USDT", "BTCUSDT", 2, 6),
    spot("ETH", "USDT", "ETHUSDT", 2, 5),
    spot("SOL", "USDT", "SOLUSDT", 2, 3),
    spot("XRP", "USDT", "XRPUSDT", 4, 2),
    spot("DOGE", "USDT", "DOGEUSDT", 5, 2),
    linear_perpetual("BTC", "USDT", "BTC_USDT", 1, 4),
    linear_perpetual("ETH", "USDT", "ETH_USDT", 2, 2),
    linear_perpetual("SOL", "USDT", "SOL_USDT", 2, 1),
    linear_perpetual("XRP", "USDT", "XRP_USDT", 4, 0),
    linear_perpetual("DOGE", "USDT", "DOGE_USDT", 5, -2),
)

# Maximum leverage per perpetual, as the contract detail lists it.
MAX_LEVERAGE = {"BTC": 500, "ETH": 500, "SOL": 200, "XRP": 200, "DOGE": 200}
# https://www.mexc.com/fee: spot 0% maker, 0.05% taker; futures 0% maker, 0.02% taker
SPOT_MAKER = Decimal("0")
SPOT_TAKER = Decimal("0.0005")
CONTRACT_MAKER = Decimal("0")
CONTRACT_TAKER = Decimal("0.0002")

# coin -> (name, [(netWork id, display name, withdraw fee, minimum)])
COINS: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    "BTC": ("Bitcoin", [("BTC", "Bitcoin(BTC)", "0.0001", "0.0005")]),
    "ETH": ("Ethereum", [("ETH", "Ethereum(ERC20)", "0.0012", "0.005")]),
    "SOL": ("Solana", [("SOL", "Solana(SOL)", "0.008", "0.05")]),
    "XRP": ("Ripple", [("XRP", "Ripple(XRP)", "0.25", "5")]),
    "DOGE": ("Dogecoin", [("DOGE", "Dogecoin(DOGE)", "10", "50")]),
    "USDT": (
        "Tether USDT",
        [
            ("ETH", "Ethereum(ERC20)", "3", "10"),
            ("TRX", "Tron(TRC20)", "1", "5"),
            ("BSC", "BNB Smart Chain(BEP20)", "0.5", "5"),
        ],
    ),
}


def contract_size(instrument: Instrument) -> Decimal:
    """Base coin per contract: one amount step of the perpetual."""
    return Decimal(1).scaleb(-instrument.amount_decimals)


def _step(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def spot_symbol(instrument: Instrument) -> dict[str, Any]:
    """One pair of ``exchangeInfo``: status "1" is online, precisions are decimal places."""
    return {
        "symbol": instrument.id,
        "status": "1",
        "baseAsset": instrument.base,
        "baseAssetPrecision": instrument.amount_decimals,
        "quoteAsset": instrument.quote,
        "quotePrecision": instrument.price_decimals,
        "quoteAssetPrecision": instrument.price_decimals,
        "baseCommissionPrecision": instrument.amount_decimals,
        "quoteCommissionPrecision": instrument.price_decimals,
        "orderTypes": ["LIMIT", "MARKET", "LIMIT_MAKER"],
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "quoteAmountPrecision": "1",
        "baseSizePrecision": format(_step(instrument.amount_decimals), "f"),
        "permissions": ["SPOT"],
        "filters": [],
        "maxQuoteAmount": "2000000",
        "makerCommission": format(SPOT_MAKER, "f"),
        "takerCommission": format(SPOT_TAKER, "f"),
        "quoteAmountPrecisionMarket": "1",
        "maxQuoteAmountMarket": "100000",
        "fullName": COINS[instrument.base][0],
        "tradeSideType": 1,
    }


def exchange_info(now_ms: int, wanted: set[str] | None) -> dict[str, Any]:
    return {
        "timezone": "CST",
        "serverTime": now_ms,
        "rateLimits": [],
        "exchangeFilters": [],
        "symbols": [
            spot_symbol(item)
            for item in INSTRUMENTS
            if not item.contract and (wanted is None or item.id in wanted)
        ],
    }


def contract_detail(instrument: Instrument) -> dict[str, Any]:
    """One perpetual as ``/api/v1/contract/detail`` lists it (numbers, not strings)."""
    return {
        "symbol": instrument.id,
        "displayName": f"{instrument.id}永续",
        "displayNameEn": f"{instrument.id} PERPETUAL",
        "positionOpenType": 3,
        "baseCoin": instrument.base,
        "quoteCoin": instrument.quote,
        "baseCoinName": instrument.base,
        "quoteCoinName": instrument.quote,
        "futureType": 1,
        "settleCoin": instrument.settle,
        "contractSize": contract_size(instrument),
        "minLeverage": 1,
        "maxLeverage": MAX_LEVERAGE[instrument.base],
        "priceScale": instrument.price_decimals,
        "volScale": 0,
        "amountScale": 4,
        "priceUnit": _step(instrument.price_decimals),
        "volUnit": 1,
        "minVol": 1,
        "maxVol": 1_500_000,
        "bidLimitPriceRate": Decimal("0.1"),
        "askLimitPriceRate": Decimal("0.1"),
        "takerFeeRate": CONTRACT_TAKER,
        "makerFeeRate": CONTRACT_MAKER,
        "maintenanceMarginRate": Decimal("0.004"),
        "initialMarginRate": Decimal("0.008"),
        "riskBaseVol": 150_000,
        "riskIncrVol": 150_000,
        "riskIncrMmr": Decimal("0.004"),
        "riskIncrImr": Decimal("0.004"),
        "riskLevelLimit": 5,
        "priceCoefficientVariation": Decimal("0.05"),
        "indexOrigin": ["BINANCE", "OKX", "BYBIT", "MEXC"],
        "state": 0,
        "isNew": False,
        "isHot": True,
        "isHidden": False,
        "conceptPlate": ["mc-trade-zone-pow"],
        "riskLimitType": "BY_VOLUME",
        "maxNumOrders": [200, 50],
        "marketOrderMaxLevel": 20,
        "marketOrderPriceLimitRate1": Decimal("0.2"),
        "marketOrderPriceLimitRate2": Decimal("0.005"),
        "triggerProtect": Decimal("0.1"),
        "appraisal": 0,
        "showAppraisalCountdown": 0,
        "automaticDelivery": 0,
        "apiAllowed": True,
    }


def coin_config(coin: str) -> dict[str, Any]:
    """One coin of ``capital/config/getall``; ccxt reads ``netWork`` before ``network``."""
    name, networks = COINS[coin]
    return {
        "coin": coin,
        "Name": name,
        "networkList": [
            {
                "coin": coin,
                "depositDesc": None,
                "depositEnable": True,
                "minConfirm": 12,
                "Name": name,
                "network": display,
                "withdrawEnable": True,
                "withdrawFee": fee,
                "withdrawIntegerMultiple": None,
                "withdrawMax": "10000000",
                "withdrawMin": minimum,
                "sameAddress": False,
                "contract": "",
                "withdrawTips": None,
                "depositTips": None,
                "netWork": network,
            }
            for network, display, fee, minimum in networks
        ],
    }

"""Binance markets and coins as ``exchangeInfo`` and ``capital/config/getall`` describe them."""

from __future__ import annotations

from typing import Any

from sync.simulator.instruments import Instrument, inverse_perpetual, linear_perpetual, spot

SPOT_HOST = "api.binance.com"
USDM_HOST = "fapi.binance.com"
COINM_HOST = "dapi.binance.com"
# Binance lists perpetuals with this far-away delivery date (2100-12-25).
PERPETUAL_DELIVERY = 4133404800000

INSTRUMENTS: tuple[Instrument, ...] = (
    spot("BTC", "USDT", "BTCUSDT", 2, 5),
    spot("ETH", "USDT", "ETHUSDT", 2, 4),
    spot("SOL", "USDT", "SOLUSDT", 2, 3),
    spot("XRP", "USDT", "XRPUSDT", 4, 1),
    spot("DOGE", "USDT", "DOGEUSDT", 5, 0),
    spot("BNB", "USDT", "BNBUSDT", 2, 3),
    linear_perpetual("BTC", "USDT", "BTCUSDT", 1, 3),
    linear_perpetual("ETH", "USDT", "ETHUSDT", 2, 3),
    linear_perpetual("SOL", "USDT", "SOLUSDT", 2, 0),
    linear_perpetual("XRP", "USDT", "XRPUSDT", 4, 1),
    linear_perpetual("DOGE", "USDT", "DOGEUSDT", 5, 0),
    linear_perpetual("BNB", "USDT", "BNBUSDT", 2, 2),
    inverse_perpetual("BTC", "USD", "BTCUSD_PERP", 1, "100"),
    inverse_perpetual("ETH", "USD", "ETHUSD_PERP", 2, "10"),
)

# coin -> (name, [(network, withdraw fee, minimum, memo regex)])
COINS: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    "BTC": ("Bitcoin", [("BTC", "0.0000051", "0.00001", "")]),
    "ETH": ("Ethereum", [("ETH", "0.0004", "0.001", "")]),
    "SOL": ("Solana", [("SOL", "0.002", "0.01", "")]),
    "XRP": ("Ripple", [("XRP", "0.2", "2", "^[0-9A-Za-z\\-_]{1,120}$")]),
    "DOGE": ("Dogecoin", [("DOGE", "4", "20", "")]),
    "BNB": ("BNB", [("BSC", "0.0005", "0.01", "")]),
    "USDT": (
        "TetherUS",
        [("ETH", "3.2", "10", ""), ("TRX", "1", "10", ""), ("BSC", "0.8", "5", "")],
    ),
}

_SPOT_ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"]
_FUTURES_ORDER_TYPES = [
    "LIMIT",
    "MARKET",
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
]
_TIME_IN_FORCE = ["GTC", "IOC", "FOK", "GTX"]


def step(decimals: int, places: int | None = None) -> str:
    """``10**-decimals`` as Binance prints it; spot pads to 8 places, futures does not."""
    value = "1" if decimals == 0 else "0." + "0" * (decimals - 1) + "1"
    if places is not None and places > decimals:
        value = (value if decimals else "1.") + "0" * (places - decimals)
    return value


def _spot_symbol(instrument: Instrument) -> dict[str, Any]:
    return {
        "symbol": instrument.id,
        "status": "TRADING",
        "baseAsset": instrument.base,
        "baseAssetPrecision": 8,
        "quoteAsset": instrument.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": _SPOT_ORDER_TYPES,
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": True,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": step(instrument.price_decimals, 8),
                "maxPrice": "1000000.00000000",
                "tickSize": step(instrument.price_decimals, 8),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": step(instrument.amount_decimals, 8),
                "maxQty": "9000000.00000000",
                "stepSize": step(instrument.amount_decimals, 8),
            },
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {
                "filterType": "NOTIONAL",
                "minNotional": "5.00000000",
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
        ],
        "permissions": [],
        "permissionSets": [["SPOT", "MARGIN"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def _contract_filters(instrument: Instrument) -> list[dict[str, Any]]:
    return [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": step(instrument.price_decimals),
            "maxPrice": "1000000",
            "tickSize": step(instrument.price_decimals),
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": step(instrument.amount_decimals),
            "maxQty": "100000",
            "stepSize": step(instrument.amount_decimals),
        },
        {
            "filterType": "MARKET_LOT_SIZE",
            "minQty": step(instrument.amount_decimals),
            "maxQty": "10000",
            "stepSize": step(instrument.amount_decimals),
        },
        {"filterType": "MAX_NUM_ORDERS", "limit": 200},
        {
            "filterType": "PERCENT_PRICE",
            "multiplierUp": "1.0500",
            "multiplierDown": "0.9500",
            "multiplierDecimal": "4",
        },
    ]


def _usdm_symbol(instrument: Instrument) -> dict[str, Any]:
    return {
        "symbol": instrument.id,
        "pair": instrument.id,
        "contractType": "PERPETUAL",
        "deliveryDate": PERPETUAL_DELIVERY,
        "onboardDate": 1569398400000,
        "status": "TRADING",
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "baseAsset": instrument.base,
        "quoteAsset": instrument.quote,
        "marginAsset": instrument.settle,
        "pricePrecision": instrument.price_decimals,
        "quantityPrecision": instrument.amount_decimals,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": [],
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "maxMoveOrderLimit": 10000,
        "filters": _contract_filters(instrument),
        "orderTypes": _FUTURES_ORDER_TYPES,
        "timeInForce": _TIME_IN_FORCE,
    }


def _coinm_symbol(instrument: Instrument) -> dict[str, Any]:
    assert instrument.contract_size is not None
    return {
        "symbol": instrument.id,
        "pair": instrument.base + instrument.quote,
        "contractType": "PERPETUAL",
        "deliveryDate": PERPETUAL_DELIVERY,
        "onboardDate": 1597042800000,
        "contractStatus": "TRADING",
        "contractSize": int(instrument.contract_size),
        "marginAsset": instrument.settle,
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "baseAsset": instrument.base,
        "quoteAsset": instrument.quote,
        "pricePrecision": instrument.price_decimals,
        "quantityPrecision": 0,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "equalQtyPrecision": 4,
        "maxMoveOrderLimit": 10000,
        "triggerProtect": "0.0500",
        "underlyingType": "COIN",
        "underlyingSubType": [],
        "filters": _contract_filters(instrument),
        "orderTypes": _FUTURES_ORDER_TYPES,
        "timeInForce": _TIME_IN_FORCE,
        "liquidationFee": "0.015000",
        "marketTakeBound": "0.05",
    }


def _rate_limit(kind: str, interval: str, number: int, limit: int) -> dict[str, Any]:
    return {"rateLimitType": kind, "interval": interval, "intervalNum": number, "limit": limit}


def spot_exchange_info(now_ms: int) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": now_ms,
        "rateLimits": [
            _rate_limit("REQUEST_WEIGHT", "MINUTE", 1, 6000),
            _rate_limit("ORDERS", "SECOND", 10, 100),
            _rate_limit("ORDERS", "DAY", 1, 200000),
            _rate_limit("RAW_REQUESTS", "MINUTE", 5, 61000),
        ],
        "exchangeFilters": [],
        "symbols": [_spot_symbol(item) for item in INSTRUMENTS if not item.contract],
    }


def usdm_exchange_info(now_ms: int) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": now_ms,
        "futuresType": "U_MARGINED",
        "rateLimits": [
            _rate_limit("REQUEST_WEIGHT", "MINUTE", 1, 2400),
            _rate_limit("ORDERS", "MINUTE", 1, 1200),
            _rate_limit("ORDERS", "SECOND", 10, 300),
        ],
        "exchangeFilters": [],
        "assets": [
            {"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"},
            {"asset": "BNB", "marginAvailable": True, "autoAssetExchange": "-0.00100000"},
        ],
        "symbols": [_usdm_symbol(item) for item in INSTRUMENTS if item.linear],
    }


def coinm_exchange_info(now_ms: int) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": now_ms,
        "rateLimits": [
            _rate_limit("REQUEST_WEIGHT", "MINUTE", 1, 2400),
            _rate_limit("ORDERS", "MINUTE", 1, 1200),
        ],
        "exchangeFilters": [],
        "symbols": [_coinm_symbol(item) for item in INSTRUMENTS if item.inverse],
    }


def coin_config(coin: str, free: str) -> dict[str, Any]:
    name, networks = COINS[coin]
    return {
        "coin": coin,
        "depositAllEnable": True,
        "withdrawAllEnable": True,
        "name": name,
        "free": free,
        "locked": "0",
        "freeze": "0",
        "withdrawing": "0",
        "ipoing": "0",
        "ipoable": "0",
        "storage": "0",
        "isLegalMoney": False,
        "trading": True,
        "networkList": [
            {
                "network": network,
                "coin": coin,
                "withdrawIntegerMultiple": "0.00000001",
                "isDefault": index == 0,
                "depositEnable": True,
                "withdrawEnable": True,
                "depositDesc": "",
                "withdrawDesc": "",
                "specialTips": "",
                "specialWithdrawTips": "",
                "name": network,
                "resetAddressStatus": False,
                "addressRegex": "^[0-9A-Za-z]{20,64}$",
                "memoRegex": memo,
                "withdrawFee": fee,
                "withdrawMin": minimum,
                "withdrawMax": "9999999999.99999999",
                "depositDust": "0.00000001",
                "minConfirm": 1,
                "unLockConfirm": 0,
                "sameAddress": bool(memo),
                "estimatedArrivalTime": 5,
                "busy": False,
                "contractAddressUrl": "",
                "contractAddress": "",
            }
            for index, (network, fee, minimum, memo) in enumerate(networks)
        ],
    }

"""KuCoin markets and coins: spot pairs on api.kucoin.com, contracts on api-futures.kucoin.com.

Spot symbols are ``BASE-QUOTE``; futures are ``XBTUSDTM`` (linear, sized in lots of
``multiplier`` base units) and ``XBTUSDM`` (inverse, one USD per lot). KuCoin Futures calls
bitcoin XBT, which ccxt turns back into BTC through its common-currency table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.kucoin.common import number
from sync.simulator.instruments import (
    MARGIN_MODES,
    Instrument,
    inverse_perpetual,
    linear_perpetual,
    margin,
    spot,
)

SPOT_HOST = "api.kucoin.com"
FUTURES_HOST = "api-futures.kucoin.com"

# Generation decimals stay within the core's 8-decimal money scale; the increments KuCoin
# prints (below) may be finer, and every generated amount is a multiple of them.
INSTRUMENTS: tuple[Instrument, ...] = (
    spot("BTC", "USDT", "BTC-USDT", 1, 7),
    spot("ETH", "USDT", "ETH-USDT", 2, 6),
    spot("SOL", "USDT", "SOL-USDT", 2, 4),
    spot("XRP", "USDT", "XRP-USDT", 4, 4),
    spot("DOGE", "USDT", "DOGE-USDT", 5, 3),
    # a linear lot is 10**-amount_decimals base units, so one generated unit is one lot
    linear_perpetual("BTC", "USDT", "XBTUSDTM", 1, 3),
    linear_perpetual("ETH", "USDT", "ETHUSDTM", 2, 2),
    linear_perpetual("SOL", "USDT", "SOLUSDTM", 3, 1),
    linear_perpetual("XRP", "USDT", "XRPUSDTM", 4, -1),
    linear_perpetual("DOGE", "USDT", "DOGEUSDTM", 5, -2),
    inverse_perpetual("BTC", "USD", "XBTUSDM", 1, "1"),
    inverse_perpetual("ETH", "USD", "ETHUSDM", 2, "1"),
)

# Every pair trades on cross and on isolated margin too (``isMarginEnabled``, the isolated
# symbols list), on the same market: accounts name these books "BTC/USDT cross margin".
MARGIN_BOOKS: tuple[Instrument, ...] = tuple(
    margin(item, mode) for mode in MARGIN_MODES for item in INSTRUMENTS if not item.contract
)
# KuCoin's tradeType of each book: spot, cross margin, isolated margin
TRADE_TYPES = {"TRADE": None, "MARGIN_TRADE": "cross", "MARGIN_ISOLATED_TRADE": "isolated"}

# symbol -> (priceIncrement, baseIncrement, baseMinSize) as KuCoin lists them
SPOT_INCREMENTS: dict[str, tuple[str, str, str]] = {
    "BTC-USDT": ("0.1", "0.00000001", "0.00001"),
    "ETH-USDT": ("0.01", "0.0000001", "0.0001"),
    "SOL-USDT": ("0.01", "0.0001", "0.01"),
    "XRP-USDT": ("0.0001", "0.0001", "0.1"),
    "DOGE-USDT": ("0.00001", "0.0001", "10"),
}

# coin -> (full name, precision, [(chain name, chain id, withdraw fee, minimum)])
COINS: dict[str, tuple[str, int, list[tuple[str, str, str, str]]]] = {
    "BTC": ("Bitcoin", 8, [("BTC", "btc", "0.0005", "0.0008")]),
    "ETH": ("Ethereum", 8, [("ERC20", "eth", "0.0013", "0.002")]),
    "SOL": ("Solana", 8, [("SOL", "sol", "0.008", "0.05")]),
    "XRP": ("XRP", 6, [("XRP", "xrp", "0.2", "1.5")]),
    "DOGE": ("Dogecoin", 8, [("DOGE", "doge", "4", "20")]),
    "KCS": ("KuCoin Token", 8, [("KCC", "kcc", "0.001", "0.01")]),
    "USDT": (
        "Tether",
        8,
        [("ERC20", "eth", "3.2", "10"), ("TRC20", "trx", "1", "10"), ("SOL", "sol", "1", "10")],
    ),
}

_FUTURES_CODE = {"BTC": "XBT"}


def trade_type(instrument: Instrument) -> str:
    return next(name for name, mode in TRADE_TYPES.items() if mode == instrument.margin_mode)


def futures_code(asset: str) -> str:
    """KuCoin Futures' own id of a coin (XBT for bitcoin)."""
    return _FUTURES_CODE.get(asset, asset)


def futures_asset(code: str) -> str:
    """The coin behind a KuCoin Futures currency id; BTC is accepted as well as XBT."""
    return next((asset for asset, own in _FUTURES_CODE.items() if own == code), code)


def step(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def multiplier(instrument: Instrument) -> Decimal:
    """Base units per lot (linear) or, negative, USD per lot (inverse), as KuCoin prints it."""
    if instrument.inverse:
        assert instrument.contract_size is not None
        return -instrument.contract_size
    return step(instrument.amount_decimals)


def lots(instrument: Instrument, amount: Decimal) -> int:
    """A contract amount in lots: base units / multiplier, or inverse contracts as they are."""
    return int(amount.scaleb(instrument.amount_decimals))


def spot_symbol(instrument: Instrument) -> dict[str, Any]:
    price_increment, base_increment, base_min = SPOT_INCREMENTS[instrument.id]
    return {
        "symbol": instrument.id,
        "name": instrument.id,
        "baseCurrency": instrument.base,
        "quoteCurrency": instrument.quote,
        "feeCurrency": instrument.quote,
        "market": "USDS",
        "baseMinSize": base_min,
        "quoteMinSize": "0.1",
        "baseMaxSize": "10000000000",
        "quoteMaxSize": "99999999",
        "baseIncrement": base_increment,
        "quoteIncrement": "0.000001",
        "priceIncrement": price_increment,
        "priceLimitRate": "0.1",
        "minFunds": "0.1",
        "isMarginEnabled": True,
        "enableTrading": True,
        "feeCategory": 1,
        "makerFeeCoefficient": "1.00",
        "takerFeeCoefficient": "1.00",
        "st": False,
        "callauctionIsEnabled": False,
    }


def isolated_symbol(instrument: Instrument) -> dict[str, Any]:
    return {
        "symbol": instrument.id,
        "symbolName": instrument.id,
        "baseCurrency": instrument.base,
        "quoteCurrency": instrument.quote,
        "maxLeverage": 10,
        "flDebtRatio": "0.97",
        "tradeEnable": True,
        "autoRenewMaxDebtRatio": "0.96",
        "baseBorrowEnable": True,
        "quoteBorrowEnable": True,
        "baseTransferInEnable": True,
        "quoteTransferInEnable": True,
        "baseBorrowCoefficient": "1",
        "quoteBorrowCoefficient": "1",
    }


def currency(code: str) -> dict[str, Any]:
    name, precision, chains = COINS[code]
    return {
        "currency": code,
        "name": code,
        "fullName": name,
        "precision": precision,
        "confirms": None,
        "contractAddress": None,
        "isMarginEnabled": code != "KCS",
        "isDebitEnabled": code != "KCS",
        "chains": [
            {
                "chainName": chain_name,
                "chainId": chain_id,
                "withdrawalMinSize": minimum,
                "depositMinSize": None,
                "withdrawFeeRate": "0",
                "withdrawalMinFee": fee,
                "isWithdrawEnabled": True,
                "isDepositEnabled": True,
                "confirms": 12,
                "preConfirms": 12,
                "withdrawPrecision": precision,
                "maxWithdraw": None,
                "maxDeposit": None,
                "needTag": chain_id == "xrp",
                "contractAddress": "",
            }
            for chain_name, chain_id, fee, minimum in chains
        ],
    }


def contract(instrument: Instrument, mark: Decimal, now_ms: int) -> dict[str, Any]:
    """One row of ``/api/v1/contracts/active``; KuCoin Futures prints JSON numbers here."""
    base = futures_code(instrument.base)
    settle = futures_code(instrument.settle or instrument.quote)
    tick = step(instrument.price_decimals)
    return {
        "symbol": instrument.id,
        "rootSymbol": settle,
        "type": "FFWCSX",
        "firstOpenDate": 1585555200000,
        "expireDate": None,
        "settleDate": None,
        "baseCurrency": base,
        "quoteCurrency": instrument.quote,
        "settleCurrency": settle,
        "maxOrderQty": 1000000,
        "maxPrice": 1000000.0,
        "lotSize": 1,
        "tickSize": number(tick),
        "indexPriceTickSize": number(tick),
        "multiplier": number(multiplier(instrument)),
        "initialMargin": 0.008,
        "maintainMargin": 0.004,
        "maxRiskLimit": 100000,
        "minRiskLimit": 100000,
        "riskStep": 50000,
        "makerFeeRate": 0.0002,
        "takerFeeRate": 0.0006,
        "takerFixFee": 0.0,
        "makerFixFee": 0.0,
        "settlementFee": None,
        "isDeleverage": True,
        "isQuanto": False,
        "isInverse": instrument.inverse,
        "markMethod": "FairPrice",
        "fairMethod": "FundingRate",
        "fundingBaseSymbol": f".{base}INT8H",
        "fundingQuoteSymbol": f".{instrument.quote}INT8H",
        "fundingRateSymbol": f".{instrument.id}FPI8H",
        "indexSymbol": f".K{base}{instrument.quote}",
        "settlementSymbol": "",
        "status": "Open",
        "fundingFeeRate": 0.0001,
        "predictedFundingFeeRate": 0.0001,
        "fundingRateGranularity": 28800000,
        "openInterest": "1250000",
        "turnoverOf24h": 125000000.0,
        "volumeOf24h": 2500.0,
        "markPrice": number(mark),
        "indexPrice": number(mark),
        "lastTradePrice": number(mark),
        "nextFundingRateTime": 28800000 - now_ms % 28800000,
        "maxLeverage": 100 if instrument.linear else 50,
        "sourceExchanges": ["okex", "binance", "kucoin", "bybit", "bitget", "gateio"],
        "premiumsSymbol1M": f".{instrument.id}PI",
        "premiumsSymbol8H": f".{instrument.id}PI8H",
        "fundingBaseSymbol1M": f".{base}INT",
        "fundingQuoteSymbol1M": f".{instrument.quote}INT",
        "lowPrice": number(mark),
        "highPrice": number(mark),
        "priceChgPct": 0.0,
        "priceChg": 0.0,
        "k": 490.0,
        "m": 300.0,
        "f": 1.3,
        "mmrLimit": 0.3,
        "mmrLevConstant": 50.0,
        "supportCross": True,
        "buyLimit": number((mark * Decimal("1.05")).quantize(tick)),
        "sellLimit": number((mark * Decimal("0.95")).quantize(tick)),
    }

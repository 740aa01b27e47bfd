"""Coinbase Advanced products and the currencies of the Coinbase App (v2) API.

Product rows follow ``GET /api/v3/brokerage/market/products`` (fields as ccxt's
``parse_spot_market`` documents them); currencies follow ``/v2/currencies`` (fiat) and
``/v2/currencies/crypto``. Increments are the real ones; the generator prints amounts at a
coarser step (``amount_decimals``), which is always a multiple of the real increment.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sync.simulator.instruments import Instrument, spot

HOST = "api.coinbase.com"
# The namespace of every deterministic UUID the module prints (accounts, orders, trades).
_NAMESPACE = uuid.UUID("6f1c4c1e-5d0b-4c8e-9a55-0b7f3f2f6a10")


@dataclass(frozen=True)
class Product:
    instrument: Instrument
    base_increment: str
    quote_increment: str
    base_min_size: str
    base_max_size: str
    quote_min_size: str
    quote_max_size: str


def _product(
    base: str, quote: str, decimals: tuple[int, int], increments: tuple[str, str], base_max: str
) -> Product:
    """A spot product; ``decimals`` (price, amount) are the generator's, ``increments``
    (base, quote) Coinbase's."""
    base_increment, quote_increment = increments
    return Product(
        spot(base, quote, f"{base}-{quote}", *decimals),
        base_increment,
        quote_increment,
        base_min_size=base_increment,
        base_max_size=base_max,
        quote_min_size="1",
        quote_max_size="150000000",
    )


PRODUCTS: tuple[Product, ...] = (
    _product("BTC", "USDT", (2, 6), ("0.00000001", "0.01"), "3400"),
    _product("ETH", "USDT", (2, 5), ("0.00000001", "0.01"), "42000"),
    _product("SOL", "USDT", (2, 3), ("0.00000001", "0.01"), "900000"),
    _product("XRP", "USDT", (4, 2), ("0.000001", "0.0001"), "8500000"),
    _product("DOGE", "USDT", (5, 1), ("0.1", "0.00001"), "40000000"),
    _product("BTC", "USD", (2, 6), ("0.00000001", "0.01"), "3400"),
    _product("ETH", "USD", (2, 5), ("0.00000001", "0.01"), "42000"),
    # Tether's dollar book, where its own USD price is read. Coinbase lists USDT-USD but no
    # USDC-USD: USDC and USD share one book, USDC products being aliases of the USD ones
    # (the ``alias_to: ["ETH-USDC"]`` of ETH-USD in ccxt coinbase.py's fetchTickersV3
    # comment). Increments as Coinbase Exchange lists USDT-USD [U].
    _product("USDT", "USD", (5, 2), ("0.01", "0.00001"), "10000000"),
)
INSTRUMENTS: tuple[Instrument, ...] = tuple(product.instrument for product in PRODUCTS)

FIAT: dict[str, tuple[str, str]] = {
    "USD": ("US Dollar", "0.01"),
    "EUR": ("Euro", "0.01"),
    "GBP": ("British Pound", "0.01"),
}


@dataclass(frozen=True)
class Crypto:
    code: str
    name: str
    color: str
    sort_index: int
    exponent: int
    address_regex: str
    slug: str


_EVM_ADDRESS = "^(?:0x)?[0-9a-fA-F]{40}$"
_BTC_ADDRESS = (
    "^([13][a-km-zA-HJ-NP-Z1-9]{25,34})|^(bc1[qzry9x8gf2tvdw0s3jn54khce6mua7l]"
    "([qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}|[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}))$"
)
CRYPTO: dict[str, Crypto] = {
    item.code: item
    for item in (
        Crypto("BTC", "Bitcoin", "#F7931A", 100, 8, _BTC_ADDRESS, "bitcoin"),
        Crypto("ETH", "Ethereum", "#627EEA", 102, 8, _EVM_ADDRESS, "ethereum"),
        Crypto("SOL", "Solana", "#9945FF", 111, 9, "^[1-9A-HJ-NP-Za-km-z]{32,44}$", "solana"),
        Crypto("XRP", "XRP", "#23292F", 104, 6, "^r[1-9A-HJ-NP-Za-km-z]{25,34}$", "xrp"),
        Crypto(
            "DOGE",
            "Dogecoin",
            "#BA9F33",
            120,
            8,
            "^(D|A|9)[a-km-zA-HJ-NP-Z1-9]{25,34}$",
            "dogecoin",
        ),
        Crypto("ADA", "Cardano", "#0033AD", 118, 6, "^(addr1)[0-9a-z]{53,98}$", "cardano"),
        Crypto("USDT", "Tether", "#22A079", 103, 6, _EVM_ADDRESS, "tether"),
        Crypto("USDC", "USDC", "#2775CA", 101, 6, _EVM_ADDRESS, "usdc"),
    )
}


def stable_uuid(*parts: object) -> str:
    """A deterministic version-5 UUID, the kind Coinbase prints for wallets and users."""
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(part) for part in parts)))


def random_looking_uuid(*parts: object) -> str:
    """A deterministic UUID with version-4 bits, the kind Coinbase prints for orders and fills."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def trade_uuid(product_id: str, trade_id: int) -> str:
    """The ``trade_id`` Coinbase prints for the core's fill ``trade_id`` on ``product_id``.

    Coinbase identifies fills by UUID, the core by integer; tests map one to the other here.
    """
    return random_looking_uuid("trade", product_id, trade_id)


def order_uuid(product_id: str, order_id: int) -> str:
    return random_looking_uuid("order", product_id, order_id)


_CHANGE = Decimal("1E-14")


def _quantize_text(value: float, increment: str) -> str:
    step = Decimal(increment)
    return format((Decimal(repr(value)) / step).to_integral_value() * step, "f")


def product_row(product: Product, price: float, price_24h_ago: float) -> dict[str, Any]:
    instrument = product.instrument
    change = (price / price_24h_ago - 1) * 100 if price_24h_ago else 0.0
    base_name = CRYPTO[instrument.base].name
    quote = instrument.quote
    quote_name = FIAT[quote][0] if quote in FIAT else CRYPTO[quote].name
    return {
        "product_id": instrument.id,
        "price": _quantize_text(price, product.quote_increment),
        "price_percentage_change_24h": format(Decimal(repr(change)).quantize(_CHANGE), "f"),
        "volume_24h": "18342.51734215",
        "volume_percentage_change_24h": "-3.96712038564021",
        "base_increment": product.base_increment,
        "quote_increment": product.quote_increment,
        "quote_min_size": product.quote_min_size,
        "quote_max_size": product.quote_max_size,
        "base_min_size": product.base_min_size,
        "base_max_size": product.base_max_size,
        "base_name": base_name,
        "quote_name": quote_name,
        "watched": False,
        "is_disabled": False,
        "new": False,
        "status": "online",
        "cancel_only": False,
        "limit_only": False,
        "post_only": False,
        "trading_disabled": False,
        "auction_mode": False,
        "product_type": "SPOT",
        "quote_currency_id": instrument.quote,
        "base_currency_id": instrument.base,
        "fcm_trading_session_details": None,
        "mid_market_price": "",
        "alias": "",
        "alias_to": [],
        "base_display_symbol": instrument.base,
        "quote_display_symbol": instrument.quote,
        "view_only": False,
        "price_increment": product.quote_increment,
        "display_name": instrument.id,
        "product_venue": "CBE",
        "approximate_quote_24h_volume": "1212485934.81",
    }


def fiat_rows() -> list[dict[str, Any]]:
    return [{"id": code, "name": name, "min_size": size} for code, (name, size) in FIAT.items()]


def crypto_rows() -> list[dict[str, Any]]:
    return [
        {
            "asset_id": stable_uuid("asset", item.code),
            "code": item.code,
            "name": item.name,
            "color": item.color,
            "sort_index": item.sort_index,
            "exponent": item.exponent,
            "type": "crypto",
            "address_regex": item.address_regex,
        }
        for item in CRYPTO.values()
    ]


def currency_object(code: str) -> dict[str, Any]:
    """The ``currency`` object the v2 accounts endpoint nests in every wallet."""
    if code in FIAT:
        return {
            "code": code,
            "name": FIAT[code][0],
            "color": "#0066CF",
            "sort_index": 0,
            "exponent": 2,
            "type": "fiat",
            "address_regex": "",
            "asset_id": "",
            "slug": code.lower(),
        }
    item = CRYPTO[code]
    return {
        "code": code,
        "name": item.name,
        "color": item.color,
        "sort_index": item.sort_index,
        "exponent": item.exponent,
        "type": "crypto",
        "address_regex": item.address_regex,
        "asset_id": stable_uuid("asset", code),
        "slug": item.slug,
    }

"""What ``load_markets`` and ``fetch_time`` call: products, currencies, rates, server time.

ccxt 4.5.90 ``fetch_markets_v3`` asks for the public spot products, then (with a key) the
signed fee tier ``transaction_summary``, then the public ``product_type=FUTURE`` list; its
``fetch_currencies`` reads ``/v2/currencies``, ``/v2/currencies/crypto`` and
``/v2/exchange-rates``. The simulator lists spot products only; US futures (CFM) are not
simulated, so the FUTURE list is empty, as it is for a region without them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.coinbase import catalog
from sync.simulator.exchanges.coinbase.catalog import HOST, PRODUCTS
from sync.simulator.exchanges.coinbase.common import bounded_int, repeated, rfc3339_ms, rfc3339_s
from sync.simulator.exchanges.coinbase.errors import invalid_argument, v2_error
from sync.simulator.http import Rejected
from sync.simulator.prices import DAY_MS

router = Router()

PRODUCT_TYPES = ("SPOT", "FUTURE", "UNKNOWN_PRODUCT_TYPE")
_RATE_DIGITS = 12


@router.get(HOST, "/v2/time", pool="v2_public")
def v2_time(call: Call) -> dict[str, Any]:
    return {"data": {"iso": rfc3339_s(call.now_ms), "epoch": call.now_ms // 1000}}


@router.get(HOST, "/api/v3/brokerage/time", pool="v3_public")
def v3_time(call: Call) -> dict[str, Any]:
    return {
        "iso": rfc3339_ms(call.now_ms),
        "epochSeconds": str(call.now_ms // 1000),
        "epochMillis": str(call.now_ms),
    }


def _products(call: Call) -> dict[str, Any]:
    product_type = call.params.get("product_type") or "SPOT"
    if product_type not in PRODUCT_TYPES:
        raise invalid_argument(f"invalid value for enum type: {product_type!r}")
    wanted = set(repeated(call, "product_ids"))
    oracle = call.exchange.state.oracle
    rows = []
    if product_type != "FUTURE":
        for product in PRODUCTS:
            instrument = product.instrument
            if wanted and instrument.id not in wanted:
                continue
            price = oracle.price(instrument.base, instrument.quote, call.now_ms)
            before = oracle.price(instrument.base, instrument.quote, call.now_ms - DAY_MS)
            rows.append(catalog.product_row(product, price, before))
    offset = bounded_int(call, "offset", 0, len(rows))
    limit = bounded_int(call, "limit", len(rows) or 1, 10_000)
    page = rows[offset : offset + limit]
    return {"products": page, "num_products": len(rows)}


@router.get(HOST, "/api/v3/brokerage/market/products", pool="v3_public")
def public_products(call: Call) -> dict[str, Any]:
    return _products(call)


@router.get(HOST, "/api/v3/brokerage/products", pool="v3_private", signed=True)
def private_products(call: Call) -> dict[str, Any]:
    """The signed twin ccxt uses with ``options['fetchMarkets']['usePrivate']``."""
    return _products(call)


@router.get(HOST, "/v2/currencies", pool="v2_public")
def fiat_currencies(call: Call) -> dict[str, Any]:
    return {"data": catalog.fiat_rows()}


@router.get(HOST, "/v2/currencies/crypto", pool="v2_public")
def crypto_currencies(call: Call) -> dict[str, Any]:
    return {"data": catalog.crypto_rows()}


@router.get(HOST, "/v2/exchange-rates", pool="v2_public")
def exchange_rates(call: Call) -> Any:
    """Units of each currency one unit of ``currency`` (default USD) buys."""
    base = call.params.get("currency") or "USD"
    oracle = call.exchange.state.oracle
    if not oracle.knows(base):
        raise Rejected(v2_error(400, "invalid_request", f"Invalid currency ({base})"))
    base_usd = oracle.usd(base, call.now_ms)
    rates = {}
    for code in [*catalog.FIAT, *catalog.CRYPTO]:
        if oracle.knows(code):
            rate = Decimal(repr(base_usd / oracle.usd(code, call.now_ms)))
            rates[code] = format(round(rate, _RATE_DIGITS).normalize(), "f")
    return {"data": {"currency": base, "rates": rates}}

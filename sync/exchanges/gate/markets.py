"""Which market a Gate fill or position belongs to, listed or not.

Gate names markets by id only (``BTC_USDT`` for the spot pair and the USDT perpetual alike,
``BTC_USD`` for the BTC-settled perpetual, ``BTC_USDT_20250328`` for a delivery contract).
Twelve months of history reach markets no longer listed: every quarterly delivery contract
expires, pairs get delisted. ccxt then names the fill by its raw id (or as a spot pair), so
those markets are rebuilt here from the id.
"""

from __future__ import annotations

from typing import Any

import ccxt


def market_by_id(client: ccxt.Exchange, market_id: str, *, contract: bool) -> dict[str, Any]:
    for market in (client.markets_by_id or {}).get(market_id, []):
        if bool(market.get("contract")) == contract:
            return market
    return _unlisted(client, market_id, contract=contract)


def market_of_fill(client: ccxt.Exchange, trade: dict[str, Any]) -> dict[str, Any]:
    info = trade.get("info") or {}
    if "contract" in info:
        return market_by_id(client, str(info["contract"]), contract=True)
    return market_by_id(client, str(info.get("currency_pair") or ""), contract=False)


def _unlisted(client: ccxt.Exchange, market_id: str, *, contract: bool) -> dict[str, Any]:
    base_id, _, rest = market_id.partition("_")
    quote_id, _, expiry = rest.partition("_")
    base, quote = client.safe_currency_code(base_id), client.safe_currency_code(quote_id)
    if not contract:
        return {
            "symbol": f"{base}/{quote}",
            "type": "spot",
            "contract": False,
            "base": base,
            "quote": quote,
            "settle": None,
        }
    # Gate's inverse perpetuals are quoted in USD and settled in their base coin.
    inverse = quote == "USD"
    settle = base if inverse else quote
    symbol = f"{base}/{quote}:{settle}" + (f"-{expiry[2:]}" if expiry else "")
    return {
        "symbol": symbol,
        "type": "future" if expiry else "swap",
        "contract": True,
        "inverse": inverse,
        "base": base,
        "quote": quote,
        "settle": settle,
        "contractSize": _sibling_contract_size(client, base, quote, settle),
    }


def _sibling_contract_size(client: ccxt.Exchange, base: str, quote: str, settle: str) -> Any:
    """The market list holds live contracts only, so an expired one borrows the multiplier of
    a listed contract on the same underlying (its successor, else the perpetual); with
    neither listed, a contract counts as 1."""
    siblings = [
        market
        for market in client.markets.values()
        if market.get("contract")
        and not market.get("option")
        and (market["base"], market["quote"], market["settle"]) == (base, quote, settle)
    ]
    siblings.sort(key=lambda market: not market.get("future"))
    return siblings[0]["contractSize"] if siblings else 1

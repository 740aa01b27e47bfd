"""Bybit fills: `/v5/execution/list`, one category at a time, walked forward through 7-day
windows, each window read page by page with Bybit's `nextPageCursor`.

Bybit answers at most 100 fills a request, for at most 7 days (`endTime - startTime <= 7
days`), and needs no symbol: one walk covers every market of a category. The order of a page
is not ours to rely on: fills come "sorted by execTime in descending order. However, for
Classic spot, they are sorted by execId in descending order"
(https://bybit-exchange.github.io/docs/v5/order/execution), and nothing ties the execIds of
different markets to time. Narrowing `endTime` to a full page's oldest fill, as this walk did,
then skips the newer fills of the markets whose ids sort lower (shared/docs/real-api-audit.md
M6). The cursor pages one query whatever its order and whatever the order of fills sharing a
millisecond; stored with its window, it lets a crash resume at the page after the last kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from ..records import TradePage, TradeRecord, from_millis, to_decimal
from ..walking import OVERLAP_MS

DAY_MS = 86_400_000
# "If both are passed, the rule is endTime - startTime <= 7 days" (Get Trade History).
WINDOW_MS = 7 * DAY_MS
PAGE = 100
# Rows of execution/list that move money but are not fills: funding fees and USDC session
# settlement. Liquidations (BustTrade), ADL and block trades are fills and are kept; ccxt's
# fetch_my_trades sends execType=Trade and so loses them.
NOT_FILLS = frozenset({"Funding", "Settle"})

Fetch = Callable[[int, int, str], tuple[list[dict[str, Any]], str]]


def execution_pages(
    *,
    fetch: Fetch,
    cursor: dict[str, Any],
    since_ms: int,
    now_ms: int,
    convert: Callable[[list[dict[str, Any]]], list[TradeRecord]],
) -> Iterator[TradePage]:
    """Pages of one category after `cursor`, one per request, each with its resume cursor.

    `fetch(start, end, page_cursor)` returns (rows, Bybit's nextPageCursor). The cursor is
    `{"from_ms"}` between windows and `{"from_ms", "window_end", "page"}` inside one: the
    window [from_ms, window_end] goes on from Bybit's cursor `page`, asked with the very query
    that handed it out. The window's end is stored, not recomputed: a walk resumed later
    inside the newest window would otherwise take the new "now" for its end, send the cursor
    with another query and count the fills that came in between as read (issue 9, point 2).
    A cursor of the walk that narrowed `endTime` (`until_ms`, `seen`) has no page: its window
    is read again from the top, since under execId order it may have been narrowed past fills
    (the journal absorbs what is read twice).
    """
    start = int(cursor.get("from_ms", since_ms))
    window_end: int | None = cursor.get("window_end")
    page_cursor = str(cursor.get("page") or "")
    if start < since_ms:
        # A cursor older than the reach (a connection idle for a year): start over at it.
        start, window_end, page_cursor = since_ms, None, ""
    while start <= now_ms:
        end = int(window_end) if window_end is not None else min(start + WINDOW_MS - 1, now_ms)
        window_end = None
        while True:
            rows, more = fetch(start, end, page_cursor)
            # a short page is the last one, whatever cursor comes with it (Bybit sends one)
            if not more or len(rows) < PAGE:
                break
            page_cursor = more
            yield TradePage(convert(rows), {"from_ms": start, "window_end": end, "page": more})
        finished = end >= now_ms
        # A window cut short by some run's "now" (this one's, or an interrupted one's) may have
        # been joined by fills at its last moments since: the next window starts a little
        # before its end (the overlap is re-read; the journal absorbs what it already has).
        cut_short = finished or end < start + WINDOW_MS - 1
        start = max(end + 1 - OVERLAP_MS, since_ms) if cut_short else end + 1
        page_cursor = ""
        yield TradePage(convert(rows), {"from_ms": start})
        if finished:
            return


def market_index(markets: dict[str, dict[str, Any]], category: str) -> dict[str, dict[str, Any]]:
    """Bybit's market id → ccxt market, within one category (BTCUSDT is spot and linear)."""
    index = {}
    for market in markets.values():
        if market.get("option"):
            continue
        if category == "spot":
            wanted = bool(market.get("spot"))
        else:
            wanted = bool(market.get("contract")) and bool(market.get(category))
        if wanted:
            index[market["id"]] = market
    return index


def fill_record(row: dict[str, Any], market: dict[str, Any], *, category: str) -> TradeRecord:
    """Our record of one execution row, every figure from Bybit's own strings.

    ccxt's parse_trade is not used: with Decimal numbers it drops the fee cost (4.5.90), it
    cannot tell spot BTCUSDT from linear BTCUSDT without the market, and a fill of a delisted
    market would raise BadSymbol instead of being kept.
    """
    price = Decimal(row["execPrice"])
    amount = Decimal(row["execQty"])
    return TradeRecord(
        account="main",
        market_type=market["type"],
        symbol=market["symbol"],
        base=market.get("base") or "",
        quote=market.get("quote") or "",
        settle=market.get("settle") or "",
        side=str(row["side"]).lower(),
        price=price,
        amount=amount,
        cost=to_decimal(row.get("execValue")) or _cost(price, amount, market, category),
        fee=to_decimal(row.get("execFee")),
        fee_currency=row.get("feeCurrency") or _fee_currency(row, market, category),
        executed_at=from_millis(row["execTime"]),
        trade_id=str(row["execId"]),
        order_id=str(row.get("orderId") or ""),
        taker_or_maker="maker" if str(row.get("isMaker")).lower() == "true" else "taker",
        # execPnl: the closing fill's realized PnL, sent by Bybit since 2025 on derivatives.
        realized_pnl=to_decimal(row.get("execPnl")) if category != "spot" else None,
    )


def _cost(price: Decimal, amount: Decimal, market: dict[str, Any], category: str) -> Decimal:
    """Value when execValue is left empty: inverse contracts are worth size / price coins."""
    if category == "inverse":
        size = to_decimal(market.get("contractSize")) or Decimal(1)
        return amount * size / price
    return amount * price


def _fee_currency(row: dict[str, Any], market: dict[str, Any], category: str) -> str:
    """Bybit's rule when feeCurrency is empty: spot buys pay in the base coin, sells in the
    quote coin; contracts pay in the settle coin."""
    if category == "spot":
        return market.get("base" if str(row["side"]) == "Buy" else "quote") or ""
    return market.get("settle") or ""


def unlisted_market(market_id: str, category: str, quotes: set[str]) -> dict[str, Any]:
    """A stand-in market for a fill of a market no longer listed (delisted symbols vanish from
    instruments-info), named the way ccxt names Bybit's markets, so the fill is kept."""
    if category == "inverse":
        base, quote = market_id.removesuffix("USD"), "USD"
        return _stand_in(market_id, base, quote, base, "swap")
    if category == "linear":
        quote = "USDC" if market_id.endswith("PERP") else "USDT"
        base = market_id.removesuffix("PERP").removesuffix("USDT")
        return _stand_in(market_id, base, quote, quote, "swap")
    quote = max((q for q in quotes if market_id.endswith(q)), key=len, default="")
    base = market_id.removesuffix(quote) if quote else ""
    return _stand_in(market_id, base, quote, "", "spot")


def _stand_in(market_id: str, base: str, quote: str, settle: str, kind: str) -> dict[str, Any]:
    if not base or not quote:
        symbol = market_id
    else:
        symbol = f"{base}/{quote}" + (f":{settle}" if settle else "")
    return {
        "id": market_id,
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "settle": settle,
        "type": kind,
        "contractSize": None if kind == "spot" else Decimal(1),
    }

"""Bybit fills: `/v5/execution/list`, one category at a time, walked forward through 7-day
windows, each window read newest first.

Bybit answers at most 100 fills a request, newest first, for at most 7 days (`endTime -
startTime <= 7 days`), and needs no symbol: one walk covers every market of a category.
Inside a window each next request narrows `endTime` down to the oldest fill seen so far
instead of following `nextPageCursor`: it costs the same requests, the position is ours to
store (so a crash resumes inside a busy window without re-reading it), and it does not depend
on how Bybit orders fills that share a millisecond (its docs warn that this order is not
stable). Fills at the boundary millisecond are re-read and skipped by id. Only when a whole
page shares one millisecond does the walk follow Bybit's cursor, since narrowing cannot move.
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

    `fetch(start, end, page_cursor)` returns (rows newest first, Bybit's nextPageCursor). The
    cursor is `{"from_ms"}` between windows and `{"from_ms", "window_end", "until_ms", "seen"}`
    inside one: the window [from_ms, window_end] is read down to until_ms, less the ids in
    `seen` (fills at until_ms already delivered). The window's end is stored, not recomputed:
    a walk resumed later inside the newest window would otherwise take the new "now" for its
    end and count the fills that came in between as read (issue 9, point 2).
    """
    start = int(cursor.get("from_ms", since_ms))
    top: int | None = cursor.get("until_ms")
    window_end: int | None = cursor.get("window_end")
    seen = {str(item) for item in cursor.get("seen", [])}
    if top is not None and window_end is None:
        # A cursor from before window ends were stored: read its window again whole (what was
        # delivered already is absorbed by the journal's unique constraint).
        top, seen = None, set()
    if start < since_ms:
        # A cursor older than the reach (a connection idle for a year): start over at it.
        start, top, window_end, seen = since_ms, None, None, set()
    while start <= now_ms:
        end = int(window_end) if window_end is not None else min(start + WINDOW_MS - 1, now_ms)
        window_end = None
        top = end if top is None else min(int(top), end)
        page_cursor = ""
        while True:
            rows, more = fetch(start, top, page_cursor)
            fresh = [row for row in rows if str(row["execId"]) not in seen]
            # a short page is the last one, whatever cursor comes with it
            if not more or len(rows) < PAGE:
                break
            low = min(int(row["execTime"]) for row in rows)
            if low < top:
                top, page_cursor = low, ""
                seen = {str(row["execId"]) for row in rows if int(row["execTime"]) == low}
            else:
                seen |= {str(row["execId"]) for row in rows}
                page_cursor = more
            position = {"from_ms": start, "window_end": end, "until_ms": top, "seen": sorted(seen)}
            yield TradePage(convert(fresh), position)
        finished = end >= now_ms
        # A window cut short by some run's "now" (this one's, or an interrupted one's) may have
        # been joined by fills at its last moments since: the next window starts a little
        # before its end (the overlap is re-read; the journal absorbs what it already has).
        cut_short = finished or end < start + WINDOW_MS - 1
        start = max(end + 1 - OVERLAP_MS, since_ms) if cut_short else end + 1
        top, seen = None, set()
        yield TradePage(convert(fresh), {"from_ms": start})
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

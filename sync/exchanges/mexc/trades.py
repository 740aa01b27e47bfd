"""MEXC fills: one stream per spot pair and per perpetual, since both APIs want a symbol.

- Spot ``/api/v3/myTrades``: 100 fills a page in no documented order, and only the last month
  is kept. No id cursor, so the walk narrows each time window until it answers less than a
  page (`walk.split_window_pages`). Pairs come from the spot balance, plus every pair walked
  before.
- Futures ``/api/v1/private/order/list/order_deals``: newest first by ``page_num`` inside a
  ``start_time``/``end_time`` window of at most 90 days, and only 90 days are kept, so one
  window reaches everything. A fixed window pages stably from its newest end, so the cursor
  is (window, next page). Perpetuals come from the closed positions and the open ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import ccxt

from ..base import OptionalCall
from ..records import Stream, TradePage, TradeRecord
from ..walking import OVERLAP_MS
from .parts import FUTURES
from .walk import split_window_pages
from .wire import (
    FUTURES_PACE,
    MY_TRADES_PACE,
    futures_data,
    open_positions,
    pace,
    spot_account,
    swap_market,
)

DAY_MS = 86_400_000
PAGE = 100
SPOT_REACH_DAYS = 30
SWAP_REACH_DAYS = 90
# MEXC documents no span limit for myTrades; the month it keeps fits in one window, the first
# one tried.
SPOT_WINDOW_MS = (SPOT_REACH_DAYS + 1) * DAY_MS
# order_deals refuses a start_time more than 90 days back (code 400): stay a little inside,
# measured when each request leaves, so a long sync or a small clock difference is no harm.
SWAP_KEEP_MS = SWAP_REACH_DAYS * DAY_MS - 5 * 60_000

Convert = Callable[[list[dict[str, Any]]], list[TradeRecord]]


def trade_streams(client: ccxt.Exchange, known: set[str], optional: OptionalCall) -> list[Stream]:
    """Pairs whose base coin the spot account holds, perpetuals with a closed or open
    position, and every stream walked before whose market still exists."""
    names = {name for name in known if name.split(":", 1)[-1] in client.markets}
    held = {
        row["asset"]
        for row in spot_account(client).get("balances") or []
        if Decimal(row.get("free") or 0) + Decimal(row.get("locked") or 0)
    }
    names |= {
        f"spot:{market['symbol']}"
        for market in client.markets.values()
        if market.get("spot") and market["active"] is not False and market["base"] in held
    }
    # Perpetuals only where the futures part answers; swap streams walked before stay, and
    # the engine skips them while the part is known unavailable.
    names |= {f"swap:{symbol}" for symbol in optional(FUTURES, lambda: _perpetuals(client), set())}
    return [
        Stream(name, reach_days=SPOT_REACH_DAYS)
        if name.startswith("spot:")
        else Stream(name, reach_days=SWAP_REACH_DAYS, part=FUTURES)
        for name in sorted(names)
    ]


def _perpetuals(client: ccxt.Exchange) -> set[str]:
    """Unified symbols of the perpetuals with a position open now or closed within reach."""
    found = list(open_positions(client))
    floor = client.milliseconds() - SWAP_REACH_DAYS * DAY_MS
    page_num = 1
    while True:
        pace(client, "history_positions", FUTURES_PACE)
        page = futures_data(
            client,
            f"closed positions {page_num}",
            lambda page_num=page_num: client.contract_private_get_position_list_history_positions(
                {"page_num": page_num, "page_size": PAGE}
            ),
        )
        found += page or []
        # newest first: a page ending before the reach closes the search
        if not page or len(page) < PAGE or int(page[-1].get("updateTime") or 0) < floor:
            break
        page_num += 1
    markets = (swap_market(client, str(row.get("symbol"))) for row in found)
    return {market["symbol"] for market in markets if market is not None}


def spot_pages(
    client: ccxt.Exchange,
    symbol: str,
    cursor: dict[str, Any],
    *,
    since_ms: int,
    now_ms: int,
    convert: Convert,
) -> Iterator[TradePage]:
    if int(cursor.get("from_ms", since_ms)) < since_ms:
        # a cursor older than the month MEXC keeps: what it points at is gone
        cursor = {}

    def fetch(start: int, end: int) -> list[dict[str, Any]]:
        pace(client, "myTrades", MY_TRADES_PACE)
        return client.fetch_my_trades(symbol, start, PAGE, {"until": end})

    return split_window_pages(
        fetch=fetch,
        cursor=cursor,
        since_ms=since_ms,
        now_ms=now_ms,
        window_ms=SPOT_WINDOW_MS,
        page_size=PAGE,
        convert=convert,
    )


def deal_pages(
    client: ccxt.Exchange,
    symbol: str,
    cursor: dict[str, Any],
    *,
    since_ms: int,
    now_ms: int,
    convert: Convert,
) -> Iterator[TradePage]:
    """Walk [start, end] page by page from its newest end, then the next window to now.

    Mid-window the cursor keeps the window and the next page number; the fills of a window
    in the past do not change, so page n+1 holds exactly what follows page n. (Should a fill
    of the window become visible late, the pages shift by one toward the older end: a fill is
    read twice, none is skipped; the late one itself is read by the next walk's overlap.)
    """
    start = max(int(cursor.get("from_ms", since_ms)), since_ms)
    end = int(cursor.get("to_ms", now_ms))
    page_num = int(cursor.get("page", 1))
    while True:
        start = max(start, client.milliseconds() - SWAP_KEEP_MS)
        if end < start:
            # the window left off fell out of the 90 days: only a fresh one is readable
            end, page_num = now_ms, 1
        pace(client, "order_deals", FUTURES_PACE)
        trades = client.fetch_my_trades(
            symbol, start, PAGE, {"end_time": end, "page_num": page_num}
        )
        if len(trades) >= PAGE:
            page_num += 1
            yield TradePage(convert(trades), {"from_ms": start, "to_ms": end, "page": page_num})
            continue
        yield TradePage(convert(trades), {"from_ms": max(end + 1 - OVERLAP_MS, since_ms)})
        if end >= now_ms:
            return
        start, end, page_num = end + 1, now_ms, 1

"""OKX fills: the `fills-history` walk, its cursor, and fills turned into our records.

`GET /api/v5/trade/fills-history` answers one instType at a time (no symbol needed), newest
first, 100 a page, three months back. Its cursors are bill ids, which grow with time across
every instrument of the account: `after` asks for the rows below a bill id (older).

Every walk goes down with `after`, from the newest fill to what is already imported, and none
goes up with `before`: OKX documents it only as "records newer than the requested billId"
(https://www.okx.com/docs-v5/en/#order-book-trading-trade-get-transaction-details-last-3-months),
and says of other endpoints (candles, history-trades) that "the latest data will be returned
when using `before` individually". Were fills-history to do the same, a walk up from the last
top would keep only the newest 100 of a busier interval and never read the rest (audit M1).

A stream's cursor is {"top": the newest bill id of the last complete walk} and, while a walk
is under way, {"new_top": the newest bill id it began at, "back": the oldest it has read}:

- no "top": nothing imported completely yet; the walk goes down to the reach (`begin`);
- "top": the walk stops at the first page that reaches "top" or is short, keeping only what
  is above "top"; with no new fills that is one request;
- "new_top" and "back": a walk that stopped; it resumes below "back", and at its end
  "new_top" becomes "top". A fresh walk from the newest fill follows, for what arrived since.

"top" moves only once everything above it is in, and every page's cursor resumes right after
it, so a crash loses nothing and repeats at most one page, which the trade identity absorbs.
A cursor of the earlier forward walk is either {"top"} or, for a first backfill under way,
{"top", "back"}, read as {"new_top", "back"}.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

import ccxt

from ..records import TradePage, TradeRecord, from_millis, to_decimal

PAGE = 100
# fills-history keeps three months (OKX API docs, "Get transaction details (last 3 months)").
REACH_DAYS = 90
# fills-history allows 10 requests per 2 seconds per user id. The shared budget only knows
# ccxt's exchange-wide rate and may spend a burst of it at once, so requests for one key are
# spaced here, with a tenth to spare for the clock drift between us and OKX; a sync in another
# process may still have spent the window, so a refusal (50011) waits one window and retries.
FILLS_PER_WINDOW = 10
FILLS_WINDOW_S = 2.2
FILLS_RETRIES = 2
# An inverse fill's value in coin, at the 8 decimals OKX prints coin amounts with.
COIN_STEP = Decimal("1E-8")

# our stream name -> (OKX instType, our market type). MARGIN is spot traded on borrowed
# funds: same instruments and trade ids as SPOT, so it is a market type of its own here.
STREAMS: dict[str, tuple[str, str]] = {
    "spot": ("SPOT", "spot"),
    "margin": ("MARGIN", "margin"),
    "swap": ("SWAP", "swap"),
    "futures": ("FUTURES", "future"),
    "option": ("OPTION", "option"),
}
MARKET_TYPES = dict(STREAMS.values())
# ccxt's market type of each instType's instruments
CCXT_TYPES = {
    "SPOT": "spot",
    "MARGIN": "spot",
    "SWAP": "swap",
    "FUTURES": "future",
    "OPTION": "option",
}

# digest of the api key -> when this process last sent its fills-history requests. A digest,
# so that no key outlives its sync in this process's memory.
_sent: dict[str, deque[float]] = {}


def _pace(api_key: str) -> None:
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    sent = _sent.setdefault(digest, deque(maxlen=FILLS_PER_WINDOW))
    if len(sent) == FILLS_PER_WINDOW:
        wait = sent[0] + FILLS_WINDOW_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    sent.append(time.monotonic())


def fills_history(client: ccxt.Exchange, inst_type: str, params: dict[str, str]) -> list[dict]:
    """One page of raw fills, newest first, paced to OKX's per-user limit."""
    request = {"instType": inst_type, "limit": str(PAGE), **params}
    retries = FILLS_RETRIES
    while True:
        _pace(client.apiKey)
        try:
            return client.private_get_trade_fills_history(request).get("data") or []
        except ccxt.RateLimitExceeded:
            if not retries:
                raise
            retries -= 1
            time.sleep(FILLS_WINDOW_S)


def _walk_of(cursor: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(top, new_top, back) of a stored cursor."""
    if "back" in cursor and "new_top" not in cursor:
        # Written by the walk that went forward with `before`: a first backfill under way,
        # begun at its "top".
        return None, cursor.get("top"), cursor["back"]
    return cursor.get("top"), cursor.get("new_top"), cursor.get("back")


def fill_pages(
    *,
    fetch: Callable[[dict[str, str]], list[dict]],
    cursor: dict[str, Any],
    since_ms: int,
    convert: Callable[[list[dict]], list[TradeRecord]],
) -> Iterator[TradePage]:
    """Down from the newest fill to "top" (or the reach), as the module docstring describes."""
    top, new_top, back = _walk_of(cursor)
    resumed = back is not None
    while True:
        rows = fetch({"begin": str(since_ms), **({"after": back} if back else {})})
        bills = [int(row["billId"]) for row in rows]
        fresh = [
            row for row, bill in zip(rows, bills, strict=True) if top is None or bill > int(top)
        ]
        if fresh and new_top is None:
            new_top = str(max(bills))
        if len(fresh) == PAGE:
            # a full page above "top": the walk goes on below it
            back = str(min(bills))
            position = {"top": top} if top else {}
            yield TradePage(convert(fresh), {**position, "new_top": new_top, "back": back})
            continue
        # a short page, or one reaching "top": everything above "top" is in
        top = new_top or top
        yield TradePage(convert(fresh), {"top": top} if top else {})
        if not resumed:
            return
        # A walk resumed from a stored cursor began before this sync: one more from the
        # newest fill brings what arrived since.
        resumed, new_top, back = False, None, None


@dataclass(frozen=True)
class Instrument:
    """What a fill needs of its market: names, and how many units one contract is."""

    symbol: str
    market_type: str
    base: str
    quote: str
    settle: str
    contract: bool
    inverse: bool
    # ctVal x ctMult: base coin per contract (linear, options), quote (USD) per contract
    # (inverse); 1 for spot
    value: Decimal


def _inverse(info: dict[str, Any]) -> bool:
    """Counted in USD contracts: OKX's ctType. ccxt also calls coin-settled options inverse,
    but an option contract is ctMult of the base coin, priced in the settle coin."""
    return info.get("ctType") == "inverse"


def _value(info: dict[str, Any]) -> Decimal:
    return Decimal(str(info.get("ctVal") or 1)) * Decimal(str(info.get("ctMult") or 1))


def instrument_of(client: ccxt.Exchange, inst_id: str, inst_type: str) -> Instrument:
    """The listed market of `inst_id`, or, for a delivered future or an expired option (no
    longer in the instrument list, still in three months of fills), one built from its id
    and a listed market of the same family (OKX keeps ctVal and ctMult per family)."""
    kind = CCXT_TYPES[inst_type]
    market_type = MARKET_TYPES[inst_type]
    for market in (client.markets_by_id or {}).get(inst_id, []):
        if market["type"] == kind:
            return Instrument(
                symbol=market["symbol"],
                market_type=market_type,
                base=market["base"],
                quote=market["quote"],
                settle=market.get("settle") or "",
                contract=bool(market.get("contract")),
                inverse=_inverse(market["info"]),
                value=_value(market["info"]) if market.get("contract") else Decimal(1),
            )
    parts = inst_id.split("-")
    base, quote = client.safe_currency_code(parts[0]), client.safe_currency_code(parts[1])
    if kind == "spot":
        return Instrument(f"{base}/{quote}", market_type, base, quote, "", False, False, Decimal(1))
    family = f"{parts[0]}-{parts[1]}"
    sibling = next(
        (
            market
            for market in client.markets.values()
            if market["type"] == kind and market["info"].get("instFamily") == family
        ),
        None,
    )
    if sibling is None:
        # No contract value to count this fill with: fail the stream, never guess amounts.
        raise ccxt.BadSymbol("okx: a fill of an instrument family no longer listed")
    settle = sibling["settle"]
    suffix = "" if kind == "swap" else "-" + "-".join(parts[2:])
    return Instrument(
        symbol=f"{base}/{quote}:{settle}{suffix}",
        market_type=market_type,
        base=base,
        quote=quote,
        settle=settle,
        contract=True,
        inverse=_inverse(sibling["info"]),
        value=_value(sibling["info"]),
    )


def record_of_fill(
    client: ccxt.Exchange, row: dict[str, Any], instrument: Instrument
) -> TradeRecord:
    """Our record of one raw fill. Read from OKX's own fields because ccxt 4.5.90's
    parse_trade, with Decimal numbers, drops the fee and prices contracts as if ctVal were 1.

    Contracts are counted the way the position is: linear and option fills in the base coin
    (contracts x ctVal x ctMult, worth price x that), inverse fills in contracts of ctVal USD
    (worth contracts x ctVal / price in the settle coin).
    """
    price = Decimal(row["fillPx"])
    size = Decimal(row["fillSz"])
    if instrument.inverse:
        amount = size
        cost = (size * instrument.value / price).quantize(COIN_STEP, rounding=ROUND_DOWN)
    else:
        amount = size * instrument.value
        cost = price * amount
    # OKX signs fees from the account's side: a charge is negative, a rebate positive.
    fee = to_decimal(row.get("fee"))
    return TradeRecord(
        account="main",
        market_type=instrument.market_type,
        symbol=instrument.symbol,
        base=instrument.base,
        quote=instrument.quote,
        settle=instrument.settle,
        side=row["side"],
        price=price,
        amount=amount,
        cost=cost,
        fee=None if fee is None else 0 - fee,  # 0 - x: a free fill is 0, not -0
        fee_currency=client.safe_currency_code(row["feeCcy"]) if row.get("feeCcy") else "",
        executed_at=from_millis(row["ts"]),
        trade_id=str(row["tradeId"]),
        order_id=str(row.get("ordId") or ""),
        taker_or_maker={"T": "taker", "M": "maker"}.get(row.get("execType") or "", ""),
        # fillPnl: the PnL a closing fill realised (contracts only; "0" on spot)
        realized_pnl=to_decimal(row.get("fillPnl")) if instrument.contract else None,
    )

"""Kraken spot: trades of every pair (margin trades included), balances, margin positions.

``POST /0/private/TradesHistory`` lists the trades of all pairs at once, 50 a page, newest
first; ``start`` (exclusive) and ``end`` (inclusive) take a unix time or a trade txid, ``ofs``
skips rows and ``count`` is the size of the whole selection. A walk pins ``end`` to the newest
txid of its first page, so that trades arriving meanwhile cannot shift the offsets under it.
Margin trading happens on the spot pairs themselves: a leveraged trade is our market type
``margin``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import ccxt

from ..records import BalanceRecord, PositionRecord, TradeRecord, from_millis, to_decimal
from .walk import Batch, Row

PAGE = 50
# Kraken names staked and reward-earning balances as assets of their own: ETH2.S (bonded
# ETH), DOT.S, USDT.F (opt-in rewards), XBT.M, SOL.B ...; ETH2 is ETH staked before the
# Shanghai upgrade.
EARN_BASES = {"ETH2": "ETH"}
EIGHT = Decimal("1E-8")


def _seconds_to_ms(value: Any) -> int:
    """Kraken's times are seconds with four decimals; the fourth sits inside a millisecond."""
    return int(to_decimal(value) * 1000)


def identify(row: Row) -> tuple[str, int]:
    return row["txid"], _seconds_to_ms(row["time"])


def trades_fetch(client: ccxt.Exchange) -> Any:
    """The walk's source: one TradesHistory page, unconsolidated (one row per fill)."""

    def fetch(at: dict[str, Any] | None, lower_ms: int) -> Batch:
        if at is None:
            # `start` is exclusive and in whole seconds: one second lower keeps `lower_ms`
            params: dict[str, Any] = {"start": lower_ms // 1000 - 1, "ofs": 0}
        else:
            params = {"start": at["start"], "end": at["end"], "ofs": at["ofs"]}
        result = client.private_post_tradeshistory({**params, "consolidate_taker": "false"})
        result = result.get("result") or {}
        rows = [{**row, "txid": txid} for txid, row in (result.get("trades") or {}).items()]
        offset = params["ofs"] + len(rows)
        if not rows or offset >= int(result.get("count") or 0):
            return Batch(rows, None)
        end = at["end"] if at is not None else rows[0]["txid"]
        return Batch(rows, {"start": params["start"], "end": end, "ofs": offset})

    return fetch


def market_of(client: ccxt.Exchange, pair: str) -> dict[str, Any]:
    """The market of a pair id as TradesHistory prints it (``XXBTZUSD`` or an altname)."""
    found = (client.markets_by_id or {}).get(pair)
    if found:
        return found[0]
    by_altname = client.options.get("marketsByAltname") or {}
    if pair in by_altname:
        return by_altname[pair]
    # A pair Kraken no longer lists cannot be split into its coins: fail the stream rather
    # than guess, so that nothing is recorded under a wrong symbol.
    raise ccxt.BadSymbol("kraken: a trade of a pair that is no longer listed")


def _positive(value: Any) -> bool:
    try:
        return Decimal(str(value)) > 0
    except (InvalidOperation, ValueError):
        return False


def is_leveraged(row: Row) -> bool:
    """A margin trade: it used leverage, opened a position or closed one."""
    return (
        _positive(row.get("leverage"))
        or _positive(row.get("margin"))
        or bool(row.get("posstatus"))
        or "closing" in str(row.get("misc") or "")
    )


def record_of_trade(client: ccxt.Exchange, row: Row) -> TradeRecord:
    """Our record from Kraken's own fields; the fee is in the quote currency (Kraken's docs)."""
    market = market_of(client, row["pair"])
    maker = row.get("maker")
    return TradeRecord(
        account="main",
        market_type="margin" if is_leveraged(row) else "spot",
        symbol=market["symbol"],
        base=market["base"],
        quote=market["quote"],
        settle="",
        side=row["type"],
        price=Decimal(str(row["price"])),
        amount=Decimal(str(row["vol"])),
        cost=Decimal(str(row["cost"])),
        fee=to_decimal(row.get("fee")),
        fee_currency=market["quote"],
        executed_at=from_millis(_seconds_to_ms(row["time"])),
        # trade_id: Kraken's id of the execution on its pair; older rows may lack it
        trade_id=str(row.get("trade_id") or row["txid"]),
        order_id=str(row.get("ordertxid") or ""),
        taker_or_maker="" if maker is None else ("maker" if maker else "taker"),
    )


def balances(client: ccxt.Exchange) -> list[BalanceRecord]:
    """``BalanceEx``: what each asset holds and what open orders hold of it. Suffixed assets
    (staked, rewards) are the earn account, counted in their underlying coin."""
    rows = client.private_post_balanceex().get("result") or {}
    totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for asset_id, row in rows.items():
        total = to_decimal(row.get("balance")) or Decimal(0)
        if not total:
            continue
        base, dot, _ = asset_id.partition(".")
        if dot or base in EARN_BASES:
            account_type = "earn"
            asset = EARN_BASES.get(base) or client.safe_currency_code(base)
        else:
            account_type, asset = "spot", client.safe_currency_code(asset_id)
        entry = totals[(account_type, asset)]
        entry[0] += total
        entry[1] += to_decimal(row.get("hold_trade")) or Decimal(0)
    return [
        BalanceRecord(
            account_type=account_type, asset=asset, total=total, free=total - held, used=held
        )
        for (account_type, asset), (total, held) in sorted(totals.items())
    ]


def margin_positions(client: ccxt.Exchange) -> list[PositionRecord]:
    """Open margin positions, one per pair and side (``consolidation=market``); ``docalcs``
    adds their current value and profit. Kraken reports no mark or liquidation price: the mark
    is the value over the open volume, at the pair's price precision."""
    rows = client.private_post_openpositions({"docalcs": "true", "consolidation": "market"})
    records = []
    for row in rows.get("result") or []:
        volume = Decimal(str(row["vol"]))
        open_volume = volume - (to_decimal(row.get("vol_closed")) or Decimal(0))
        if not open_volume:
            continue
        market = market_of(client, row["pair"])
        value = to_decimal(row.get("value"))
        mark = None
        if value is not None:
            tick = to_decimal(market["precision"].get("price")) or Decimal("1E-8")
            mark = (value / open_volume).quantize(tick, rounding=ROUND_HALF_UP)
        records.append(
            PositionRecord(
                market_type="margin",
                symbol=market["symbol"],
                side="long" if row["type"] == "buy" else "short",
                contracts=open_volume,
                entry_price=(Decimal(str(row["cost"])) / volume).quantize(EIGHT, ROUND_HALF_UP),
                mark_price=mark,
                unrealized_pnl=to_decimal(row.get("net")),
                leverage=to_decimal(row.get("leverage")),
                contract_size=Decimal(1),
                notional=value,
                margin_mode="cross",
            )
        )
    return records

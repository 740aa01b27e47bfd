"""Kraken Futures trade history: ``fills`` (what ccxt's ``fetch_my_trades`` reads) and the
account log, the only place Kraken Futures reports the fee of each fill.

- ``GET /derivatives/api/v3/fills`` (https://docs.kraken.com/api/docs/futures-api/trading/get-fills):
  the last 100 fills of every contract, or the 100 before ``lastFillTime``; no fees.
- ``GET /api/history/v3/account-log``
  (https://docs.kraken.com/api/docs/futures-api/history/account-log): balance changes with the
  balance before and after; ``since``/``before`` in ms, ``from``/``to`` entry ids, ``sort``
  (default desc), ``count`` (default 500). "For each trade, there are two log entries: one
  which reflects the change to the balance of the futures wallet, and the other which reflects
  the change to the position" (https://support.kraken.com/hc/es-es/articles/360057072571-
  Interpreting-the-logs, audit M3): the wallet entry is in a currency (``usd``, ``xbt``) and
  carries ``fee`` and ``realized_pnl``; the position entry is in the contract (``pf_xbtusd``)
  and its balances are the position's size. Which of the two Kraken numbers first is not
  documented: the ``trade_log_order`` reading answers either way.

An account that never traded futures is refused its history with ``accountInactive`` ("When
account has no trade history / no order history", ccxt krakenfutures.py ``exceptions``).
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kraken.catalog import FUTURES_HOST, futures_currency
from sync.simulator.exchanges.kraken.common import (
    futures_error,
    futures_uuid,
    iso_ms,
    json_number,
    parse_iso_ms,
)
from sync.simulator.exchanges.kraken.futures import number, success
from sync.simulator.holdings import wallet_of
from sync.simulator.http import Rejected, Request
from sync.simulator.trades import Fill, decimal_units

router = Router()

FILLS_PAGE = 100
LOG_DEFAULT_COUNT = 500
LOG_MAX_COUNT = 100_000


@dataclass
class _History:
    """An account's futures fills (every contract, oldest first) and its account log in each
    order the ``trade_log_order`` reading may ask for (True: the position's entry first)."""

    fills: list[Fill]
    timestamps: list[int]
    logs: dict[bool, list[dict[str, Any]]] = field(default_factory=dict)


_HISTORIES: weakref.WeakKeyDictionary[Account, tuple[int, _History]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _history_of(account: Account) -> _History:
    """Built on first use and again after fills were appended."""
    with _LOCK:
        kept = _HISTORIES.get(account)
        if kept is None or kept[0] != account.appended:
            fills = account.fills()
            kept = (account.appended, _History(fills, [fill.timestamp for fill in fills]))
            _HISTORIES[account] = kept
        return kept[1]


def _log_of(call: Call, account: Account) -> list[dict[str, Any]]:
    history = _history_of(account)
    position_first = call.exchange.reading("trade_log_order") == "position_first"
    with _LOCK:
        if position_first not in history.logs:
            history.logs[position_first] = _account_log(
                account, history.fills, position_first=position_first
            )
        return history.logs[position_first]


def _active(call: Call) -> Account:
    """The account, refused its history if it never opened Kraken Futures."""
    account = call.signed_account()
    if not account.has("futures"):
        raise Rejected(futures_error("accountInactive", call.now_ms))
    return account


def fill_id(fill: Fill) -> str:
    return futures_uuid("fill", fill.instrument.id, fill.id)


def fill_row(fill: Fill) -> dict[str, Any]:
    instrument = fill.instrument
    return {
        "fill_id": fill_id(fill),
        "symbol": instrument.id,
        "side": fill.side,
        "order_id": futures_uuid("order", instrument.id, fill.order_id),
        "size": json_number(fill.amount),
        "price": json_number(fill.price),
        "fillTime": iso_ms(fill.timestamp),
        "fillType": "maker" if fill.maker else "taker",
    }


@router.get(
    FUTURES_HOST,
    "/derivatives/api/v3/fills",
    weight=lambda request: 25 if request.params.get("lastFillTime") else 2,
    pool="derivatives",
    signed=True,
)
def fills(call: Call) -> dict[str, Any]:
    """Newest first. "Before" is strict: fills sharing the boundary millisecond only come back
    when the next page starts a millisecond later, so a careful client overlaps and dedupes."""
    history = _history_of(_active(call))
    raw = call.params.get("lastFillTime")
    stop = len(history.fills)
    if raw:
        before = parse_iso_ms(raw)
        if before is None:
            raise Rejected(futures_error("invalidArgument: lastFillTime", call.now_ms, 400))
        stop = bisect_left(history.timestamps, before)
    page = history.fills[max(stop - FILLS_PAGE, 0) : stop][::-1]
    return success(call, fills=[fill_row(fill) for fill in page])


def _margin_account(fill: Fill) -> str:
    instrument = fill.instrument
    if instrument.inverse:
        return f"fi_{futures_currency(instrument.base)}usd"
    return "flex"


def _account_log(
    account: Account, fills: list[Fill], *, position_first: bool
) -> list[dict[str, Any]]:
    """Two entries per fill: the wallet's, with the running balance from the deposit, and the
    position's, with the running size."""
    holdings = account.holdings()
    running: dict[tuple[str, str], int] = {}
    sizes: dict[str, Decimal] = {}
    rows = []
    for index, fill in enumerate(fills):
        instrument = fill.instrument
        settle = instrument.settle or instrument.quote
        wallet = wallet_of(instrument)
        key = (wallet, settle)
        before = running.get(key, holdings.deposits.get(wallet, {}).get(settle, 0))
        pnl_units = int((fill.realized_pnl or 0) * 10**8)
        fee_units = int(fill.fee * 10**8)
        after = before + pnl_units - fee_units
        running[key] = after
        size_before = sizes.get(instrument.id, Decimal(0))
        size_after = size_before + (fill.amount if fill.side == "buy" else -fill.amount)
        sizes[instrument.id] = size_after
        wallet_id, position_id = 2 * index + 1, 2 * index + 2
        if position_first:
            wallet_id, position_id = position_id, wallet_id
        wallet_entry = {
            "id": wallet_id,
            "date": iso_ms(fill.timestamp),
            "asset": futures_currency(settle),
            "info": "futures trade",
            "booking_uid": futures_uuid("booking", instrument.id, fill.id),
            "margin_account": _margin_account(fill),
            "old_balance": number(decimal_units(before, 8)),
            "new_balance": number(decimal_units(after, 8)),
            "old_average_entry_price": None,
            "new_average_entry_price": None,
            "trade_price": json_number(fill.price),
            "mark_price": json_number(fill.price),
            "realized_pnl": number(fill.realized_pnl or decimal_units(0, 8)),
            "fee": number(fill.fee),
            "execution": fill_id(fill),
            "collateral": settle.replace("BTC", "XBT"),
            "funding_rate": None,
            "realized_funding": None,
            "conversion_spread_percentage": None,
            "liquidation_fee": None,
            "contract": instrument.id.lower(),
        }
        position_entry = {
            **wallet_entry,
            "id": position_id,
            "asset": instrument.id.lower(),
            "booking_uid": futures_uuid("position", instrument.id, fill.id),
            "old_balance": json_number(size_before),
            "new_balance": json_number(size_after),
            "realized_pnl": None,
            "fee": None,
        }
        rows += sorted((wallet_entry, position_entry), key=lambda row: row["id"])
    return rows


def _int_param(call: Call, name: str) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise Rejected(futures_error(f"invalidArgument: {name}", call.now_ms, 400))
    return int(raw)


def _log_cost(request: Request) -> int:
    """History calls spend tokens by how many entries they ask for."""
    raw = request.params.get("count", "")
    count = int(raw) if raw.isdigit() else LOG_DEFAULT_COUNT
    for ceiling, cost in ((25, 1), (50, 2), (1000, 3), (5000, 6)):
        if count <= ceiling:
            return cost
    return 10


@router.get(
    FUTURES_HOST,
    "/api/history/v3/account-log",
    weight=_log_cost,
    pool="history",
    signed=True,
)
def account_log(call: Call) -> dict[str, Any]:
    account = _active(call)
    log = _log_of(call, account)
    since, before = _int_param(call, "since"), _int_param(call, "before")
    first_id, last_id = _int_param(call, "from"), _int_param(call, "to")
    count = _int_param(call, "count") or LOG_DEFAULT_COUNT
    if count > LOG_MAX_COUNT:
        raise Rejected(futures_error("invalidArgument: count", call.now_ms, 400))
    sort = call.params.get("sort") or "desc"
    if sort not in ("asc", "desc"):
        raise Rejected(futures_error("invalidArgument: sort", call.now_ms, 400))
    wanted_info = call.params.get("info")
    rows = [
        row
        for row in log
        if (since is None or parse_iso_ms(row["date"]) >= since)
        and (before is None or parse_iso_ms(row["date"]) < before)
        and (first_id is None or row["id"] >= first_id)
        and (last_id is None or row["id"] <= last_id)
        and (wanted_info is None or row["info"] == wanted_info)
    ]
    if sort == "desc":
        rows.reverse()
    return {
        "accountUid": futures_uuid("account", "uid", account.uid),
        "logs": rows[:count],
    }

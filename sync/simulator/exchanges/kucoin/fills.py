"""Trade history: spot HF fills, spot low-frequency fills, margin HF fills, futures fills.

Windows, page sizes and cursors as KuCoin documents them
(https://www.kucoin.com/docs-new/rest/spot-trading/orders/get-trade-history and
.../futures-trading/orders/get-trade-history):

- ``/api/v1/hf/fills`` (spot, HF accounts): ``symbol`` required; newest first; ``limit``
  default 20, at most 100; ``lastId`` pages to older fills (records with a smaller id); a
  query spans at most 7 days, and with one bound or none the week after ``startAt``, before
  ``endAt`` or before now (ccxt: "only returns trades up to one week after the since param");
- ``/api/v3/hf/margin/fills`` (margin, HF accounts): as the spot HF list, with ``tradeType``
  ``MARGIN_TRADE`` (cross) or ``MARGIN_ISOLATED_TRADE`` required, ``limit`` default 100, at
  most 200 (https://www.kucoin.com/docs-new/rest/margin-trading/orders/get-trade-history);
- ``/api/v1/fills`` (spot and margin, low-frequency accounts): all pairs unless ``symbol``;
  ``tradeType`` ``TRADE`` (the default) or a margin one; newest first; ``currentPage``/
  ``pageSize`` (default 50, at most 500); at most 7 days, and with one bound or none the 24
  hours after ``startAt``, before ``endAt`` or before now;
- ``/api/v1/fills`` on api-futures: all contracts unless ``symbol``; ``pageSize`` at most
  1000; a longer window is cut to its first 7 days, one bound or none means 24 hours; only
  the last three months are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kucoin.accounts import is_hf
from sync.simulator.exchanges.kucoin.catalog import (
    FUTURES_HOST,
    MARGIN_BOOKS,
    SPOT_HOST,
    TRADE_TYPES,
    futures_code,
    lots,
    trade_type,
)
from sync.simulator.exchanges.kucoin.common import (
    bounded_int,
    ok,
    optional_int,
    order_id,
    plain,
)
from sync.simulator.exchanges.kucoin.errors import bad_parameter
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import FeePolicy, Fill, Series

router = Router()

HOUR_MS = 3_600_000
WEEK_MS = 7 * DAY_MS
FUTURES_RETENTION_MS = 90 * DAY_MS
# HF fill records have their own id, which ``lastId`` pages on; it grows with the trade id.
RECORD_OFFSET = 2_000_000_000
_COUNTER_ORDER_MASK = 0x5A5A_5A5A_5A5A


def _time_window(call: Call, *, one_sided_ms: int, clamp: bool) -> tuple[int, int]:
    start, end = optional_int(call, "startAt"), optional_int(call, "endAt")
    if start is None and end is None:
        return call.now_ms - one_sided_ms, call.now_ms
    if end is None:
        assert start is not None
        end = start + one_sided_ms
    elif start is None:
        start = end - one_sided_ms
    if end < start:
        raise bad_parameter("startAt should be less than endAt")
    if end - start > WEEK_MS:
        if not clamp:
            raise bad_parameter("The query time range cannot exceed 7 days.")
        end = start + WEEK_MS
    return start, end


def _order_filter(call: Call) -> int | None:
    raw = call.params.get("orderId")
    if not raw:
        return None
    if len(raw) != 24 or any(char not in "0123456789abcdef" for char in raw):
        raise bad_parameter("orderId is invalid")
    return int(raw[8:], 16)


def _matcher(call: Call) -> Callable[[Fill], bool]:
    side = call.params.get("side")
    kind = call.params.get("type")
    if side and side not in ("buy", "sell"):
        raise bad_parameter("side not in the given range!")

    def matches(fill: Fill) -> bool:
        return (not side or fill.side == side) and (not kind or order_type(fill) == kind)

    return matches


def order_type(fill: Fill) -> str:
    """Makers rested as limit orders; a third of the takers were market orders."""
    return "limit" if fill.maker or fill.order_id % 3 else "market"


def _fee_rate(policy: FeePolicy, fill: Fill) -> Decimal:
    if fill.instrument.contract:
        return policy.contract_maker if fill.maker else policy.contract_taker
    return policy.spot_maker if fill.maker else policy.spot_taker


def _order_fills(series: Series | None, wanted_order: int) -> list[Fill]:
    if series is None:
        return []
    first = series.index_from_order(wanted_order)
    stop = first
    while stop < len(series) and series.order_ids[stop] == wanted_order:
        stop += 1
    return series.fills(first, stop)


def _window_fills(
    series: list[Series], start: int, end: int, matches: Callable[[Fill], bool]
) -> list[Fill]:
    """Every matching fill of ``series`` in [start, end], newest first."""
    found = [
        fill
        for item in series
        for fill in item.fills(item.index_from_time(start), item.index_after_time(end))
        if matches(fill)
    ]
    found.sort(key=lambda fill: (fill.timestamp, fill.id), reverse=True)
    return found


def _classic_page(call: Call, fills: list[Fill], maximum: int, row: Callable[[Fill], Any]) -> Any:
    page = optional_int(call, "currentPage") or 1
    size = optional_int(call, "pageSize") or 50
    if size > maximum:
        # ccxt maps this exact phrase (spot's) to BadRequest
        raise bad_parameter(f"pageSize should not greater than {maximum}")
    if page < 1 or size < 1:
        raise bad_parameter("currentPage and pageSize must be positive")
    return {
        "currentPage": page,
        "pageSize": size,
        "totalNum": len(fills),
        "totalPage": -(-len(fills) // size),
        "items": [row(fill) for fill in fills[(page - 1) * size : page * size]],
    }


def _spot_instrument(call: Call, required: bool) -> Instrument | None:
    symbol = call.params.get("symbol")
    if not symbol:
        if required:
            raise bad_parameter("symbol is required")
        return None
    instrument = call.exchange.instrument("spot", symbol)
    if instrument is None:
        raise bad_parameter("Unsupported trading pair.")
    return instrument


def _spot_row(call: Call, fill: Fill) -> dict[str, Any]:
    return {
        "symbol": fill.instrument.id,
        "tradeId": str(fill.id),
        "orderId": order_id(fill.timestamp, fill.order_id),
        "counterOrderId": order_id(fill.timestamp, fill.order_id ^ _COUNTER_ORDER_MASK),
        "side": fill.side,
        "liquidity": "maker" if fill.maker else "taker",
        "forceTaker": False,
        "price": plain(fill.price),
        "size": plain(fill.amount),
        "funds": plain(fill.cost),
        "fee": plain(fill.fee),
        "feeRate": plain(_fee_rate(call.exchange.fee_policy, fill)),
        "feeCurrency": fill.fee_currency,
        "stop": "",
        "tradeType": trade_type(fill.instrument),
        "type": order_type(fill),
        "createdAt": fill.timestamp,
    }


def _hf_row(call: Call, fill: Fill) -> dict[str, Any]:
    # the HF list numbers its records and trades as JSON integers
    row = _spot_row(call, fill)
    return {
        "id": fill.id + RECORD_OFFSET,
        **row,
        "tradeId": fill.id,
        "taxRate": "0",
        "tax": "0",
    }


def _hf_list(call: Call, series: Series | None, default_limit: int, maximum: int) -> Any:
    """One page of an HF list (spot or margin) over ``series``, the account's book of the
    pair, or None when it never traded there."""
    limit = bounded_int(call, "limit", default_limit, maximum)
    matches = _matcher(call)
    wanted_order = _order_filter(call)
    if wanted_order is not None:
        # "if orderId is specified, please ignore the other query parameters"
        fills = list(reversed(_order_fills(series, wanted_order)))[:limit]
        return ok({"items": [_hf_row(call, fill) for fill in fills], "lastId": _last_id(fills)})
    start, end = _time_window(call, one_sided_ms=WEEK_MS, clamp=False)
    fills: list[Fill] = []
    if series is not None:
        first, index = series.index_from_time(start), series.index_after_time(end)
        last_id = optional_int(call, "lastId")
        if last_id is not None:
            index = min(index, series.index_from_id(last_id - RECORD_OFFSET))
        while index > first and len(fills) < limit:
            index -= 1
            fill = series.fill(index)
            if matches(fill):
                fills.append(fill)
    return ok({"items": [_hf_row(call, fill) for fill in fills], "lastId": _last_id(fills)})


@router.get(SPOT_HOST, "/api/v1/hf/fills", weight=2, pool="spot", signed=True)
def hf_fills(call: Call) -> dict[str, Any]:
    instrument = _spot_instrument(call, required=True)
    assert instrument is not None
    account = call.signed_account()
    series = account.series().get(instrument.key) if is_hf(account) else None
    return _hf_list(call, series, 20, 100)


def _last_id(fills: list[Fill]) -> int:
    return fills[-1].id + RECORD_OFFSET if fills else 0


@router.get(SPOT_HOST, "/api/v1/fills", weight=10, pool="spot", signed=True)
def spot_fills(call: Call) -> dict[str, Any]:
    instrument = _spot_instrument(call, required=False)
    matches = _matcher(call)
    kind = call.params.get("tradeType", "TRADE")
    if kind not in TRADE_TYPES:
        raise bad_parameter("tradeType not in the given range!")
    series = _low_frequency_series(call.signed_account(), TRADE_TYPES[kind], instrument)
    wanted_order = _order_filter(call)
    if wanted_order is not None:
        fills = [fill for item in series for fill in reversed(_order_fills(item, wanted_order))]
    else:
        start, end = _time_window(call, one_sided_ms=24 * HOUR_MS, clamp=False)
        fills = _window_fills(series, start, end, matches)
    return ok(_classic_page(call, fills, 500, lambda fill: _spot_row(call, fill)))


def _low_frequency_series(
    account: Account, mode: str | None, instrument: Instrument | None
) -> list[Series]:
    """The spot (``mode`` None) or margin books of the pair, or of every pair, this list
    covers: none for HF accounts, whose fills are on the HF lists."""
    if is_hf(account):
        return []
    return [
        item
        for item in account.series().values()
        if item.instrument.market_type == ("spot" if mode is None else "margin")
        and item.instrument.margin_mode == mode
        and (instrument is None or item.instrument.id == instrument.id)
    ]


# (pair id, margin mode) -> the margin book
_MARGIN_BOOKS = {(item.id, item.margin_mode): item for item in MARGIN_BOOKS}


@router.get(SPOT_HOST, "/api/v3/hf/margin/fills", weight=5, pool="spot", signed=True)
def margin_hf_fills(call: Call) -> dict[str, Any]:
    """Cross or isolated margin fills of one pair (HF accounts)."""
    instrument = _spot_instrument(call, required=True)
    assert instrument is not None
    mode = TRADE_TYPES.get(call.params.get("tradeType") or "TRADE")
    if mode is None:
        raise bad_parameter("tradeType not in the given range!")
    account = call.signed_account()
    book = _MARGIN_BOOKS[(instrument.id, mode)]
    series = account.series().get(book.key) if is_hf(account) else None
    return _hf_list(call, series, 100, 200)


def _futures_row(call: Call, fill: Fill) -> dict[str, Any]:
    instrument = fill.instrument
    kind = order_type(fill)
    closing = bool(fill.realized_pnl)
    fee = plain(fill.fee)
    return {
        "symbol": instrument.id,
        "tradeId": str(fill.id),
        "orderId": order_id(fill.timestamp, fill.order_id),
        "side": fill.side,
        "liquidity": "maker" if fill.maker else "taker",
        "forceTaker": False,
        "price": plain(fill.price),
        "size": lots(instrument, fill.amount),
        "value": plain(fill.cost),
        "openFeePay": "0" if closing else fee,
        "closeFeePay": fee if closing else "0",
        "stop": "",
        "feeRate": plain(_fee_rate(call.exchange.fee_policy, fill)),
        "fixFee": "0",
        "feeCurrency": futures_code(fill.fee_currency),
        "tradeTime": fill.timestamp * 1_000_000,
        "subTradeType": None,
        "marginMode": "CROSS",
        "settleCurrency": futures_code(instrument.settle or instrument.quote),
        "displayType": kind,
        "fee": fee,
        "orderType": kind,
        "tradeType": "trade",
        "createdAt": fill.timestamp,
    }


@router.get(FUTURES_HOST, "/api/v1/fills", weight=5, pool="futures", signed=True)
def futures_fills(call: Call) -> dict[str, Any]:
    symbol = call.params.get("symbol")
    instrument = None
    if symbol:
        instrument = call.exchange.instrument("swap", symbol) or call.exchange.instrument(
            "inverse", symbol
        )
        if instrument is None:
            raise bad_parameter("Contract does not exist")
    matches = _matcher(call)
    series = [
        item
        for name, item in call.signed_account().series().items()
        if item.instrument.contract and (instrument is None or name == instrument.symbol)
    ]
    oldest = call.now_ms - FUTURES_RETENTION_MS
    wanted_order = _order_filter(call)
    if wanted_order is not None:
        fills = [
            fill
            for item in series
            for fill in reversed(_order_fills(item, wanted_order))
            if fill.timestamp >= oldest
        ]
    else:
        start, end = _time_window(call, one_sided_ms=24 * HOUR_MS, clamp=True)
        fills = _window_fills(series, max(start, oldest), end, matches)
    return ok(_classic_page(call, fills, 1000, lambda fill: _futures_row(call, fill)))

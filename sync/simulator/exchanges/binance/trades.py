"""Account trade lists: spot ``myTrades``, USDⓈ-M and COIN-M ``userTrades``, futures income.

Windows, defaults and retention follow Binance's documentation:
- spot: startTime/endTime at most 24 h apart; fromId not with a time; limit 500, max 1000
  (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/account-endpoints);
- USDⓈ-M: at most 7 days; without times the last 7 days; only the last 6 months
  (https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Account-Trade-List);
  what a fromId older than that answers is undocumented (reading
  ``usdm_from_id_beyond_retention``);
- COIN-M: at most 7 days; ``symbol`` or ``pair``; limit 50, max 1000; no retention documented
  (https://developers.binance.com/docs/derivatives/coin-margined-futures/trade/rest-api/Account-Trade-List);
- income: USDⓈ-M keeps three months
  (https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Income-History);
  COIN-M documents only a window of at most a year
  (https://developers.binance.com/docs/derivatives/coin-margined-futures/account/rest-api/Get-Income-History),
  so how long it keeps rows, and whether an older startTime is moved up or refused, is a
  reading (``coinm_income_retention``);
- a futures fill's ``commission`` is documented with either sign (reading
  ``futures_commission_sign``, see ``_contract_row``).
"""

from __future__ import annotations

import heapq
from decimal import Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.binance.catalog import COINM_HOST, SPOT_HOST, USDM_HOST
from sync.simulator.exchanges.binance.common import (
    fixed8,
    optional_int,
    page_limit,
    plain,
    required_instrument,
)
from sync.simulator.exchanges.binance.errors import (
    bad_parameter,
    invalid_combination,
    invalid_symbol,
    parameter_not_required,
    window_too_long,
)
from sync.simulator.instruments import Instrument
from sync.simulator.prices import DAY_MS
from sync.simulator.trades import Fill, Series

router = Router()

HOUR_MS = 3_600_000
SPOT_WINDOW_MS = 24 * HOUR_MS
FUTURES_WINDOW_MS = 7 * DAY_MS
USDM_RETENTION_MS = 180 * DAY_MS
INCOME_RETENTION_MS = 90 * DAY_MS
COINM_INCOME_RETENTION_MS = {
    "one_year": 365 * DAY_MS,
    "three_months": INCOME_RETENTION_MS,
    "error": INCOME_RETENTION_MS,
}


def _window(call: Call, span_ms: int, default_to_recent: bool) -> tuple[int | None, int | None]:
    """(start, end) as Binance completes a half-open request, or (None, None)."""
    start, end = optional_int(call, "startTime"), optional_int(call, "endTime")
    if start is not None and end is not None:
        if end - start > span_ms:
            raise window_too_long(span_ms // HOUR_MS)
        return start, end
    if start is not None:
        return start, start + span_ms
    if end is not None:
        return end - span_ms, end
    if default_to_recent:
        return call.now_ms - span_ms, call.now_ms
    return None, None


def _select(
    call: Call,
    series: Series | None,
    *,
    span_ms: int,
    limit: int,
    default_to_recent: bool,
    oldest_ms: int | None = None,
) -> list[Fill]:
    """The fills a trade-list request asks for, oldest first, as Binance pages them."""
    from_id = optional_int(call, "fromId")
    order_id = optional_int(call, "orderId")
    has_time = "startTime" in call.params or "endTime" in call.params
    if from_id is not None and has_time:
        raise invalid_combination()
    start, end = (None, None) if from_id is not None else _window(call, span_ms, default_to_recent)
    if series is None or len(series) == 0:
        return []
    floor = 0 if oldest_ms is None else series.index_from_time(oldest_ms)
    if order_id is not None:
        first = max(floor, series.index_from_order(order_id))
        stop = first
        while stop < len(series) and series.order_ids[stop] == order_id:
            stop += 1
        if from_id is not None:
            first = max(first, series.index_from_id(from_id))
        return series.fills(first, min(stop, first + limit))
    if from_id is not None:
        first = max(floor, series.index_from_id(from_id))
        return series.fills(first, first + limit)
    if start is None or end is None:
        # no cursor and no window: the most recent trades
        return series.fills(max(floor, len(series) - limit))
    first = max(floor, series.index_from_time(start))
    stop = series.index_after_time(end)
    return series.fills(first, min(stop, first + limit))


@router.get(
    SPOT_HOST,
    "/api/v3/myTrades",
    weight=lambda request: 5 if "orderId" in request.params else 20,
    pool="spot",
    signed=True,
)
def spot_trades(call: Call) -> list[dict[str, Any]]:
    instrument = required_instrument(call, "spot")
    limit = page_limit(call, 500, 1000)
    series = call.signed_account().series().get(instrument.symbol)
    fills = _select(call, series, span_ms=SPOT_WINDOW_MS, limit=limit, default_to_recent=False)
    return [_spot_row(fill) for fill in fills]


def _spot_row(fill: Fill) -> dict[str, Any]:
    return {
        "symbol": fill.instrument.id,
        "id": fill.id,
        "orderId": fill.order_id,
        "orderListId": -1,
        "price": format(fill.price, ".8f"),
        "qty": format(fill.amount, ".8f"),
        "quoteQty": fixed8(fill.cost),
        "commission": fixed8(fill.fee),
        "commissionAsset": fill.fee_currency,
        "time": fill.timestamp,
        "isBuyer": fill.side == "buy",
        "isMaker": fill.maker,
        "isBestMatch": True,
    }


@router.get(USDM_HOST, "/fapi/v1/userTrades", weight=5, pool="fapi", signed=True)
def usdm_trades(call: Call) -> list[dict[str, Any]]:
    instrument = required_instrument(call, "swap")
    limit = page_limit(call, 500, 1000)
    account = call.signed_account()
    series = account.series().get(instrument.symbol)
    oldest_ms = call.now_ms - USDM_RETENTION_MS
    from_id = optional_int(call, "fromId")
    if (
        from_id is not None
        and not {"startTime", "endTime"} & set(call.params)
        and _traded_before(series, from_id, oldest_ms)
    ):
        # "Only support querying trade in the past 6 months" is all Binance says (audit M4).
        reading = call.exchange.reading("usdm_from_id_beyond_retention", account)
        if reading == "empty":
            return []
        if reading == "error":
            raise parameter_not_required("startTime")
        # "clamp": the walk starts at the oldest trade still kept (_select's floor)
    fills = _select(
        call,
        series,
        span_ms=FUTURES_WINDOW_MS,
        limit=limit,
        default_to_recent=True,
        oldest_ms=oldest_ms,
    )
    negative = _commission_negative(call, account)
    return [_contract_row(fill, negative) for fill in fills]


def _traded_before(series: Series | None, trade_id: int, time_ms: int) -> bool:
    """Whether the market made trade ``trade_id`` before ``time_ms``. Ids are per market and
    grow with time, and the account's fills are the only trades known here: an id between two
    fills dates from the earlier one (other users' trades fill the gap right after it), and an
    id below every fill from before them all."""
    if series is None or len(series) == 0:
        return True
    index = series.index_from_id(trade_id)
    if index < len(series) and series.ids[index] == trade_id:
        return series.timestamps[index] < time_ms
    return index == 0 or series.timestamps[index - 1] < time_ms


def _coinm_instruments(call: Call) -> list[Instrument]:
    symbol, pair = call.params.get("symbol"), call.params.get("pair")
    if symbol and pair:
        raise invalid_combination()
    if symbol:
        return [required_instrument(call, "inverse")]
    if not pair:
        raise bad_parameter("symbol")
    if "fromId" in call.params:
        raise invalid_combination()
    matches = [
        item
        for item in call.exchange.instruments
        if item.inverse and item.base + item.quote == pair
    ]
    if not matches:
        raise invalid_symbol()
    return matches


@router.get(
    COINM_HOST,
    "/dapi/v1/userTrades",
    weight=lambda request: 40 if "pair" in request.params else 20,
    pool="dapi",
    signed=True,
)
def coinm_trades(call: Call) -> list[dict[str, Any]]:
    instruments = _coinm_instruments(call)
    limit = page_limit(call, 50, 1000)
    account = call.signed_account()
    all_series = account.series()
    pages = [
        _select(
            call,
            all_series.get(item.symbol),
            span_ms=FUTURES_WINDOW_MS,
            limit=limit,
            default_to_recent=True,
        )
        for item in instruments
    ]
    merged = list(heapq.merge(*pages, key=lambda fill: (fill.timestamp, fill.id)))[:limit]
    negative = _commission_negative(call, account)
    return [_contract_row(fill, negative) for fill in merged]


def _commission_negative(call: Call, account: Account) -> bool:
    """Whether fills' commissions go out negative: the same paid fee of USDⓈ-M's "Account
    Trade List" example (a taker fill) read "-0.07819010" in the older docs (quoted in ccxt
    binance.py parse_trade) and reads "0.07819010" now
    (https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Account-Trade-List)."""
    return call.exchange.reading("futures_commission_sign", account) == "negative"


def _contract_row(fill: Fill, negative_commission: bool = False) -> dict[str, Any]:
    instrument = fill.instrument
    row: dict[str, Any] = {
        "symbol": instrument.id,
        "id": fill.id,
        "orderId": fill.order_id,
        "side": fill.side.upper(),
        "price": plain(fill.price),
        "qty": plain(fill.amount),
        "realizedPnl": fixed8(fill.realized_pnl or Decimal(0)),
        "marginAsset": instrument.settle,
    }
    if instrument.inverse:
        row["pair"] = instrument.base + instrument.quote
        row["baseQty"] = fixed8(fill.cost)
    else:
        row["quoteQty"] = plain(fill.cost.normalize())
    row.update(
        {
            "commission": fixed8(-fill.fee if negative_commission and fill.fee else fill.fee),
            "commissionAsset": fill.fee_currency,
            "time": fill.timestamp,
            "positionSide": "BOTH",
            "buyer": fill.side == "buy",
            "maker": fill.maker,
        }
    )
    return row


def _income_rows(series: Series, start: int, end: int) -> list[dict[str, Any]]:
    instrument = series.instrument
    rows = []
    for fill in series.fills(series.index_from_time(start), series.index_after_time(end)):
        if fill.realized_pnl:
            rows.append(
                _income(
                    instrument,
                    "REALIZED_PNL",
                    fixed8(fill.realized_pnl),
                    instrument.settle or "",
                    fill,
                    2,
                )
            )
        rows.append(
            _income(instrument, "COMMISSION", fixed8(-fill.fee), fill.fee_currency, fill, 1)
        )
    return rows


def _income(
    instrument: Instrument, kind: str, amount: str, asset: str, fill: Fill, flavour: int
) -> dict[str, Any]:
    return {
        "symbol": instrument.id,
        "incomeType": kind,
        "income": amount,
        "asset": asset,
        "info": "",
        "time": fill.timestamp,
        # unique per income type, as Binance promises for tranId
        "tranId": fill.id * 10 + flavour,
        "tradeId": str(fill.id),
    }


def _income_history(call: Call, inverse: bool) -> list[dict[str, Any]]:
    """Income rows: the futures way to discover which symbols an account traded."""
    limit = page_limit(call, 100, 1000)
    account = call.signed_account()
    start, end = optional_int(call, "startTime"), optional_int(call, "endTime")
    if start is None and end is None:
        start, end = call.now_ms - FUTURES_WINDOW_MS, call.now_ms
    reading = call.exchange.reading("coinm_income_retention", account) if inverse else None
    retention_ms = COINM_INCOME_RETENTION_MS[reading] if inverse else INCOME_RETENTION_MS
    if reading == "error" and start is not None and start < call.now_ms - retention_ms:
        # Binance's refusal of a lookup reaching too far (COIN-M "Error Codes": -1127
        # MORE_THAN_XX_HOURS; ccxt binance.py: BadRequest), here counted back from now
        raise window_too_long(retention_ms // HOUR_MS)
    start = max(start or 0, call.now_ms - retention_ms)
    end = call.now_ms if end is None else end
    wanted_symbol = call.params.get("symbol")
    wanted_type = call.params.get("incomeType")
    rows = []
    for symbol_series in account.series().values():
        instrument = symbol_series.instrument
        if not instrument.contract or instrument.inverse != inverse:
            continue
        if wanted_symbol and instrument.id != wanted_symbol:
            continue
        rows.extend(_income_rows(symbol_series, start, end))
    if wanted_type:
        rows = [row for row in rows if row["incomeType"] == wanted_type]
    rows.sort(key=lambda row: (row["time"], row["tranId"]))
    page = optional_int(call, "page") or 1
    return rows[(page - 1) * limit : page * limit]


@router.get(USDM_HOST, "/fapi/v1/income", weight=30, pool="fapi", signed=True)
def usdm_income(call: Call) -> list[dict[str, Any]]:
    return _income_history(call, inverse=False)


@router.get(COINM_HOST, "/dapi/v1/income", weight=20, pool="dapi", signed=True)
def coinm_income(call: Call) -> list[dict[str, Any]]:
    return _income_history(call, inverse=True)

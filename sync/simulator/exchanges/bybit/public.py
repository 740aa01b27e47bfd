"""Public Bybit endpoints ccxt's ``load_markets``, ``fetch_time`` and ``fetch_status`` call."""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.bybit import catalog
from sync.simulator.exchanges.bybit.catalog import HOST
from sync.simulator.exchanges.bybit.common import (
    envelope,
    page_limit,
    parameter_error,
    required_category,
)

router = Router()

CATEGORIES = ("spot", "linear", "inverse", "option")


@router.get(HOST, "/v5/market/time", pool="ip")
def server_time(call: Call) -> dict[str, Any]:
    return envelope(
        {"timeSecond": str(call.now_ms // 1000), "timeNano": str(call.now_ms * 1_000_000)},
        call.now_ms,
    )


@router.get(HOST, "/v5/system/status", pool="ip")
def system_status(call: Call) -> dict[str, Any]:
    return envelope({"list": []}, call.now_ms, "")


@router.get(HOST, "/v5/market/instruments-info", pool="ip")
def instruments_info(call: Call) -> dict[str, Any]:
    """Markets of one category. Linear and inverse page with ``limit``/``cursor`` (default
    500, at most 1000); spot ignores both; ``status=PreLaunch`` lists pre-market contracts,
    of which the simulator has none."""
    category = required_category(call, CATEGORIES)
    result: dict[str, Any] = {"category": category, "list": []}
    if category != "spot":
        result["nextPageCursor"] = ""
    status = call.params.get("status") or "Trading"
    if category == "option" or status != "Trading":
        return envelope(result, call.now_ms)
    instruments = catalog.instruments_in(category)
    symbol = call.params.get("symbol")
    if symbol:
        instruments = [item for item in instruments if item.id == symbol]
    if category == "spot":
        result["list"] = [catalog.spot_row(item) for item in instruments]
        return envelope(result, call.now_ms)
    base = call.params.get("baseCoin")
    if base:
        instruments = [item for item in instruments if item.base == base]
    limit = page_limit(call, 500, 1000)
    start = _cursor_offset(call)
    page = instruments[start : start + limit]
    result["list"] = [catalog.contract_row(item) for item in page]
    if start + limit < len(instruments):
        result["nextPageCursor"] = (
            f"first%3D{page[0].id}%26last%3D{page[-1].id}%26offset%3D{start + limit}"
        )
    return envelope(result, call.now_ms)


def _cursor_offset(call: Call) -> int:
    cursor = call.params.get("cursor")
    if not cursor:
        return 0
    _, _, offset = cursor.rpartition("offset=")
    if not offset.isdigit():
        raise parameter_error(call, "params error: cursor invalid")
    return int(offset)

"""Public OKX endpoints ccxt's ``load_markets``, ``fetch_time`` and ``fetch_status`` call."""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.okx import catalog
from sync.simulator.exchanges.okx.catalog import HOST, INSTRUMENTS
from sync.simulator.exchanges.okx.common import ok, okx
from sync.simulator.exchanges.okx.errors import invalid, missing, refuse

router = Router()


@router.get(HOST, "/api/v5/public/time", pool="time")
def server_time(call: Call) -> dict[str, Any]:
    return ok([{"ts": str(call.now_ms)}])


@router.get(HOST, "/api/v5/system/status", pool="status")
def system_status(call: Call) -> dict[str, Any]:
    """No maintenance scheduled: OKX answers an empty list."""
    return ok([])


@router.get(HOST, "/api/v5/public/instruments", pool="instruments")
def instruments(call: Call) -> dict[str, Any]:
    kind = call.params.get("instType")
    if not kind:
        raise missing("instType")
    family = call.params.get("instFamily") or call.params.get("uly")
    if kind == "OPTION":
        if family not in catalog.OPTION_FAMILIES:
            if not family:
                raise refuse(400, "50015", "Either parameter uly or instFamily is required.")
            raise invalid("instFamily")
        base = family.split("-")[0]
        price = call.exchange.state.oracle.price(base, "USD", call.now_ms)
        rows = catalog.option_rows(family, price, call.now_ms, okx(call).options)
    elif kind in ("SPOT", "MARGIN"):
        # every spot pair here may be traded on margin too (lever "10")
        rows = [catalog.spot_row(item) for item in INSTRUMENTS if not item.contract]
        if kind == "MARGIN":
            rows = [{**row, "instType": "MARGIN"} for row in rows]
    elif kind in ("SWAP", "FUTURES"):
        rows = [
            catalog.contract_row(item)
            for item in INSTRUMENTS
            if item.contract and catalog.inst_type(item) == kind
        ]
        if family:
            rows = [row for row in rows if row["instFamily"] == family]
    else:
        raise invalid("instType")
    wanted = call.params.get("instId")
    if wanted:
        rows = [row for row in rows if row["instId"] == wanted]
    return ok(rows)

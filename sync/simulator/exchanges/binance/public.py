"""Public Binance endpoints ccxt's ``load_markets`` and ``fetch_time`` call."""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.binance import catalog
from sync.simulator.exchanges.binance.catalog import COINM_HOST, SPOT_HOST, USDM_HOST

router = Router()


@router.get(SPOT_HOST, "/api/v3/ping", pool="spot")
@router.get(USDM_HOST, "/fapi/v1/ping", pool="fapi")
@router.get(COINM_HOST, "/dapi/v1/ping", pool="dapi")
def ping(call: Call) -> dict[str, Any]:
    return {}


@router.get(SPOT_HOST, "/api/v3/time", pool="spot")
@router.get(USDM_HOST, "/fapi/v1/time", pool="fapi")
@router.get(COINM_HOST, "/dapi/v1/time", pool="dapi")
def server_time(call: Call) -> dict[str, Any]:
    return {"serverTime": call.now_ms}


@router.get(SPOT_HOST, "/api/v3/exchangeInfo", weight=20, pool="spot")
def spot_exchange_info(call: Call) -> dict[str, Any]:
    return catalog.spot_exchange_info(call.now_ms)


@router.get(USDM_HOST, "/fapi/v1/exchangeInfo", pool="fapi")
def usdm_exchange_info(call: Call) -> dict[str, Any]:
    return catalog.usdm_exchange_info(call.now_ms)


@router.get(COINM_HOST, "/dapi/v1/exchangeInfo", pool="dapi")
def coinm_exchange_info(call: Call) -> dict[str, Any]:
    return catalog.coinm_exchange_info(call.now_ms)


@router.get(SPOT_HOST, "/sapi/v1/system/status", pool="sapi")
def system_status(call: Call) -> dict[str, Any]:
    return {"status": 0, "msg": "normal"}

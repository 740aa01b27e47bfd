"""Kraken spot's public endpoints: what ``load_markets`` and ``fetch_time`` call.

With ``fetchCurrencies`` on, ccxt's ``load_markets`` asks ``Assets`` first, then
``AssetPairs``; with ``adjustForTimeDifference`` also ``Time``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kraken import catalog
from sync.simulator.exchanges.kraken.catalog import SPOT_HOST
from sync.simulator.exchanges.kraken.common import spot_result

router = Router()


@router.get(SPOT_HOST, "/0/public/Time", pool="public")
def server_time(call: Call) -> dict[str, Any]:
    now = datetime.fromtimestamp(call.now_ms / 1000, tz=UTC)
    return spot_result({"unixtime": call.now_ms // 1000, "rfc1123": format_datetime(now, True)})


@router.get(SPOT_HOST, "/0/public/SystemStatus", pool="public")
def system_status(call: Call) -> dict[str, Any]:
    now = datetime.fromtimestamp(call.now_ms / 1000, tz=UTC)
    return spot_result({"status": "online", "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ")})


@router.get(SPOT_HOST, "/0/public/Assets", pool="public")
def assets(call: Call) -> dict[str, Any]:
    rows = catalog.asset_rows()
    wanted = call.params.get("asset")
    if wanted:
        names = set(wanted.split(","))
        rows = {key: row for key, row in rows.items() if key in names or row["altname"] in names}
    return spot_result(rows)


@router.get(SPOT_HOST, "/0/public/AssetPairs", pool="public")
def asset_pairs(call: Call) -> dict[str, Any]:
    rows = catalog.asset_pair_rows()
    wanted = call.params.get("pair")
    if wanted:
        names = set(wanted.split(","))
        rows = {key: row for key, row in rows.items() if key in names or row["altname"] in names}
    return spot_result(rows)

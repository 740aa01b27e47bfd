"""Request and weight counters, per exchange, per API key and per endpoint."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}

    def _row(self, scope: str, name: str) -> dict[str, Any]:
        row = self._rows.get((scope, name))
        if row is None:
            row = {"requests": 0, "weight": 0, "statuses": Counter()}
            self._rows[(scope, name)] = row
        return row

    def record(
        self, exchange: str, api_key: str | None, endpoint: str, weight: int, status: int
    ) -> None:
        scopes = [("exchange", exchange), ("endpoint", f"{exchange} {endpoint}")]
        if api_key:
            scopes.append(("api_key", api_key))
        with self._lock:
            for scope, name in scopes:
                row = self._row(scope, name)
                row["requests"] += 1
                row["weight"] += weight
                row["statuses"][str(status)] += 1

    def reset(self) -> None:
        with self._lock:
            self._rows.clear()

    def describe(self) -> dict[str, Any]:
        result: dict[str, Any] = {"exchanges": {}, "api_keys": {}, "endpoints": {}}
        section = {"exchange": "exchanges", "api_key": "api_keys", "endpoint": "endpoints"}
        with self._lock:
            for (scope, name), row in self._rows.items():
                result[section[scope]][name] = {
                    "requests": row["requests"],
                    "weight": row["weight"],
                    "statuses": dict(row["statuses"]),
                }
        return result

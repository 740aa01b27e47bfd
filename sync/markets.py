"""Markets are the same for every key: load them once per process and hour, not per sync."""

from __future__ import annotations

import threading
import time
from typing import Any

import ccxt

TTL_SECONDS = 3600
_lock = threading.Lock()
_cache: dict[str, tuple[float, Any, Any]] = {}


def markets_ensure(client: ccxt.Exchange, *, key: str) -> None:
    """Give `client` its markets from the cache, loading them through it on a miss."""
    with _lock:
        cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < TTL_SECONDS:
        client.set_markets(cached[1], cached[2])
        return
    client.load_markets()
    with _lock:
        _cache[key] = (time.monotonic(), client.markets, client.currencies)


def markets_forget() -> None:
    with _lock:
        _cache.clear()

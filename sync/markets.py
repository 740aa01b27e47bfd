"""Markets are the same for every key: load them once an hour for every process, not per sync.

Two layers: this process's memory, then the shared cache (Redis in production, files without
it), so a new worker process or a second worker does not spend the exchange's budget on the
markets again (seven requests on Binance). Each entry carries when it was loaded.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import ccxt
from django.core.cache import cache

TTL_SECONDS = 3600
_GENERATION = "markets:generation"
_lock = threading.Lock()
_local: dict[str, tuple[float, Any, Any]] = {}


def markets_ensure(client: ccxt.Exchange, *, key: str, route: str) -> None:
    """Give `client` its markets from the cache, loading them through it on a miss.

    `route` names where the client's requests go (a relay's base URL; empty for the real
    exchange), so that markets learnt from one place never stand in for another's.
    """
    scoped = _scoped(key, route)
    entry = _fresh(_local.get(scoped)) or _fresh(cache.get(scoped))
    if entry is not None:
        with _lock:
            _local[scoped] = entry
        client.set_markets(entry[1], entry[2])
        return
    client.load_markets()
    entry = (time.time(), client.markets, client.currencies)
    with _lock:
        _local[scoped] = entry
    cache.set(scoped, entry, TTL_SECONDS)


def markets_age(key: str, route: str = "") -> float | None:
    """Seconds since the shared markets of `key` were loaded, or None when none are."""
    entry = _fresh(cache.get(_scoped(key, route)))
    return None if entry is None else time.time() - entry[0]


def markets_forget() -> None:
    """Every process loads its markets again (tests, or after an exchange lists a market
    ccxt must know at once)."""
    with _lock:
        _local.clear()
    try:
        cache.incr(_GENERATION)
    except ValueError:
        cache.set(_GENERATION, 1, None)


def _scoped(key: str, route: str) -> str:
    generation = cache.get(_GENERATION, 0)
    return f"markets:{generation}:{ccxt.__version__}:{key}:{route}"


def _fresh(entry: tuple[float, Any, Any] | None) -> tuple[float, Any, Any] | None:
    if entry is None or time.time() - entry[0] >= TTL_SECONDS:
        return None
    return entry

"""Bitget's per-account limits, kept by the adapter for the endpoints it calls page after page.

Bitget limits each private endpoint on its own, per UID and per second (the "Frequency limit"
line of each page of https://www.bitget.com/api-doc/):
- 10 for each fills endpoint: spot/trade/Get-Fills, contract/trade/Get-Order-Fills and
  contract/trade/Get-Fill-History ("10 times/1s (UID)");
- 5 for a follower's copy trades: copytrading/future-copytrade/follower/Query-Current-Orders
  ("5 req/sec/UID");
- 1 for the account info: spot/account/Get-Account-Info ("1 time/1s (User ID)").
Beyond that it answers 429 (ccxt's bitget.py: code "429" -> DDoSProtection, "1001" and
"50009" -> RateLimitExceeded).

ccxt's costs say the same for the fills (rateLimit 50 ms, cost 2: 100 ms apart), but ccxt
spaces the moments requests leave, exactly at the limit, and its spacing runs as fast as
THRIVE_EXCHANGE_BUDGET_SCALE says; a page answered faster than the one before then puts an
eleventh request into Bitget's second. Here the next request for a key and endpoint waits
until a second has passed since the answer to the request `limit` places before it, in real
time: Bitget received that one before it answered, so no second on its clock ever holds more
than `limit`. A refusal that still comes (another process of ours asking for the same
account) waits out the second and is sent again, twice at most.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

import ccxt

# Bitget's second, and a little for its clock counting whole milliseconds.
WINDOW_S = 1.01
RETRIES = 2
# The longest Retry-After waited out inside a sync; a longer one ends the walk for this run.
RETRY_AFTER_MAX_S = 5.0
# Our names of the endpoints, with Bitget's limit for each (requests a second per UID).
SPOT_FILLS = ("spot-fills", 10)
ORDER_FILLS = ("mix-order-fills", 10)
FILL_HISTORY = ("mix-fill-history", 10)
COPY_ORDERS = ("copy-current-orders", 5)
ACCOUNT_INFO = ("spot-account-info", 1)

T = TypeVar("T")

# (digest of the api key, endpoint) -> when the last `limit` answers came back, in this
# process. A digest, so that no key outlives its sync in this process's memory.
_answered: dict[tuple[str, str], deque[float]] = {}


def within_limit(
    client: ccxt.Exchange, endpoint: tuple[str, int], send: Callable[..., T], *args: Any
) -> T:
    """`send(*args)` once the key's last `limit` requests to `endpoint` are a second behind;
    a 429 is waited out and sent again."""
    name, limit = endpoint
    digest = hashlib.sha256(str(client.apiKey).encode()).hexdigest()
    answered = _answered.setdefault((digest, name), deque(maxlen=limit))
    retries = RETRIES
    while True:
        wait = answered[0] + WINDOW_S - time.monotonic() if len(answered) == limit else 0
        if wait > 0:
            time.sleep(wait)
        try:
            return send(*args)
        except (ccxt.DDoSProtection, ccxt.RateLimitExceeded):
            if not retries:
                raise
            retries -= 1
            pause = _retry_after(client)
        finally:
            answered.append(time.monotonic())
        time.sleep(pause)


def _retry_after(client: ccxt.Exchange) -> float:
    """Bitget documents no Retry-After; honour one if it is sent, else wait out the second."""
    headers = client.last_response_headers or {}
    try:
        seconds = float(headers.get("Retry-After") or 0)
    except ValueError:
        seconds = 0.0
    return min(max(seconds, WINDOW_S), RETRY_AFTER_MAX_S)

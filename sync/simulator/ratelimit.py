"""Request-weight limits as exchanges count them: fixed windows per IP (or key) and pool.

Binance counts weight per IP in one-minute windows, answers 429 with ``Retry-After`` when a
window is spent, and bans the IP with 418 when the client keeps sending after a 429
(https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """A documented limit: ``limit`` weight per ``window_s`` seconds in pool ``pool``."""

    pool: str
    limit: int
    window_s: int = 60
    per: str = "ip"  # "ip" or "key"
    ban_after_429: bool = False
    ban_s: int = 120


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    used: int  # weight used in the window, this request included
    retry_after_s: int = 0
    banned_until_ms: int | None = None

    @property
    def banned(self) -> bool:
        return self.banned_until_ms is not None


class RateLimiter:
    """Counts weight; ``scale`` multiplies every limit (0 switches limits off)."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._windows: dict[tuple[str, str, str], tuple[int, int, bool]] = {}
        self._bans: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def reset(self, scale: float) -> None:
        with self._lock:
            self.scale = scale
            self._windows.clear()
            self._bans.clear()

    def charge(
        self, exchange: str, limit: RateLimit, who: str, weight: int, now_ms: int
    ) -> Verdict:
        key = (exchange, limit.pool, who)
        window_ms = limit.window_s * 1000
        window_start = now_ms - now_ms % window_ms
        with self._lock:
            banned_until = self._bans.get(key)
            if banned_until is not None and banned_until > now_ms:
                return Verdict(False, 0, _seconds(banned_until - now_ms), banned_until)
            start, used, warned = self._windows.get(key, (window_start, 0, False))
            if start != window_start:
                used, warned = 0, False
            used += weight
            if self.scale <= 0 or used <= limit.limit * self.scale:
                self._windows[key] = (window_start, used, warned)
                return Verdict(True, used)
            if warned and limit.ban_after_429:
                banned_until = now_ms + limit.ban_s * 1000
                self._bans[key] = banned_until
                self._windows[key] = (window_start, used, warned)
                return Verdict(False, used, limit.ban_s, banned_until)
            self._windows[key] = (window_start, used, True)
            return Verdict(False, used, _seconds(window_start + window_ms - now_ms))


def _seconds(milliseconds: int) -> int:
    return max(1, -(-milliseconds // 1000))

"""One request budget per exchange, shared by every worker process.

ccxt's own limiter is per client instance, so ten workers would each spend the exchange's
whole allowance. Here all of them draw from one token bucket per exchange, refilled at the
rate ccxt documents for that exchange (`rateLimit`, milliseconds per unit of cost): in Redis
when Redis is configured, in the database otherwise. A caller that overdraws sleeps for the
debt, so requests spread out instead of failing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

# How many seconds of allowance may pile up while an exchange is quiet: exchanges count
# their limits over windows of a minute or more, so a short burst stays within them.
BURST_SECONDS = 10.0
REDIS_PREFIX = "thrive:budget:"

_REDIS_TAKE = """
local key = KEYS[1]
local rate, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local cost, now = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
-- a clock that went back (another worker's, or NTP stepping this one) refills nothing, and
-- never turns into a debt that would put a worker to sleep for the difference
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate) - cost
redis.call('HSET', key, 'tokens', tokens, 'at', math.max(now, at))
redis.call('EXPIRE', key, 3600)
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""


@cache
def _redis_script():  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis.from_url(settings.REDIS_URL).register_script(_REDIS_TAKE)


def _take_from_database(exchange: str, rate: float, capacity: float, cost: float) -> float:
    from .models import RequestBudget

    with transaction.atomic():
        budget, _ = RequestBudget.objects.select_for_update().get_or_create(
            exchange=exchange, defaults={"tokens": capacity}
        )
        now = timezone.now()
        elapsed = max(0.0, (now - budget.updated_at).total_seconds())
        tokens = min(capacity, budget.tokens + elapsed * rate) - cost
        RequestBudget.objects.filter(pk=budget.pk).update(tokens=tokens, updated_at=now)
    return 0.0 if tokens >= 0 else -tokens / rate


def take(exchange: str, *, rate_limit_ms: float, cost: float = 1.0) -> float:
    """Spend `cost` units of `exchange`'s shared budget (one unit per `rate_limit_ms`); sleeps
    if it is overdrawn. Returns the seconds slept."""
    rate = 1000.0 / max(rate_limit_ms, 0.001)
    capacity = max(rate * BURST_SECONDS, cost)
    if settings.REDIS_URL:
        wait = float(
            _redis_script()(
                keys=[REDIS_PREFIX + exchange], args=[rate, capacity, cost, time.time()]
            )
        )
    else:
        wait = _take_from_database(exchange, rate, capacity, cost)
    if wait > 0:
        time.sleep(wait)
    return wait


def budget_levels() -> dict[str, tuple[float, datetime]]:
    """Each bucket's tokens left right after its last request, and when that was (the support
    console's exchange health). Below zero, callers are sleeping off the debt. Buckets are
    named by ccxt id ("binanceusdm"), with ":checks" for the key checks' share."""
    if not settings.REDIS_URL:
        from .models import RequestBudget

        return {
            budget.exchange: (budget.tokens, budget.updated_at)
            for budget in RequestBudget.objects.all()
        }
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = sorted(client.scan_iter(match=REDIS_PREFIX + "*", count=200))
    levels: dict[str, tuple[float, datetime]] = {}
    for key in keys:
        tokens, at = client.hmget(key, "tokens", "at")
        if tokens is not None and at is not None:
            name = key.decode().removeprefix(REDIS_PREFIX)
            levels[name] = (float(tokens), datetime.fromtimestamp(float(at), tz=UTC))
    return levels

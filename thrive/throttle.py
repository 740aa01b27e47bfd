"""Failed sign-in throttling, per email and per client address, in the shared cache.

Counting both stops one address from trying many accounts and many addresses from trying one.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, address: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"signin-fail:email:{digest}", f"signin-fail:addr:{address}"]


def signin_blocked(*, email: str, address: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(email, address))


def signin_failed(*, email: str, address: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(email, address):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def signin_succeeded(*, email: str, address: str) -> None:
    cache.delete(_keys(email, address)[0])

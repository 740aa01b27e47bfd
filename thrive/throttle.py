"""Throttles for sign-in and account e-mail, counted in the shared cache.

Failed sign-ins are counted per (email, client address) pair, so guesses from one address never
lock the owner out of their account from another, and per client address across all emails
(failures only), so one address cannot spray many accounts. Account e-mail (password reset,
sign-up) is limited per client address and per recipient, so nobody can flood an inbox.

Each counter keeps its window from its first hit: a start key remembers when, and the count
lives under a key named after that start, so a new window starts a fresh count and "wait N
minutes" is exact. `touch` after `incr` matters: the file and database caches rewrite the
entry on `incr` with the default timeout (300 s), which would shorten or stretch the window.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


class Throttled(Exception):
    """Too many requests from one client address; `seconds` until its window ends."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


@dataclass(frozen=True)
class SigninBlock:
    """Why a sign-in is refused before the password is checked, and for how long."""

    network: bool  # True: the client address's cap; False: this email from this address
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def client_address(request: HttpRequest) -> str:
    """The client's address as the outermost of our TRUSTED_PROXY_COUNT proxies saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the
    N-th entry from the right was written by our first proxy; anything further left was sent by
    the client and can be anything. With no trusted proxy (the default) the header is ignored:
    honouring it would let anyone pick a fresh address per request and escape every limit.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) < hops:
        return remote
    return _bare_address(entries[-hops]) or remote


def _bare_address(entry: str) -> str:
    """`entry` as a plain IP address, without the port some proxies add; "" if it is none."""
    candidates = [entry]
    if entry.startswith("[") and "]" in entry:
        candidates.append(entry[1 : entry.index("]")])
    elif entry.count(":") == 1:
        candidates.append(entry.split(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return ""


def _network(address: str) -> str:
    """The unit one client is counted by: an IPv4 address, or an IPv6 /64.

    One IPv6 subscriber usually gets a whole /64; counting single addresses would hand them
    2^64 fresh counters.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"throttle:{kind}:{digest}"


def _email(email: str) -> str:
    return email.strip().lower()


def _state(key: str, window: int) -> tuple[int, int]:
    """(count, seconds left in the window) for `key`; (0, 0) when no window is open."""
    start = cache.get(f"{key}:start")
    if start is None:
        return 0, 0
    left = max(1, math.ceil(start + window - time.time()))
    return cache.get(f"{key}:{start}") or 0, left


def _hit(key: str, window: int) -> tuple[int, int]:
    """Count one more hit on `key`; (new count, seconds left in the window)."""
    now = time.time()
    cache.add(f"{key}:start", int(now), window)
    start = cache.get(f"{key}:start") or int(now)
    left = max(1, math.ceil(start + window - now))
    counter = f"{key}:{start}"
    if cache.add(counter, 1, left):
        return 1, left
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, left)
        return 1, left
    cache.touch(counter, left)
    return count, left


def _clear(key: str) -> None:
    start = cache.get(f"{key}:start")
    keys = [f"{key}:start"] + ([f"{key}:{start}"] if start is not None else [])
    cache.delete_many(keys)


def signin_blocked(*, email: str, address: str) -> SigninBlock | None:
    """Whether to refuse this sign-in without checking the password, and why."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    network = _network(address)
    count, left = _state(_key("signin-addr", network), window)
    if count >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return SigninBlock(network=True, seconds=left)
    count, left = _state(_key("signin-pair", _email(email), network), window)
    if count >= settings.LOGIN_FAILURE_LIMIT:
        return SigninBlock(network=False, seconds=left)
    return None


def signin_failed(*, email: str, address: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    network = _network(address)
    _hit(_key("signin-pair", _email(email), network), window)
    _hit(_key("signin-addr", network), window)


def signin_succeeded(*, email: str, address: str) -> None:
    """Forget this pair's failures; the address's count stays, it caps failures only."""
    _clear(_key("signin-pair", _email(email), _network(address)))


def mail_request_allow(*, action: str, address: str) -> None:
    """Count one request for account e-mail from `address`; raise Throttled past the limit."""
    count, left = _hit(_key(f"mail-{action}", _network(address)), _mail_window())
    if count > settings.PASSWORD_RESET_ADDRESS_LIMIT:
        raise Throttled(seconds=left)


def mail_recipient_allow(*, email: str) -> bool:
    """Count one e-mail for `email`'s inbox; False once it has had its share of the window.

    Counted for every address asked about, with an account or not, so that the answer takes the
    same path either way.
    """
    count, _ = _hit(_key("mail-to", _email(email)), _mail_window())
    return count <= settings.PASSWORD_RESET_EMAIL_LIMIT


def _mail_window() -> int:
    return settings.PASSWORD_RESET_WINDOW_SECONDS

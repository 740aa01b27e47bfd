"""The one factory for ccxt clients.

Every client is built here from a fixed option set: Decimal numbers, rate limiting on, verbose
off, our timeout. Nothing a person typed reaches `urls`, `hostname`, `proxies` or `options` —
that would hand a signed request to any host. Only operator configuration moves a client:
`THRIVE_EXCHANGE_URLS` (the simulator, or a relay) and `THRIVE_EGRESS_PROXY`.
"""

from __future__ import annotations

import decimal
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import ccxt
from django.conf import settings
from requests.adapters import BaseAdapter

from connections.vault import CredentialSecret

from .urls import RelayTransport

TIMEOUT_MS = 20_000
RETRY_CAP_MS = 5_000

# Asked right before every request leaves, by every client of the current sync (an adapter may
# build more than one): it raises to stop the sync (sync.lease.LeaseLost).
_request_guard: ContextVar[Callable[[], None] | None] = ContextVar("request_guard", default=None)


# Set while a person waits for a key check: clients built then draw from the checks' own
# share of each exchange's budget, so any number of checks never slows a scheduled sync.
_interactive: ContextVar[bool] = ContextVar("interactive", default=False)


@contextmanager
def interactive_requests() -> Iterator[None]:
    """Clients built inside the block spend the interactive share of the budget
    (THRIVE_CHECK_BUDGET_SHARE); the syncs' share is the rest."""
    reset = _interactive.set(True)
    try:
        yield
    finally:
        _interactive.reset(reset)


@contextmanager
def requests_guarded(guard: Callable[[], None]) -> Iterator[None]:
    """Run `guard` before each request sent inside the block."""
    reset = _request_guard.set(guard)
    try:
        yield
    finally:
        _request_guard.reset(reset)


def build_client(
    ccxt_id: str,
    *,
    route_as: str,
    secret: CredentialSecret | None = None,
    futures: bool = False,
    options: dict[str, Any] | None = None,
    spaced: bool = True,
) -> ccxt.Exchange:
    """A ccxt client for `ccxt_id`; `route_as` is our exchange id in THRIVE_EXCHANGE_URLS.

    `futures` uses the credential's second key pair (Kraken Futures). `options` come from the
    adapter's code, never from a person. `spaced` keeps ccxt's per-client spacing as well.
    """
    # ccxt logs signed URLs and the API key header at DEBUG: clamp it before every client, so
    # that nothing (a LOG_LEVEL=DEBUG, a library's basicConfig) can let those records through.
    logging.getLogger("ccxt").setLevel(logging.WARNING)
    config: dict[str, Any] = {
        "enableRateLimit": True,
        "timeout": TIMEOUT_MS,
        "verbose": False,
        # Adapters read the exchange's own error code from the last body (never its text).
        "enableLastJsonResponse": True,
        "number": decimal.Decimal,
        "options": dict(options or {}),
    }
    if secret is not None:
        config["apiKey"] = secret.futures_api_key if futures else secret.api_key
        config["secret"] = secret.futures_secret if futures else secret.secret
        if secret.passphrase:
            config["password"] = secret.passphrase
    client: ccxt.Exchange = getattr(ccxt, ccxt_id)(config)
    transport = transport_for(route_as)
    if transport is not None:
        client.session.mount("https://", transport)
    if settings.THRIVE_EGRESS_PROXY:
        client.httpsProxy = settings.THRIVE_EGRESS_PROXY
    _share_budget_and_count(client, budget_key=ccxt_id, spaced=spaced)
    _retry_on_the_way(client)
    return client


def transport_for(route_as: str) -> BaseAdapter | None:
    """What carries an exchange's requests underneath ccxt: the relay configured in
    THRIVE_EXCHANGE_URLS, or None for the real exchange (the conformance tests replace this
    with recorded answers)."""
    base_url = settings.THRIVE_EXCHANGE_URLS.get(route_as)
    return RelayTransport(base_url) if base_url else None


def _share_budget_and_count(client: ccxt.Exchange, *, budget_key: str, spaced: bool) -> None:
    """Every request waits for the exchange's shared budget and ccxt's own spacing, asks the
    sync's guard whether it may still go, then is counted.

    ccxt calls `throttle(cost)` before each request when rate limiting is on, with the
    endpoint's cost in the exchange's documented weight. ccxt's own throttle spaces one
    client's calls evenly (some exchanges count per second); the shared bucket keeps all
    workers together under the exchange's limit. THRIVE_EXCHANGE_BUDGET_SCALE scales both.
    Key checks a person waits for have their own bucket, a share of the limit, and syncs
    the rest: together they stay under it.
    """
    from sync import budget

    client.rateLimit = float(client.rateLimit) / settings.THRIVE_EXCHANGE_BUDGET_SCALE
    client.requests_made = 0
    own_spacing = client.throttle
    share = settings.THRIVE_CHECK_BUDGET_SHARE
    if _interactive.get():
        budget_key = f"{budget_key}:checks"
    else:
        share = 1 - share
    # A share of the rate is a slower bucket: more milliseconds per unit of cost.
    rate_limit_ms = client.rateLimit / share

    def throttle(cost: float | None = None) -> Any:
        budget.take(budget_key, rate_limit_ms=rate_limit_ms, cost=float(cost or 1))
        if spaced:
            own_spacing(cost)
        guard = _request_guard.get()
        if guard is not None:
            guard()
        client.requests_made += 1

    client.throttle = throttle


def failed_on_the_way(exc: BaseException) -> bool:
    """Whether `exc` says the request or its answer was lost on the way (dropped connection,
    a gateway's 5xx, a cut or unreadable body, a timeout), so the same read sent again will
    likely succeed. Maintenance, rate limits and clock errors are not: they have their own
    handling, and repeating them at once makes them worse."""
    if isinstance(exc, ccxt.OnMaintenance | ccxt.DDoSProtection | ccxt.InvalidNonce):
        return False
    return (
        isinstance(exc, ccxt.RequestTimeout | ccxt.ExchangeNotAvailable | ccxt.BadResponse)
        or type(exc) is ccxt.NetworkError
    )


def retry_pause_seconds(attempt: int) -> float:
    """Full jitter: anywhere up to the exponential bound, so workers that failed together do
    not come back together."""
    bound_ms = min(RETRY_CAP_MS, settings.THRIVE_EXCHANGE_RETRY_BASE_MS * 2**attempt)
    return random.uniform(0, bound_ms) / 1000


def _retry_on_the_way(client: ccxt.Exchange) -> None:
    """Send a request lost on the way again, signed afresh (new timestamp and nonce) and
    through the shared budget again: ccxt's `fetch2` signs and throttles each attempt."""
    attempts = settings.THRIVE_EXCHANGE_ATTEMPTS
    send = client.fetch2
    client.retries_made = 0

    def fetch2(
        path: Any,
        api: Any = "public",
        method: str = "GET",
        params: Any = None,
        config: Any = None,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return send(path, api, method, {} if params is None else params, config or {})
            except ccxt.BaseError as exc:
                attempt += 1
                if attempt >= attempts or not failed_on_the_way(exc):
                    raise
                client.retries_made += 1
                time.sleep(retry_pause_seconds(attempt - 1))

    client.fetch2 = fetch2

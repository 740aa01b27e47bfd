"""Faults switched on at run time through ``POST /_sim/faults``.

A fault applies to one exchange or all, to one API key or all, optionally to one host, one API
path and given parameters, and lasts ``seconds``, a number of ``requests``, or until cleared.
The exchange module decides what each fault looks like on the wire, so ccxt raises the class it
raises in production.

    {"kind": "maintenance", "exchange": "binance", "api_key": "...", "path": "/api/v3/account",
     "seconds": 30, "requests": 2}

Where to aim: ``path`` matches every path starting with it; ``host`` one of the hosts an
exchange is served on (``GET /_sim/`` lists them), so KuCoin's futures ``/api/v1/fills`` on
``api-futures.kucoin.com`` is told from the spot one on ``api.kucoin.com``; ``query`` maps
parameter names to values, and matches a request whose query string (or form body) has every
one of them with exactly that value, so one stream of an endpoint several streams share can be
aimed at: ``{"kind": "unknown_error", "path": "/v5/execution/list", "query": {"category":
"linear"}}`` fails Bybit's USDT perpetual fills and leaves its spot fills alone. A fault lists
``matched_requests``, how many requests it touched so far: a test can tell that it was reached.

Options by kind: ``latency_ms`` (latency, default 1000), ``skew_ms`` (clock_skew: how far the
exchange's clock runs ahead, negative for behind; default 60000), ``status`` (server_error,
500-599, default 503), ``retry_after`` (rate_limit 60, ban 120 seconds), ``hang_ms`` (timeout:
how long the request is held, default 30000; clearing faults releases it).

The network between us and an exchange fails without the exchange saying anything:
``dropped`` closes the connection without an answer, ``bad_gateway`` answers a proxy's HTML 502
page, ``cut_body`` sends the endpoint's answer with its full Content-Length but only half of
its bytes. ``flaky`` makes a seeded share of matching requests (``percent``, 1-100) fail one
of those three ways or answer slowly (``latency_ms``, default 1500); the same ``seed`` and the
same requests in the same order fail the same way, so a failing run can be replayed.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sync.simulator.http import Request

# Faults that answer instead of the endpoint, for any request (signed or not).
# "unknown_error" answers with the exchange's own error envelope and a code nobody has seen,
# to prove that an optional stream survives whatever it is told.
ANSWERING = ("timeout", "maintenance", "server_error", "rate_limit", "ban", "unknown_error")
# Faults about the key; they only touch signed requests, after the key was recognised.
KEY_STATE = ("expired_key", "revoked_key", "ip_not_allowed")
CREDENTIAL = (*KEY_STATE, "no_read_permission")
# Faults that change how a request is served without answering for it.
SHAPING = ("latency", "clock_skew")
# Faults of the network underneath the exchange (see the module docstring).
NETWORK = ("dropped", "bad_gateway", "cut_body")
FLAKY = "flaky"
FAULT_KINDS = ANSWERING + CREDENTIAL + SHAPING + NETWORK + (FLAKY,)

_OPTIONS = ("latency_ms", "skew_ms", "status", "retry_after", "hang_ms", "percent", "seed")
# What a flaky request suffers, drawn evenly.
FLAKY_WAYS = (*NETWORK, "slow")


@dataclass
class Fault:
    id: int
    kind: str
    exchange: str | None
    api_key: str | None
    path: str | None
    expires_at: float | None
    remaining: int | None
    options: dict[str, int] = field(default_factory=dict)
    draws: random.Random | None = None
    host: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    matched: int = 0

    def option(self, name: str, default: int) -> int:
        return self.options.get(name, default)

    def draw(self) -> str | None:
        """For a flaky fault: how this request fails ("slow" included), or None."""
        assert self.draws is not None
        if self.draws.random() * 100 >= self.option("percent", 10):
            return None
        return self.draws.choice(FLAKY_WAYS)

    def matches(self, exchange: str, api_key: str | None, request: Request) -> bool:
        return (
            (self.exchange is None or self.exchange == exchange)
            and (self.api_key is None or self.api_key == api_key)
            and (self.host is None or self.host == request.host)
            and (self.path is None or request.path.startswith(self.path))
            and all(request.params.get(name) == value for name, value in self.query.items())
        )

    def describe(self) -> dict[str, Any]:
        expires_in = None if self.expires_at is None else max(0.0, self.expires_at - time.time())
        return {
            "id": self.id,
            "kind": self.kind,
            "exchange": self.exchange,
            "api_key": self.api_key,
            "host": self.host,
            "path": self.path,
            "query": dict(self.query),
            "expires_in_seconds": expires_in,
            "remaining_requests": self.remaining,
            "matched_requests": self.matched,
            **self.options,
        }


class FaultBoard:
    def __init__(self, exchanges: tuple[str, ...], hosts: dict[str, str] | None = None) -> None:
        """``hosts``: which exchange serves each host, to check a fault's ``host``."""
        self._exchanges = exchanges
        self._hosts = hosts or {}
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> Fault:
        """Validate a JSON fault description; raises ``ValueError`` with the reason."""
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object")
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {list(FAULT_KINDS)}")
        exchange = spec.get("exchange")
        if exchange is not None and exchange not in self._exchanges:
            raise ValueError(f"unknown exchange {exchange!r}; choose from {list(self._exchanges)}")
        seconds = spec.get("seconds")
        requests = spec.get("requests")
        if seconds is not None and (not isinstance(seconds, int | float) or seconds <= 0):
            raise ValueError("seconds must be a positive number")
        if requests is not None and (not isinstance(requests, int) or requests <= 0):
            raise ValueError("requests must be a positive integer")
        options = {}
        for name in _OPTIONS:
            if name in spec:
                value = spec[name]
                # a skew may put the exchange's clock behind the client's; nothing else is < 0
                if not isinstance(value, int) or (value < 0 and name != "skew_ms"):
                    raise ValueError(
                        f"{name} must be an integer" + ("" if name == "skew_ms" else " >= 0")
                    )
                options[name] = value
        if kind == "server_error" and not 500 <= options.get("status", 503) <= 599:
            raise ValueError("status of a server_error is between 500 and 599")
        if kind == FLAKY and not 1 <= options.get("percent", 10) <= 100:
            raise ValueError("percent of a flaky fault is between 1 and 100")
        host = self._host(spec.get("host"), exchange)
        path = spec.get("path")
        if path is not None and (not isinstance(path, str) or not path.startswith("/")):
            raise ValueError('path is the start of an API path, e.g. "/api/v3/account"')
        query = _query(spec.get("query"))
        unknown = set(spec) - {
            "kind", "exchange", "api_key", "host", "path", "query", "seconds", "requests"
        }  # fmt: skip
        unknown -= set(_OPTIONS)
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        fault = Fault(
            id=next(self._ids),
            kind=kind,
            exchange=exchange,
            api_key=spec.get("api_key"),
            path=path,
            expires_at=None if seconds is None else time.time() + seconds,
            remaining=requests,
            options=options,
            draws=random.Random(options.get("seed", 0)) if kind == FLAKY else None,
            host=host,
            query=query,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def _host(self, host: Any, exchange: str | None) -> str | None:
        if host is None:
            return None
        if host not in self._hosts:
            raise ValueError(f"unknown host {host!r}; choose from {sorted(self._hosts)}")
        if exchange is not None and self._hosts[host] != exchange:
            raise ValueError(f"{host} serves {self._hosts[host]}, not {exchange}")
        return str(host)

    def network_failure(
        self, exchange: str, api_key: str | None, request: Request
    ) -> tuple[str, Fault] | None:
        """How the network fails this request ("slow" included), and the fault saying so."""
        for fault in self.take((*NETWORK, FLAKY), exchange, api_key, request):
            if fault.kind != FLAKY:
                return fault.kind, fault
            with self._lock:
                way = fault.draw()
            if way is not None:
                return way, fault
        return None

    def take(
        self, kinds: tuple[str, ...], exchange: str, api_key: str | None, request: Request
    ) -> list[Fault]:
        """Active faults of ``kinds`` for this request, oldest first; counts one use of each."""
        now = time.time()
        taken = []
        with self._lock:
            self._faults = [
                fault
                for fault in self._faults
                if fault.expires_at is None or fault.expires_at > now
            ]
            for fault in self._faults:
                if fault.kind in kinds and fault.matches(exchange, api_key, request):
                    taken.append(fault)
                    fault.matched += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
            self._faults = [fault for fault in self._faults if fault.remaining != 0]
        return taken

    def describe(self) -> list[dict[str, Any]]:
        now = time.time()
        with self._lock:
            return [
                fault.describe()
                for fault in self._faults
                if fault.expires_at is None or fault.expires_at > now
            ]

    def clear(self, fault_id: int | None = None) -> int:
        with self._lock:
            before = len(self._faults)
            self._faults = [
                fault for fault in self._faults if fault_id is not None and fault.id != fault_id
            ]
            return before - len(self._faults)


def _query(query: Any) -> dict[str, str]:
    """A fault's ``query``: parameter names to the exact text a request must send."""
    if query is None:
        return {}
    if (
        not isinstance(query, dict)
        or not query
        or not all(isinstance(value, str) for value in query.values())
    ):
        raise ValueError(
            'query maps parameter names to the text they must equal, e.g. {"category": "linear"}'
        )
    return dict(query)

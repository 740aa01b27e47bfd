"""Integration fixtures: the exchange simulator over real HTTP on loopback.

``simulator`` starts one simulator per test session on a free port of 127.0.0.1; a test that
uses it starts from a clean slate (no faults, no counters, default rate limits).
"""

from __future__ import annotations

import decimal
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import ccxt
import pytest

from sync.exchanges.urls import point_client_at
from sync.simulator.server import RunningSimulator, start_in_thread

SIMULATOR_SEED = 20240611


class SimulatorHandle:
    """The running simulator and small helpers around its ``/_sim/`` control API."""

    def __init__(self, running: RunningSimulator) -> None:
        self.running = running
        self.base_url = running.base_url

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """(status, decoded JSON) of a control call; never raises on HTTP errors."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - always the loopback simulator
            f"{self.base_url}/_sim{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - idem
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, payload = self.call(method, path, body)
        assert status < 300, payload
        return payload

    def accounts(self, exchange: str | None = None) -> list[dict[str, Any]]:
        return self.ok("GET", "/accounts" + (f"?exchange={exchange}" if exchange else ""))

    def account(self, exchange: str, label: str) -> dict[str, Any]:
        return next(item for item in self.accounts(exchange) if item["label"] == label)

    def create_account(self, **body: Any) -> dict[str, Any]:
        return self.ok("POST", "/accounts", body)

    def ground_truth(self, api_key: str) -> list[dict[str, Any]]:
        return self.ok("GET", f"/accounts/{api_key}/trades")

    def balances(self, api_key: str) -> dict[str, Any]:
        return self.ok("GET", f"/accounts/{api_key}/balances")

    def add_fault(self, kind: str, **spec: Any) -> dict[str, Any]:
        return self.ok("POST", "/faults", {"kind": kind, **spec})

    def fail_next_request(self, kind: str = "server_error", **spec: Any) -> dict[str, Any]:
        """Fail the next matching request every time we send it: as many requests as our
        retries of one request make (THRIVE_EXCHANGE_ATTEMPTS)."""
        from django.conf import settings

        return self.add_fault(kind, requests=settings.THRIVE_EXCHANGE_ATTEMPTS, **spec)

    def stats(self) -> dict[str, Any]:
        return self.ok("GET", "/stats")

    def reset(self) -> None:
        self.ok("POST", "/reset")

    def client(self, account: dict[str, Any], **config: Any) -> ccxt.Exchange:
        """An unmodified ccxt client for ``account``, reaching the simulator by URL alone."""
        options = {
            "apiKey": account["api_key"],
            "secret": account["secret"],
            "number": decimal.Decimal,
            "enableRateLimit": True,
            **config,
        }
        if account.get("passphrase"):
            options["password"] = account["passphrase"]
        exchange = getattr(ccxt, account["exchange"])(options)
        return point_client_at(exchange, self.base_url)

    def add_key(self, api_key: str) -> dict[str, Any]:
        """Another key of the account ``api_key`` belongs to: {"api_key", "secret",
        "passphrase"}, the same account in everything but the key."""
        return self.ok("POST", f"/accounts/{api_key}/keys")


@pytest.fixture(scope="session")
def simulator() -> Iterator[SimulatorHandle]:
    running = start_in_thread(seed=SIMULATOR_SEED, port=0)
    try:
        yield SimulatorHandle(running)
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def _clean_simulator(request: pytest.FixtureRequest) -> None:
    """Faults, counters and limits of one test never leak into the next."""
    if "simulator" in request.fixturenames:
        request.getfixturevalue("simulator").reset()

"""The request budget every worker shares per exchange (Redis under CI, the database otherwise)."""

from __future__ import annotations

import threading
import time

import pytest
import time_machine
from django.db import connection as db_connection

from sync import budget

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_burst_within_the_allowance_does_not_wait():
    exchange = f"burst-{time.time_ns()}"
    waited = [budget.take(exchange, rate_limit_ms=100, cost=1) for _ in range(5)]
    assert waited == [0.0] * 5


def test_overdrawing_waits_for_the_debt_to_refill():
    exchange = f"debt-{time.time_ns()}"
    # 10 units a second, at most 10 seconds of allowance (100 units) banked.
    assert budget.take(exchange, rate_limit_ms=100, cost=100) == 0.0
    started = time.perf_counter()
    waited = budget.take(exchange, rate_limit_ms=100, cost=5)
    assert 0.4 <= waited <= 0.6
    assert time.perf_counter() - started >= 0.4


def test_two_workers_share_one_budget():
    exchange = f"shared-{time.time_ns()}"
    waits: list[float] = []

    def worker() -> None:
        try:
            waits.append(budget.take(exchange, rate_limit_ms=100, cost=60))
        finally:
            db_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 120 units asked of a bucket of 100: together, one of them waits for the other 20.
    assert sorted(round(wait, 1) for wait in waits) == [0.0, 2.0]


def test_a_clock_that_goes_back_refills_nothing_and_puts_nobody_to_sleep(monkeypatch):
    exchange = f"clock-{time.time_ns()}"
    assert budget.take(exchange, rate_limit_ms=100, cost=1) == 0.0
    slept: list[float] = []
    monkeypatch.setattr(budget.time, "sleep", slept.append)

    # another worker's clock a year behind (or NTP stepping this one back)
    with time_machine.travel(time.time() - 365 * 86_400, tick=False):
        waited = budget.take(exchange, rate_limit_ms=100, cost=1)

    assert waited == 0.0
    assert slept == []

"""A fault harness: a flaky network, killed workers and trading that goes on must never make a
sync lose or duplicate a trade.

For each of the nine exchanges, one scenario per seed (tests/harness.py plans it):

1. a simulator account with one or two markets of every family the exchange lists (spot,
   margin modes, linear and inverse perpetuals, delivery futures, options; Kraken's futures
   on a second account and key pair), a page and a half to three pages of its stream on the
   busiest, a few dozen to a few hundred fills on the others, history up to beyond the
   shortest reach, and a seeded choice of every reading of unsettled evidence the simulator
   offers for that exchange;
2. a seeded flaky network on that exchange: a share of requests dropped, answered with a
   proxy's 502, cut halfway or slow (sync/simulator/faults.py);
3. the first import in a real Celery worker, SIGKILLed after a seeded number of committed
   trades or a seeded delay, with new fills made meanwhile; the lease is short, so the
   next sync takes over once it lapses;
4. incremental syncs ("trades" and "full") with fewer attempts a request (so that some
   pages fail for good), some killed inside a page, some with new fills made between or
   during them, until one ends "succeeded" with the network still flaky;
5. one last sync on a sound network, and the journal against the simulator's ground truth,
   stream by stream within its reach: the same set of (symbol, market type, trade id), no
   row twice, and per market the same count and sums of amount, cost and fee.

The quick run (one fixed seed an exchange) is part of `make test`. THRIVE_SOAK=1 runs more
seeds, bigger accounts, a rougher network and more kills and rounds. A failure names the
seed; replay it with

  THRIVE_HARNESS_SEED=<n> .venv/bin/pytest tests/integration/sync/test_fault_harness.py -k <ex>

The simulator's own rate limits are off: the harness is about the network, and a refusal to
slow down is a different failure, handled and tested elsewhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from connections.models import ExchangeConnection
from connections.services import connection_create
from connections.vault import CredentialSecret
from journal.models import Trade
from sync.exchanges.coinbase import CoinbaseAdapter
from sync.lease import lease_held
from sync.models import SyncCursor, SyncRun
from sync.services import sync_connection
from sync.tasks import sync_connection as sync_connection_task
from tests.broker import purge
from tests.harness import (
    EXCHANGES,
    KILL_DELAY_S,
    SIZE,
    Scenario,
    discrepancies,
    plan_scenario,
    seeds,
    truth_within_reach,
)
from tests.integration.connections.conftest import secret_of
from tests.worker import Worker, wait_for
from thrive.models import Workspace

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 3
WORKER_ENV = {"THRIVE_SYNC_LEASE_SECONDS": str(LEASE_SECONDS), "THRIVE_EXCHANGE_RETRY_BASE_MS": "5"}
# Coinbase pages 3000 fills; in-process syncs page less, so that kills land between pages.
COINBASE_PAGE = 400
CASES = [
    pytest.param(exchange, seed, id=f"{exchange}-{seed}")
    for exchange in EXCHANGES
    for seed in seeds(exchange)
]


class _Killed(BaseException):
    """What a SIGKILL does to a sync: nothing after it runs, nothing catches it."""


def connect(
    workspace: Workspace, owner: Any, exchange: str, secret: CredentialSecret
) -> ExchangeConnection:
    """A connection of a Pro workspace, whose plan never stands in the way."""
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange=exchange,
        label="Harness",
        portfolio=None,
        secret=secret,
    )


def journal_of(connection: ExchangeConnection) -> list[dict[str, Any]]:
    return list(
        Trade.objects.filter(connection=connection).values(
            "symbol", "market_type", "exchange_trade_id", "amount", "cost", "fee"
        )
    )


class Drive:
    """One scenario under way: its accounts, connection, and a log of what happened, for the
    failure message."""

    def __init__(self, simulator: Any, scenario: Scenario, workspace: Workspace, owner: Any):
        self.simulator = simulator
        self.scenario = scenario
        self.rng = scenario.rng
        self.log: list[str] = []
        self.began = time.monotonic()
        self.accounts = {
            plan.simulated_as: simulator.create_account(
                exchange=plan.simulated_as,
                label=plan.label,
                trades=plan.trades,
                days=plan.days,
                permissions=["read"],
                readings=plan.readings,
            )
            for plan in scenario.accounts
        }
        # Readings some endpoints take from the simulator-wide choice, not the account's.
        simulator.ok(
            "POST",
            "/config",
            {
                "rate_limit_scale": 0,
                "readings": {
                    f"{plan.simulated_as}.{name}": choice
                    for plan in scenario.accounts
                    for name, choice in plan.readings.items()
                },
            },
        )
        self.markets = [
            (plan.simulated_as, symbol) for plan in scenario.accounts for symbol in plan.trades
        ]
        self.connection = connect(workspace, owner, scenario.exchange, self._secret())

    def _secret(self) -> CredentialSecret:
        if self.scenario.exchange != "kraken":
            return secret_of(self.accounts[self.scenario.exchange])
        spot, futures = self.accounts["kraken"], self.accounts["krakenfutures"]
        return CredentialSecret(
            api_key=spot["api_key"],
            secret=spot["secret"],
            futures_api_key=futures["api_key"],
            futures_secret=futures["secret"],
        )

    def note(self, line: str) -> None:
        self.log.append(f"{time.monotonic() - self.began:6.2f} s  {line}")

    def flaky(self) -> None:
        for simulated_as in self.accounts:
            self.simulator.add_fault(
                "flaky",
                exchange=simulated_as,
                percent=self.scenario.flaky_percent,
                seed=self.scenario.flaky_seed,
                latency_ms=50,
            )

    def append(self, when: str) -> None:
        """New fills on one of the scenario's markets, between its last fill and now."""
        simulated_as, symbol = self.rng.choice(self.markets)
        count = self.rng.choice((self.rng.randint(1, 30), self.rng.randint(100, 260)))
        key = self.accounts[simulated_as]["api_key"]
        self.simulator.ok("POST", f"/accounts/{key}/trades", {"symbol": symbol, "count": count})
        self.note(f"{when}: {count} new fills on {symbol}")

    def trades(self) -> int:
        return Trade.objects.filter(connection=self.connection).count()

    def last_run(self) -> int:
        return (
            SyncRun.objects.filter(connection=self.connection)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
            or 0
        )

    def running(self) -> bool:
        return SyncRun.objects.filter(
            connection=self.connection, status=SyncRun.Status.RUNNING
        ).exists()

    def lease_lapsed(self) -> bool:
        return not lease_held(ExchangeConnection.objects.get(pk=self.connection.pk))

    def cursors(self) -> dict[str, Any]:
        return {
            cursor.stream: cursor.position
            for cursor in SyncCursor.objects.filter(connection=self.connection)
        }

    def runs(self) -> list[str]:
        return [
            f"#{run.pk} {run.kind}/{run.trigger} {run.status} {run.error_code or ''} "
            f"fetched {run.trades_fetched} inserted {run.trades_inserted}; {run.progress}"
            for run in SyncRun.objects.filter(connection=self.connection).order_by("pk")
        ]

    def report(self, problem: str) -> str:
        exchange, seed = self.scenario.exchange, self.scenario.seed
        return "\n".join(
            [
                problem,
                f"scenario: {self.scenario.describe()}",
                "what happened:",
                *(f"  {line}" for line in self.log),
                "sync runs:",
                *(f"  {line}" for line in self.runs()),
                f"cursors: {self.cursors()}",
                f"replay: THRIVE_HARNESS_SEED={seed} .venv/bin/pytest "
                f"tests/integration/sync/test_fault_harness.py -k {exchange}",
            ]
        )


@pytest.fixture
def workers() -> Iterator[Callable[[], Worker]]:
    started: list[Worker] = []

    def start() -> Worker:
        # Connecting queued the first sync; the harness queues its own.
        purge("sync")
        purge("manual")
        worker = Worker(queues="manual", env=WORKER_ENV)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def kill_a_worker(drive: Drive, start: Callable[[], Worker], number: int) -> None:
    """Run an import in a real worker and SIGKILL it at the scenario's moment; the lease it
    held lapses before this returns."""
    scenario = drive.scenario
    before = drive.trades()
    last_run = drive.last_run()
    worker = start()
    trigger = "initial" if number == 1 else "retry"
    sync_connection_task.apply_async(args=[drive.connection.pk, "initial", trigger], queue="manual")
    wait_for(lambda: drive.last_run() > last_run, timeout=60, what="the worker to start the sync")
    began = time.monotonic()
    if drive.rng.random() < 0.5:
        drive.append("while the worker imports")
    if number == 1 and scenario.kill_after_trades is not None:
        wanted = before + scenario.kill_after_trades
        wait_for(
            lambda: drive.trades() >= wanted or not drive.running(),
            timeout=180,
            what=f"{scenario.kill_after_trades} trades committed",
        )
    else:
        delay = scenario.kill_after_seconds if number == 1 else drive.rng.uniform(*KILL_DELAY_S)
        while time.monotonic() - began < delay and drive.running():
            time.sleep(0.02)
    worker.kill()
    drive.note(
        f"worker {number} SIGKILLed {time.monotonic() - began:.2f} s into its import, "
        f"{drive.trades() - before} trades committed, sync "
        f"{'still running' if drive.running() else 'over'}"
    )
    wait_for(drive.lease_lapsed, timeout=LEASE_SECONDS + 10, what="the dead worker's lease")


def sync_in_process(
    drive: Drive,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    *,
    kill_after: int | None = None,
    trading: bool = True,
) -> str:
    """One sync in this process; `kill_after` rows in, it dies inside the page. While
    `trading`, new fills may be made between two of its pages (a later sync brings them).
    Returns its status, or "killed"."""
    import sync.runner

    record = sync.runner.trades_record
    written = pages = 0
    trade_on_page = drive.rng.randint(1, 4) if trading and drive.rng.random() < 0.3 else None

    def record_then_maybe_die(**kwargs: Any) -> tuple[int, int]:
        nonlocal written, pages
        if kill_after is not None and written + len(kwargs["records"]) > kill_after:
            raise _Killed
        pages += 1
        if pages == trade_on_page:
            drive.append(f"during sync page {pages}")
        result = record(**kwargs)
        written += result[0]
        return result

    trigger = "manual" if kind == "full" else "schedule"
    with monkeypatch.context() as patch:
        patch.setattr(sync.runner, "trades_record", record_then_maybe_die)
        try:
            result = sync_connection(connection_id=drive.connection.pk, kind=kind, trigger=trigger)
        except _Killed:
            drive.note(f"{kind} sync killed inside a page after {written} new trades")
            return "killed"
    failure = f" ({result.failure.code.value})" if result.failure else ""
    drive.note(f"{kind} sync {result.status}{failure}, {written} new trades")
    return result.status


@pytest.mark.parametrize(("exchange", "seed"), CASES)
def test_a_flaky_network_and_killed_workers_never_lose_or_duplicate_a_trade(
    routed_to_simulator, workspace, owner, workers, monkeypatch, settings, exchange, seed
):
    simulator = routed_to_simulator
    state = simulator.running.state
    started_ms = int(timezone.now().timestamp() * 1000)
    scenario = plan_scenario(
        exchange,
        seed,
        {name: state.exchanges[name].instruments_by_symbol() for name in state.exchanges},
        simulator.ok("GET", "/config")["readings"],
        started_ms,
    )
    drive = Drive(simulator, scenario, workspace, owner)
    monkeypatch.setattr(CoinbaseAdapter, "page_size", COINBASE_PAGE)
    drive.flaky()

    for number in range(1, SIZE.worker_kills + 1):
        kill_a_worker(drive, workers, number)

    rng = drive.rng
    attempts = settings.THRIVE_EXCHANGE_ATTEMPTS
    settings.THRIVE_EXCHANGE_ATTEMPTS = scenario.attempts
    for number in range(1, SIZE.max_rounds + 1):
        if rng.random() < 0.6:
            drive.append(f"before round {number}")
        kind = rng.choice(("trades", "full"))
        dies = number <= SIZE.killed_rounds and rng.random() < 0.5
        kill_after = rng.randint(1, 600) if dies else None
        status = sync_in_process(drive, monkeypatch, kind, kill_after=kill_after)
        if status == "succeeded" and number >= SIZE.min_rounds:
            break
    else:
        pytest.fail(drive.report(f"no sync ended clean in {SIZE.max_rounds} rounds"))

    simulator.ok("DELETE", "/faults")
    settings.THRIVE_EXCHANGE_ATTEMPTS = attempts
    if rng.random() < 0.5:
        drive.append("before the last sync")
    status = sync_in_process(drive, monkeypatch, rng.choice(("trades", "full")), trading=False)
    last = SyncRun.objects.get(pk=drive.last_run())
    failed = {
        name: item["error"]
        for name, item in last.progress.items()
        if isinstance(item, dict) and "error" in item
    }
    assert status == "succeeded" and not failed, drive.report(
        f"the last sync, on a sound network, ended {status}; streams that failed: {failed}"
    )

    finished_ms = int(timezone.now().timestamp() * 1000)
    truth = truth_within_reach(
        exchange,
        {
            account["label"]: simulator.ground_truth(account["api_key"])
            for account in drive.accounts.values()
        },
        started_ms,
        finished_ms,
    )
    problems = discrepancies(truth, journal_of(drive.connection))
    assert not problems, drive.report("\n".join(problems))

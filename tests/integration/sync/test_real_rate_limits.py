"""First imports under the exchanges' documented per-second limits, which the import tests
switch off. The simulator enforces each endpoint's limit as the exchange documents it, while
the shared budget runs at the test suite's pace (THRIVE_EXCHANGE_BUDGET_SCALE): only pacing
that holds at the exchange's own speed keeps a walk within them."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from sync.exchanges.bitget import limits
from sync.models import SyncRun
from sync.services import sync_connection
from tests.exchange_keys import secret_of
from thrive.models import Workspace

YEAR = timedelta(days=365)
# Bitget keeps spot fills for 90 days (GET /api/v2/spot/trade/fills).
SPOT_REACH = timedelta(days=90)
FILL_HISTORY = "/api/v2/mix/order/fill-history"
# Bitget's demo account is the first test's.
OTHER_EXCHANGES = ("binance", "bybit", "coinbase", "gate", "kraken", "kucoin", "mexc", "okx")


@pytest.fixture
def limits_on(routed_to_simulator):
    """The simulator as it starts: every endpoint's documented limit, at real scale."""
    assert routed_to_simulator.ok("GET", "/config")["rate_limit_scale"] == 1.0
    return routed_to_simulator


def first_import(workspace, owner, account) -> SyncRun:
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange=account["exchange"],
        label="Limits",
        portfolio=None,
        secret=secret_of(account),
    )
    result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    return SyncRun.objects.get(pk=result.run_id)


def failed_parts(run: SyncRun) -> dict[str, dict]:
    return {key: entry for key, entry in run.parts.items() if entry["availability"] == "failed"}


def refused_anywhere(simulator, exchange: str) -> dict[str, int]:
    """The exchange's endpoints the simulator answered with 429, and how often."""
    return {
        name: endpoint["statuses"]["429"]
        for name, endpoint in simulator.stats()["endpoints"].items()
        if name.startswith(exchange + " ") and "429" in endpoint["statuses"]
    }


def refusals(simulator, path: str) -> int:
    """How many requests to Bitget's `path` the simulator answered with 429."""
    return simulator.stats()["endpoints"][f"bitget {path}"]["statuses"].get("429", 0)


def bitget_truth(simulator, account) -> set[tuple[str, str]]:
    """(market type, trade id) of every fill Bitget serves: a year, and 90 days of spot."""
    now = timezone.now()
    kept = set()
    for fill in simulator.ground_truth(account["api_key"]):
        age = now - datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC)
        reach = SPOT_REACH if fill["market_type"] == "spot" else YEAR
        if age < reach - timedelta(minutes=5):
            kept.add((fill["market_type"], fill["id"]))
    return kept


def imported(run: SyncRun) -> set[tuple[str, str]]:
    rows = Trade.objects.filter(connection=run.connection)
    return set(rows.values_list("market_type", "exchange_trade_id"))


def test_a_bitget_account_with_futures_imports_every_fill_without_one_refusal(
    limits_on, workspace, owner
):
    account = limits_on.account("bitget", "demo")

    run = first_import(workspace, owner, account)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert failed_parts(run) == {}
    truth = bitget_truth(limits_on, account)
    assert {fill for fill in truth if fill[0] == "swap"}
    assert truth <= imported(run)
    # a year of weekly fill-history pages went out within 10 a second: nothing was refused,
    # so nothing was sent twice
    assert refused_anywhere(limits_on, "bitget") == {}


def test_a_429_that_still_comes_is_waited_out_and_sent_again(
    limits_on, workspace, owner, monkeypatch
):
    account = limits_on.account("bitget", "demo")
    limits_on.add_fault("rate_limit", exchange="bitget", path=FILL_HISTORY, requests=1)
    pauses: list[float] = []
    sleep = time.sleep
    monkeypatch.setattr(limits, "time", _Clock(sleep, pauses))

    run = first_import(workspace, owner, account)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert failed_parts(run) == {}
    assert bitget_truth(limits_on, account) <= imported(run)
    assert refusals(limits_on, FILL_HISTORY) == 1
    # Bitget's second waited out before the refused page was asked again (the pacing's own
    # waits are shorter)
    assert limits.WINDOW_S in pauses


def test_a_refusal_that_does_not_pass_leaves_only_the_futures_part_for_the_next_sync(
    limits_on, workspace, owner
):
    account = limits_on.account("bitget", "demo")
    refused = 1 + limits.RETRIES
    limits_on.add_fault("rate_limit", exchange="bitget", path=FILL_HISTORY, requests=refused)

    run = first_import(workspace, owner, account)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert failed_parts(run) == {
        "usdt_futures": {
            "label": "USDT-M futures",
            "availability": "failed",
            "error_code": "rate_limited",
            "exchange_code": "429",
        }
    }
    spot = {fill for fill in bitget_truth(limits_on, account) if fill[0] == "spot"}
    assert spot <= imported(run)
    assert refusals(limits_on, FILL_HISTORY) == refused
    run.connection.refresh_from_db()
    assert run.connection.status == ExchangeConnection.Status.CONNECTED


@pytest.mark.parametrize("exchange", OTHER_EXCHANGES)
def test_every_other_exchange_s_demo_account_imports_within_its_real_limits(
    limits_on, workspace, owner, exchange
):
    account = limits_on.account(exchange, "demo")

    run = first_import(workspace, owner, account)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert failed_parts(run) == {}
    run.connection.refresh_from_db()
    assert run.connection.status == ExchangeConnection.Status.CONNECTED


class _Clock:
    """The time module as limits.py sees it, noting every pause it takes."""

    def __init__(self, sleep, pauses: list[float]) -> None:
        self._sleep, self._pauses = sleep, pauses

    def sleep(self, seconds: float) -> None:
        self._pauses.append(seconds)
        self._sleep(seconds)

    def monotonic(self) -> float:
        return time.monotonic()

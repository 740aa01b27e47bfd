"""A running sync tells how far it has got: the progress a connection's card shows while it
runs, written by sync.runner with each page it commits (no query of its own)."""

from __future__ import annotations

import pytest

import sync.runner
from connections.services import connection_create
from sync.models import SyncRun
from sync.services import sync_connection
from tests.exchange_keys import secret_of


@pytest.fixture
def connection(workspace, owner, routed_to_simulator):
    account = routed_to_simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 2500, "ETH/USDT": 600},
        days=120,
        permissions=["read"],
    )
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main",
        portfolio=None,
        secret=secret_of(account),
    )


def test_the_running_sync_writes_which_market_it_walks_and_drops_it_once_done(
    connection, monkeypatch
):
    seen: list[dict] = []
    record = sync.runner.trades_record

    def watching(**kwargs):
        # what another process (the card's poll) reads now: the last committed page's save
        running = SyncRun.objects.get(connection=connection, status="running")
        seen.append({**running.progress.get("walk", {}), "trades": running.trades_inserted})
        return record(**kwargs)

    monkeypatch.setattr(sync.runner, "trades_record", watching)
    result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")

    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == "succeeded"
    walked = [name for name in run.progress if ":" in name]
    pages = [walk for walk in seen if "stream" in walk]
    assert len(pages) == len(seen) - 1  # every page after the first found the last one's
    assert {walk["of"] for walk in pages} == {len(walked)}
    assert {walk["stream"] for walk in pages} <= set(walked)
    numbers = [walk["number"] for walk in pages]
    assert numbers == sorted(numbers) and numbers[-1] > 1
    trades = [walk["trades"] for walk in pages]
    assert trades == sorted(trades) and trades[-1] > 0
    assert "walk" not in run.progress

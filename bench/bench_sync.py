"""Sync engine figures (issue 5): import speed and requests, incremental no-op, bulk write
speed, dispatcher speed and queries, and a worker's peak memory on a 100,000-trade account."""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.environment import ROOT, setup

# load_markets on Binance: spot, USDⓈ-M and COIN-M exchangeInfo, currencies, and the margin
# pair lists (cross twice, isolated once).
MARKET_LOAD_REQUESTS = 7


def _workspace():
    from thrive.models import User, Workspace
    from thrive.services import workspace_create

    user = User.objects.create_user(email=f"bench{time.time_ns()}@thrive.local")
    return workspace_create(name="Bench", owner=user, plan=Workspace.Plan.PRO), user


def _connect(workspace, user, account):
    from connections.services import connection_create
    from connections.vault import CredentialSecret

    return connection_create(
        workspace=workspace,
        actor=user,
        exchange="binance",
        label=account["label"],
        portfolio=None,
        secret=CredentialSecret(api_key=account["api_key"], secret=account["secret"]),
    )


def _import_figures(simulator) -> dict:
    from django.conf import settings

    from sync.exchanges.registry import adapter_for
    from sync.markets import markets_ensure, markets_forget
    from sync.models import SyncRun
    from sync.services import sync_connection

    counts = {"BTC/USDT": 4000, "ETH/USDT": 3500, "SOL/USDT": 2500}
    account = simulator.create_account(
        exchange="binance", trades=counts, days=300, permissions=["read"], label="bench-10k"
    )
    workspace, user = _workspace()
    connection = _connect(workspace, user, account)
    settings.THRIVE_EXCHANGE_BUDGET_SCALE = 1.0  # the exchange's documented limits
    # A running worker has the markets cached (they are the same for every key, reloaded
    # hourly); loading them costs MARKET_LOAD_REQUESTS once per process, reported apart.
    markets_forget()
    adapter = adapter_for("binance")
    markets_ensure(adapter.client(), key=adapter.ccxt_id, route=adapter.markets_route)
    started = time.perf_counter()
    result = sync_connection(connection_id=connection.pk, kind="trades", trigger="initial")
    seconds = time.perf_counter() - started
    run = SyncRun.objects.get(pk=result.run_id)
    # The least the API allows: one fromId page per 1000 fills per traded symbol (a last short
    # page ends the walk), one call for each other symbol the account holds (BNB from fees:
    # only asking tells whether it was traded), and the three calls that say which symbols to
    # walk (spot balance, USDⓈ-M and COIN-M wallets): Binance lists no "symbols traded".
    held_untraded = len([name for name in run.progress if name.startswith("spot:")]) - len(counts)
    minimum = sum(math.floor(n / 1000) + 1 for n in counts.values()) + held_untraded + 3
    requests = run.requests_made
    started = time.perf_counter()
    again = sync_connection(connection_id=connection.pk, kind="trades", trigger="schedule")
    noop_ms = (time.perf_counter() - started) * 1000
    noop = SyncRun.objects.get(pk=again.run_id)
    naive_requests, naive_seconds, naive_trades = _naive(simulator, account, list(counts))
    return {
        "binance_10k_import_seconds": {"value": round(seconds, 2), "unit": "s", "target": 10},
        "binance_10k_import_requests": {
            "value": requests,
            "unit": "requests",
            "target": math.floor(minimum * 1.1),
            "minimum": minimum,
            "market_load_once_per_process": MARKET_LOAD_REQUESTS,
            "trades": run.trades_inserted,
        },
        "binance_10k_naive_paginate_requests": {
            "value": naive_requests,
            "unit": "requests",
            "target": None,
            "seconds": round(naive_seconds, 2),
            "trades_found": naive_trades,
            "ratio_to_ours": round(naive_requests / max(requests, 1), 2),
        },
        "incremental_noop_ms": {
            "value": round(noop_ms, 1),
            "unit": "ms",
            "target": 200,
            "requests": noop.requests_made,
        },
    }


def _naive(simulator, account, symbols) -> tuple[int, float, int]:
    """What a user would write: ccxt's own pagination, per symbol."""
    client = simulator.client(account)
    client.load_markets()
    calls = {"n": 0}
    original = client.fetch

    def counted(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    client.fetch = counted
    started = time.perf_counter()
    found = 0
    for symbol in symbols:
        found += len(client.fetch_my_trades(symbol, None, None, {"paginate": True}))
    return calls["n"], time.perf_counter() - started, found


def _bulk_write_figure() -> dict:
    from django.db import transaction

    from journal.models import Trade
    from journal.services import trades_record
    from sync.exchanges.records import TradeRecord

    workspace, _ = _workspace()
    from connections.models import ExchangeConnection
    from portfolio.services import portfolio_default_ensure

    connection = ExchangeConnection.objects.create(
        workspace=workspace,
        exchange="binance",
        label="bulk",
        portfolio=portfolio_default_ensure(workspace=workspace),
        api_key_hint="bulk",
        api_key_fingerprint="bulk",
    )
    base = datetime(2026, 1, 1, tzinfo=UTC)
    records = [
        TradeRecord(
            account="main",
            market_type="spot",
            symbol="BTC/USDT",
            base="BTC",
            quote="USDT",
            settle="",
            side="buy" if i % 2 else "sell",
            price=Decimal("64123.45"),
            amount=Decimal("0.00123"),
            cost=Decimal("78.8718435"),
            fee=Decimal("0.0788718435"),
            fee_currency="USDT",
            executed_at=base + timedelta(seconds=i),
            trade_id=str(i),
            order_id=str(i // 3),
            taker_or_maker="taker",
        )
        for i in range(100_000)
    ]
    started = time.perf_counter()
    for start in range(0, len(records), 1000):
        with transaction.atomic():
            trades_record(connection=connection, records=records[start : start + 1000])
    seconds = time.perf_counter() - started
    assert Trade.objects.filter(connection=connection).count() == len(records)
    return {
        "bulk_trade_write_per_second": {
            "value": round(len(records) / seconds),
            "unit": "trades/s",
            "target": 20_000,
        }
    }


def _dispatcher_figure() -> dict:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from connections.models import ExchangeConnection
    from portfolio.services import portfolio_default_ensure
    from sync.services import dispatch_due

    workspace, _ = _workspace()
    portfolio = portfolio_default_ensure(workspace=workspace)
    due = timezone.now() - timedelta(minutes=1)
    ExchangeConnection.objects.bulk_create(
        ExchangeConnection(
            workspace=workspace,
            exchange="binance",
            label=f"c{i}",
            portfolio=portfolio,
            api_key_hint="0000",
            api_key_fingerprint=f"fp{i}",
            status="connected",
            next_trades_sync_at=due,
            next_balances_sync_at=due,
        )
        for i in range(10_000)
    )
    with CaptureQueriesContext(db) as queries:
        started = time.perf_counter()
        sent = dispatch_due()
        seconds = time.perf_counter() - started
    return {
        "dispatcher_10k_seconds": {
            "value": round(seconds, 2),
            "unit": "s",
            "target": 5,
            "enqueued": sent,
            "queries": len(queries),
        }
    }


def _memory_figure(simulator) -> dict:
    account = simulator.create_account(
        exchange="binance",
        trades={"BTC/USDT": 60_000, "ETH/USDT": 40_000},
        days=330,
        permissions=["read"],
        label="bench-100k",
    )
    workspace, user = _workspace()
    connection = _connect(workspace, user, account)
    env = {**os.environ, "THRIVE_EXCHANGE_BUDGET_SCALE": "50"}
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 -- our own manage.py with a fixed argument list
        [
            sys.executable,
            "manage.py",
            "sync_connection",
            str(connection.public_id),
            "--kind",
            "trades",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    from journal.models import Trade

    return {
        "worker_100k_import_peak_mb": {
            "value": round(peak_mb),
            "unit": "MB",
            "target": 300,
            "seconds": round(seconds, 1),
            "trades": Trade.objects.filter(connection=connection).count(),
        }
    }


def run() -> dict[str, dict[str, object]]:
    where = setup()
    print(f"  database: {where}")
    from django.conf import settings

    from sync.simulator.server import start_in_thread
    from tests.integration.conftest import SimulatorHandle

    running = start_in_thread(seed=7, port=0)
    simulator = SimulatorHandle(running)
    settings.THRIVE_EXCHANGE_URLS = {"binance": simulator.base_url}
    os.environ["THRIVE_EXCHANGE_URLS"] = f'{{"binance": "{simulator.base_url}"}}'
    try:
        figures = {}
        figures.update(_import_figures(simulator))
        figures.update(_bulk_write_figure())
        figures.update(_dispatcher_figure())
        figures.update(_memory_figure(simulator))
        return figures
    finally:
        running.stop()
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)

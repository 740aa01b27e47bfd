"""Analytics page figures (issue 12) on a workspace of 1,000,000 trades: "≤ 1 s".

Server time (django.test.Client, DEBUG off) and query count of /analytics/ (the default range,
the last 365 days, all portfolios), and the worker's time (portfolio.analytics.refresh, run in
this process as the `analytics` worker runs it):

- cold: nothing kept (the first visit, or a deploy that changes what is kept): the page says
  the figures are being computed and asks the worker; the worker's FIFO over every spot trade
  and the daily GROUP BYs of all time;
- warm: nothing changed since (median of several requests);
- after a sync: 200 new trades (each account's newest, as a sync brings them) are added to the
  kept FIFO state and tallies by the request itself;
- after an edit: one old trade changed: the page shows the kept figures, marked, and the
  worker computes everything again (as cold);
- another range: the last 30 days, from what is kept (a range is a filter of the days).

Three quarters spot (BTC, ETH, SOL and BNB against USDT, ETH/BTC and BTC/EUR; on Binance most
fees in BNB, on Bybit a buy's fee in the coin and a sale's in USDT), a quarter perpetuals with
the exchange's realized PnL on closing fills, and a funding fee every eight hours per account,
over two years. Sales never exceed what the account bought. Written with COPY, as
bench_journal does. BENCH_ANALYTICS_TRADES sets another number of trades; on SQLite (no
PostgreSQL) at most 100,000, and nothing is kept between requests there.

`python -m bench.bench_analytics` runs it alone and merges its figures into bench/results.json;
BENCH_DATABASE_URL points it at a database of its own (it empties the one it uses).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.environment import rows_write, setup

TRADES = int(os.environ.get("BENCH_ANALYTICS_TRADES", 1_000_000))
TRADES_ON_SQLITE = min(TRADES, 100_000)
NEW_TRADES = 200
WARM_REQUESTS = 5
PAGE_MS_TARGET = 1000
DAYS = 730
# (symbol, share of fills in 100ths, starting price, typical amount)
MARKETS = (
    ("BTC/USDT", 30, 60_000, "0.01"),
    ("ETH/USDT", 20, 3_000, "0.2"),
    ("SOL/USDT", 10, 150, "5"),
    ("BNB/USDT", 5, 500, "1"),
    ("ETH/BTC", 5, Decimal("0.05"), "0.2"),
    ("BTC/EUR", 5, 55_000, "0.01"),
    ("BTC/USDT:USDT", 20, 60_000, "0.01"),
    ("ETH/USDT:USDT", 5, 3_000, "0.2"),
)
COLUMNS = (
    "workspace_id", "portfolio_id", "connection_id", "source", "exchange", "account_ref", "account",
    "market_type", "symbol", "base", "quote", "settle", "side", "price", "amount", "cost", "fee",
    "fee_currency", "executed_at", "exchange_trade_id", "order_id", "taker_or_maker",
    "realized_pnl", "recorded_at", "public_id", "note",
)  # fmt: skip
CENT = Decimal("0.01")
EIGHT = Decimal("1e-8")


def _workspace():
    from connections.models import ExchangeConnection
    from portfolio.services import portfolio_default_ensure
    from thrive.models import User, Workspace
    from thrive.services import workspace_create

    user = User.objects.create_user(email=f"analytics{time.time_ns()}@thrive.local")
    workspace = workspace_create(name="Analytics bench", owner=user, plan=Workspace.Plan.PRO)
    portfolio = portfolio_default_ensure(workspace=workspace)
    connections = [
        ExchangeConnection.objects.create(
            workspace=workspace, exchange=exchange, label=f"{exchange} main",
            portfolio=portfolio, api_key_hint="0000", api_key_fingerprint=f"analytics-{exchange}",
            account_ref=f"id:{exchange}", status="connected",
        )
        for exchange in ("binance", "bybit")
    ]  # fmt: skip
    return user, workspace, portfolio, connections


class Market:
    """One exchange's market: a price that wanders and, for spot, the coins held."""

    def __init__(self, symbol: str, price, amount: str) -> None:
        self.symbol = symbol
        self.base, _, rest = symbol.partition("/")
        self.quote, _, self.settle = rest.partition(":")
        self.price = Decimal(price)
        self.amount = Decimal(amount)
        self.held = Decimal(0)


class World:
    def __init__(self, workspace, portfolio, connections, seed: int = 12) -> None:
        self.random = random.Random(seed)
        self.head = (workspace.pk, portfolio.pk)
        self.connections = connections
        self.markets = {
            c.pk: {symbol: Market(symbol, price, amount) for symbol, _, price, amount in MARKETS}
            for c in connections
        }
        self.weights = [share for _, share, _, _ in MARKETS]
        self.symbols = [symbol for symbol, _, _, _ in MARKETS]
        self.ids = itertools.count(1)

    def rows(self, count: int, start: datetime, step: timedelta, recorded: datetime):
        pick, rnd = self.random.choices, self.random
        for n in range(count):
            connection = self.connections[n % 2]
            market = self.markets[connection.pk][pick(self.symbols, self.weights)[0]]
            market.price = max(
                (market.price * Decimal(1 + rnd.uniform(-0.002, 0.002))).quantize(EIGHT), EIGHT
            )
            amount = (market.amount * Decimal(rnd.uniform(0.2, 2))).quantize(EIGHT)
            pnl = None
            if market.settle:
                side = "buy" if rnd.random() < 0.5 else "sell"
                if rnd.random() < 0.5:  # a closing fill
                    pnl = Decimal(rnd.uniform(-50, 60)).quantize(CENT)
            elif market.held < amount or rnd.random() < 0.5:
                side = "buy"
            else:
                side = "sell"
            cost = (market.price * amount).quantize(EIGHT)
            fee, fee_currency = self._fee(connection, market, side, amount, cost)
            if not market.settle:
                moved = amount + (fee if fee_currency == market.base else 0) * (
                    -1 if side == "buy" else 1
                )
                market.held += moved if side == "buy" else -moved
            values = {
                "workspace_id": self.head[0], "portfolio_id": self.head[1],
                "connection_id": connection.pk, "source": "api", "exchange": connection.exchange,
                "account_ref": connection.account_ref, "account": "main",
                "market_type": "swap" if market.settle else "spot", "symbol": market.symbol,
                "base": market.base, "quote": market.quote, "settle": market.settle,
                "side": side, "price": market.price, "amount": amount, "cost": cost, "fee": fee,
                "fee_currency": fee_currency, "executed_at": start + step * n,
                "exchange_trade_id": str(next(self.ids)), "order_id": "",
                "taker_or_maker": "taker", "realized_pnl": pnl, "recorded_at": recorded,
                "public_id": uuid.uuid4(), "note": "",
            }  # fmt: skip
            yield tuple(values[column] for column in COLUMNS)

    def _fee(self, connection, market: Market, side: str, amount: Decimal, cost: Decimal):
        if market.settle:
            return (cost * Decimal("0.0005")).quantize(EIGHT), market.settle
        if connection.exchange == "binance" and self.random.random() < 0.7:
            bnb = self.markets[connection.pk]["BNB/USDT"].price
            usd = cost if market.quote in ("USDT", "EUR") else cost * 60_000
            return (usd * Decimal("0.00075") / bnb).quantize(EIGHT), "BNB"
        if side == "buy" and connection.exchange == "bybit":
            return (amount * Decimal("0.001")).quantize(EIGHT), market.base
        return (cost * Decimal("0.001")).quantize(EIGHT), market.quote


def _write(rows) -> None:
    from django.db import transaction

    from journal.models import Trade

    with transaction.atomic():
        rows_write(Trade, COLUMNS, rows)


def _fill(world: World, workspace, portfolio, count: int, now: datetime) -> float:
    from django.db import connection as db

    from journal.models import LedgerEntry, Trade

    started = time.perf_counter()
    step = timedelta(days=DAYS) / count
    _write(world.rows(count, now - timedelta(days=DAYS), step, now))
    funding = [
        LedgerEntry(
            workspace=workspace, portfolio=portfolio, connection=connection, source="api",
            kind="funding", exchange=connection.exchange, account_ref=connection.account_ref,
            asset="USDT", amount=Decimal(world.random.uniform(-3, 2)).quantize(CENT),
            occurred_at=now - timedelta(hours=8 * n), external_id=f"f{connection.pk}-{n}",
        )
        for connection in world.connections
        for n in range(DAYS * 3)
    ]  # fmt: skip
    LedgerEntry.objects.bulk_create(funding, batch_size=5000)
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Trade._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {LedgerEntry._meta.db_table}")
    return time.perf_counter() - started


def _timed(client, url: str, shows: bytes = b"Realized profit and loss") -> tuple[float, int]:
    """Milliseconds and queries of one request (DEBUG off)."""
    from django.db import connection as db
    from django.test.utils import override_settings

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with override_settings(DEBUG=False), db.execute_wrapper(counter):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    assert shows in response.content, shows
    return round(elapsed, 1), count


def _metric(ms: float, queries: int, target, **extra) -> dict[str, object]:
    return {"value": ms, "unit": "ms", "target": target, "queries": queries, **extra}


def run() -> dict[str, dict[str, object]]:
    where = setup()
    print(f"  database: {where}")
    from django.core.cache import cache
    from django.db import connection as db
    from django.test import Client
    from django.utils import timezone

    from journal.models import Trade
    from portfolio.analytics.refresh import analytics_refresh_run
    from portfolio.analytics.selectors import cache_key

    count = TRADES if db.vendor == "postgresql" else TRADES_ON_SQLITE
    user, workspace, portfolio, connections = _workspace()
    now = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    world = World(workspace, portfolio, connections)
    seconds = _fill(world, workspace, portfolio, count, now)
    print(f"  wrote {count:,} trades and {DAYS * 6:,} funding entries in {seconds:.0f} s")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    today = timezone.now().date()
    cache.delete(cache_key(workspace, None))
    url = "/analytics/"

    def worker_ms() -> float:
        started = time.perf_counter()
        analytics_refresh_run(workspace_id=workspace.pk)
        return round((time.perf_counter() - started) * 1000, 1)

    try:
        cold = _timed(client, url, b"Computing your analytics")
        cold_worker = worker_ms()
        warm = [_timed(client, url) for _ in range(WARM_REQUESTS)]
        # The same markets and prices go on: a sync brings each account's newest fills.
        _write(world.rows(NEW_TRADES, now + timedelta(seconds=1), timedelta(seconds=5), now))
        after_sync = _timed(client, url)
        after_sync_warm = _timed(client, url)
        old = Trade.objects.for_workspace(workspace).order_by("id").values_list("id")[5000][0]
        Trade.objects.for_workspace(workspace).filter(pk=old).update(
            note="edited", edited_at=timezone.now()
        )
        after_edit = _timed(client, url, b"Your latest trades or changes are being added")
        edit_worker = worker_ms()
        after_edit_worker = _timed(client, url)
        month = _timed(client, f"{url}?from={today - timedelta(days=29)}&to={today}")
        figures = {
            "analytics_cold_ms": _metric(
                *cold, PAGE_MS_TARGET, note="nothing kept: says so and asks the worker"
            ),
            "analytics_cold_worker_ms": _metric(
                cold_worker, 0, None, note="the worker: FIFO and tallies from the start"
            ),
            "analytics_warm_ms": _metric(
                statistics.median(ms for ms, _ in warm), warm[0][1], PAGE_MS_TARGET
            ),
            "analytics_after_sync_ms": _metric(
                *after_sync, PAGE_MS_TARGET, new_trades=NEW_TRADES, then_ms=after_sync_warm[0]
            ),
            "analytics_after_edit_ms": _metric(
                *after_edit, PAGE_MS_TARGET, note="the kept figures, marked as behind"
            ),
            "analytics_after_edit_worker_ms": _metric(
                edit_worker, 0, None, note="the worker computes again", then_ms=after_edit_worker[0]
            ),
            "analytics_30_days_ms": _metric(*month, PAGE_MS_TARGET, note="from the kept days"),
        }
        for metric in figures.values():
            metric["trades"] = count
        return figures
    finally:
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


if __name__ == "__main__":
    results_file = Path(__file__).resolve().parent / "results.json"
    figures = run()
    for name, metric in figures.items():
        print(f"  {name:<32} {metric['value']:>10} {metric['unit']:<4} {metric}")
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    results.update(figures)
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {results_file}")

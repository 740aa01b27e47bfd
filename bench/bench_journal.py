"""Journal page figures (issue 11) on a workspace of 1,000,000 trades and 20,000 ledger entries.

Server time (median of several requests through django.test.Client, DEBUG off) and query
count of the first page, a filtered page (?symbol=BTC/USDT) and a keyset page nine tenths deep
(900,000 trades), and the peak Python memory (tracemalloc) of streaming the whole journal as
CSV, with its time. BENCH_JOURNAL_TRADES sets another number of trades.
Keyset pages should cost the same at any depth and under any filter that has an index.

Trades are written with COPY straight into the table (what journal.services.trades_record
does at its core, without the staging table a live sync needs for ON CONFLICT). On SQLite
(PostgreSQL not reachable) the workspace gets at most 100,000 trades.

`python -m bench.bench_journal` runs it alone and merges its figures into bench/results.json;
BENCH_DATABASE_URL points it at a database of its own (it empties the one it uses).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.environment import rows_write, setup

TRADES = int(os.environ.get("BENCH_JOURNAL_TRADES", 1_000_000))
TRADES_ON_SQLITE = min(TRADES, 100_000)
LEDGER_ENTRIES = 20_000
REQUESTS = 9
# Of every 20 fills: 8 BTC/USDT, 5 ETH/USDT, 3 SOL/USDT, and one each of four more markets.
SYMBOLS = [
    *["BTC/USDT"] * 8, *["ETH/USDT"] * 5, *["SOL/USDT"] * 3,
    "BTC/USDT:USDT", "ETH/BTC", "XRP/USDT", "DOGE/USDT",
]  # fmt: skip
COLUMNS = (
    "workspace_id", "portfolio_id", "connection_id", "source", "exchange", "account_ref", "account",
    "market_type", "symbol", "base", "quote", "settle", "side", "price", "amount", "cost", "fee",
    "fee_currency", "executed_at", "exchange_trade_id", "order_id", "taker_or_maker",
    "realized_pnl", "recorded_at", "public_id", "note",
)  # fmt: skip
PAGE_MS_TARGET = 100
QUERIES_TARGET = 10
EXPORT_MB_TARGET = 50


def _workspace():
    from connections.models import ExchangeConnection
    from portfolio.services import portfolio_default_ensure
    from thrive.models import User, Workspace
    from thrive.services import workspace_create

    user = User.objects.create_user(email=f"journal{time.time_ns()}@thrive.local")
    workspace = workspace_create(name="Journal bench", owner=user, plan=Workspace.Plan.PRO)
    portfolio = portfolio_default_ensure(workspace=workspace)
    connections = [
        ExchangeConnection.objects.create(
            workspace=workspace,
            exchange=exchange,
            label=f"{exchange} main",
            portfolio=portfolio,
            api_key_hint="0000",
            api_key_fingerprint=f"journal-{exchange}",
            account_ref=f"id:{exchange}",
            status="connected",
        )
        for exchange in ("binance", "bybit")
    ]
    return user, workspace, portfolio, connections


def _trade_rows(workspace, portfolio, connections, count: int, now: datetime):
    """Newest a minute ago, one a minute before it: two years of fills."""
    recorded = now
    for i in range(count):
        connection = connections[i % 2]
        symbol = SYMBOLS[i % len(SYMBOLS)]
        base, _, rest = symbol.partition("/")
        quote, _, settle = rest.partition(":")
        amount = Decimal(i % 97 + 1) / 1000
        price = Decimal(60_000 + i % 5000)
        values = {
            "workspace_id": workspace.pk, "portfolio_id": portfolio.pk,
            "connection_id": connection.pk, "source": "api", "exchange": connection.exchange,
            "account_ref": connection.account_ref, "account": "main",
            "market_type": "swap" if settle else "spot", "symbol": symbol, "base": base,
            "quote": quote, "settle": settle, "side": "buy" if i % 3 else "sell",
            "price": price, "amount": amount, "cost": price * amount, "fee": amount / 1000,
            "fee_currency": base, "executed_at": now - timedelta(minutes=count - i),
            "exchange_trade_id": str(i), "order_id": str(i // 3), "taker_or_maker": "taker",
            "realized_pnl": Decimal(i % 41 - 20) if settle else None, "recorded_at": recorded,
            "public_id": uuid.uuid4(), "note": "",
        }  # fmt: skip
        yield tuple(values[column] for column in COLUMNS)


def _fill(workspace, portfolio, connections, count: int) -> float:
    from django.db import connection as db
    from django.db import transaction

    from journal.models import LedgerEntry, Trade

    now = datetime.now(tz=UTC).replace(second=0, microsecond=0)
    started = time.perf_counter()
    rows = _trade_rows(workspace, portfolio, connections, count, now)
    with transaction.atomic():
        rows_write(Trade, COLUMNS, rows)
        LedgerEntry.objects.bulk_create(
            (
                LedgerEntry(
                    workspace=workspace, portfolio=portfolio, connection=connections[i % 2],
                    source="api", kind="reward" if i % 2 else "deposit",
                    exchange=connections[i % 2].exchange, asset="USDT", amount=Decimal(i % 50),
                    occurred_at=now - timedelta(minutes=count * i // LEDGER_ENTRIES),
                    external_id=f"l{i}",
                )
                for i in range(LEDGER_ENTRIES)
            ),
            batch_size=5000,
        )  # fmt: skip
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(f"ANALYZE {Trade._meta.db_table}, {LedgerEntry._meta.db_table}")
    return time.perf_counter() - started


def _deep_cursor(workspace, depth: int) -> str:
    """The cursor of the depth-th trade, newest first (found with OFFSET: in the bench only)."""
    from journal.models import Trade
    from journal.selectors import _TRADE, Cursor

    trade = (
        Trade.objects.for_workspace(workspace)
        .order_by("-executed_at", "-id")
        .values("executed_at", "id")[depth]
    )
    return Cursor(at=trade["executed_at"], table=_TRADE, id=trade["id"]).encode()


def _counted(client, url: str):
    """The response and the number of queries it took (every connection wrapper counts, so
    DEBUG's query log does not matter)."""
    from django.db import connection as db

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with db.execute_wrapper(counter):
        response = client.get(url)
        if response.streaming:
            lines = size = 0
            for chunk in response.streaming_content:
                lines += chunk.count(b"\n")
                size += len(chunk)
            response.lines, response.size = lines, size
    return response, count


def _page(client, url: str) -> dict[str, object]:
    from django.test.utils import override_settings

    response, queries = _counted(client, url)
    assert response.status_code == 200, response.status_code
    assert b'rel="next"' in response.content, url
    timings = []
    with override_settings(DEBUG=False):
        client.get(url)  # warm
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "value": round(statistics.median(timings), 1),
        "unit": "ms",
        "target": PAGE_MS_TARGET,
        "queries": queries,
        "queries_target": QUERIES_TARGET,
        "url": url if len(url) < 60 else url[:57] + "…",
    }


def _export(client) -> dict[str, object]:
    from django.test.utils import override_settings

    with override_settings(DEBUG=False):
        started = time.perf_counter()
        response, queries = _counted(client, "/journal/export.csv")
        seconds = time.perf_counter() - started
        tracemalloc.start()
        _counted(client, "/journal/export.csv")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "value": round(peak / 1024 / 1024, 1),
        "unit": "MB",
        "target": EXPORT_MB_TARGET,
        "rows": response.lines - 1,
        "csv_mb": round(response.size / 1024 / 1024),
        "seconds": round(seconds, 1),
        "queries": queries,
    }


def run() -> dict[str, dict[str, object]]:
    where = setup()
    print(f"  database: {where}")
    from django.db import connection as db
    from django.test import Client

    count = TRADES if db.vendor == "postgresql" else TRADES_ON_SQLITE
    user, workspace, portfolio, connections = _workspace()
    seconds = _fill(workspace, portfolio, connections, count)
    print(f"  wrote {count:,} trades and {LEDGER_ENTRIES:,} ledger entries in {seconds:.0f} s")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    depth = count * 9 // 10
    deep = _deep_cursor(workspace, depth)
    try:
        figures = {
            "journal_first_page_ms": _page(client, "/journal/"),
            "journal_symbol_page_ms": _page(client, "/journal/?symbol=BTC/USDT"),
        }
        figures["journal_deep_page_ms"] = {
            **_page(client, f"/journal/?cursor={deep}"),
            "depth": depth,
        }
        figures["journal_deep_symbol_page_ms"] = {
            **_page(client, f"/journal/?symbol=BTC/USDT&cursor={deep}"),
            "target": None,
        }
        figures["journal_asset_page_ms"] = {
            **_page(client, "/journal/?symbol=doge"),
            "target": None,
        }
        figures["journal_export_peak_mb"] = _export(client)
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

"""Full syncs while the network fails a share of requests (issue 9, "Figures").

Per exchange of `sync.exchanges.registry` a demo-like account (the fills per symbol of the
simulator's demo account, spread over 300 days, profile "full": bench_exchanges._open; Kraken
with its Kraken Futures key and that venue's demo fills) is connected and imported once without
faults, then synced N times (kind "full", trigger "manual", in process), 5 new fills appended to
one of its symbols before each sync (the symbols in turn, most traded first). During those N
syncs the simulator fails a seeded share P of the exchange's requests the way networks do
(`flaky`, sync/simulator/faults.py: a dropped connection, a proxy's 502 page, a body cut
halfway, or a slow answer, drawn evenly), at P = 5 % and P = 12 %. The same sequence of import,
appends and syncs runs a third time without faults: the baseline the retries' extra requests
are counted against. The fault is set with "latency_ms": 20, but the simulator holds a flaky
"slow" answer SLOW_ANSWER_S (1.5 s) whatever latency_ms says (sync/simulator/app.py).

Each of the three runs (baseline, 5 %, 12 %) has a simulator of its own, started with the same
seed, so its account and its fills are the same. Before every sync the allowance is made whole
(bench_exchanges._allowance_whole: simulator counters, rate-limit windows and faults reset, the
shared budget emptied) and the flaky fault is set again with a seed of its own per sync
(`SEED + sync index`), so a run replays exactly.

Inside this process: THRIVE_EXCHANGE_RETRY_BASE_MS = 20 (pauses of 0-20, 0-40, 0-80 ms instead
of 0-0.4, 0-0.8, 0-1.6 s; THRIVE_EXCHANGE_ATTEMPTS stays at its default, 4), and
THRIVE_EXCHANGE_BUDGET_SCALE = RATE_SCALE with the simulator's rate limits raised by the same
factor, so the budget and the limits keep their documented proportion while a sync takes a
fraction of the time. The settings are put back afterwards.

Figures per P: the share of the N x exchanges full syncs that did not end "succeeded" (target
5 %; partial and failed runs both count), with each exchange's clean count and how the others
ended (SyncRun.error_code, progress["missed"]). A run also "succeeds" when a stream of an
optional part failed (sync.runner: retried next cycle) or the last balances were kept; those
are counted apart ("strictly_unclean", "(n strictly)", "endings"). And the requests the
retries cost: (requests with faults - requests of the same syncs without faults) / requests
without faults, summed over the N syncs of every exchange, beside the requests the fault
failed on the way (its draws replayed); an exchange whose trades at the end differ from the
baseline's is named.

`BENCH_EXCHANGES=okx,gate` limits a run to some exchanges; `BENCH_FAULT_SYNCS` changes N.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from typing import Any

from bench.bench_exchanges import _allowance_whole, _connect, _open, _warm_markets
from bench.environment import setup

SYNCS = int(os.environ.get("BENCH_FAULT_SYNCS", "6"))
PERCENTS = (5, 12)
SEED = 9000
LATENCY_MS = 20
APPENDED = 5
RETRY_BASE_MS = 20
RATE_SCALE = 20.0
UNCLEAN_TARGET = 5
REPLAY_LIMIT = 1_000_000
# Requests of a Kraken connection also go to Kraken Futures, a host (and venue) of its own.
VENUES = {"kraken": ("kraken", "krakenfutures")}


def _demo_plan(simulator, exchange: str) -> dict[str, Any]:
    """The demo account's fills per symbol (bench_exchanges._open's plan)."""
    trades = simulator.account(exchange, "demo")["trades_by_symbol"]
    futures = None
    if exchange == "kraken":
        futures = simulator.account("krakenfutures", "demo")["trades_by_symbol"]
    return {"trades": dict(trades), "futures": futures}


def _injected(simulator, percent: int, seed: int) -> Counter[str]:
    """How the flaky faults treated this sync's requests, by way ("slow" included): the
    draws replayed (sync.simulator.faults.Fault.draw) up to where each live fault's random
    state stands. Counted from the state rather than from /_sim/stats, which does not count
    a request the simulator failed to answer (it raised)."""
    from sync.simulator.faults import FLAKY_WAYS

    ways: Counter[str] = Counter()
    for fault in simulator.running.state.faults._faults:  # the live faults, in this process
        if fault.kind != "flaky" or fault.draws is None:
            continue
        draws = random.Random(seed)
        for _ in range(REPLAY_LIMIT):
            if draws.getstate() == fault.draws.getstate():
                break
            if draws.random() * 100 < percent:
                ways[draws.choice(FLAKY_WAYS)] += 1
        else:
            raise RuntimeError(f"flaky fault {fault.id}: draws not replayed")
    return ways


def _one_run(simulator, exchange: str, percent: int) -> list[dict[str, Any]]:
    """Import, then SYNCS appends and full syncs, flaky at `percent` (0: no faults); one row
    per full sync."""
    from journal.models import Trade
    from sync.models import SyncRun
    from sync.services import sync_connection

    plan = _demo_plan(simulator, exchange)
    account, futures = _open(simulator, exchange, "rich", plan)
    connection = _connect(exchange, account, futures)
    _allowance_whole(simulator)
    sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    symbols = sorted(plan["trades"], key=lambda symbol: (-plan["trades"][symbol], symbol))
    rows = []
    for index in range(SYNCS):
        _allowance_whole(simulator)
        simulator.ok(
            "POST",
            f"/accounts/{account['api_key']}/trades",
            {"symbol": symbols[index % len(symbols)], "count": APPENDED},
        )
        if percent:
            for venue in VENUES.get(exchange, (exchange,)):
                simulator.add_fault(
                    "flaky",
                    exchange=venue,
                    percent=percent,
                    seed=SEED + index,
                    latency_ms=LATENCY_MS,
                )
        started = time.perf_counter()
        result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
        seconds = time.perf_counter() - started
        run = SyncRun.objects.get(pk=result.run_id)
        progress = run.progress or {}
        rows.append(
            {
                "status": run.status,
                "requests": run.requests_made,
                "seconds": seconds,
                "error_code": run.error_code,
                "missed": progress.get("missed") or {},
                "kept": progress.get("kept") or {},
                # streams of an optional part that failed: the run still "succeeded"
                # (sync.runner: an optional part never fails the sync; tried next cycle)
                "stream_errors": {
                    name: entry["error"]
                    for name, entry in progress.items()
                    if isinstance(entry, dict) and entry.get("error")
                },
                "ways": _injected(simulator, percent, SEED + index),
            }
        )
    # the trades held at the end: the same with faults as without, or some were lost
    rows[-1]["trades_held"] = Trade.objects.filter(connection=connection).count()
    return rows


def _why(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How the unclean syncs ended, "status:error_code [part=code ...]", and the succeeded
    ones whose optional streams failed, "succeeded [stream=code ...]" -> count."""
    reasons: Counter[str] = Counter()
    for row in rows:
        if row["status"] != "succeeded":
            missed = " ".join(f"{part}={code}" for part, code in sorted(row["missed"].items()))
            reasons[
                f"{row['status']}:{row['error_code']}" + (f" [{missed}]" if missed else "")
            ] += 1
        elif row["stream_errors"]:
            errors = " ".join(
                f"{name}={code}" for name, code in sorted(row["stream_errors"].items())
            )
            reasons[f"succeeded [{errors}]"] += 1
    return dict(reasons)


def _strictly_clean(row: dict[str, Any]) -> bool:
    return row["status"] == "succeeded" and not row["stream_errors"] and not row["kept"]


def _clean_counts(rows_by_exchange: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """exchange -> "succeeded/syncs", with "(n strictly)" where optional streams failed or
    the last balances were kept in some of the succeeded ones."""
    counts = {}
    for exchange, rows in rows_by_exchange.items():
        clean = sum(row["status"] == "succeeded" for row in rows)
        strict = sum(_strictly_clean(row) for row in rows)
        counts[exchange] = f"{clean}/{len(rows)}" + (
            f" ({strict} strictly)" if strict < clean else ""
        )
    return counts


def _figures(runs: dict[int, dict[str, list[dict[str, Any]]]]) -> dict[str, dict[str, object]]:
    baseline = runs[0]
    without = {ex: sum(row["requests"] for row in rows) for ex, rows in baseline.items()}
    figures: dict[str, dict[str, object]] = {}
    for percent in PERCENTS:
        faulted = runs[percent]
        rows = [row for rows in faulted.values() for row in rows]
        unclean = sum(row["status"] != "succeeded" for row in rows)
        with_faults = {ex: sum(row["requests"] for row in rows) for ex, rows in faulted.items()}
        figures[f"unclean_syncs_{percent}pct"] = {
            "value": round(100 * unclean / max(len(rows), 1), 1),
            "unit": "%",
            "target": UNCLEAN_TARGET,
            "syncs": len(rows),
            "unclean": unclean,
            # succeeded, but an optional stream failed or the last balances were kept
            "strictly_unclean": sum(not _strictly_clean(row) for row in rows),
            "clean_per_exchange": _clean_counts(faulted),
            "endings": {ex: reasons for ex, rows in faulted.items() if (reasons := _why(rows))},
            "seconds": round(sum(row["seconds"] for row in rows), 1),
        }
        extra = sum(with_faults.values()) - sum(without.values())
        ways = sum((row["ways"] for row in rows), Counter())
        figures[f"retry_extra_requests_{percent}pct"] = {
            "value": round(100 * extra / max(sum(without.values()), 1), 1),
            "unit": "%",
            "target": None,
            "requests_with_faults": sum(with_faults.values()),
            "requests_without": sum(without.values()),
            "per_exchange": {ex: f"{with_faults[ex]} vs {without[ex]}" for ex in faulted},
            "trades_held_unlike_without_faults": {
                ex: f"{rows[-1]['trades_held']} vs {baseline[ex][-1]['trades_held']}"
                for ex, rows in faulted.items()
                if rows[-1]["trades_held"] != baseline[ex][-1]["trades_held"]
            },
            "requests_failed_on_the_way": ways["dropped"] + ways["bad_gateway"] + ways["cut_body"],
            "injected": dict(ways),
        }
    figures[f"unclean_syncs_{PERCENTS[0]}pct"]["baseline"] = {
        "clean_per_exchange": _clean_counts(baseline),
        "endings": {ex: reasons for ex, rows in baseline.items() if (reasons := _why(rows))},
    }
    return figures


def run() -> dict[str, dict[str, object]]:
    where = setup()
    print(f"  database: {where}")
    from django.conf import settings

    from sync.exchanges.registry import ADAPTERS
    from sync.simulator.server import start_in_thread
    from tests.integration.conftest import SimulatorHandle

    wanted = [name for name in os.environ.get("BENCH_EXCHANGES", "").split(",") if name]
    exchanges = [name for name in ADAPTERS if not wanted or name in wanted]
    saved = {
        name: getattr(settings, name)
        for name in (
            "THRIVE_EXCHANGE_URLS",
            "THRIVE_EXCHANGE_BUDGET_SCALE",
            "THRIVE_EXCHANGE_RETRY_BASE_MS",
        )
    }
    # One simulator per run, same seed: the same accounts and fills in each.
    simulators = {
        percent: SimulatorHandle(start_in_thread(seed=7, port=0, rate_limit_scale=RATE_SCALE))
        for percent in (0, *PERCENTS)
    }
    settings.THRIVE_EXCHANGE_BUDGET_SCALE = RATE_SCALE
    settings.THRIVE_EXCHANGE_RETRY_BASE_MS = RETRY_BASE_MS
    runs: dict[int, dict[str, list[dict[str, Any]]]] = {percent: {} for percent in simulators}
    started = time.perf_counter()
    try:
        for exchange in exchanges:
            for percent, simulator in simulators.items():
                settings.THRIVE_EXCHANGE_URLS = {name: simulator.base_url for name in ADAPTERS}
                if percent == 0:
                    _warm_markets(exchange)  # the same markets in every simulator
                begun = time.perf_counter()
                rows = runs[percent][exchange] = _one_run(simulator, exchange, percent)
                clean = sum(row["status"] == "succeeded" for row in rows)
                print(
                    f"  {exchange} at {percent} %: {clean}/{len(rows)} clean, "
                    f"{sum(row['requests'] for row in rows)} requests, "
                    f"{time.perf_counter() - begun:.0f} s",
                    flush=True,
                )
        figures = _figures(runs)
        figures[f"unclean_syncs_{PERCENTS[0]}pct"]["whole_run_seconds"] = round(
            time.perf_counter() - started
        )
        return figures
    finally:
        for simulator in simulators.values():
            simulator.running.stop()
        for name, value in saved.items():
            setattr(settings, name, value)
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)

"""The fault harness's scenarios, and the yardstick it holds a journal to.

One integer seed decides everything about a scenario (tests/integration/sync/
test_fault_harness.py): the account's markets, fill counts and days, the simulator's readings
of unsettled evidence, the flaky network's share and draws, where workers die, when trading
goes on. The same seed replays the same scenario, up to the timing of a worker kill.
"""

from __future__ import annotations

import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sync.simulator.exchanges.coinbase.catalog import trade_uuid
from sync.simulator.exchanges.kraken.book import is_leveraged
from sync.simulator.exchanges.kraken.catalog import FUTURES_INSTRUMENTS
from sync.simulator.exchanges.kraken.common import futures_uuid
from sync.simulator.exchanges.mexc.trades import spot_trade_id
from sync.simulator.instruments import Instrument

EXCHANGES = ("binance", "bybit", "okx", "bitget", "coinbase", "kraken", "kucoin", "mexc", "gate")
# A Kraken connection holds two key pairs: spot (kraken) and Kraken Futures (krakenfutures),
# each an account of its own in the simulator.
SIMULATED_AS = {"kraken": ("kraken", "krakenfutures")}
DAY_MS = 86_400_000
# The engine's reach when an exchange sets none (sync/runner.py HISTORY).
HISTORY_DAYS = 365
# Fills this close to a reach's edge, as it moved during the scenario, may or may not have
# been reachable: they are left out of both sides (MEXC keeps 90 days less 5 minutes).
EDGE_MS = 15 * 60_000
SOAK = os.environ.get("THRIVE_SOAK") == "1"
# One seed per exchange in the quick run, so that CI replays the same scenarios every time.
# Any seed makes a valid scenario; these were picked for what they walked when chosen: the
# non-default reading of the walk-shaping evidence (Binance USDⓈ-M "empty" beyond its 180
# days and COIN-M income of three months, Bybit classic spot by exec_time beyond its 180
# days, OKX `before` "latest", MEXC windows newest first, Gate delivery ignoring last_id).
QUICK_SEEDS = {
    "binance": 1,
    "bybit": 22,
    "okx": 7,
    "bitget": 7,
    "coinbase": 7,
    "kraken": 7,
    "kucoin": 7,
    "mexc": 9,
    "gate": 11,
}
SOAK_SEEDS = (7, 1009, 31337, 271828, 4242)
_FUTURES_IDS = {instrument.symbol: instrument.id for instrument in FUTURES_INSTRUMENTS}


@dataclass(frozen=True)
class Size:
    """How hard a run pushes: the quick run sits in `make test`, the soak runs for longer."""

    busy_pages: tuple[float, float]  # fills of the busiest market, in its exchange's pages
    other_fills: tuple[int, int]  # fills of every other market
    flaky_percent: tuple[int, int]
    worker_kills: int
    min_rounds: int  # incremental syncs under faults, at least
    max_rounds: int  # ... and at most, waiting for one to end clean
    killed_rounds: int  # of the first rounds, how many may die inside a page


QUICK = Size((1.5, 3.0), (20, 200), (5, 8), 1, 4, 10, 3)
SOAK_SIZE = Size((2.0, 5.0), (40, 400), (6, 12), 2, 6, 14, 4)
SIZE = SOAK_SIZE if SOAK else QUICK
# When a worker dies, if not after a number of committed trades: seconds into its sync.
KILL_DELAY_S = (0.05, 1.2)
# Attempts per request in the syncs after the first (production: 4). Fewer let some requests
# fail for good, so that streams also stop mid-walk on a failed page, not only on a kill.
ATTEMPTS = (2, 3, 4)
# The largest page of an exchange's trade streams (fills), so that the busiest market takes
# several; Kraken's, OKX's and the like are 100 or less, and 400 fills are still worth a walk.
PAGE = {"binance": 1000, "gate": 1000, "kucoin": 1000, "coinbase": 3000}
SMALL_PAGE = 400

# Days of history: up to beyond the shortest reach of each exchange, so that its edge and the
# readings about it are walked too (Binance USDⓈ-M 180 days, COIN-M income 90; Bitget spot 90;
# Bybit classic spot 180; KuCoin futures 90; MEXC spot 30, swap 90; OKX 90).
DAYS = {
    "binance": (20, 240),
    "bybit": (15, 220),
    "okx": (15, 110),
    "bitget": (15, 120),
    "coinbase": (15, 120),
    "kraken": (15, 120),
    "kucoin": (15, 120),
    "mexc": (5, 45),
    "gate": (15, 90),
}


def seeds(exchange: str) -> tuple[int, ...]:
    """THRIVE_HARNESS_SEED replays one scenario; otherwise the fixed seeds of this run."""
    chosen = os.environ.get("THRIVE_HARNESS_SEED")
    if chosen:
        return (int(chosen),)
    return SOAK_SEEDS if SOAK else (QUICK_SEEDS[exchange],)


@dataclass(frozen=True)
class AccountPlan:
    """One simulator account of a scenario (Kraken has two: spot and futures)."""

    simulated_as: str
    label: str
    trades: dict[str, int]
    days: int
    readings: dict[str, str]


@dataclass(frozen=True)
class Scenario:
    exchange: str
    seed: int
    accounts: tuple[AccountPlan, ...]
    flaky_percent: int
    flaky_seed: int
    attempts: int
    # How the first worker dies: after this many committed trades, or this many seconds in.
    kill_after_trades: int | None
    kill_after_seconds: float
    rng: random.Random = field(compare=False, repr=False)

    def describe(self) -> str:
        accounts = "; ".join(
            f"{plan.simulated_as} {plan.label!r} {plan.days} days {plan.trades} "
            f"readings {plan.readings}"
            for plan in self.accounts
        )
        kill = (
            f"after {self.kill_after_trades} trades"
            if self.kill_after_trades is not None
            else f"{self.kill_after_seconds:.2f} s in"
        )
        return (
            f"{self.exchange} seed {self.seed}: {accounts}; flaky {self.flaky_percent}% "
            f"(seed {self.flaky_seed}); first worker killed {kill}; then {self.attempts} "
            "attempts a request"
        )


def family(instrument: Instrument) -> tuple[str, ...]:
    """Markets an adapter walks as one stream share a family: spot, each margin mode, linear
    and inverse contracts of each type, options."""
    if instrument.margin_mode is not None:
        return ("margin", instrument.margin_mode)
    if instrument.contract and not instrument.option:
        return (instrument.market_type, "inverse" if instrument.inverse else "linear")
    return (instrument.market_type,)


def plan_scenario(
    exchange: str,
    seed: int,
    instruments: Mapping[str, Mapping[str, Instrument]],
    readings: Mapping[str, Mapping[str, Any]],
    now_ms: int,
) -> Scenario:
    """The scenario `seed` makes on `exchange`: one or two markets of every family the
    simulator lists (`instruments` by simulated exchange id), and a choice of every reading
    (`readings`: /_sim/config's, keyed "<exchange>.<name>")."""
    rng = random.Random(f"harness:{exchange}:{seed}")
    days = rng.randint(*DAYS[exchange])
    accounts = []
    for simulated_as in SIMULATED_AS.get(exchange, (exchange,)):
        by_family: dict[tuple[str, ...], list[Instrument]] = defaultdict(list)
        for instrument in instruments[simulated_as].values():
            # nothing trades after its expiry; appended fills need a market still open
            if instrument.expiry_ms is None or instrument.expiry_ms > now_ms + DAY_MS:
                by_family[family(instrument)].append(instrument)
        families = sorted(by_family)
        busiest = rng.choice(families)
        trades: dict[str, int] = {}
        for name in families:
            chosen = rng.sample(by_family[name], min(len(by_family[name]), rng.choice((1, 2))))
            for instrument in chosen:
                trades[instrument.key] = (
                    _busy_fills(exchange, rng)
                    if name == busiest
                    else rng.randint(*SIZE.other_fills)
                )
        chosen_readings = {
            key.partition(".")[2]: rng.choice(entry["choices"])
            for key, entry in sorted(readings.items())
            if key.partition(".")[0] == simulated_as
        }
        accounts.append(
            AccountPlan(
                simulated_as=simulated_as,
                label=_label(exchange, seed, rng),
                trades=trades,
                days=days,
                readings=chosen_readings,
            )
        )
    kill_after_trades = None
    if rng.random() < 0.6:
        total = sum(sum(plan.trades.values()) for plan in accounts)
        kill_after_trades = rng.randint(1, max(1, total * 2 // 3))
    return Scenario(
        exchange=exchange,
        seed=seed,
        accounts=tuple(accounts),
        flaky_percent=rng.randint(*SIZE.flaky_percent),
        flaky_seed=rng.randrange(2**31),
        attempts=rng.choice(ATTEMPTS),
        kill_after_trades=kill_after_trades,
        kill_after_seconds=round(rng.uniform(*KILL_DELAY_S), 2),
        rng=rng,
    )


def _busy_fills(exchange: str, rng: random.Random) -> int:
    return int(PAGE.get(exchange, SMALL_PAGE) * rng.uniform(*SIZE.busy_pages))


def _label(exchange: str, seed: int, rng: random.Random) -> str:
    """A label never used before in this simulator; on Bybit sometimes a classic account's
    (180 days of spot, walked apart), on OKX sometimes a multi-currency margin account's."""
    prefix = {"bybit": "classic-", "okx": "multi-"}.get(exchange, "") if rng.random() < 0.5 else ""
    return f"{prefix}harness-{seed}-{rng.randrange(10**9)}"


# -- the yardstick ---------------------------------------------------------------------------

Key = tuple[str, str, str]  # (symbol, our market type, the exchange's trade id as journaled)


def journal_key(exchange: str, fill: Mapping[str, Any]) -> Key:
    """A ground-truth fill as the journal names it (the mappings of the import tests)."""
    symbol, market_type, trade_id = fill["symbol"], fill["market_type"], fill["id"]
    if exchange == "coinbase":
        trade_id = trade_uuid(symbol.replace("/", "-"), int(trade_id))
    elif exchange == "mexc" and market_type == "spot":
        trade_id = spot_trade_id(trade_id)
    elif exchange == "kraken" and market_type == "spot":
        # Kraken lists margin trades with spot ones; the journal tells them apart
        market_type = "margin" if is_leveraged(int(fill["order_id"])) else "spot"
    elif exchange == "kraken":
        trade_id = futures_uuid("fill", _FUTURES_IDS[symbol], int(trade_id))
    return symbol, market_type, trade_id


def reach_days(exchange: str, fill: Mapping[str, Any], label: str) -> int:
    """How far back the adapter's stream of `fill` reaches (the import tests' helpers)."""
    market_type, symbol = fill["market_type"], fill["symbol"]
    if exchange == "binance" and symbol.endswith(":USDT"):
        return 180
    if exchange == "bitget" and market_type == "spot":
        return 90
    if exchange == "bybit" and market_type == "spot" and label.startswith("classic"):
        return 180
    if exchange == "kucoin" and market_type == "swap":
        return 90
    if exchange == "mexc":
        return 30 if market_type == "spot" else 90
    if exchange == "okx":
        return 90
    return HISTORY_DAYS


@dataclass(frozen=True)
class Truth:
    """The fills a journal must hold, keyed as it names them, and the ones near a reach's
    edge that it may hold or not."""

    expected: dict[Key, Mapping[str, Any]]
    uncertain: set[Key]


def truth_within_reach(
    exchange: str,
    fills_by_label: Mapping[str, Iterable[Mapping[str, Any]]],
    started_ms: int,
    finished_ms: int,
) -> Truth:
    """Every fill inside its stream's reach for all of [started_ms, finished_ms]; the ones
    whose reach's edge passed them meanwhile (give or take EDGE_MS) are uncertain."""
    expected: dict[Key, Mapping[str, Any]] = {}
    uncertain: set[Key] = set()
    for label, fills in fills_by_label.items():
        for fill in fills:
            reach_ms = reach_days(exchange, fill, label) * DAY_MS
            key = journal_key(exchange, fill)
            if fill["timestamp"] > finished_ms - reach_ms + EDGE_MS:
                expected[key] = fill
            elif fill["timestamp"] >= started_ms - reach_ms - EDGE_MS:
                uncertain.add(key)
    return Truth(expected, uncertain)


def _totals(rows: Iterable[tuple[str, str, Any, Any, Any]]) -> dict[tuple[str, str], tuple]:
    """(count, amount, cost, fee) by (symbol, market type)."""
    totals: dict[tuple[str, str], list] = defaultdict(
        lambda: [0, Decimal(0), Decimal(0), Decimal(0)]
    )
    for symbol, market_type, amount, cost, fee in rows:
        entry = totals[(symbol, market_type)]
        entry[0] += 1
        entry[1] += Decimal(str(amount))
        entry[2] += Decimal(str(cost))
        entry[3] += Decimal(str(fee or 0))
    return {key: tuple(values) for key, values in totals.items()}


def discrepancies(truth: Truth, journal: list[Mapping[str, Any]]) -> list[str]:
    """What differs between the journal's rows and the truth, in words; [] when exact."""
    problems: list[str] = []
    keys = [(row["symbol"], row["market_type"], row["exchange_trade_id"]) for row in journal]
    doubled = [key for key, count in Counter(keys).items() if count > 1]
    if doubled:
        problems.append(f"{len(doubled)} trades journaled twice, e.g. {sorted(doubled)[:5]}")
    rows = [row for row, key in zip(journal, keys, strict=True) if key not in truth.uncertain]
    held = {key for key in keys if key not in truth.uncertain}
    lost = sorted(set(truth.expected) - held)
    extra = sorted(held - set(truth.expected))
    if lost:
        times = sorted(truth.expected[key]["timestamp"] for key in lost)
        problems.append(
            f"{len(lost)} trades lost, by market {dict(Counter(key[:2] for key in lost))}, "
            f"fill times {times[0]}..{times[-1]} ms, e.g. {lost[:5]}"
        )
    if extra:
        problems.append(
            f"{len(extra)} trades the exchange never made (or beyond its reach), "
            f"by market {dict(Counter(key[:2] for key in extra))}, e.g. {extra[:5]}"
        )
    imported = _totals(
        (row["symbol"], row["market_type"], row["amount"], row["cost"], row["fee"]) for row in rows
    )
    expected = _totals(
        (key[0], key[1], fill["amount"], fill["cost"], fill["fee"])
        for key, fill in truth.expected.items()
    )
    for market in sorted(set(imported) | set(expected)):
        if imported.get(market) != expected.get(market):
            problems.append(
                f"{market}: journal (count, amount, cost, fee) {imported.get(market)} "
                f"!= truth {expected.get(market)}"
            )
    return problems

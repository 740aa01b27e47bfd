"""First import and no-op resync on every exchange (issue 8), at its documented rate limits.

Per exchange of `sync.exchanges.registry` two simulator accounts are connected and synced
(trades, markets already cached as in a running worker, THRIVE_EXCHANGE_BUDGET_SCALE=1.0):

- spot_only: profile "spot-only", 10,000 spot fills over 300 days, spread over the spot pairs of
  the exchange's demo account in its proportions;
- rich: profile "full", 10,000 fills over 300 days in the proportions of the demo account, which
  trades every market type the exchange's simulator lists (spot, margin books, perpetuals,
  dated futures, options).

Kraken is the exception: TradesHistory costs 6 s a page of 50 at its documented (starter tier)
limit, so 10,000 spot fills would take 20 minutes. Its spot-only account has 400 spot fills,
and its rich one 250 spot fills plus 9,750 Kraken Futures fills (a second key pair).

How the minimum is counted (`Minimum`, one function per exchange below): for every stream
the exchange's API defines (per symbol, per category, or one for all markets), the requests
its documented paging needs for the account's actual fills (the simulator's ground truth)
within reach: the year we import, or less where the exchange keeps less; cut into windows
no longer than the API allows, empty windows included (nothing says they are empty); a window
of n fills costs n // page + 1 requests (a short page ends it), or ceil(n / page), at least
one, where the answer says whether more follow. Plus the discovery calls the API makes
unavoidable: where fills are listed per symbol, the balance that names the held assets and a
walk for every held pair (a pair held but never traded still costs its request: only asking
tells), and the listing that names traded contracts (Binance income, MEXC closed positions);
on Kraken Futures also the account log, the only source of fees (two entries a fill).
A part the connect-time check found refused or never opened costs nothing (the connection
knows); a part that answers but holds no fills costs the cheaper of walking it and one call
to a wallet of its own, whose emptiness says there is nothing to walk. The no-op minimum is
one request per stream and one per discovery listing.

`BENCH_EXCHANGES=okx,gate` limits a run to some exchanges.
"""

from __future__ import annotations

import math
import os
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.environment import setup

DAY_MS = 86_400_000
YEAR_DAYS = 365  # sync.runner.HISTORY
FILLS = 10_000
DAYS = 300
# Kraken's documented limits make a 10,000-fill spot import take 20 minutes (see above).
KRAKEN_SPOT_ONLY = 400
KRAKEN_RICH_SPOT = 250
SECONDS_TARGET = 60
# Kraken: 5 spot pages at 6 s and 98 futures pages at 0.6 s (ccxt's costs) need ~90 s alone.
SECONDS_TARGETS = {"kraken": 120}
NOOP_MS_TARGET = 1000
# ccxt spaces MEXC's myTrades 0.5 s apart (weight 10 at 20 a second): ~3 s for nine symbols.
NOOP_MS_TARGETS = {"mexc": 4000}
PROFILES = {"spot_only": "spot-only", "rich": "full"}
REFUSED = {"not_opened", "no_access"}
Keep = Callable[[dict[str, Any]], bool]


@dataclass
class Truth:
    """What the minimum is computed from: the account's fills and holdings (ground truth),
    the exchange's listing, and what the connection learned when it was connected."""

    fills: list[dict[str, Any]]
    held: dict[str, set[str]]  # wallet -> assets with a balance
    catalog: dict[str, Any]  # the simulator's instruments by key
    capabilities: dict[str, Any]
    permissions: dict[str, Any]
    now_ms: int
    futures_fills: list[dict[str, Any]] | None = None  # Kraken Futures, on its own key

    def opened(self, part: str) -> bool:
        return (self.capabilities.get(part) or {}).get("availability") not in REFUSED

    def times(self, keep: Keep, fills: list[dict[str, Any]] | None = None) -> list[int]:
        return sorted(f["timestamp"] for f in (self.fills if fills is None else fills) if keep(f))

    def held_pairs(self, wallet: str = "spot") -> list[str]:
        """Listed spot pairs whose base the wallet holds: what a per-symbol API must walk."""
        bases = self.held.get(wallet, set())
        return sorted(
            i.symbol for i in self.catalog.values() if i.market_type == "spot" and i.base in bases
        )

    def inverse(self, fill: dict[str, Any]) -> bool:
        return self.catalog[fill["symbol"]].inverse


@dataclass
class Minimum:
    now_ms: int
    imports: int = 0
    noop: int = 0

    def ask(self, imports: int = 1, noop: int = 1) -> None:
        """Discovery: calls that name what to walk."""
        self.imports += imports
        self.noop += noop

    def walk(
        self,
        times: list[int],
        *,
        page: int,
        reach_days: int = YEAR_DAYS,
        window_days: int | None = None,
        says_more: bool = False,
        windows: Iterable[tuple[int, int]] | None = None,
    ) -> None:
        """One stream: every window of its reach, each paged until a short page."""
        since = self.now_ms - min(reach_days, YEAR_DAYS) * DAY_MS
        if windows is None:
            span = (self.now_ms - since + 1) if window_days is None else window_days * DAY_MS
            windows = _windows(since, self.now_ms, span)
        for start, end in windows:
            n = bisect_right(times, end) - bisect_left(times, start)
            self.imports += max(1, math.ceil(n / page)) if says_more else n // page + 1
        self.noop += 1


def _windows(start: int, now: int, span: int) -> Iterable[tuple[int, int]]:
    while start <= now:
        yield start, min(start + span - 1, now)
        start += span


def _type(*market_types: str) -> Keep:
    return lambda fill: fill["market_type"] in market_types


def _symbol(symbol: str, market_type: str = "spot") -> Keep:
    return lambda fill: fill["symbol"] == symbol and fill["market_type"] == market_type


def _margin(symbol: str | None, mode: str) -> Keep:
    return lambda fill: fill.get("margin_mode") == mode and symbol in (None, fill["symbol"])


def _contract(truth: Truth, market_type: str, *, inverse: bool) -> Keep:
    return lambda fill: fill["market_type"] == market_type and truth.inverse(fill) == inverse


def _since(truth: Truth, days: int) -> Keep:
    return lambda fill: fill["timestamp"] >= truth.now_ms - days * DAY_MS


# -- the rules, one function per exchange -------------------------------------------------------


def binance(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # myTrades needs a symbol and Binance lists no "symbols traded": the spot balance names the
    # held assets, each held pair is walked by fromId, 1000 a page, no window with fromId.
    m.ask()
    for symbol in t.held_pairs():
        m.walk(t.times(_symbol(symbol)), page=1000)
    # userTrades likewise per symbol (USDⓈ-M keeps 6 months); the income history (90 days
    # kept, COMMISSION rows, one per fill, 1000 a page) is the only list of traded contracts.
    for part, inverse, reach in (("usdm", False, 180), ("coinm", True, YEAR_DAYS)):
        if not t.opened(part):
            continue
        family, recent = _contract(t, "swap", inverse=inverse), _since(t, 90)
        recent = [f for f in t.fills if family(f) and recent(f)]
        if not recent:
            m.ask()  # its wallet (or its income) answers that there is nothing
            continue
        m.ask(len(recent) // 1000 + 1)
        for symbol in sorted({f["symbol"] for f in recent}):
            m.walk(t.times(_symbol(symbol, "swap")), page=1000, reach_days=reach)
    return m


def bybit(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # /v5/execution/list: per category, no symbol, at most 7 days a query, 100 a page,
    # nextPageCursor says whether more follow; a Unified account keeps 2 years. A UTA has no
    # wallet per category, so a category without fills is walked too.
    categories = {
        "spot": _type("spot"),
        "linear": _contract(t, "swap", inverse=False),
        "inverse": _contract(t, "swap", inverse=True),
    }
    for part, keep in categories.items():
        if part == "spot" or t.opened(part):
            m.walk(t.times(keep), page=100, window_days=7, says_more=True)
    return m


def okx(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # fills-history: per instType, no symbol, 100 a page newest first, three months kept. In
    # Spot mode (acctLv 1, read by the connect-time check) only SPOT answers.
    spot_mode = t.permissions.get("account_mode") == "spot"
    for market_type in ("spot",) if spot_mode else ("spot", "margin", "swap", "future", "option"):
        m.walk(t.times(_type(market_type)), page=100, reach_days=90)
    return m


def bitget(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # spot fills: symbol required, 100 a page, 90 days apart at most and 90 days kept.
    m.ask()
    for symbol in t.held_pairs():
        m.walk(t.times(_symbol(symbol)), page=100, reach_days=90)
    if t.opened("usdt_futures"):
        futures = t.times(_type("swap"))
        if not futures:
            m.ask()  # the USDT-M account: never funded
            return m
        # USDT-M needs no symbol: fill-history a week at a time (whole history kept) up to
        # the last 90 days, which order/fills serves in one window; 100 a page.
        recent = t.now_ms - 90 * DAY_MS
        since = t.now_ms - YEAR_DAYS * DAY_MS
        weeks = list(_windows(since, recent - 1, 7 * DAY_MS))
        windows = [*weeks, (weeks[-1][1] + 1, t.now_ms)]
        m.walk(futures, page=100, windows=windows)
    return m


def coinbase(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # historical/fills: every product at once, no window or retention limit, 3000 a page
    # (ccxt's largest), an empty cursor ends it.
    m.walk(t.times(_type("spot")), page=3000, says_more=True)
    return m


def kraken(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # TradesHistory: every pair, 50 a page, `count` says how many there are; all kept.
    m.walk(t.times(_type("spot", "margin")), page=50, says_more=True)
    if t.futures_fills is not None and t.opened("futures"):
        # Kraken Futures fills: every contract, 100 before lastFillTime; no fees, which only
        # the account log has (two entries a fill, 5000 a request).
        times = t.times(lambda f: True, t.futures_fills)
        m.walk(times, page=100)
        m.ask(math.ceil(2 * len(times) / 5000), noop=0)
    return m


def kucoin(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # HF or low-frequency account: which lists hold the fills (not stored by the check).
    m.ask()
    # /api/v1/accounts names the held spot and cross margin assets; HF lists need a symbol,
    # answer at most 7 days a query: spot 100 a page, margin 200.
    m.ask()
    for symbol in t.held_pairs():
        m.walk(t.times(_symbol(symbol)), page=100, window_days=7)
    if t.opened("margin"):
        m.ask()  # /api/v3/isolated/accounts: the isolated pairs holding anything
        isolated = [w.split(":", 1)[1] for w in t.held if w.startswith("isolated_margin:")]
        for mode, pairs in (("cross", t.held_pairs("cross_margin")), ("isolated", isolated)):
            for symbol in sorted(pairs):
                m.walk(t.times(_margin(symbol, mode)), page=200, window_days=7)
    if t.opened("futures"):
        futures = t.times(_type("swap", "future"))
        if futures:
            # api-futures /api/v1/fills: every contract, 1000 a page, 7 days, 3 months kept
            m.walk(futures, page=1000, window_days=7, reach_days=90)
        else:
            m.ask()  # the futures account: never funded
    return m


def mexc(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # myTrades: symbol required, 100 a page oldest first, one month kept; the spot account
    # names the held assets.
    m.ask()
    for symbol in t.held_pairs():
        m.walk(t.times(_symbol(symbol)), page=100, reach_days=30)
    if t.permissions.get("futures_read") is False:
        return m
    perpetuals = [f for f in t.fills if f["market_type"] == "swap"]
    if not perpetuals:
        m.ask()  # the futures account: never funded
        return m
    # order_deals needs a symbol (90 days, 100 a page); which ones: the open positions, and
    # the closed positions newest first (100 a page) back to the 90 days.
    closed, open_symbols = _positions(perpetuals, t.now_ms - 90 * DAY_MS)
    m.ask()
    m.ask(closed // 100 + 1)
    walked = {f["symbol"] for f in perpetuals if _since(t, 90)(f)} | open_symbols
    for symbol in sorted(walked):
        m.walk(t.times(_symbol(symbol, "swap")), page=100, reach_days=90)
    return m


def _positions(fills: list[dict[str, Any]], floor_ms: int) -> tuple[int, set[str]]:
    """(positions closed since floor_ms, symbols with one open): a fill that brings the
    position to zero or across it closes one, as MEXC's position history lists them."""
    held: Counter[str] = Counter()
    closed = 0
    for fill in sorted(fills, key=lambda f: (f["timestamp"], int(f["id"]))):
        before = held[fill["symbol"]]
        signed = Decimal(fill["amount"]) * (1 if fill["side"] == "buy" else -1)
        after = before + signed
        held[fill["symbol"]] = after
        if before and (after == 0 or (after > 0) != (before > 0)):
            closed += fill["timestamp"] >= floor_ms
    return closed, {symbol for symbol, amount in held.items() if amount}


def gate(t: Truth) -> Minimum:
    m = Minimum(t.now_ms)
    # /spot/my_trades: every pair, 1000 a page, ranges of 30 days at most, per account (spot
    # or unified, as the connect-time check read; isolated margin; cross margin).
    m.walk(t.times(_type("spot")), page=1000, window_days=30)
    for mode, part in (("isolated", "margin"), ("cross", "cross_margin")):
        if not t.opened(part):
            continue
        times = t.times(_margin(None, mode))
        if not times and mode == "isolated":
            m.ask()  # /margin/accounts lists no isolated pair
        else:
            # Gate dropped the classic cross margin account: nothing else says it is unused
            m.walk(times, page=1000, window_days=30)
    # perpetuals: one time range of any length, offset paging; delivery: last_id; 1000 a page.
    contracts = (
        ("perpetual_usdt", "swap", False),
        ("perpetual_btc", "swap", True),
        ("delivery_usdt", "future", False),
    )
    for part, market_type, inverse in contracts:
        if t.opened(part):
            m.walk(t.times(_contract(t, market_type, inverse=inverse)), page=1000)
    return m


RULES: dict[str, Callable[[Truth], Minimum]] = {
    "binance": binance,
    "bybit": bybit,
    "okx": okx,
    "bitget": bitget,
    "coinbase": coinbase,
    "kraken": kraken,
    "kucoin": kucoin,
    "mexc": mexc,
    "gate": gate,
}


# -- the accounts and the measurements ------------------------------------------------------------


def _scaled(counts: dict[str, int], total: int) -> dict[str, int]:
    """`counts` scaled to add up to `total` (largest remainders get the rounding)."""
    whole = sum(counts.values())
    shares = {symbol: count * total / whole for symbol, count in counts.items()}
    scaled = {symbol: int(share) for symbol, share in shares.items()}
    for symbol in sorted(shares, key=lambda s: shares[s] - scaled[s], reverse=True):
        if sum(scaled.values()) == total:
            break
        scaled[symbol] += 1
    return scaled


def _plans(simulator, exchange: str, catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """profile -> {"trades", "futures"} (Kraken Futures fills, on a key of their own)."""
    demo = simulator.account(exchange, "demo")["trades_by_symbol"]
    spot = {key: n for key, n in demo.items() if catalog[key].market_type == "spot"}
    if exchange != "kraken":
        return {
            "spot_only": {"trades": _scaled(spot, FILLS), "futures": None},
            "rich": {"trades": _scaled(demo, FILLS), "futures": None},
        }
    futures = simulator.account("krakenfutures", "demo")["trades_by_symbol"]
    return {
        "spot_only": {"trades": _scaled(spot, KRAKEN_SPOT_ONLY), "futures": None},
        "rich": {
            "trades": _scaled(spot, KRAKEN_RICH_SPOT),
            "futures": _scaled(futures, FILLS - KRAKEN_RICH_SPOT),
        },
    }


def _held(simulator, api_key: str) -> dict[str, set[str]]:
    wallets = simulator.balances(api_key)["wallets"]
    return {
        wallet: {asset for asset, row in assets.items() if Decimal(row["balance"])}
        for wallet, assets in wallets.items()
    }


def _connect(exchange: str, account: dict[str, Any], futures: dict[str, Any] | None):
    from connections.services import connection_create
    from connections.vault import CredentialSecret
    from thrive.models import User, Workspace
    from thrive.services import workspace_create

    user = User.objects.create_user(email=f"bench{time.time_ns()}@thrive.local")
    workspace = workspace_create(name="Bench", owner=user, plan=Workspace.Plan.PRO)
    return connection_create(
        workspace=workspace,
        actor=user,
        exchange=exchange,
        label=account["label"],
        portfolio=None,
        secret=CredentialSecret(
            api_key=account["api_key"],
            secret=account["secret"],
            passphrase=account.get("passphrase") or "",
            futures_api_key=futures["api_key"] if futures else "",
            futures_secret=futures["secret"] if futures else "",
        ),
    )


def _allowance_whole(simulator) -> None:
    """Every measured sync starts with the exchange's allowance whole, as a sync that a worker
    picks up minutes after the last one does: the shared budget refilled and the simulator's
    rate-limit windows passed (the connect-time check, or the import just before, spent them)."""
    from django.conf import settings

    from sync.models import RequestBudget

    simulator.reset()
    RequestBudget.objects.all().delete()
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter("thrive:budget:*"):
            client.delete(key)


def _warm_markets(exchange: str) -> None:
    """A running worker has every market list cached (sync.markets), futures hosts included."""
    from sync.exchanges.registry import adapter_for
    from sync.markets import markets_ensure

    adapter = adapter_for(exchange)
    client = adapter.client()
    route = adapter.markets_route
    markets_ensure(client, key=adapter.ccxt_id, route=route)
    if exchange == "kucoin":
        markets_ensure(client.futures_client, key="kucoinfutures", route=route)
    if exchange == "kraken":
        markets_ensure(adapter.client(futures=True), key="krakenfutures", route=route)


def _open(simulator, exchange: str, profile: str, plan: dict[str, Any]) -> tuple[dict, ...]:
    """(account, Kraken Futures account or None): created, their fills generated."""
    accounts = [(exchange, plan["trades"], PROFILES[profile])]
    if plan["futures"]:
        accounts.append(("krakenfutures", plan["futures"], "full"))
    opened = []
    for venue, trades, kind in accounts:
        opened.append(
            simulator.create_account(
                exchange=venue,
                trades=trades,
                days=DAYS,
                permissions=["read"],
                profile=kind,
                label=f"bench-{profile}",
            )
        )
        simulator.ground_truth(opened[-1]["api_key"])  # generated before any clock starts
    return opened[0], (opened[1] if len(opened) > 1 else None)


def _timed_sync(simulator, connection, trigger: str) -> tuple[Any, float]:
    """(SyncRun, seconds) of one trades sync."""
    from sync.models import SyncRun
    from sync.services import sync_connection

    _allowance_whole(simulator)
    if connection.exchange == "okx":
        from sync.exchanges.okx.fills import FILLS_WINDOW_S

        # OKX's per-user window (10 fills-history calls per 2 s) is paced in process memory
        time.sleep(FILLS_WINDOW_S)
    started = time.perf_counter()
    result = sync_connection(connection_id=connection.pk, kind="trades", trigger=trigger)
    seconds = time.perf_counter() - started
    return SyncRun.objects.get(pk=result.run_id), seconds


def _measure(simulator, exchange: str, profile: str, plan: dict, catalog: dict) -> dict:
    account, futures = _open(simulator, exchange, profile, plan)
    connection = _connect(exchange, account, futures)
    run, seconds = _timed_sync(simulator, connection, "initial")
    truth = Truth(
        fills=simulator.ground_truth(account["api_key"]),
        held=_held(simulator, account["api_key"]),
        catalog=catalog,
        # what the connect-time check learned, before the sync added its own findings
        capabilities=connection.capabilities,
        permissions=connection.permissions,
        now_ms=int(run.started_at.timestamp() * 1000),
        futures_fills=simulator.ground_truth(futures["api_key"]) if futures else None,
    )
    minimum = RULES[exchange](truth)
    noop, noop_seconds = _timed_sync(simulator, connection, "schedule")
    name = f"{exchange}_{profile}"
    return {
        f"{name}_import_requests": {
            "value": run.requests_made,
            "unit": "requests",
            "target": math.floor(minimum.imports * 1.1),
            "minimum": minimum.imports,
            "trades": run.trades_inserted,
            "fills": len(truth.fills) + len(truth.futures_fills or []),
            "status": run.status,
        },
        f"{name}_import_seconds": {
            "value": round(seconds, 1),
            "unit": "s",
            "target": SECONDS_TARGETS.get(exchange, SECONDS_TARGET),
        },
        f"{name}_noop_requests": {
            "value": noop.requests_made,
            "unit": "requests",
            "target": math.floor(minimum.noop * 1.1),
            "minimum": minimum.noop,
            "status": noop.status,
        },
        f"{name}_noop_ms": {
            "value": round(noop_seconds * 1000),
            "unit": "ms",
            "target": NOOP_MS_TARGETS.get(exchange, NOOP_MS_TARGET),
        },
    }


def run() -> dict[str, dict[str, object]]:
    where = setup()
    print(f"  database: {where}")
    from django.conf import settings

    from sync.exchanges.registry import ADAPTERS
    from sync.simulator.server import start_in_thread
    from tests.integration.conftest import SimulatorHandle

    wanted = [name for name in os.environ.get("BENCH_EXCHANGES", "").split(",") if name]
    exchanges = [name for name in ADAPTERS if not wanted or name in wanted]
    running = start_in_thread(seed=7, port=0)
    simulator = SimulatorHandle(running)
    settings.THRIVE_EXCHANGE_URLS = {name: simulator.base_url for name in ADAPTERS}
    settings.THRIVE_EXCHANGE_BUDGET_SCALE = 1.0  # the exchanges' documented limits
    figures: dict[str, dict[str, object]] = {}
    try:
        for exchange in exchanges:
            if exchange not in RULES:
                print(f"  {exchange}: no paging rules in bench_exchanges.py, skipped")
                continue
            catalog = running.state.exchanges[exchange].instruments_by_symbol()
            _warm_markets(exchange)
            for profile, plan in _plans(simulator, exchange, catalog).items():
                started = time.perf_counter()
                figures.update(_measure(simulator, exchange, profile, plan, catalog))
                print(f"  {exchange} {profile}: {time.perf_counter() - started:.0f} s", flush=True)
        return figures
    finally:
        running.stop()
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)

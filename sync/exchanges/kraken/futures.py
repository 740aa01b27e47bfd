"""Kraken Futures: fills with their fees from the account log, wallets and open positions.

``GET /derivatives/api/v3/fills`` returns the newest 100 fills of every contract, or the 100
before ``lastFillTime``. "Before" is strict: fills sharing the oldest millisecond of a page
can straddle the page boundary, so the next page asks for ``oldest + 1 ms`` and drops the ids
it already has at that millisecond. Fills carry no fee; the account log
(``GET /api/history/v3/account-log``) has two "futures trade" entries per fill, keyed by the
fill id (``execution``): "one which reflects the change to the balance of the futures wallet,
and the other which reflects the change to the position"
(https://support.kraken.com/hc/es-es/articles/360057072571-Interpreting-the-logs). Fee, fee
currency and realized PnL come from the wallet's, whose ``asset`` is a currency; the
position's is in the contract. Kraken Futures prints numbers as JSON numbers, which the exact
text of ``repr`` turns back into what was sent.

The key describes itself at ``GET /api/auth/v1/api-keys/v3/check``
(https://docs.kraken.com/api-reference/api-keys/check-v3-api-key), which ccxt 4.5.90 does not
know: it is called through ccxt's own signing under an API section of our naming.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import ccxt

from ..records import BalanceRecord, PositionRecord, TradeRecord, from_millis, to_decimal
from .walk import Batch, Row

PAGE = 100
# History calls spend from a bucket of 100 tokens per 10 minutes, 6 for up to 5000 entries
# (Kraken Futures rate limits): 5000 entries cover 50 pages of fills for 6 tokens.
LOG_CHUNK = 5000
COIN_STEP = Decimal("1E-8")
# The key check lives under futures.kraken.com/api/auth/v1/, signed like every other call.
AUTH_URL = "https://futures.kraken.com/api/auth/"
KEY_CHECK = "api-keys/v3/check"
# The key form's settings, "General API" and "Withdrawal API", at a level that only reads.
READ_ONLY_LEVELS = frozenset({"noaccess", "readonly", "none", "read"})
# The setting that lets a key move funds off Kraken Futures: "transfer" in Kraken's spec, which
# the key form calls "Withdrawal API".
MOVES_FUNDS = frozenset({"transfer"})
ACCOUNT_TYPES = {
    "cashAccount": "funding",
    "multiCollateralMarginAccount": "futures",
    "marginAccount": "inverse",
}


def identify(futures: ccxt.Exchange) -> Any:
    def of(row: Row) -> tuple[str, int]:
        return row["fill_id"], futures.parse8601(row["fillTime"])

    return of


def fills_fetch(futures: ccxt.Exchange) -> Any:
    """The walk's source: ``at`` is {"before": ms, "seen": ids at that ms already yielded}."""
    stamp = identify(futures)

    def fetch(at: dict[str, Any] | None, lower_ms: int) -> Batch:
        params = {} if at is None else {"lastFillTime": futures.iso8601(at["before"] + 1)}
        fills = futures.private_get_fills(params).get("fills") or []
        seen = set(at["seen"]) if at is not None else set()
        rows = [row for row in fills if row["fill_id"] not in seen]
        if len(fills) < PAGE:
            return Batch(rows, None)
        times = [stamp(row)[1] for row in fills]
        oldest = min(times)
        if oldest < lower_ms:
            return Batch(rows, None)
        if at is not None and not rows:
            # a whole page inside one millisecond, all of it seen: only "strictly before"
            # gets past it
            return Batch(rows, {"before": at["before"] - 1, "seen": []})
        at_oldest = {row["fill_id"] for row, ms in zip(fills, times, strict=True) if ms == oldest}
        if at is not None and oldest == at["before"]:
            at_oldest |= seen
        return Batch(rows, {"before": oldest, "seen": sorted(at_oldest)})

    return fetch


class AccountLog:
    """The "futures trade" entries of the account log, fetched newest first in chunks as a
    walk of fills goes down; entry ids grow with time, so ``to`` continues a chunk exactly."""

    def __init__(self, futures: ccxt.Exchange) -> None:
        self.futures = futures
        self._reset(None)

    def _reset(self, ceiling_ms: int | None) -> None:
        self.by_execution: dict[str, Row] = {}
        self.ceiling_ms = ceiling_ms  # every entry below it down to `floor_ms` is here
        self.floor_ms: int | None = None
        self.floor_id: int | None = None
        self.exhausted = False

    def _fetch(self) -> None:
        params: dict[str, Any] = {"sort": "desc", "count": LOG_CHUNK, "info": "futures trade"}
        if self.floor_id is None:
            params["before"] = self.ceiling_ms
        else:
            params["to"] = self.floor_id - 1
        logs = self.futures.history_get_account_log(params).get("logs") or []
        for row in logs:
            # Only the wallet's entry knows the fee; the position's, in whichever order Kraken
            # lists the two, must not replace it.
            if not is_contract(self.futures, str(row.get("asset") or "")):
                self.by_execution[str(row.get("execution"))] = row
        if logs:
            self.floor_id = min(int(row["id"]) for row in logs)
            self.floor_ms = min(self.futures.parse8601(row["date"]) for row in logs)
        self.exhausted = len(logs) < LOG_CHUNK

    def entries(self, fills: list[tuple[str, int]]) -> dict[str, Row]:
        """Entries of (fill id, ms) pairs; a fill the log lacks is left out (no fee known)."""
        if not fills:
            return {}
        newest = max(ms for _, ms in fills)
        oldest = min(ms for _, ms in fills)
        if self.ceiling_ms is None or newest >= self.ceiling_ms:
            self._reset(newest + 1)
        while (
            any(fill_id not in self.by_execution for fill_id, _ in fills)
            and not self.exhausted
            and (self.floor_ms is None or self.floor_ms >= oldest)
        ):
            self._fetch()
        found = self.by_execution
        return {fill_id: found[fill_id] for fill_id, _ in fills if fill_id in found}


def is_contract(futures: ccxt.Exchange, code: str) -> bool:
    """Whether an account-log asset or a balance key names a contract (``pf_xbtusd``) rather
    than a currency (``usd``, ``xbt``): contracts are listed, or at least carry a prefix."""
    by_id = futures.markets_by_id or {}
    return code in by_id or code.upper() in by_id or "_" in code


def market_of(futures: ccxt.Exchange, symbol_id: str) -> dict[str, Any]:
    by_id = futures.markets_by_id or {}
    found = by_id.get(symbol_id) or by_id.get(symbol_id.upper())
    if not found:
        raise ccxt.BadSymbol("krakenfutures: a fill of a contract that is no longer listed")
    return found[0]


def _taker_or_maker(fill_type: str) -> str:
    if fill_type == "maker":
        return "maker"
    # "taker", "takerAfterEdit"; liquidations and assignments are neither
    return "taker" if fill_type.startswith("taker") else ""


def record_of_fill(futures: ccxt.Exchange, row: Row, entry: Row | None) -> TradeRecord:
    """Sizes are contracts: base units on linear contracts, USD on inverse ones, whose value
    in coin (contracts x size / price, at 8 decimals) is the cost."""
    market = market_of(futures, row["symbol"])
    price = to_decimal(row["price"])
    amount = to_decimal(row["size"]) * (to_decimal(market.get("contractSize")) or Decimal(1))
    if market.get("inverse"):
        cost = (amount / price).quantize(COIN_STEP, rounding=ROUND_DOWN)
    else:
        cost = amount * price
    entry = entry or {}
    asset = entry.get("asset")
    return TradeRecord(
        account="main",
        market_type=market["type"],
        symbol=market["symbol"],
        base=market["base"],
        quote=market["quote"],
        settle=market.get("settle") or "",
        side=row["side"],
        price=price,
        amount=amount,
        cost=cost,
        fee=to_decimal(entry.get("fee")),
        fee_currency=futures.safe_currency_code(asset) if asset else "",
        executed_at=from_millis(futures.parse8601(row["fillTime"])),
        trade_id=str(row["fill_id"]),
        order_id=str(row.get("order_id") or ""),
        taker_or_maker=_taker_or_maker(str(row.get("fillType") or "")),
        realized_pnl=to_decimal(entry.get("realized_pnl")),
    )


def balances(futures: ccxt.Exchange) -> list[BalanceRecord]:
    """Every wallet of ``/accounts``: cash (the holding wallet), flex (multi-collateral, the
    linear contracts) and one margin account per inverse contract. Cash only: the positions
    carry their unrealized PnL."""
    accounts = futures.private_get_accounts().get("accounts") or {}
    totals: dict[tuple[str, str], list[Decimal | None]] = defaultdict(lambda: [Decimal(0), None])
    for account in accounts.values():
        account_type = ACCOUNT_TYPES.get(account.get("type"))
        if account_type is None:
            continue
        if account.get("currencies") is not None:
            rows = {
                code: (to_decimal(row.get("quantity")), to_decimal(row.get("available")))
                for code, row in account["currencies"].items()
            }
        else:
            # A margin account's balances also count its open contracts by symbol ("The number
            # of Futures or currency with symbol in the account",
            # https://support.kraken.com/hc/en-us/articles/360022635792-Accounts, audit P5):
            # those are positions, not assets.
            rows = {
                code: (to_decimal(amount), None)
                for code, amount in (account.get("balances") or {}).items()
                if not is_contract(futures, code)
            }
        for code, (total, free) in rows.items():
            if not total:
                continue
            entry = totals[(account_type, futures.safe_currency_code(code))]
            entry[0] += total
            if free is not None:
                entry[1] = (entry[1] or Decimal(0)) + free
    return [
        BalanceRecord(
            account_type=account_type,
            asset=asset,
            total=total,
            free=free,
            used=None if free is None else total - free,
        )
        for (account_type, asset), (total, free) in sorted(totals.items())
    ]


def unrealized_pnl(
    market: dict[str, Any], side: str, contracts: Decimal, entry: Decimal | None, mark: Decimal
) -> Decimal | None:
    """Profit of an open position at the mark: in USD on a linear contract (size in coin), in
    coin on an inverse one (size in USD contracts, at 8 decimals)."""
    if not entry:
        return None
    sign = 1 if side == "long" else -1
    size = contracts * (to_decimal(market.get("contractSize")) or Decimal(1))
    if market.get("inverse"):
        pnl = size * (1 / entry - 1 / mark)
        return (sign * pnl).quantize(COIN_STEP, rounding=ROUND_HALF_UP)
    return sign * size * (mark - entry)


def positions(futures: ccxt.Exchange) -> list[PositionRecord]:
    """Open positions with the mark price of the tickers. ``/openpositions`` documents
    side, symbol, price, fillTime, size, unrealizedFunding, pnlCurrency and maxFixedLeverage
    (https://support.kraken.com/hc/en-us/articles/360022635832-Open-positions, audit P1): no
    unrealized PnL, though ccxt's examples show one (krakenfutures.py ``parse_position``).
    Kraken's own figure is kept where it is sent, else worked out from the mark. No
    liquidation price; a leverage only for isolated positions."""
    rows = [
        row
        for row in futures.private_get_openpositions().get("openPositions") or []
        if to_decimal(row.get("size"))
    ]
    if not rows:
        return []
    marks = {
        row["symbol"].upper(): to_decimal(row.get("markPrice"))
        for row in futures.public_get_tickers().get("tickers") or []
        if row.get("symbol")
    }
    records = []
    for row in rows:
        market = market_of(futures, row["symbol"])
        size = to_decimal(row["size"])
        mark = marks.get(row["symbol"].upper())
        contract_size = to_decimal(market.get("contractSize")) or Decimal(1)
        notional = size * contract_size
        if not market.get("inverse") and mark is not None:
            notional *= mark
        leverage = to_decimal(row.get("maxFixedLeverage"))
        entry = to_decimal(row.get("price"))
        pnl = to_decimal(row.get("unrealizedPnl"))
        if pnl is None and mark is not None:
            pnl = unrealized_pnl(market, row["side"], size, entry, mark)
        records.append(
            PositionRecord(
                market_type=market["type"],
                symbol=market["symbol"],
                side=row["side"],
                contracts=size,
                contract_size=contract_size,
                entry_price=entry,
                mark_price=mark,
                notional=notional,
                unrealized_pnl=pnl,
                leverage=leverage,
                margin_mode="isolated" if leverage else "cross",
            )
        )
    return records


def key_check(futures: ccxt.Exchange) -> dict[str, Any]:
    """The futures key's own description: ``permissions``, ``allowedCidrBlocks`` ..."""
    futures.urls["api"]["auth"] = AUTH_URL
    futures.options.setdefault("access", {})["auth"] = {"GET": {KEY_CHECK: "private"}}
    return futures.request(KEY_CHECK, ["auth"], "GET", {"version": "v1"}, {"cost": 1})


def key_details(answer: dict[str, Any]) -> dict[str, Any]:
    """What the key check says the futures key may do. The docs show ``permissions`` only as
    ``{}``; Kraken's own spec types it as ``{"general": ..., "transfer": ...}``, each
    ``NO_ACCESS``, ``READ_ONLY`` or ``FULL_ACCESS`` (github.com/krakenfx/api-specs
    futures-rest/auth/api-public.yml, ``ApiKeyPermissionMap``). A key is vouched read-only only
    when every setting named there only reads; a setting at any other level is a warning, one
    that moves funds out (``transfer``, the key form's "Withdrawal API") a withdrawal warning;
    an empty or unknown answer leaves it unknowable."""
    permissions = answer.get("permissions")
    levels = {
        str(name).lower(): "".join(ch for ch in str(level).lower() if ch.isalpha())
        for name, level in (permissions.items() if isinstance(permissions, dict) else ())
    }
    writes = {name for name, level in levels.items() if level not in READ_ONLY_LEVELS}
    return {
        "verifiable": bool(levels),
        "works": True,
        "trade": bool(writes),
        "withdraw": any(name in MOVES_FUNDS or "withdraw" in name for name in writes),
        "ip_restricted": bool(answer.get("allowedCidrBlocks")),
    }

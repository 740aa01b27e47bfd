"""Reads of the journal, always inside one workspace.

The journal is two tables read as one list: trades (fills from the API, CSV files and manual
entry) and ledger entries (deposits, rewards, transfers…). Both are read newest first with
keyset pagination: a page is the page_size + 1 rows of each table past the cursor, merged in
Python. The order is (time, table, id): at one instant a trade comes before a ledger entry in
the newest-first list, and ids break the remaining ties, so every entry has exactly one place
and a page never repeats or skips one, however many share a timestamp. No OFFSET, no COUNT:
page 20,000 costs what page 1 costs.
"""

from __future__ import annotations

import base64
import heapq
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from connections.models import Exchange, ExchangeConnection
from connections.selectors import connection_get, connection_list
from portfolio.models import Portfolio
from portfolio.selectors import portfolio_list
from thrive.models import Workspace

from .models import LedgerEntry, Source, Trade

TRADE_KIND = "trade"
# Our market_type values, as a person calls them.
MARKETS = (
    ("spot", "Spot"),
    ("margin", "Margin"),
    ("swap", "Perpetual"),
    ("future", "Dated future"),
    ("option", "Option"),
)
# The table's place among entries of one instant, newest first: trades, then ledger entries.
_TRADE, _LEDGER = 1, 0
_TABLE_CODES = {"t": _TRADE, "l": _LEDGER}
ATTENTION = (ExchangeConnection.Status.NEEDS_ATTENTION, ExchangeConnection.Status.WARNING)


def trade_list(*, workspace: Workspace | None) -> QuerySet[Trade]:
    return (
        Trade.objects.for_workspace(workspace)
        .filter(deleted_at__isnull=True)
        .select_related("connection")
    )


def ledger_entry_list(*, workspace: Workspace | None) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.for_workspace(workspace)
        .filter(deleted_at__isnull=True)
        .select_related("connection")
    )


def portfolio_get(*, workspace: Workspace | None, public_id: uuid.UUID | str) -> Portfolio:
    """This workspace's portfolio; another workspace's answers exactly like a missing one."""
    portfolio = portfolio_list(workspace=workspace).filter(public_id=public_id).first()
    if portfolio is None:
        raise Http404("No such portfolio.")
    return portfolio


# -- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalFilter:
    """What the person asked to see. Empty values mean "any"."""

    portfolio: Portfolio | None = None
    connection: ExchangeConnection | None = None
    exchange: str = ""
    market: str = ""
    # A market ("BTC/USDT", matched exactly) when it holds a "/", else an asset (any case).
    symbol: str = ""
    side: str = ""
    kind: str = ""
    date_from: date | None = None  # inclusive, UTC
    date_to: date | None = None  # inclusive, UTC
    oldest_first: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.portfolio or self.connection or self.exchange or self.market or self.symbol
            or self.side or self.kind or self.date_from or self.date_to
        )  # fmt: skip

    @property
    def wants_trades(self) -> bool:
        return self.kind in ("", TRADE_KIND)

    @property
    def wants_ledger(self) -> bool:
        # Sides, market types and markets are what fills have; ledger entries have none.
        return (
            self.kind != TRADE_KIND and not self.side and not self.market
            and "/" not in self.symbol
        )  # fmt: skip


def journal_filter_build(*, workspace: Workspace | None, values: dict[str, Any]) -> JournalFilter:
    """A JournalFilter from JournalFilterForm.values(); another workspace's portfolio or
    connection id raises 404, the same as an id that does not exist."""
    portfolio = connection = None
    if values.get("portfolio"):
        portfolio = portfolio_get(workspace=workspace, public_id=values["portfolio"])
    if values.get("connection"):
        connection = connection_get(workspace=workspace, public_id=values["connection"])
    return JournalFilter(
        portfolio=portfolio,
        connection=connection,
        exchange=values.get("exchange") or "",
        market=values.get("market") or "",
        # Unified symbols are upper case: "btc/usdt" finds BTC/USDT, still by the index.
        symbol=(values.get("symbol") or "").strip().upper(),
        side=values.get("side") or "",
        kind=values.get("kind") or "",
        date_from=values.get("from"),
        date_to=values.get("to"),
        oldest_first=values.get("order") == "oldest",
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered_in_common(rows: QuerySet, filters: JournalFilter, moment: str) -> QuerySet:
    """The filters trades and ledger entries share: where they belong, and when (`moment`)."""
    if filters.portfolio:
        rows = rows.filter(portfolio=filters.portfolio)
    if filters.connection:
        rows = rows.filter(connection=filters.connection)
    if filters.exchange:
        rows = rows.filter(exchange=filters.exchange)
    if filters.date_from:
        rows = rows.filter(**{f"{moment}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        rows = rows.filter(**{f"{moment}__lt": _day_start(filters.date_to + timedelta(days=1))})
    return rows


def _filtered_trades(workspace: Workspace | None, filters: JournalFilter) -> QuerySet[Trade]:
    trades = _filtered_in_common(trade_list(workspace=workspace), filters, "executed_at")
    if filters.market:
        trades = trades.filter(market_type=filters.market)
    if filters.side:
        trades = trades.filter(side=filters.side)
    if "/" in filters.symbol:
        # Exact, so that trade_ws_symbol_time serves it.
        trades = trades.filter(symbol=filters.symbol)
    elif filters.symbol:
        trades = trades.filter(Q(base__iexact=filters.symbol) | Q(quote__iexact=filters.symbol))
    return trades


def _filtered_ledger(workspace: Workspace | None, filters: JournalFilter) -> QuerySet[LedgerEntry]:
    entries = _filtered_in_common(ledger_entry_list(workspace=workspace), filters, "occurred_at")
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.symbol:
        entries = entries.filter(asset__iexact=filters.symbol)
    return entries


# -- cursors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """The last entry a page showed: its time, its table and its id."""

    at: datetime
    table: int
    id: int

    def encode(self) -> str:
        code = "t" if self.table == _TRADE else "l"
        raw = f"{self.at.astimezone(UTC).isoformat()}|{code}|{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(text: str) -> Cursor:
    """The cursor of a "next" link; ValueError if it is not one we wrote."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        at, code, pk = raw.split("|")
        moment = datetime.fromisoformat(at)
        # A bigint's range: a larger id would make the database refuse the query.
        if moment.tzinfo is None or code not in _TABLE_CODES or not 0 < int(pk) < 2**63:
            raise ValueError(text)
        return Cursor(at=moment.astimezone(UTC), table=_TABLE_CODES[code], id=int(pk))
    except (ValueError, UnicodeDecodeError, OverflowError) as error:
        raise ValueError("not a journal cursor") from error


def _past(
    rows: QuerySet[Any], time_field: str, table: int, cursor: Cursor | None, oldest: bool
) -> QuerySet[Any]:
    """The rows of one table that come after `cursor` in the list's order, in that order."""
    rows = rows.order_by(time_field, "id") if oldest else rows.order_by(f"-{time_field}", "-id")
    if cursor is None:
        return rows
    before, at_or_before = ("gt", "gte") if oldest else ("lt", "lte")
    strictly = Q(**{f"{time_field}__{before}": cursor.at})
    bound = Q(**{f"{time_field}__{at_or_before}": cursor.at})
    # Whether this table's rows at the cursor's instant were listed before the cursor's row:
    # newest first, trades come before ledger entries of one instant; oldest first, after.
    listed_already = (table > cursor.table) != oldest
    if table == cursor.table:
        # The plain bound is redundant but gives the index a range to start from: with the OR
        # alone the planner may walk the index from the top and filter up to the cursor.
        return rows.filter(bound).filter(
            strictly | Q(**{time_field: cursor.at, f"id__{before}": cursor.id})
        )
    return rows.filter(strictly if listed_already else bound)


def _sort_key(entry: JournalEntry) -> tuple[datetime, int, int]:
    return (entry.at, entry.table, entry.obj.pk)


# -- pages ------------------------------------------------------------------------------------


@dataclass
class JournalEntry:
    """One line of the journal: a trade or a ledger entry (or an order's folded fills)."""

    obj: Trade | LedgerEntry
    fills: list[Trade] = field(default_factory=list)

    @property
    def is_trade(self) -> bool:
        return isinstance(self.obj, Trade)

    @property
    def table(self) -> int:
        return _TRADE if self.is_trade else _LEDGER

    @property
    def at(self) -> datetime:
        return self.obj.executed_at if isinstance(self.obj, Trade) else self.obj.occurred_at

    @property
    def exchange_name(self) -> str:
        """The exchange's display name ("Coinbase Advanced"), never a connection's label."""
        code = self.obj.exchange
        if not code:
            return ""
        return Exchange(code).label if code in Exchange.values else code

    @property
    def market_label(self) -> str:
        market = getattr(self.obj, "market_type", "")
        return dict(MARKETS).get(market, market)

    @property
    def pnl_currency(self) -> str:
        """A fill's PnL is paid in its settle currency (inverse: the base), else the quote."""
        return getattr(self.obj, "settle", "") or getattr(self.obj, "quote", "")

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.at, table=self.table, id=self.obj.pk)

    @property
    def fill_count(self) -> int:
        return len(self.fills) or 1


@dataclass
class JournalPage:
    entries: list[JournalEntry]
    next_cursor: str | None


def journal_page(
    *,
    workspace: Workspace | None,
    filters: JournalFilter,
    cursor: Cursor | None = None,
    page_size: int = 50,
) -> JournalPage:
    """One page of entries past `cursor`: at most two queries, whatever the page or filter."""
    oldest = filters.oldest_first
    found: list[JournalEntry] = []
    if filters.wants_trades:
        trades = _filtered_trades(workspace, filters)
        trades = _past(trades, "executed_at", _TRADE, cursor, oldest)
        found += [JournalEntry(trade) for trade in trades[: page_size + 1]]
    if filters.wants_ledger:
        ledger = _filtered_ledger(workspace, filters)
        entries = _past(ledger, "occurred_at", _LEDGER, cursor, oldest)
        found += [JournalEntry(entry) for entry in entries[: page_size + 1]]
    found.sort(key=_sort_key, reverse=not oldest)
    page = found[:page_size]
    more = len(found) > page_size
    return JournalPage(entries=page, next_cursor=page[-1].cursor.encode() if more else None)


# Rows per query when exporting: a million rows are five hundred quick index range reads, and
# a batch stays a few megabytes.
EXPORT_BATCH_SIZE = 2000
# The export reads plain values, not model instances: a few microseconds a row instead of tens
# (a connection row alone decodes three JSON fields), which is most of a million-row export.
_TRADE_EXPORT = (
    "id", "public_id", "executed_at", "source", "exchange", "connection_id", "portfolio_id",
    "account", "market_type", "symbol", "side", "base", "amount", "price", "cost", "quote", "fee",
    "fee_currency", "realized_pnl", "order_id", "exchange_trade_id", "note",
)  # fmt: skip
_LEDGER_EXPORT = (
    "id", "public_id", "occurred_at", "source", "exchange", "connection_id", "portfolio_id",
    "account", "kind", "asset", "amount", "fee", "fee_currency", "external_id", "counterparty",
    "note",
)  # fmt: skip


def journal_rows_for_export(
    *, workspace: Workspace | None, filters: JournalFilter, batch_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every filtered entry in the list's order, one dict of the export's columns each (see
    journal.views.export), read batch by batch (keyset, each table on its own, merged as they
    go), so memory holds two batches however many rows there are."""
    size = batch_size or EXPORT_BATCH_SIZE
    oldest = filters.oldest_first
    streams = []
    if filters.wants_trades:
        trades = _filtered_trades(workspace, filters).values(*_TRADE_EXPORT)
        streams.append(_keyset_values(trades, "executed_at", _TRADE, oldest, size))
    if filters.wants_ledger:
        entries = _filtered_ledger(workspace, filters).values(*_LEDGER_EXPORT)
        streams.append(_keyset_values(entries, "occurred_at", _LEDGER, oldest, size))
    merged = heapq.merge(*streams, key=lambda item: item[0], reverse=not oldest)
    return _export_rows(workspace, merged)


def _keyset_values(
    rows: QuerySet[Any], time_field: str, table: int, oldest: bool, size: int
) -> Iterator[tuple[tuple[datetime, int, int], dict[str, Any]]]:
    cursor = None
    while True:
        batch = list(_past(rows, time_field, table, cursor, oldest)[:size])
        for row in batch:
            yield (row[time_field], table, row["id"]), row
        if len(batch) < size:
            return
        cursor = Cursor(at=batch[-1][time_field], table=table, id=batch[-1]["id"])


def _export_rows(
    workspace: Workspace | None, merged: Iterable[tuple[tuple[datetime, int, int], dict[str, Any]]]
) -> Iterator[dict[str, Any]]:
    # Names by id, read once: the rows carry ids only.
    connections = {c.pk: c.label for c in connection_list(workspace=workspace)}
    portfolios = {p.pk: p.name for p in portfolio_list(workspace=workspace)}
    exchanges, sources = dict(Exchange.choices), dict(Source.choices)
    for (at, table, _), row in merged:
        common = {
            "time_utc": at,
            "source": sources.get(row["source"], row["source"]),
            "exchange": exchanges.get(row["exchange"], row["exchange"]),
            "connection": connections.get(row["connection_id"], ""),
            "portfolio": portfolios.get(row["portfolio_id"], ""),
            "account": row["account"],
            "amount": row["amount"],
            "fee": row["fee"],
            "fee_currency": row["fee_currency"],
            "note": row["note"],
            "id": row["public_id"],
        }
        if table == _TRADE:
            yield {
                **common,
                "kind": TRADE_KIND,
                **{key: row[key] for key in _TRADE_ONLY},
                "asset": row["base"],
                "external_id": row["exchange_trade_id"],
            }
        else:
            yield {
                **common,
                "kind": row["kind"],
                "asset": row["asset"],
                "external_id": row["external_id"],
                "counterparty": row["counterparty"],
            }


_TRADE_ONLY = (
    "market_type", "symbol", "side", "price", "cost", "quote", "realized_pnl", "order_id",
)  # fmt: skip


def journal_entries_fold(entries: Iterable[JournalEntry]) -> list[JournalEntry]:
    """Fills of one order (same connection and order id) on one page as one line, placed where
    the order's first fill on the page is. Fills without an order id stay as they are."""
    folded: list[JournalEntry] = []
    orders: dict[tuple[Any, ...], JournalEntry] = {}
    for entry in entries:
        trade = entry.obj
        if not isinstance(trade, Trade) or not trade.order_id:
            folded.append(entry)
            continue
        key = (trade.connection_id, trade.exchange, trade.account_ref, trade.account,
               trade.symbol, trade.order_id)  # fmt: skip
        if key in orders:
            orders[key].fills.append(trade)
        else:
            orders[key] = JournalEntry(trade, fills=[trade])
            folded.append(orders[key])
    return [_order_of(entry) if len(entry.fills) > 1 else entry for entry in folded]


def _order_of(entry: JournalEntry) -> JournalEntry:
    """One unsaved Trade summing an order's fills: amount, cost, fee and PnL added, the price
    their cost over their amount."""
    fills = entry.fills
    first = fills[0]
    amount = sum((fill.amount for fill in fills), Decimal(0))
    cost = sum((fill.cost for fill in fills), Decimal(0))
    fees = [fill.fee for fill in fills if fill.fee is not None]
    fee_currencies = {fill.fee_currency for fill in fills if fill.fee is not None}
    pnls = [fill.realized_pnl for fill in fills if fill.realized_pnl is not None]
    order = Trade(
        pk=first.pk,
        workspace_id=first.workspace_id,
        portfolio_id=first.portfolio_id,
        connection=first.connection,
        source=first.source,
        exchange=first.exchange,
        account_ref=first.account_ref,
        account=first.account,
        market_type=first.market_type,
        symbol=first.symbol,
        base=first.base,
        quote=first.quote,
        settle=first.settle,
        side=first.side,
        amount=amount,
        cost=cost,
        price=cost / amount if amount else first.price,
        # Fees in more than one currency cannot be added up; the line then shows none.
        fee=sum(fees, Decimal(0)) if fees and len(fee_currencies) == 1 else None,
        fee_currency=next(iter(fee_currencies)) if len(fee_currencies) == 1 else "",
        realized_pnl=sum(pnls, Decimal(0)) if pnls else None,
        executed_at=first.executed_at,
        order_id=first.order_id,
    )
    return JournalEntry(order, fills=fills)


def journal_connections_needing_attention(
    *,
    workspace: Workspace | None,
    filters: JournalFilter,
    connections: Iterable[ExchangeConnection],
) -> list[ExchangeConnection]:
    """The connections feeding this view (as filtered) whose status asks for the person."""
    return [
        connection
        for connection in connections
        if connection.workspace_id == getattr(workspace, "pk", None)
        and connection.status in ATTENTION
        and (filters.connection is None or connection.pk == filters.connection.pk)
        and (filters.portfolio is None or connection.portfolio_id == filters.portfolio.pk)
        and (not filters.exchange or connection.exchange == filters.exchange)
    ]


def journal_filter_choices(*, workspace: Workspace | None) -> dict[str, list[Any]]:
    """What the filter form offers: this workspace's portfolios and connections."""
    return {
        "portfolios": list(portfolio_list(workspace=workspace)),
        "connections": list(connection_list(workspace=workspace)),
    }

"""Hand-made journal rows and a reader of the journal page's table, for the page and export
tests."""

from __future__ import annotations

import html
import itertools
import re
from datetime import UTC, datetime
from decimal import Decimal

from journal.models import LedgerEntry, Trade
from portfolio.services import portfolio_default_ensure

_ids = itertools.count(1)


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A moment in March 2026, UTC."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def make_trade(workspace, *, executed_at, amount="1", symbol="BTC/USDT", **fields) -> Trade:
    base, _, rest = symbol.partition("/")
    quote, _, settle = rest.partition(":")
    connection = fields.get("connection")
    price = Decimal(fields.pop("price", "100"))
    values = {
        "workspace": workspace,
        "portfolio": connection.portfolio
        if connection
        else portfolio_default_ensure(workspace=workspace),
        "exchange": connection.exchange if connection else "binance",
        "account_ref": connection.account_ref if connection else "",
        "source": Trade.Source.API if connection else Trade.Source.CSV,
        "market_type": "swap" if settle else "spot",
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "settle": settle,
        "side": "buy",
        "price": price,
        "amount": Decimal(amount),
        "cost": price * Decimal(amount),
        "executed_at": executed_at,
        "exchange_trade_id": str(next(_ids)),
        **fields,
    }
    return Trade.objects.create(**values)


def make_entry(workspace, *, occurred_at, amount="1", asset="BTC", **fields) -> LedgerEntry:
    connection = fields.get("connection")
    values = {
        "workspace": workspace,
        "portfolio": connection.portfolio
        if connection
        else portfolio_default_ensure(workspace=workspace),
        "exchange": connection.exchange if connection else "",
        "source": LedgerEntry._meta.get_field("source").default,
        "kind": LedgerEntry.Kind.DEPOSIT,
        "asset": asset,
        "amount": Decimal(amount),
        "occurred_at": occurred_at,
        **fields,
    }
    return LedgerEntry.objects.create(**values)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(response) -> list[list[str]]:
    """The journal table's body rows as a person reads them: one list of cell texts per row."""
    page = response.content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", page, flags=re.DOTALL)
    if body is None:
        return []
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), flags=re.DOTALL)
    ]


COLUMNS = ("time", "source", "exchange", "connection", "entry", "market", "price", "amount",
           "cost", "fee", "pnl")  # fmt: skip


def amounts(response) -> list[str]:
    """The Amount column, top to bottom: how these tests tell one row from another."""
    return [row[COLUMNS.index("amount")] for row in table_rows(response)]


def next_link(response) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
    return html.unescape(match.group(1)) if match else None


def messages_shown(response) -> list[str]:
    page = response.content.decode()
    return [_text(item) for item in re.findall(r'<li class="message warning">(.*?)</li>', page)]

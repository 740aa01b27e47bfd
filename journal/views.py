from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from connections.models import Exchange
from thrive.decorators import workspace_required

from .forms import IGNORED, KINDS, JournalFilterForm
from .selectors import (
    MARKETS,
    cursor_decode,
    journal_connections_needing_attention,
    journal_entries_fold,
    journal_filter_build,
    journal_filter_choices,
    journal_page,
    journal_rows_for_export,
)
from .templatetags.numbers import plain

PAGE_SIZE = 50
# Parameters that say where in the list a link points, not what it shows.
_PLACE = ("cursor",)


@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    form = JournalFilterForm(request.GET)
    values = form.values()
    problems = form.problems()
    filters = journal_filter_build(workspace=request.workspace, values=values)
    cursor = None
    if values["cursor"]:
        try:
            cursor = cursor_decode(values["cursor"])
        except ValueError:
            problems.append(IGNORED["cursor"])
    page = journal_page(
        workspace=request.workspace, filters=filters, cursor=cursor, page_size=PAGE_SIZE
    )
    folded = values["fold"] == "orders"
    entries = journal_entries_fold(page.entries) if folded else page.entries
    choices = journal_filter_choices(workspace=request.workspace)
    query = request.GET.copy()
    for name in _PLACE:
        query.pop(name, None)
    next_query = query.copy()
    if page.next_cursor:
        next_query["cursor"] = page.next_cursor
    export_query = query.copy()
    export_query.pop("fold", None)
    context = {
        "entries": entries,
        "filters": filters,
        "values": values,
        "problems": problems,
        "folded": folded,
        "paged": cursor is not None,
        "first_url": _url(request.path, query),
        "next_url": _url(request.path, next_query) if page.next_cursor else None,
        "export_query": export_query.urlencode(),
        "fold_url": _url(request.path, _toggled(query, "fold", "orders")),
        "attention": journal_connections_needing_attention(
            workspace=request.workspace, filters=filters, connections=choices["connections"]
        ),
        "exchanges": Exchange.choices,
        "markets": MARKETS,
        "kinds": KINDS,
        **choices,
    }
    template = "journal/_list.html" if request.htmx else "journal/index.html"
    return render(request, template, context)


def _url(path: str, query: QueryDict) -> str:
    return f"{path}?{query.urlencode()}" if query else path


def _toggled(query: QueryDict, name: str, value: str) -> QueryDict:
    toggled = query.copy()
    if toggled.get(name) == value:
        toggled.pop(name)
    else:
        toggled[name] = value
    return toggled


# The export's columns, in order (journal.selectors.journal_rows_for_export fills them).
EXPORT_COLUMNS = (
    "time_utc", "kind", "source", "exchange", "connection", "portfolio", "account",
    "market_type", "symbol", "side", "asset", "amount", "price", "cost", "quote", "fee",
    "fee_currency", "realized_pnl", "order_id", "external_id", "counterparty", "note", "id",
)  # fmt: skip
_CHUNK_ROWS = 500
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@workspace_required
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Every entry of the filtered journal as CSV, streamed (never one page: all of them).

    Same filters as the page (a bad value is left out, as the page says); fills are never
    folded. One row per entry, newest first (`order=oldest` for oldest first). Columns:

    - time_utc: when it happened, ISO 8601 in UTC.
    - kind: "trade", or the ledger entry's kind (deposit, withdrawal, transfer, reward,
      airdrop, fee, interest, funding).
    - source: API, CSV or Manual.
    - exchange: the exchange's name ("Coinbase Advanced"); empty for a place outside one.
    - connection, portfolio: their names; connection empty when none brought the entry.
    - account: the exchange account inside the connection ("main" or a sub-account id).
    - market_type (spot, margin, swap, future, option), symbol, side (buy or sell): trades.
    - asset: a trade's base currency, or the asset a ledger entry moves.
    - amount: a trade's amount in the base currency; a ledger entry's, signed as it moves the
      account (a withdrawal is negative).
    - price, cost (in the quote currency), quote: trades.
    - fee, fee_currency; realized_pnl (in the settle currency, else the quote): where known.
    - order_id (trades), external_id (the exchange's trade or ledger id).
    - counterparty (ledger entries), note.
    - id: Thrive's id of the entry.

    Numbers are plain, full precision, no thousands separators. A text cell that would start
    with =, +, -, @, a tab or a carriage return gets a leading ' so that no spreadsheet runs it.
    """
    values = JournalFilterForm(request.GET).values()
    filters = journal_filter_build(workspace=request.workspace, values=values)
    rows = journal_rows_for_export(workspace=request.workspace, filters=filters)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    name = f"thrive-journal-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class _Line:
    """csv.writer's file: hands back the line it was given."""

    def write(self, line: str) -> str:
        return line


def _csv_lines(rows: Iterator[dict[str, object]]) -> Iterator[str]:
    """The file in chunks of _CHUNK_ROWS lines: a write per row would cost more than the row."""
    writer = csv.writer(_Line())
    chunk = [writer.writerow(EXPORT_COLUMNS)]
    for row in rows:
        chunk.append(writer.writerow([_cell(row.get(column)) for column in EXPORT_COLUMNS]))
        if len(chunk) >= _CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def _cell(value: object) -> str:
    """Numbers plain and full precision (a negative one stays a number); text neutralized."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text

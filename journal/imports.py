"""CSV import: read a file, show what it holds, import it all or nothing, undo it as a whole.

The uploaded text waits in the cache between the preview and the confirmation (an hour), tied
to its workspace and person; the confirmation reads it again inside the transaction, so what
is imported is exactly what the journal does not hold at that moment.
"""

from __future__ import annotations

import secrets
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from connections.models import Exchange, ExchangeConnection
from portfolio.analytics.refresh import analytics_refresh_request
from portfolio.models import Portfolio
from thrive.models import User, Workspace

from .csv_formats.base import CsvFormat, ParsedEntry, ParsedTrade, RowError
from .csv_reading import UnreadableFile, table_of, text_of_upload
from .models import ImportBatch, LedgerEntry, Source, Trade
from .overlap import NO_ID_PREFIX, TIME_SLACK, Fill, matches
from .services import trade_rows_insert

PENDING_FOR = 3600
# Text cells a spreadsheet would run as a formula when the journal is exported and opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SAMPLE_ROWS = 20
REJECTED_SHOWN = 500


class ImportRefused(Exception):
    """The import cannot go ahead; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportOptions:
    file_format: str | None  # a CsvFormat key, or None to detect it
    timezone: str
    exchange: str  # for formats of no one exchange (our template); "" for a wallet
    connection_id: int | None
    portfolio_id: int


@dataclass
class Preview:
    token: str
    file_name: str
    format_key: str
    format_title: str
    exchange: str
    local_times: bool
    rows_in_file: int = 0
    trades: list[tuple[int, ParsedTrade]] = field(default_factory=list)
    entries: list[tuple[int, ParsedEntry]] = field(default_factory=list)
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # Indexes into `trades` and `entries` of what the journal holds already (or an earlier
    # line of the same file repeats).
    trades_there: set[int] = field(default_factory=set)
    entries_there: set[int] = field(default_factory=set)

    @property
    def already_there(self) -> int:
        return len(self.trades_there) + len(self.entries_there)

    @property
    def already_lines(self) -> set[int]:
        return {self.trades[i][0] for i in self.trades_there} | {
            self.entries[i][0] for i in self.entries_there
        }

    @property
    def to_import(self) -> int:
        return len(self.trades) + len(self.entries) - self.already_there

    @property
    def sample(self) -> list[tuple[int, ParsedTrade | ParsedEntry]]:
        rows = sorted([*self.trades, *self.entries], key=lambda pair: pair[0])
        return rows[:SAMPLE_ROWS]

    @property
    def rejected_shown(self) -> list[tuple[int, str]]:
        return self.rejected[:REJECTED_SHOWN]


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 row", "2 rows", "1,204 other entries"."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def timezone_choices() -> list[str]:
    from zoneinfo import available_timezones

    return ["UTC", *sorted(name for name in available_timezones() if "/" in name)]


def _key(token: str) -> str:
    return f"journal-import:{token}"


def import_prepare(
    *,
    workspace: Workspace,
    actor: User,
    data: bytes,
    file_name: str,
    options: ImportOptions,
) -> Preview:
    """Read the upload and say what importing it would do; keeps it for the confirmation."""
    try:
        text, inner_name = text_of_upload(
            data, file_name, max_bytes=settings.THRIVE_IMPORT_MAX_BYTES
        )
    except UnreadableFile as unreadable:
        raise ImportRefused(unreadable.message) from None
    token = secrets.token_urlsafe(18)
    preview = _preview(workspace, text, inner_name, options, token)
    cache.set(
        _key(token),
        {
            "workspace": workspace.pk,
            "actor": actor.pk,
            "text": zlib.compress(text.encode(), 3),
            "file_name": inner_name,
            "options": options,
        },
        PENDING_FOR,
    )
    return preview


def import_pending(*, workspace: Workspace, actor: User, token: str) -> Preview:
    """The preview of an upload waiting for confirmation. Raises ImportRefused."""
    pending = _pending(workspace, actor, token)
    return _preview(
        workspace,
        zlib.decompress(pending["text"]).decode(),
        pending["file_name"],
        pending["options"],
        token,
    )


def _pending(workspace: Workspace, actor: User, token: str) -> dict[str, Any]:
    pending = cache.get(_key(token))
    if not pending or pending["workspace"] != workspace.pk or pending["actor"] != actor.pk:
        raise ImportRefused(
            "This upload is no longer waiting (uploads wait an hour). Upload the file again."
        )
    return pending


def import_cancel(*, workspace: Workspace, actor: User, token: str) -> None:
    _pending(workspace, actor, token)
    cache.delete(_key(token))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportRefused(
            f"“{name}” is not a timezone we know. Choose one from the list."
        ) from None


def _preview(
    workspace: Workspace, text: str, file_name: str, options: ImportOptions, token: str
) -> Preview:
    try:
        table = table_of(text, format_key=options.file_format)
    except UnreadableFile as unreadable:
        raise ImportRefused(unreadable.message) from None
    csv_format = table.file_format
    exchange = _exchange_of(csv_format, options)
    _connection_of(workspace, options, exchange)  # a connection of another exchange is refused
    zone = _zone(options.timezone)
    preview = Preview(
        token=token,
        file_name=file_name,
        format_key=csv_format.key,
        format_title=csv_format.title,
        exchange=exchange,
        local_times=csv_format.local_times,
    )
    for line, row in table.rows():
        preview.rows_in_file += 1
        try:
            parsed = csv_format.parse(row, zone)
            for item in parsed if isinstance(parsed, tuple) else (parsed,):
                if item is not None:
                    _refuse_formulas(item)
        except RowError as error:
            preview.rejected.append((line, error.message))
            continue
        if parsed is None:
            preview.skipped += 1
        for item in parsed if isinstance(parsed, tuple) else (parsed,):
            if isinstance(item, ParsedTrade):
                preview.trades.append((line, item))
            elif isinstance(item, ParsedEntry):
                preview.entries.append((line, item))
    if preview.rows_in_file == 0:
        raise ImportRefused("The file has a header but no rows.")
    preview.trades_there = _trades_already_there(workspace, exchange, preview.trades)
    preview.entries_there = _entries_already_there(workspace, exchange, preview.entries)
    return preview


def _exchange_of(csv_format: CsvFormat, options: ImportOptions) -> str:
    if csv_format.exchange:
        return csv_format.exchange
    if options.exchange and options.exchange not in Exchange.values:
        raise ImportRefused("Choose an exchange from the list, or “Wallet / other”.")
    return options.exchange


def _connection_of(
    workspace: Workspace, options: ImportOptions, exchange: str
) -> ExchangeConnection | None:
    if options.connection_id is None:
        return None
    connection = (
        ExchangeConnection.objects.for_workspace(workspace).filter(pk=options.connection_id).first()
    )
    if connection is None:
        raise ImportRefused("Choose one of your connections.")
    if connection.exchange != exchange:
        names = dict(Exchange.choices)
        raise ImportRefused(
            f"This is a {names.get(exchange, 'wallet')} file, but “{connection.label}” is a "
            f"{connection.get_exchange_display()} connection. Choose its own account, or none."
        )
    return connection


def _refuse_formulas(parsed: ParsedTrade | ParsedEntry) -> None:
    texts = (
        (parsed.symbol, parsed.fee_currency, parsed.trade_id, parsed.order_id, parsed.note)
        if isinstance(parsed, ParsedTrade)
        else (parsed.asset, parsed.fee_currency, parsed.external_id, parsed.note)
    )
    for value in texts:
        if value.startswith(FORMULA_STARTS):
            raise RowError(
                f"“{value[:40]}” would run as a spreadsheet formula; remove the leading "
                f"“{value[0]!r}”."
            )


def _trades_already_there(
    workspace: Workspace, exchange: str, trades: list[tuple[int, ParsedTrade]]
) -> set[int]:
    """Trades the journal already holds, and trades repeating an earlier one of the file."""
    journal = Trade.objects.for_workspace(workspace).filter(exchange=exchange)
    there = set(matches([_fill_of(trade) for _, trade in trades], journal))
    seen: set[tuple[str, str]] = set()
    for index, (_, trade) in enumerate(trades):
        if index in there or not trade.trade_id:
            continue
        if (trade.symbol, trade.trade_id) in seen:
            there.add(index)
        seen.add((trade.symbol, trade.trade_id))
    return there


def _fill_of(trade: ParsedTrade) -> Fill:
    return Fill(
        trade.symbol, trade.side, trade.amount, trade.price, trade.executed_at, trade.trade_id
    )


def _entries_already_there(
    workspace: Workspace, exchange: str, entries: list[tuple[int, ParsedEntry]]
) -> set[int]:
    if not entries:
        return set()
    ledger = LedgerEntry.objects.for_workspace(workspace).filter(exchange=exchange)
    ids = set(
        ledger.filter(
            external_id__in={e.external_id for _, e in entries if e.external_id}
        ).values_list("kind", "external_id")
    )
    times = [entry.occurred_at for _, entry in entries]
    by_values = Counter(
        (kind, asset, amount.normalize(), occurred_at.replace(microsecond=0))
        for kind, asset, amount, occurred_at in ledger.filter(
            occurred_at__gte=min(times) - TIME_SLACK, occurred_at__lte=max(times) + TIME_SLACK
        ).values_list("kind", "asset", "amount", "occurred_at")
    )
    there: set[int] = set()
    for index, (_, entry) in enumerate(entries):
        if entry.external_id and (entry.kind, entry.external_id) in ids:
            there.add(index)
            continue
        key = (entry.kind, entry.asset, entry.amount.normalize())
        for slack in (timedelta(0), -TIME_SLACK, TIME_SLACK):
            moment = (entry.occurred_at + slack).replace(microsecond=0)
            if by_values[(*key, moment)] > 0:
                by_values[(*key, moment)] -= 1
                there.add(index)
                break
    return there


def import_confirm(
    *, workspace: Workspace, actor: User, token: str, skip_rejected: bool
) -> ImportBatch:
    """Import every row the journal does not hold, all or nothing, as one batch."""
    pending = _pending(workspace, actor, token)
    options: ImportOptions = pending["options"]
    portfolio = Portfolio.objects.for_workspace(workspace).filter(pk=options.portfolio_id).first()
    if portfolio is None:
        raise ImportRefused("Choose one of your portfolios.")
    text = zlib.decompress(pending["text"]).decode()
    with transaction.atomic():
        # One import of a workspace at a time: two confirmations of one file import it once.
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        preview = _preview(workspace, text, pending["file_name"], options, token)
        if preview.rejected and not skip_rejected:
            raise ImportRefused(
                f"{counted(len(preview.rejected), 'row')} cannot be imported (see the list). "
                "Fix the file, or tick “Import the other rows without them”."
            )
        if preview.to_import == 0:
            raise ImportRefused("Every row of this file is in your journal already.")
        connection = _connection_of(workspace, options, preview.exchange)
        batch = ImportBatch.objects.create(
            workspace=workspace,
            portfolio=portfolio,
            connection=connection,
            exchange=preview.exchange,
            file_format=preview.format_key,
            file_name=preview.file_name[:255],
            timezone=options.timezone,
            rows_in_file=preview.rows_in_file,
            rows_already_there=preview.already_there,
            created_by=actor,
        )
        batch.trades_imported = _insert_trades(
            batch,
            connection,
            [(i, t) for i, (_, t) in enumerate(preview.trades) if i not in preview.trades_there],
        )
        batch.entries_imported = _insert_entries(
            batch,
            connection,
            [(i, e) for i, (_, e) in enumerate(preview.entries) if i not in preview.entries_there],
        )
        batch.save(update_fields=["trades_imported", "entries_imported"])
        analytics_refresh_request(workspace_id=workspace.pk)
    cache.delete(_key(token))
    return batch


def _own_id() -> str:
    """An id for a fill whose file has none. Only unique: the same fill imported again is
    recognised by its values (journal.overlap), not by this id."""
    return NO_ID_PREFIX + uuid.uuid4().hex


def _insert_trades(
    batch: ImportBatch,
    connection: ExchangeConnection | None,
    trades: list[tuple[int, ParsedTrade]],
) -> int:
    now = timezone.now()
    account_ref = connection.account_ref if connection else ""
    rows = [
        (batch.workspace_id, batch.portfolio_id, connection.pk if connection else None,
         Trade.Source.CSV.value, batch.exchange, account_ref, "main", t.market_type, t.symbol,
         t.base, t.quote, t.settle, t.side, t.price, t.amount, t.cost, t.fee, t.fee_currency,
         t.executed_at, t.trade_id or _own_id(), t.order_id, "", t.realized_pnl,
         now, uuid.uuid4(), t.note, batch.pk)
        for _, t in trades
    ]  # fmt: skip
    return trade_rows_insert(rows)


def _insert_entries(
    batch: ImportBatch,
    connection: ExchangeConnection | None,
    entries: list[tuple[int, ParsedEntry]],
) -> int:
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                workspace_id=batch.workspace_id,
                portfolio_id=batch.portfolio_id,
                connection=connection,
                source=Source.CSV,
                kind=entry.kind,
                exchange=batch.exchange,
                account_ref=connection.account_ref if connection else "",
                asset=entry.asset,
                amount=entry.amount,
                fee=entry.fee,
                fee_currency=entry.fee_currency,
                occurred_at=entry.occurred_at,
                external_id=entry.external_id,
                note=entry.note,
                import_batch=batch,
            )
            for _, entry in entries
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return LedgerEntry.objects.filter(import_batch=batch).count()


def import_undo(*, batch: ImportBatch, actor: User) -> tuple[int, int]:
    """Remove what one import brought in; fills the API has since taken over stay."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.undone_at is not None:
            raise ImportRefused("This import was undone already.")
        trades, _ = Trade.objects.filter(import_batch=locked).delete()
        entries, _ = LedgerEntry.objects.filter(import_batch=locked).delete()
        locked.undone_at = timezone.now()
        locked.save(update_fields=["undone_at"])
        analytics_refresh_request(workspace_id=locked.workspace_id)
    return trades, entries

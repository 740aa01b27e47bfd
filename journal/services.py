"""Writes to the journal."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db import connection as db
from django.utils import timezone

from connections.models import ExchangeConnection
from sync.exchanges.records import TradeRecord

from .models import Trade
from .overlap import Fill, matches

COLUMNS = (
    "workspace_id", "portfolio_id", "connection_id", "source", "exchange", "account_ref", "account",
    "market_type", "symbol", "base", "quote", "settle", "side", "price", "amount", "cost", "fee",
    "fee_currency", "executed_at", "exchange_trade_id", "order_id", "taker_or_maker",
    "realized_pnl", "recorded_at", "public_id", "note", "import_batch_id",
)  # fmt: skip
# A temporary staging table for COPY: rows arrive at COPY speed, and one INSERT … ON CONFLICT
# DO NOTHING moves the new ones over. It is emptied with DELETE in the same transaction (a
# rollback empties it too); ON COMMIT DELETE ROWS would truncate a file at every commit.
_STAGE = "journal_trade_stage"


def trades_record(
    *, connection: ExchangeConnection, records: Sequence[TradeRecord]
) -> tuple[int, int]:
    """Insert the trades not yet in the journal; returns (inserted, already present).

    Call inside the transaction that also advances the cursor. The trade identity constraint
    (the exchange account's, not the connection's) turns a replay, a row a concurrent sync
    wrote first, or a fill an earlier connection of the same account brought in, into a no-op
    instead of a second row. Written with COPY on PostgreSQL (the ORM's per-row work would cap
    it at a few thousand trades a second) and one executemany on SQLite.
    """
    unique: dict[tuple[str, str, str, str], TradeRecord] = {}
    for record in records:
        unique.setdefault(
            (record.account, record.market_type, record.symbol, record.trade_id), record
        )
    fresh = _not_imported_from_files(connection, list(unique.values()))
    if not fresh:
        return 0, len(records)
    head = (
        connection.workspace_id,
        connection.portfolio_id,
        connection.pk,
        Trade.Source.API.value,
        connection.exchange,
        connection.account_ref,
    )
    now = timezone.now()
    rows = [
        (*head, r.account, r.market_type, r.symbol, r.base, r.quote, r.settle, r.side, r.price,
         r.amount, r.cost, r.fee, r.fee_currency, r.executed_at, r.trade_id, r.order_id,
         r.taker_or_maker, r.realized_pnl, now, uuid.uuid4(), "", None)
        for r in fresh
    ]  # fmt: skip
    inserted = trade_rows_insert(rows)
    return inserted, len(records) - inserted


def trade_rows_insert(rows: list[tuple[Any, ...]]) -> int:
    """Insert rows given in COLUMNS order, skipping any whose identity is already there;
    returns how many were new. Runs inside the caller's transaction."""
    if not rows:
        return 0
    with transaction.atomic(savepoint=False):
        return _insert_postgres(rows) if db.vendor == "postgresql" else _insert_sqlite(rows)


def _not_imported_from_files(
    connection: ExchangeConnection, records: list[TradeRecord]
) -> list[TradeRecord]:
    """The records no CSV import brought in first. A fill a file brought is taken over by the
    API (its id, account and connection; it leaves its import batch, so undoing the import
    keeps it) instead of being listed twice."""
    from_files = Trade.objects.filter(
        workspace_id=connection.workspace_id,
        exchange=connection.exchange,
        source=Trade.Source.CSV,
    )
    if not records or not from_files.exists():
        return records
    fills = [
        Fill(r.symbol, r.side, r.amount, r.price, r.executed_at, trade_id=r.trade_id)
        for r in records
    ]
    found = matches(fills, from_files)
    # Ids first: a file's row without an id matched by its values takes the API's id.
    for index, pk in found.items():
        record = records[index]
        try:
            with transaction.atomic():
                Trade.objects.filter(pk=pk).update(
                    source=Trade.Source.API,
                    connection=connection,
                    account_ref=connection.account_ref,
                    account=record.account,
                    exchange_trade_id=record.trade_id,
                    import_batch=None,
                )
        except IntegrityError:
            # The API's own row of this fill is there already: the file's row stays as it is.
            continue
    return [record for index, record in enumerate(records) if index not in found]


def _insert_postgres(rows: list[tuple[Any, ...]]) -> int:
    table = Trade._meta.db_table
    columns = ", ".join(COLUMNS)
    with db.cursor() as cursor:
        # The page's rows and its cursor commit together, so a commit lost in a crash loses
        # both and the page is simply fetched again: no need to wait for the WAL flush.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} "  # noqa: S608
            f"AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_STAGE} "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"DELETE FROM {_STAGE}")  # noqa: S608 -- our own identifier
    return inserted


def _insert_sqlite(rows: list[tuple[Any, ...]]) -> int:
    adapt = db.ops.adapt_datetimefield_value
    at, recorded = COLUMNS.index("executed_at"), COLUMNS.index("recorded_at")
    public_id = COLUMNS.index("public_id")

    def prepared_value(index: int, value: Any) -> Any:
        if index in (at, recorded):
            return adapt(value)
        # Django keeps UUIDs on SQLite as 32 hex digits.
        return value.hex if index == public_id else value

    prepared = [tuple(prepared_value(i, value) for i, value in enumerate(row)) for row in rows]
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    with db.cursor() as cursor:
        cursor.executemany(
            f"INSERT OR IGNORE INTO {Trade._meta.db_table} ({', '.join(COLUMNS)}) "  # noqa: S608
            f"VALUES ({placeholders})",
            prepared,
        )
        return cursor.rowcount

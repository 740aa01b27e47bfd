"""The benchmarks' world: PostgreSQL when it is there (as the issue asks), the simulator, and
a migrated database of their own that they empty again afterwards."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "thrive_bench"


def postgres_url() -> str | None:
    """A dedicated PostgreSQL database on the local server, created on first use."""
    try:
        import psycopg

        with psycopg.connect(
            "host=127.0.0.1 user=postgres dbname=postgres", connect_timeout=3, autocommit=True
        ) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DATABASE,)
            ).fetchone():
                conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    except Exception:
        return None
    return f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE}"


def redis_url() -> str | None:
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except Exception:
        return None
    return "redis://127.0.0.1:6379/15"


def setup() -> str:
    """Configure Django for the benchmarks; returns a line saying which database they use."""
    sys.path.insert(0, str(ROOT))
    data_dir = Path(tempfile.mkdtemp(prefix="thrive-bench-"))
    os.environ.setdefault("THRIVE_DATA_DIR", str(data_dir))
    os.environ.setdefault("DEBUG", "1")
    url = os.environ.get("BENCH_DATABASE_URL") or postgres_url()
    if url:
        os.environ["DATABASE_URL"] = url
        where = "PostgreSQL (" + url.rsplit("/", 1)[1] + ")"
    else:
        os.environ.pop("DATABASE_URL", None)
        where = "SQLite (PostgreSQL was not reachable)"
    broker = os.environ.get("BENCH_REDIS_URL") or redis_url()
    if broker:
        os.environ["REDIS_URL"] = broker
        where += ", Redis (db 15)"
    else:
        where += ", the file broker"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    if broker:
        import redis

        redis.Redis.from_url(broker).flushdb()
    return where


def rows_write(model, columns: tuple[str, ...], rows) -> None:
    """Write an iterable of row tuples in `columns` order into `model`'s table, streamed: COPY
    on PostgreSQL, executemany in batches on SQLite (datetimes and UUIDs as Django keeps
    them there). The caller holds the transaction."""
    import itertools
    import uuid
    from datetime import datetime

    from django.db import connection as db

    table, names = model._meta.db_table, ", ".join(columns)
    if db.vendor == "postgresql":
        with (
            db.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    adapt = db.ops.adapt_datetimefield_value
    rows = iter(rows)
    with db.cursor() as cursor:
        while batch := list(itertools.islice(rows, 10_000)):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
                [
                    tuple(
                        adapt(v) if isinstance(v, datetime) else
                        v.hex if isinstance(v, uuid.UUID) else v
                        for v in row
                    )
                    for row in batch
                ],
            )  # fmt: skip

"""Strict helpers that read configuration from the environment.

A malformed value stops start-up with one line that names the variable, instead of a
traceback deep inside Django or Celery. `ConfigurationError` is a `SystemExit`, so whatever
process imports the settings (manage.py, gunicorn, celery) prints that line and exits 1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off"}


class ConfigurationError(SystemExit):
    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"Configuration error: {name} {problem}")
        self.name = name


def env_str(name: str, default: str = "") -> str:
    """A plain string; `NAME_FILE` (a path) is read instead when set, for container secrets."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ConfigurationError(f"{name}_FILE", f"cannot be read ({exc.strerror}).") from None
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(name, f"must be one of 1/0, true/false, on/off (got {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(name, f"must be a whole number (got {raw!r}).") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(name, f"must be a number (got {raw!r}).") from None
    if value <= 0:
        raise ConfigurationError(name, f"must be greater than 0 (got {raw!r}).")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json_map(name: str) -> dict[str, str]:
    """A JSON object of string to string, e.g. THRIVE_EXCHANGE_URLS."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        raise ConfigurationError(
            name, 'must be a JSON object, e.g. {"binance": "http://127.0.0.1:8900"}.'
        ) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigurationError(name, "must be a JSON object mapping names to strings.")
    return value


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.hostname:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ConfigurationError(name, f"must be a URL starting with {allowed}.")
    return raw


def parse_database_url(name: str, raw: str) -> dict[str, Any]:
    """`postgres://user:pass@host:port/db?opt=…` or `sqlite:///path` as DATABASES["default"]."""
    parts = urlsplit(raw)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise ConfigurationError(
                name, "must name a database, e.g. postgres://user@host:5432/thrive."
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigurationError(name, "has a port that is not a number.") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": dbname,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ConfigurationError(
                name, "must give a file, e.g. sqlite:////var/lib/thrive/db.sqlite3."
            )
        # As elsewhere: sqlite:///db.sqlite3 is relative, sqlite:////var/db.sqlite3 absolute.
        return sqlite_database(Path(path[1:]))
    raise ConfigurationError(
        name, "must be a URL such as postgres://user@host:5432/thrive or sqlite:///path/db.sqlite3."
    )


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite tuned for web + worker + beat writing at once: WAL, a busy timeout, IMMEDIATE."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }

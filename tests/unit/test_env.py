from __future__ import annotations

import pytest

from thrive.env import ConfigurationError, env_bool, env_json_map, parse_database_url


@pytest.mark.parametrize("raw", ["maybe", "yes", "Y", "2", "enabled"])
def test_env_bool_refuses_yes_ish_values(monkeypatch, raw):
    monkeypatch.setenv("DEBUG", raw)
    with pytest.raises(ConfigurationError) as caught:
        env_bool("DEBUG", False)
    assert "DEBUG" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("OFF", False), ("0", False)]
)
def test_env_bool_reads_the_plain_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", not expected) is expected


def test_a_postgres_url_becomes_the_django_database():
    db = parse_database_url(
        "DATABASE_URL", "postgres://app:s%40cret@db.internal:6432/thrive?sslmode=require"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "thrive",
        "app",
        "s@cret",
        "db.internal",
        "6432",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_a_sqlite_url_gets_wal_and_a_busy_timeout():
    db = parse_database_url("DATABASE_URL", "sqlite:////var/lib/thrive/db.sqlite3")
    assert db["NAME"] == "/var/lib/thrive/db.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5


@pytest.mark.parametrize("raw", ["nonsense", "mysql://x@y/z", "postgres://host:5432/", "sqlite://"])
def test_a_malformed_database_url_names_the_variable(raw):
    with pytest.raises(ConfigurationError) as caught:
        parse_database_url("DATABASE_URL", raw)
    message = str(caught.value)
    assert message.startswith("Configuration error: DATABASE_URL")
    assert "\n" not in message


def test_exchange_urls_must_be_a_json_object_of_strings(monkeypatch):
    monkeypatch.setenv("THRIVE_EXCHANGE_URLS", '["http://127.0.0.1:8900"]')
    with pytest.raises(ConfigurationError, match="THRIVE_EXCHANGE_URLS"):
        env_json_map("THRIVE_EXCHANGE_URLS")
    monkeypatch.setenv("THRIVE_EXCHANGE_URLS", '{"binance": "http://127.0.0.1:8900"}')
    assert env_json_map("THRIVE_EXCHANGE_URLS") == {"binance": "http://127.0.0.1:8900"}

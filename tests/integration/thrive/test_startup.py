"""Bad configuration stops every process at start-up with one line that names the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-" + "k7Qx9" * 12,
    "ALLOWED_HOSTS": "thrive.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://thrive.example.com",
    "THRIVE_KEYRING_FILE": os.environ["THRIVE_KEYRING_FILE"],
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "THRIVE_KEYRING_FILE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean["DJANGO_SETTINGS_MODULE"] = "thrive.settings"
    clean["THRIVE_DATA_DIR"] = str(ROOT / ".thrive" / "test-startup")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DEBUG", "maybe"),
        ("REDIS_URL", "localhost:6379"),
        ("THRIVE_EXCHANGE_URLS", "{not json"),
        ("THRIVE_EGRESS_PROXY", "proxy.internal:3128"),
        ("THRIVE_EGRESS_IPS", "203.0.113.7,not-an-ip"),
        ("CSRF_TRUSTED_ORIGINS", "thrive.example.com"),
    ],
)
def test_a_malformed_variable_stops_start_up_with_one_line_naming_it(variable, value):
    result = manage("check", **{**PRODUCTION_ENV, variable: value})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable}")


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode == 1
    assert result.stderr.strip() == "Configuration error: SECRET_KEY is required when DEBUG is off."


def test_it_refuses_the_development_secret_key_when_debug_is_off():
    result = manage("check", **{**PRODUCTION_ENV, "SECRET_KEY": "django-insecure-" + "x" * 60})
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_a_keyring_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "THRIVE_KEYRING_FILE"}
    result = manage("check", **env)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Configuration error: THRIVE_KEYRING")


def test_it_refuses_a_keyring_that_does_not_parse(tmp_path):
    broken = tmp_path / "keyring.json"
    broken.write_text('{"active": "k1", "keys": {}}')
    result = manage("check", **{**PRODUCTION_ENV, "THRIVE_KEYRING_FILE": str(broken)})
    assert result.returncode == 1
    assert "THRIVE_KEYRING is not usable" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_seed_refuses_to_run_with_debug_off():
    result = manage("seed_demo", **PRODUCTION_ENV)
    assert result.returncode == 1
    assert "DEBUG" in result.stderr

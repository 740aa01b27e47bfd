"""Test settings: the project's one settings module, with test-only environment defaults.

Environment variables must be in place before `thrive.settings` is imported, which pytest-django
does before any conftest runs; hence this small module rather than a conftest fixture.
"""

import os
import tempfile

# The simulator answers at once; the shared budget need not pace tests like a real exchange.
os.environ.setdefault("THRIVE_EXCHANGE_BUDGET_SCALE", "400")
# Tests connect far more keys a minute than a person may; the limits' own tests lower them.
os.environ.setdefault("THRIVE_KEY_CHECKS_PER_MINUTE", "100000")
os.environ.setdefault("THRIVE_KEY_CHECKS_PER_HOUR", "100000")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "t" * 48)
# Each test run gets its own data folder (file broker, keyring, SQLite test database): runs
# side by side must never consume each other's queued tasks. Workers started by a test
# inherit it through the environment.
os.environ.setdefault(
    "THRIVE_DATA_DIR", os.path.join(tempfile.gettempdir(), f"thrive-test-{os.getpid()}")
)
# Side by side (pytest-xdist, `make test`) each worker has a data folder and a Redis database of
# its own, so that no worker consumes another's queued tasks or shares its cache and request
# budget; PostgreSQL test databases are told apart by pytest-django. Done once per worker: the
# Celery workers a test starts inherit the result (and the mark) through the environment.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("THRIVE_TEST_WORKER") != _worker:
    os.environ["THRIVE_TEST_WORKER"] = _worker
    os.environ["THRIVE_DATA_DIR"] = os.path.join(
        tempfile.gettempdir(), f"thrive-test-{os.getpid()}"
    )
    if os.environ.get("REDIS_URL"):
        from urllib.parse import urlsplit

        _redis = urlsplit(os.environ["REDIS_URL"])
        _database = int(_redis.path.lstrip("/") or 0) + 1 + int(_worker[2:])
        os.environ["REDIS_URL"] = _redis._replace(path=f"/{_database}").geturl()
if not os.environ.get("THRIVE_KEYRING") and not os.environ.get("THRIVE_KEYRING_FILE"):
    from pathlib import Path

    from connections.vault import keyring_file_ensure

    _keyring = Path(os.environ["THRIVE_DATA_DIR"]) / "keyring.json"
    keyring_file_ensure(_keyring)
    os.environ["THRIVE_KEYRING_FILE"] = str(_keyring)

from thrive.settings import *  # noqa: E402, F403

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the app folders instead of a collected STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A file, not memory, so that a real Celery worker started by a test sees the test database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}  # noqa: F405

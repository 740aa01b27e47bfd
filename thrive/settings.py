"""Settings for Thrive Connections, read from the environment only.

Defaults run straight after a checkout under `make dev` (SQLite and a file-based Celery broker
under `.thrive/`). With DEBUG off the process refuses to start on development secrets.
`.env.example` lists every variable.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from .env import (
    ConfigurationError,
    env_bool,
    env_float,
    env_int,
    env_json_map,
    env_list,
    env_str,
    env_url,
    parse_database_url,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("THRIVE_DATA_DIR") or BASE_DIR / ".thrive")

DEBUG = env_bool("DEBUG", False)

# Used only with DEBUG on; refused below when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "django-insecure-thrive-development-only"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError("SECRET_KEY", "is required when DEBUG is off.")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50):
    raise ConfigurationError(
        "SECRET_KEY", "is a development value or shorter than 50 characters; generate a new one."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ConfigurationError(
            "CSRF_TRUSTED_ORIGINS", f"entries must start with https:// ({_origin!r})."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "thrive",
    "connections",
    "journal",
    "portfolio",
    "sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "thrive.timezones.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "thrive.tenancy.WorkspaceMiddleware",
]

ROOT_URLCONF = "thrive.urls"
WSGI_APPLICATION = "thrive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "thrive.context_processors.workspaces",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": parse_database_url("DATABASE_URL", _database_url)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(DATA_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "thrive.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/journal/"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins allowed per (email, client address) pair within the window before a cool-down,
# and failures allowed from one client address across all emails (thrive/throttle.py).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
# Account e-mail (password reset and sign-up): e-mails to one recipient, and requests from one
# client address for each of the two, within the window.
PASSWORD_RESET_EMAIL_LIMIT = env_int("PASSWORD_RESET_EMAIL_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_WINDOW_SECONDS = env_int("PASSWORD_RESET_WINDOW_SECONDS", 3600)
# Reverse proxies in front of the app that append to X-Forwarded-For; the client address is the
# entry this many from the right. 0 ignores the header, which any client can write.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
for _name in (
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_WINDOW_SECONDS",
    "LOGIN_ADDRESS_FAILURE_LIMIT",
    "PASSWORD_RESET_EMAIL_LIMIT",
    "PASSWORD_RESET_ADDRESS_LIMIT",
    "PASSWORD_RESET_WINDOW_SECONDS",
):
    if globals()[_name] < 1:
        raise ConfigurationError(_name, "must be at least 1.")
if TRUSTED_PROXY_COUNT < 0:
    raise ConfigurationError("TRUSTED_PROXY_COUNT", "must be 0 or more.")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# Security. Secure by default; `make dev` turns DEBUG on and with it plain-HTTP cookies.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DEFAULT_EXCEPTION_REPORTER_FILTER = "thrive.reporting.SecretSafeExceptionReporterFilter"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Email: the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Thrive <no-reply@thrive.local>")

# Exchange traffic: base-URL overrides (the simulator uses the same), the egress proxy and the
# static addresses people allow-list on their keys.
THRIVE_EXCHANGE_URLS = env_json_map("THRIVE_EXCHANGE_URLS")
THRIVE_EGRESS_PROXY = env_url("THRIVE_EGRESS_PROXY", ("http", "https"))
THRIVE_EGRESS_IPS = env_list("THRIVE_EGRESS_IPS")
# Multiplies every exchange's shared request budget (sync/budget.py). 1 is each exchange's
# documented limit; only tests and benchmarks against the simulator should raise it.
THRIVE_EXCHANGE_BUDGET_SCALE = env_float("THRIVE_EXCHANGE_BUDGET_SCALE", 1.0)
# A request that fails on the way (connection dropped, 5xx, cut body, timeout) is sent again,
# up to this many attempts in all, after a jittered pause of up to BASE_MS * 2^attempt.
THRIVE_EXCHANGE_ATTEMPTS = env_int("THRIVE_EXCHANGE_ATTEMPTS", 4)
THRIVE_EXCHANGE_RETRY_BASE_MS = env_int("THRIVE_EXCHANGE_RETRY_BASE_MS", 400)
if THRIVE_EXCHANGE_ATTEMPTS < 1 or THRIVE_EXCHANGE_RETRY_BASE_MS < 0:
    raise ConfigurationError(
        "THRIVE_EXCHANGE_ATTEMPTS",
        "must be at least 1, and THRIVE_EXCHANGE_RETRY_BASE_MS at least 0.",
    )
# Key tests and connects a person, and a workspace, may make (connections/limits.py), and the
# share of each exchange's request budget they draw from: syncs keep the rest.
THRIVE_KEY_CHECKS_PER_MINUTE = env_int("THRIVE_KEY_CHECKS_PER_MINUTE", 10)
THRIVE_KEY_CHECKS_PER_HOUR = env_int("THRIVE_KEY_CHECKS_PER_HOUR", 50)
THRIVE_CHECK_BUDGET_SHARE = env_float("THRIVE_CHECK_BUDGET_SHARE", 0.2)
if min(THRIVE_KEY_CHECKS_PER_MINUTE, THRIVE_KEY_CHECKS_PER_HOUR) < 1:
    raise ConfigurationError("THRIVE_KEY_CHECKS_PER_MINUTE", "and _PER_HOUR must be at least 1.")
if not 0 < THRIVE_CHECK_BUDGET_SHARE < 1:
    raise ConfigurationError("THRIVE_CHECK_BUDGET_SHARE", "must lie between 0 and 1, e.g. 0.2.")
# The largest CSV file (or CSV inside a zip) the journal's import reads.
THRIVE_IMPORT_MAX_MB = env_int("THRIVE_IMPORT_MAX_MB", 25)
if THRIVE_IMPORT_MAX_MB < 1:
    raise ConfigurationError("THRIVE_IMPORT_MAX_MB", "must be at least 1.")
THRIVE_IMPORT_MAX_BYTES = THRIVE_IMPORT_MAX_MB * 1_000_000
for _ip in THRIVE_EGRESS_IPS:
    try:
        ipaddress.ip_network(_ip)
    except ValueError:
        raise ConfigurationError(
            "THRIVE_EGRESS_IPS", f"has {_ip!r}, which is not an IP address."
        ) from None

# Celery: JSON only, late acks, one message at a time, results ignored (progress lives in
# SyncRun rows). Without REDIS_URL the filesystem transport lets web, worker and beat share one
# queue with nothing else installed.
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
)
if not REDIS_URL:
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_DEFAULT_QUEUE = "sync"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# A sync's lease on its connection, renewed at every page it commits. A worker that dies
# mid-sync holds the connection at most this long; keep it longer than one page takes.
THRIVE_SYNC_LEASE_SECONDS = env_int("THRIVE_SYNC_LEASE_SECONDS", 120)
# How old beat's heartbeat may be before /healthz calls beat down.
BEAT_HEARTBEAT_MAX_AGE_SECONDS = env_int("BEAT_HEARTBEAT_MAX_AGE_SECONDS", 180)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ConfigurationError("LOG_LEVEL", "must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # ccxt logs signed URLs and headers at DEBUG; it never speaks below WARNING here.
        "ccxt": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}

# The credential vault's keyring (connections/vault.py): JSON from THRIVE_KEYRING, or a file
# through THRIVE_KEYRING_FILE. `make dev` (DEBUG on) generates .thrive/keyring.json on first
# run; with DEBUG off the process refuses to start without a valid one.
THRIVE_KEYRING = env_str("THRIVE_KEYRING")
if not THRIVE_KEYRING and DEBUG:
    from connections.vault import keyring_file_ensure

    keyring_file_ensure(DATA_DIR / "keyring.json")
    THRIVE_KEYRING = (DATA_DIR / "keyring.json").read_text()
if not THRIVE_KEYRING:
    raise ConfigurationError(
        "THRIVE_KEYRING", "(or THRIVE_KEYRING_FILE) is required when DEBUG is off."
    )
else:
    from connections.vault import Keyring, KeyringError

    try:
        Keyring.from_json(THRIVE_KEYRING)
    except KeyringError as _error:
        raise ConfigurationError("THRIVE_KEYRING", f"is not usable: {_error}") from None

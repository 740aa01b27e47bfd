"""What /healthz checks: the database, the Celery broker, and beat's heartbeat."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

BEAT = "beat"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means down; the reason goes to the log, not the page
        return "down"
    return "ok"


def broker_status() -> str:
    from thrive.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel  # noqa: B018 -- opening a channel proves the broker answers
    except Exception:
        return "down"
    return "ok"


def beat_heartbeat_write(now: datetime | None = None) -> None:
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=BEAT, defaults={"beat_at": now or timezone.now()})


def beat_status() -> tuple[bool, str]:
    """(alive, what to show): the time of the last heartbeat, or why beat counts as down."""
    from .models import Heartbeat

    try:
        beat_at = Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()
    except Exception:
        return False, "unknown (database down)"
    if beat_at is None:
        return False, "down (no heartbeat yet)"
    shown = beat_at.isoformat(timespec="seconds")
    max_age = timedelta(seconds=settings.BEAT_HEARTBEAT_MAX_AGE_SECONDS)
    if timezone.now() - beat_at > max_age:
        return False, f"down (last heartbeat {shown})"
    return True, shown


CHECKS = ("database", "broker", "beat")


def health_report(only: Iterable[str] = CHECKS) -> tuple[dict[str, str], list[str]]:
    """(what each check says, the names of those that are down)."""
    report: dict[str, str] = {}
    down: list[str] = []
    for name in CHECKS:
        if name not in only:
            continue
        if name == "beat":
            alive, report[name] = beat_status()
        else:
            report[name] = database_status() if name == "database" else broker_status()
            alive = report[name] == "ok"
        if not alive:
            down.append(name)
    return report, down

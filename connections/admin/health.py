"""Exchange health, for support: is an exchange failing everyone, or one connection?

Per exchange: syncs of the last hour by outcome, the maintenance pause the dispatcher holds,
the shared request budget, and the error codes seen most in the last day. A handful of
grouped queries, whatever the number of connections.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from sync.budget import budget_levels
from sync.models import ExchangePause, SyncRun
from sync.runner import MAINTENANCE_PAUSE_AFTER

from ..models import Exchange, ExchangeConnection

RECENT = timedelta(hours=1)
ERRORS_OVER = timedelta(days=1)
TOP_ERRORS = 3
OUTCOMES = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


@dataclass
class ExchangeHealth:
    exchange: str
    name: str
    # Syncs created in the last hour, by SyncRun status (queued and running included).
    runs: dict[str, int] = field(default_factory=dict)
    requests_last_hour: int = 0
    pause: str = "No"
    budgets: list[tuple[str, float, datetime]] = field(default_factory=list)
    top_errors: list[tuple[str, int]] = field(default_factory=list)
    connections: dict[str, int] = field(default_factory=dict)

    @property
    def runs_in_words(self) -> list[tuple[str, int]]:
        labels = dict(SyncRun.Status.choices)
        return [(labels[status], count) for status, count in self.runs.items() if count]

    @property
    def connections_in_words(self) -> list[tuple[str, str, int]]:
        labels = dict(ExchangeConnection.Status.choices)
        return [(status, labels[status], count) for status, count in self.connections.items()]

    @property
    def failing(self) -> bool:
        return self.runs.get(SyncRun.Status.FAILED, 0) > 0 or self.pause != "No"


def _pause_in_words(pause: ExchangePause, now: datetime) -> str:
    streak = f"{pause.consecutive_maintenance} maintenance answers in a row"
    if pause.consecutive_maintenance < MAINTENANCE_PAUSE_AFTER:
        return f"No ({streak})"
    if pause.paused_until and pause.paused_until > now:
        return f"Paused until {pause.paused_until:%H:%M} UTC ({streak}; probed with one sync)"
    return f"Probing with one sync ({streak})"


def exchange_health_list(*, now: datetime) -> list[ExchangeHealth]:
    """Every exchange's health at `now`, in the order of Exchange."""
    # Cross-tenant by design: these are counts over every workspace, for Thrive's staff.
    health = {value: ExchangeHealth(value, label) for value, label in Exchange.choices}
    recent = SyncRun.objects.filter(created_at__gte=now - RECENT)
    for row in recent.values("connection__exchange", "status").annotate(count=Count("pk")):
        health[row["connection__exchange"]].runs[row["status"]] = row["count"]
    for row in recent.values("connection__exchange").annotate(requests=Sum("requests_made")):
        health[row["connection__exchange"]].requests_last_hour = row["requests"] or 0
    for pause in ExchangePause.objects.filter(exchange__in=list(health)):
        health[pause.exchange].pause = _pause_in_words(pause, now)
    errors: dict[str, Counter[str]] = defaultdict(Counter)
    failed = SyncRun.objects.filter(created_at__gte=now - ERRORS_OVER).exclude(error_code="")
    for row in failed.values("connection__exchange", "error_code").annotate(count=Count("pk")):
        errors[row["connection__exchange"]][row["error_code"]] += row["count"]
    for exchange, counter in errors.items():
        health[exchange].top_errors = counter.most_common(TOP_ERRORS)
    by_status = ExchangeConnection.objects.values("exchange", "status").annotate(count=Count("pk"))
    for row in by_status:
        health[row["exchange"]].connections[row["status"]] = row["count"]
    for bucket, (tokens, at) in sorted(budget_levels().items()):
        # Buckets are named by ccxt id ("binanceusdm", "krakenfutures:checks"): ours is the
        # longest exchange id it starts with.
        owner = max((e for e in health if bucket.startswith(e)), key=len, default=None)
        if owner is not None:
            health[owner].budgets.append((bucket, tokens, at))
    return list(health.values())


def exchange_health_view(request: HttpRequest) -> HttpResponse:
    """The admin page; linked from the admin index for whoever may read connections and runs."""
    from django.contrib import admin

    if not (
        request.user.has_perm("connections.view_exchangeconnection")
        and request.user.has_perm("sync.view_syncrun")
    ):
        raise PermissionDenied
    now = timezone.now()
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": "Exchange health",
        "now": now,
        "exchanges": exchange_health_list(now=now),
        "runs_url": reverse("admin:sync_syncrun_changelist"),
        "connections_url": reverse("admin:connections_exchangeconnection_changelist"),
    }
    return TemplateResponse(request, "admin/connections/exchange_health.html", context)

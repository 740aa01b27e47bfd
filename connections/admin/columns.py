"""The connections list's computed columns and its "stale" filter, as subqueries: a page of
the list costs the same few queries however many connections and syncs there are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from sync.models import SyncRun
from sync.schedule import TRADES_EVERY
from thrive.models import Membership

from ..models import ExchangeConnection

Status = ExchangeConnection.Status
# A connection is stale when no sync has succeeded for two cycles of the trades schedule.
STALE_AFTER = 2 * TRADES_EVERY
FINISHED = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


def stale(queryset: QuerySet[ExchangeConnection], *, now: datetime) -> QuerySet:
    """Live connections older than two cycles with no successful sync within them."""
    cutoff = now - STALE_AFTER
    succeeded = SyncRun.objects.filter(
        connection=OuterRef("pk"), status=SyncRun.Status.SUCCEEDED, finished_at__gte=cutoff
    )
    return (
        queryset.exclude(status=Status.DISCONNECTED)
        .filter(created_at__lt=cutoff)
        .exclude(Exists(succeeded))
    )


def with_support_columns(queryset: QuerySet[ExchangeConnection]) -> QuerySet:
    """The list's computed columns as subqueries: one query for a page, however many rows."""
    owner_email = (
        Membership.objects.filter(workspace=OuterRef("workspace"), role=Membership.Role.OWNER)
        .order_by("created_at", "pk")
        .values("user__email")[:1]
    )
    # Failed runs since the last run that succeeded, even partly.
    worked_later = SyncRun.objects.filter(
        connection=OuterRef("connection"),
        pk__gt=OuterRef("pk"),
        status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL],
    )
    failures = (
        SyncRun.objects.filter(connection=OuterRef("pk"), status=SyncRun.Status.FAILED)
        .exclude(Exists(worked_later))
        .order_by()
        .values("connection")
        .annotate(count=Count("pk"))
        .values("count")
    )
    last_error = (
        SyncRun.objects.filter(connection=OuterRef("pk"), status__in=FINISHED)
        .order_by("-pk")
        .values("error_code")[:1]
    )
    return queryset.annotate(
        owner_email=Subquery(owner_email),
        consecutive_failures=Coalesce(Subquery(failures, output_field=IntegerField()), 0),
        last_error_code=Subquery(last_error),
    )


class StaleFilter(admin.SimpleListFilter):
    title = "stale"
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        minutes = int(STALE_AFTER.total_seconds() // 60)
        return [("yes", f"No successful sync for {minutes} minutes")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value() == "yes":
            return stale(queryset, now=timezone.now())
        return None

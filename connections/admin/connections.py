"""Connections in the support console: a list to find the failing ones, a page that says why,
and the actions that fix them. Fields are read-only for everyone; connections change only
through the services the actions call, and each action is on the connection's audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from sync.models import SyncCursor, SyncRun
from sync.runner import SEARCH
from sync.selectors import account_parts_in_words, stream_walks_completed

from ..models import AuditEvent, ExchangeConnection
from ..services import (
    ConnectionRefused,
    audit_record,
    connection_permissions_recheck,
    connection_schedules_pause,
    connection_schedules_resume,
    connection_streams_reimport,
    connection_support_sync,
    schedules_paused,
)
from .columns import StaleFilter, with_support_columns
from .forms import ReimportForm
from .health import exchange_health_view
from .readonly import ReadOnlyAdmin
from .runs import run_notes, stream_outcomes

Status = ExchangeConnection.Status
RECENT_RUNS = 20
RECENT_EVENTS = 50


def _moment(value: datetime | None) -> str:
    """A list cell's time, short: "7 Dec 14:05" (UTC, as the admin shows every time)."""
    return "never" if value is None else f"{value:%-d %b %H:%M}"


def _badge(kind: str, value: str, label: str) -> str:
    return format_html('<span class="support-badge {}-{}">{}</span>', kind, value, label)


@admin.register(ExchangeConnection)
class ExchangeConnectionAdmin(ReadOnlyAdmin):
    list_display = (
        "workspace_and_owner",
        "connection",
        "status_badge",
        "access_badge",
        "last_error_code",
        "consecutive_failures",
        "last_synced",
    )
    list_display_links = ("connection",)
    list_filter = ("exchange", "status", "workspace__plan", StaleFilter)
    search_fields = (
        "workspace__name",
        "workspace__memberships__user__email",
        "label",
        "api_key_hint",
        "public_id",
    )
    list_select_related = ("workspace",)
    actions = (
        "sync_trades",
        "sync_balances",
        "sync_full",
        "recheck_permissions",
        "pause_schedules",
        "resume_schedules",
        "reimport_streams",
    )
    # The fingerprint and the account's identity are not secrets, but of no use on screen; the
    # parts the key reads are shown in words (account_parts), not as the sync's raw record.
    fieldsets = (
        (
            "Connection",
            {
                "fields": (
                    "workspace",
                    "owner_email",
                    "exchange",
                    "label",
                    "portfolio",
                    "api_key_hint",
                    "exchange_account_id",
                    "has_futures_key",
                    "public_id",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "disconnected_at",
                )
            },
        ),
        (
            "State",
            {
                "fields": (
                    "status",
                    "status_message",
                    "last_error_code",
                    "consecutive_failures",
                    "access",
                    "permissions",
                    "permissions_checked_at",
                    "key_expires_at",
                    "withdrawals_acknowledged_at",
                    "account_parts",
                )
            },
        ),
        (
            "Schedule (the sync engine's; change it with the actions above)",
            {
                "fields": (
                    "schedule",
                    "last_trades_sync_at",
                    "last_balances_sync_at",
                    "next_trades_sync_at",
                    "next_balances_sync_at",
                    "sync_requested_until",
                    "sync_lease_token",
                    "sync_lease_until",
                )
            },
        ),
    )
    readonly_fields = tuple(name for _, options in fieldsets for name in options["fields"])

    class Media:
        css = {"all": ["connections/support.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_support_columns(super().get_queryset(request))

    @admin.display(description="Owner", ordering="owner_email")
    def owner_email(self, connection: ExchangeConnection) -> str:
        return getattr(connection, "owner_email", None) or "—"

    @admin.display(description="Workspace and owner", ordering="workspace__name")
    def workspace_and_owner(self, connection: ExchangeConnection) -> str:
        return format_html(
            '{}<span class="support-owner">{}</span>',
            connection.workspace,
            self.owner_email(connection),
        )

    @admin.display(description="Exchange · label", ordering="exchange")
    def connection(self, connection: ExchangeConnection) -> str:
        return str(connection)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, connection: ExchangeConnection) -> str:
        return _badge("status", connection.status, connection.get_status_display())

    @admin.display(description="Permissions", ordering="access")
    def access_badge(self, connection: ExchangeConnection) -> str:
        if not connection.access:
            return "—"
        return _badge("access", connection.access, connection.get_access_display())

    @admin.display(description="Last synced (UTC)", ordering="last_trades_sync_at")
    def last_synced(self, connection: ExchangeConnection) -> str:
        return format_html(
            '<span class="support-when">Trades {}</span> <span class="support-when">'
            "Balances {}</span>",
            _moment(connection.last_trades_sync_at),
            _moment(connection.last_balances_sync_at),
        )

    @admin.display(description="Failed in a row", ordering="consecutive_failures")
    def consecutive_failures(self, connection: ExchangeConnection) -> int:
        return getattr(connection, "consecutive_failures", 0)

    @admin.display(description="Last error", ordering="last_error_code")
    def last_error_code(self, connection: ExchangeConnection) -> str:
        code = getattr(connection, "last_error_code", None)
        return format_html('<code class="support-code">{}</code>', code) if code else "—"

    @admin.display(description="Account parts the key can see")
    def account_parts(self, connection: ExchangeConnection) -> str:
        if not connection.capabilities:
            return "Not checked yet"
        return "; ".join(account_parts_in_words(connection=connection).sentences)

    @admin.display(description="Scheduled syncs")
    def schedule(self, connection: ExchangeConnection) -> str:
        if connection.is_disconnected:
            return "None: disconnected"
        if connection.status == Status.NEEDS_ATTENTION:
            return "Stopped until a sync works again (needs attention)"
        if schedules_paused(connection):
            return "Paused by support"
        return "On schedule"

    def has_support_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("connections.run_support_actions")

    # -- pages ------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("health/", wrap(exchange_health_view), name="exchange-health"),
            path(
                "<path:object_id>/support/<slug:action>/",
                wrap(require_POST(self.support_action_view)),
                name="connections_exchangeconnection_support",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        connection = self.get_object(request, object_id)
        if connection is None or not self.has_view_permission(request, connection):
            return super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET":
            audit_record(
                workspace=connection.workspace,
                actor=request.user,
                action=AuditEvent.Action.STAFF_VIEWED,
                connection=connection,
            )
        context = {**(extra_context or {}), **self._history(connection)}
        context["can_act"] = self.has_support_permission(request)
        context["action_buttons"] = [
            ("sync-trades", "Sync trades"),
            ("sync-balances", "Sync balances"),
            ("sync-full", "Full sync"),
            ("recheck", "Re-check permissions"),
            ("resume", "Resume scheduled syncs")
            if schedules_paused(connection)
            else ("pause", "Pause scheduled syncs"),
        ]
        context["reimport_form"] = ReimportForm(
            streams=[item["cursor"].stream for item in context["cursors"]]
        )
        return super().change_view(request, object_id, form_url, context)

    def _history(self, connection: ExchangeConnection) -> dict[str, Any]:
        """The detail page's read-only sections: recent runs, cursors and the audit trail."""
        runs = list(SyncRun.objects.filter(connection=connection)[:RECENT_RUNS])
        completed = stream_walks_completed(connection=connection)
        cursors = (
            SyncCursor.objects.filter(connection=connection)
            .exclude(stream__startswith=SEARCH)
            .order_by("stream")
        )
        events = AuditEvent.objects.filter(connection=connection).select_related("actor")
        return {
            "runs": [
                {"run": run, "streams": stream_outcomes(run), "notes": run_notes(run)}
                for run in runs
            ],
            "cursors": [
                {"cursor": cursor, "completed": completed.get(cursor.stream)} for cursor in cursors
            ],
            "events": events[:RECENT_EVENTS],
            "runs_url": reverse("admin:sync_syncrun_changelist")
            + f"?connection__id__exact={connection.pk}",
            "events_url": reverse("admin:connections_auditevent_changelist")
            + f"?connection__id__exact={connection.pk}",
        }

    def support_action_view(self, request: HttpRequest, object_id: str, action: str) -> Any:
        """The detail page's action buttons: one POST each, then back to the page."""
        if not self.has_support_permission(request):
            raise PermissionDenied
        connection = self.get_object(request, object_id)
        if connection is None:
            raise Http404("No such connection.")
        single = self._single_actions(request)
        if action == "reimport":
            self._reimport_one(request, connection)
        elif action in single:
            done, run = single[action]
            self._act(request, connection, run, done)
        else:
            raise Http404("No such action.")
        return HttpResponseRedirect(
            reverse("admin:connections_exchangeconnection_change", args=[connection.pk])
        )

    def _single_actions(
        self, request: HttpRequest
    ) -> dict[str, tuple[str, Callable[[ExchangeConnection], Any]]]:
        """Action name → (what it did, in words; the service call)."""
        user = request.user

        def sync(kind: str) -> Callable[[ExchangeConnection], Any]:
            return lambda c: connection_support_sync(connection=c, actor=user, kind=kind)

        return {
            "sync-trades": ("trades sync queued", sync(SyncRun.Kind.TRADES)),
            "sync-balances": ("balances sync queued", sync(SyncRun.Kind.BALANCES)),
            "sync-full": ("full sync queued", sync(SyncRun.Kind.FULL)),
            "recheck": (
                "permission check queued (a balances sync)",
                lambda c: connection_permissions_recheck(connection=c, actor=user),
            ),
            "pause": (
                "scheduled syncs paused until resumed or a sync is asked for",
                lambda c: connection_schedules_pause(connection=c, actor=user),
            ),
            "resume": (
                "back on its schedule",
                lambda c: connection_schedules_resume(connection=c, actor=user),
            ),
        }

    def _act(
        self,
        request: HttpRequest,
        connection: ExchangeConnection,
        run: Callable[[ExchangeConnection], Any],
        done: str,
    ) -> bool:
        try:
            run(connection)
        except ConnectionRefused as refused:
            self.message_user(request, refused.message, messages.WARNING)
            return False
        self.message_user(request, f"{connection}: {done}.", messages.SUCCESS)
        return True

    def _reimport_one(self, request: HttpRequest, connection: ExchangeConnection) -> None:
        streams = list(
            SyncCursor.objects.filter(connection=connection)
            .exclude(stream__startswith=SEARCH)
            .values_list("stream", flat=True)
        )
        form = ReimportForm(request.POST, streams=streams)
        if not form.is_valid():
            errors = "; ".join(error for errors in form.errors.values() for error in errors)
            self.message_user(request, f"Nothing re-imported: {errors}", messages.ERROR)
            return
        self._reimport(request, connection, form)

    def _reimport(
        self, request: HttpRequest, connection: ExchangeConnection, form: ReimportForm
    ) -> None:
        try:
            result = connection_streams_reimport(
                connection=connection,
                actor=request.user,
                since=form.since_moment(),
                streams=form.chosen_streams(),
            )
        except ConnectionRefused as refused:
            self.message_user(request, refused.message, messages.WARNING)
            return
        self.message_user(
            request,
            f"{connection}: {', '.join(result.streams)} re-imported from "
            f"{form.cleaned_data['since']:%d %b %Y} by a trades sync now queued.",
            messages.SUCCESS,
        )
        for reason in result.skipped:
            self.message_user(request, reason, messages.WARNING)

    # -- the list's actions -----------------------------------------------------------------

    def _each(self, request: HttpRequest, queryset: QuerySet, action: str) -> None:
        done, run = self._single_actions(request)[action]
        for connection in queryset:
            self._act(request, connection, run, done)

    @admin.action(description="Sync now: trades", permissions=["support"])
    def sync_trades(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, "sync-trades")

    @admin.action(description="Sync now: balances", permissions=["support"])
    def sync_balances(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, "sync-balances")

    @admin.action(description="Sync now: full (balances and trades)", permissions=["support"])
    def sync_full(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, "sync-full")

    @admin.action(description="Re-check permissions", permissions=["support"])
    def recheck_permissions(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, "recheck")

    @admin.action(description="Pause scheduled syncs", permissions=["support"])
    def pause_schedules(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, "pause")

    @admin.action(description="Resume scheduled syncs", permissions=["support"])
    def resume_schedules(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, "resume")

    @admin.action(description="Re-import every stream from a date…", permissions=["support"])
    def reimport_streams(self, request: HttpRequest, queryset: QuerySet) -> Any:
        """Asks for the date first (a page of its own), then rewinds each connection."""
        form = ReimportForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for connection in queryset:
                self._reimport(request, connection, form)
            return None
        return TemplateResponse(
            request,
            "admin/connections/exchangeconnection/reimport.html",
            {
                **self.admin_site.each_context(request),
                "title": "Re-import trades from a date",
                "opts": self.model._meta,
                "connections": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

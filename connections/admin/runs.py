"""Sync history for support: each SyncRun with what every stream and part of the account did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from sync.models import SyncRun

from ..models import AuditEvent
from ..services import audit_record
from .readonly import ReadOnlyAdmin


@dataclass(frozen=True)
class StreamOutcome:
    stream: str
    fetched: int
    inserted: int
    error: str


def stream_outcomes(run: SyncRun) -> list[StreamOutcome]:
    """What each stream of trades did in the run: pages walked, rows new, or its error code."""
    return [
        StreamOutcome(
            stream=name,
            fetched=int(entry.get("fetched", 0)),
            inserted=int(entry.get("inserted", 0)),
            error=str(entry.get("error", "")),
        )
        for name, entry in sorted(run.progress.items())
        if isinstance(entry, dict) and "before" in entry
    ]


def run_notes(run: SyncRun) -> list[str]:
    """The run's other outcomes in words: balances read, parts missed or kept, prices, and
    each optional part of the account that did not answer as available."""
    progress = run.progress
    notes = []
    if isinstance(balances := progress.get("balances"), dict):
        notes.append(
            f"Balances read: {balances.get('assets', 0)} assets, "
            f"{balances.get('positions', 0)} open positions"
        )
    for part, code in (progress.get("missed") or {}).items():
        notes.append(f"Not updated this time: {part} ({code})")
    for part, code in (progress.get("kept") or {}).items():
        notes.append(f"Last {part} kept ({code})")
    if progress.get("prices"):
        notes.append(f"Prices not read ({progress['prices']})")
    for entry in run.parts.values():
        if entry.get("availability") != "available":
            code = entry.get("error_code") or entry.get("exchange_code") or ""
            notes.append(
                f"{entry.get('label', '?')}: {entry.get('availability', '?')}"
                + (f" ({code})" if code else "")
            )
    return notes


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "connection_link",
        "workspace",
        "kind",
        "trigger",
        "status",
        "requests_made",
        "trades_inserted",
        "error_code",
    )
    list_filter = ("status", "kind", "trigger", "connection__exchange")
    search_fields = ("connection__label", "workspace__name", "error_code")
    list_select_related = ("connection", "workspace")
    fields = (
        "connection_link",
        "workspace",
        "kind",
        "trigger",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "requests_made",
        "trades_fetched",
        "trades_inserted",
        "trades_existing",
        "error_code",
        "message",
        "streams",
        "notes",
    )
    readonly_fields = fields

    @admin.display(description="Connection", ordering="connection__label")
    def connection_link(self, run: SyncRun) -> str:
        url = reverse("admin:connections_exchangeconnection_change", args=[run.connection_id])
        return format_html('<a href="{}">{}</a>', url, run.connection)

    @admin.display(description="Streams of trades")
    def streams(self, run: SyncRun) -> str:
        outcomes = stream_outcomes(run)
        if not outcomes:
            return "None walked"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((item.stream, item.fetched, item.inserted, item.error or "ok") for item in outcomes),
        )
        return format_html(
            '<table class="support-table"><thead><tr><th>Stream</th><th>Fetched</th>'
            "<th>New</th><th>Outcome</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="Other outcomes")
    def notes(self, run: SyncRun) -> str:
        return "; ".join(run_notes(run)) or "—"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Cross-tenant by design: a run belongs to a connection of any workspace, and looking
        # at it is looking at that connection.
        run = self.get_object(request, object_id)
        if run is not None and request.method == "GET" and self.has_view_permission(request, run):
            audit_record(
                workspace=run.workspace,
                actor=request.user,
                action=AuditEvent.Action.STAFF_VIEWED,
                connection=run.connection,
                sync_run=run.pk,
            )
        return super().change_view(request, object_id, form_url, extra_context)

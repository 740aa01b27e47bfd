"""The audit trail, read-only: nothing here adds, changes or deletes an event."""

from __future__ import annotations

from django.contrib import admin

from ..models import AuditEvent
from .readonly import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "workspace", "connection", "actor")
    list_filter = ("action",)
    search_fields = ("workspace__name", "connection__label", "actor__email")
    list_select_related = ("workspace", "connection", "actor")

"""The support console's view of connections: states and history, never a secret.

Every time staff open a connection here, an audit event records it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from sync.selectors import account_parts_in_words

from .models import AuditEvent, ExchangeConnection
from .services import audit_record


@admin.register(ExchangeConnection)
class ExchangeConnectionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "workspace", "status", "access", "api_key_hint", "updated_at")
    list_filter = ("exchange", "status", "access")
    search_fields = ("label", "workspace__name", "public_id")
    # The fingerprint is not a secret, but nobody needs it on screen either; the parts the key
    # reads are shown in words (account_parts) and are the sync's to write, not staff's. The
    # account's identity holds the fingerprint where the exchange names no account.
    exclude = ("api_key_fingerprint", "capabilities", "account_ref", "sync_requested_until")
    readonly_fields = (
        "workspace",
        "public_id",
        "exchange",
        "portfolio",
        "api_key_hint",
        "exchange_account_id",
        "has_futures_key",
        "access",
        "permissions",
        "permissions_checked_at",
        "account_parts",
        "key_expires_at",
        "withdrawals_acknowledged_at",
        "created_by",
        "created_at",
        "updated_at",
        "disconnected_at",
        "last_trades_sync_at",
        "last_balances_sync_at",
    )
    list_select_related = ("workspace",)

    @admin.display(description="Account parts the key can see")
    def account_parts(self, connection: ExchangeConnection) -> str:
        if not connection.capabilities:
            return "Not checked yet"
        return "; ".join(account_parts_in_words(connection=connection).sentences)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Cross-tenant by design: the support console sees every workspace, and says so.
        connection = ExchangeConnection.objects.filter(pk=object_id).first()
        if connection is not None and request.method == "GET":
            audit_record(
                workspace=connection.workspace,
                actor=request.user,
                action=AuditEvent.Action.STAFF_VIEWED,
                connection=connection,
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "workspace", "connection", "actor")
    list_filter = ("action",)
    list_select_related = ("workspace", "connection", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

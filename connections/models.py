"""Exchange connections, their encrypted credentials, and the audit trail of what happened."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from thrive.tenancy import TenantQuerySet


class Exchange(models.TextChoices):
    BINANCE = "binance", "Binance"
    BYBIT = "bybit", "Bybit"
    OKX = "okx", "OKX"
    BITGET = "bitget", "Bitget"
    COINBASE = "coinbase", "Coinbase Advanced"
    KRAKEN = "kraken", "Kraken"
    KUCOIN = "kucoin", "KuCoin"
    MEXC = "mexc", "MEXC"
    GATE = "gate", "Gate"


class ExchangeConnection(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the first sync"
        SYNCING = "syncing", "Syncing"
        CONNECTED = "connected", "Connected"
        WARNING = "warning", "Warning"
        MAINTENANCE = "maintenance", "Exchange maintenance"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        DISCONNECTED = "disconnected", "Disconnected"

    class Access(models.TextChoices):
        READ_ONLY = "read_only", "Verified read-only"
        TRADE = "trade", "Trade enabled"
        WITHDRAW = "withdraw", "Withdrawals enabled"
        UNVERIFIABLE = "unverifiable", "Permissions can't be verified on this exchange"
        NO_READ = "no_read", "Read permission missing"

    workspace = models.ForeignKey(
        "thrive.Workspace", on_delete=models.CASCADE, related_name="connections"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exchange = models.CharField(max_length=16, choices=Exchange.choices)
    label = models.CharField(max_length=80)
    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.PROTECT, related_name="connections"
    )
    # What the UI may show of a key: its last four characters, nothing else.
    api_key_hint = models.CharField(max_length=4)
    # HMAC of the API key under a server secret: finds "the same key twice" without storing it.
    api_key_fingerprint = models.CharField(max_length=64)
    has_futures_key = models.BooleanField(default=False)
    # Which exchange account the key belongs to, as the exchange names it (Binance uid, Bybit
    # userID…), read at connect time; blank where the exchange names none.
    exchange_account_id = models.CharField(max_length=96, blank=True)
    # The account's identity in the workspace: "id:<exchange account id>", or "key:<fingerprint>"
    # where the exchange names none. A fill belongs to the account, not to the connection.
    account_ref = models.CharField(max_length=100)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    status_message = models.CharField(max_length=300, blank=True)
    access = models.CharField(max_length=16, choices=Access.choices, blank=True)
    permissions = models.JSONField(default=dict, blank=True)
    permissions_checked_at = models.DateTimeField(null=True, blank=True)
    # Which optional parts of the account (margin, futures, earn…) the key can see, as the
    # connect-time check and the last balance sync found (sync.exchanges.capabilities).
    capabilities = models.JSONField(default=dict, blank=True)
    key_expires_at = models.DateTimeField(null=True, blank=True)
    withdrawals_acknowledged_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    # The sync engine's schedule and progress.
    last_trades_sync_at = models.DateTimeField(null=True, blank=True)
    last_balances_sync_at = models.DateTimeField(null=True, blank=True)
    next_trades_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_balances_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set by support: the dispatcher leaves the connection alone until resumed, whatever syncs
    # a person asks for meanwhile.
    schedules_paused_at = models.DateTimeField(null=True, blank=True)
    # One sync at a time: a lease claimed with a conditional UPDATE; its token fences every
    # commit, so a sync whose lease was taken over cannot write anything more.
    sync_lease_token = models.UUIDField(null=True, blank=True)
    sync_lease_until = models.DateTimeField(null=True, blank=True)
    # A person's "Sync now" waiting in the queue (sync.lease.sync_request).
    sync_requested_until = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["exchange", "label", "pk"]
        # Support changes a connection only through the console's actions, never its fields.
        permissions = [("run_support_actions", "Can sync, re-check, pause and re-import")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "exchange", "api_key_fingerprint"],
                condition=~Q(status="disconnected"),
                name="connection_unique_live_key",
            ),
            models.UniqueConstraint(
                fields=["workspace", "exchange", "account_ref"],
                condition=~Q(status="disconnected"),
                name="connection_unique_live_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_exchange_display()} · {self.label}"

    @property
    def is_disconnected(self) -> bool:
        return self.status == self.Status.DISCONNECTED

    @property
    def account_named_by_exchange(self) -> bool:
        return bool(self.exchange_account_id)


class Credential(models.Model):
    """The encrypted envelope of one connection's key, and nothing else (see vault.py)."""

    connection = models.OneToOneField(
        ExchangeConnection, on_delete=models.CASCADE, primary_key=True, related_name="credential"
    )
    envelope = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"credential of connection {self.connection_id}"


class AppendOnlyQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit events are append-only.")

    def delete(self) -> Any:
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """What happened to a credential, who did it, and when. Never updated, never deleted."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        TESTED = "tested", "Tested"
        REPLACED = "replaced", "Replaced"
        PERMISSIONS_CHECKED = "permissions_checked", "Permissions checked"
        DISCONNECTED = "disconnected", "Disconnected"
        RECONNECTED = "reconnected", "Reconnected"
        MOVED = "moved", "Moved to another portfolio"
        # Support's actions: the connection's History reads "<label> by Thrive support" (a
        # view: "Thrive support viewed this connection").
        STAFF_VIEWED = "staff_viewed", "Viewed"
        SYNC_REQUESTED = "sync_requested", "Sync requested"
        PERMISSIONS_RECHECK = "permissions_recheck", "Permission check requested"
        SCHEDULES_PAUSED = "schedules_paused", "Scheduled syncs paused"
        SCHEDULES_RESUMED = "schedules_resumed", "Scheduled syncs resumed"
        REIMPORT_REQUESTED = "reimport_requested", "Re-import requested"

    workspace = models.ForeignKey(
        "thrive.Workspace", on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    connection = models.ForeignKey(
        ExchangeConnection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Audit events are append-only.")

"""Sync history and progress: one SyncRun per sync, one SyncCursor per stream of trades."""

from __future__ import annotations

from django.db import models

from thrive.tenancy import TenantQuerySet


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        TRADES = "trades", "Trades"
        BALANCES = "balances", "Balances and positions"
        FULL = "full", "Full"
        INITIAL = "initial", "Initial import"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Sync now"
        INITIAL = "initial", "New connection"
        RETRY = "retry", "Retry"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly succeeded"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey("thrive.Workspace", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(
        "connections.ExchangeConnection", on_delete=models.CASCADE, related_name="sync_runs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requests_made = models.PositiveIntegerField(default=0)
    trades_fetched = models.PositiveIntegerField(default=0)
    trades_inserted = models.PositiveIntegerField(default=0)
    trades_existing = models.PositiveIntegerField(default=0)
    # Per stream: {"spot:BTC/USDT": {"before": {...}, "after": {...}, "fetched": n}}.
    progress = models.JSONField(default=dict, blank=True)
    # What each optional part of the account answered in this run (capabilities.PartLog).
    parts = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["connection", "-created_at"], name="syncrun_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sync {self.get_status_display().lower()}"


class SyncCursor(models.Model):
    """How far one stream of trades has been imported; advanced with the rows it covers."""

    connection = models.ForeignKey(
        "connections.ExchangeConnection", on_delete=models.CASCADE, related_name="sync_cursors"
    )
    stream = models.CharField(max_length=96)
    position = models.JSONField(default=dict)
    # The oldest moment the exchange's API lets this stream reach (retention limits).
    reaches_back_to = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "stream"], name="cursor_unique_stream")
        ]

    def __str__(self) -> str:
        return f"{self.stream} of connection {self.connection_id}"


class ExchangePause(models.Model):
    """An exchange that keeps answering "maintenance": the dispatcher probes it with one
    connection at a time until it answers, instead of spending every user's retries."""

    exchange = models.CharField(max_length=16, primary_key=True)
    consecutive_maintenance = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.exchange} paused until {self.paused_until}"


class RequestBudget(models.Model):
    """The shared token bucket of one exchange when Redis is not configured (see budget.py)."""

    exchange = models.CharField(max_length=24, primary_key=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.exchange}: {self.tokens:.1f} tokens"

"""The trade journal: every fill exactly once, whatever brought it in, and the ledger of what
is not a fill (deposits, rewards, transfers…)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from thrive.tenancy import TenantQuerySet

AMOUNT = {"max_digits": 36, "decimal_places": 18}


class Source(models.TextChoices):
    API = "api", "API"
    CSV = "csv", "CSV"
    MANUAL = "manual", "Manual"


class ImportBatch(models.Model):
    """One uploaded file, imported all or nothing, and undone as a whole."""

    workspace = models.ForeignKey("thrive.Workspace", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.PROTECT, related_name="import_batches"
    )
    # The connection whose exchange account the file belongs to, if the person said so: its
    # fills then share the API's identity and meet it in the trade identity constraint.
    connection = models.ForeignKey(
        "connections.ExchangeConnection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    exchange = models.CharField(max_length=16)
    file_format = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    timezone = models.CharField(max_length=64, default="UTC")
    rows_in_file = models.PositiveIntegerField(default=0)
    trades_imported = models.PositiveIntegerField(default=0)
    entries_imported = models.PositiveIntegerField(default=0)
    rows_already_there = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.file_format})"


class Trade(models.Model):
    Source = Source

    class Side(models.TextChoices):
        BUY = "buy", "Buy"
        SELL = "sell", "Sell"

    # Both foreign keys below are the leading column of an index further down already; their
    # own indexes would only slow the bulk import down.
    workspace = models.ForeignKey(
        "thrive.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.PROTECT, related_name="trades"
    )
    # Kept when the connection is disconnected (the connection row stays, with its history).
    connection = models.ForeignKey(
        "connections.ExchangeConnection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trades",
        db_index=False,
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    exchange = models.CharField(max_length=16)
    # The exchange account the fill belongs to (connections' `account_ref`), whichever
    # connection or key brought it in: a reconnected account's fills are not listed twice.
    account_ref = models.CharField(max_length=100, default="")
    # The exchange account inside a connection: "main", or a sub-account's id.
    account = models.CharField(max_length=64, default="main")
    market_type = models.CharField(max_length=16)
    symbol = models.CharField(max_length=64)
    base = models.CharField(max_length=24)
    quote = models.CharField(max_length=24)
    settle = models.CharField(max_length=24, blank=True)
    side = models.CharField(max_length=4, choices=Side.choices)
    price = models.DecimalField(**AMOUNT)
    amount = models.DecimalField(**AMOUNT)
    cost = models.DecimalField(**AMOUNT)
    fee = models.DecimalField(**AMOUNT, null=True, blank=True)
    fee_currency = models.CharField(max_length=24, blank=True)
    executed_at = models.DateTimeField()
    exchange_trade_id = models.CharField(max_length=96)
    order_id = models.CharField(max_length=96, blank=True)
    taker_or_maker = models.CharField(max_length=8, blank=True)
    realized_pnl = models.DecimalField(**AMOUNT, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="trades"
    )
    note = models.TextField(blank=True)
    # Set when the person changed the row: a later sync never overwrites it.
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleting keeps a tombstone: the identity constraint then stops a later sync from
    # bringing the fill back. Every read leaves these rows out.
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-executed_at", "-pk"]
        constraints = [
            # A trade's identity. Binance and others number fills per symbol and per market,
            # so the id alone is not unique within an account. Re-imports hit this and vanish,
            # whichever connection of the account brings them.
            models.UniqueConstraint(
                fields=[
                    "workspace",
                    "exchange",
                    "account_ref",
                    "account",
                    "market_type",
                    "symbol",
                    "exchange_trade_id",
                ],
                name="trade_identity",
            ),
        ]
        indexes = [
            # Newest first, with the id breaking ties: the journal's keyset pages, unfiltered,
            # by market and by connection.
            models.Index(fields=["workspace", "-executed_at", "-id"], name="trade_ws_time"),
            models.Index(
                fields=["workspace", "symbol", "-executed_at", "-id"], name="trade_ws_symbol_time"
            ),
            models.Index(fields=["connection", "-executed_at", "-id"], name="trade_conn_time"),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.amount} {self.symbol} @ {self.price}"


class LedgerEntry(models.Model):
    """What moves an account's assets without being a fill."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "Deposit"
        WITHDRAWAL = "withdrawal", "Withdrawal"
        TRANSFER = "transfer", "Transfer between own accounts"
        REWARD = "reward", "Staking / earn reward"
        AIRDROP = "airdrop", "Airdrop"
        FEE = "fee", "Fee"
        INTEREST = "interest", "Interest"
        FUNDING = "funding", "Funding fee"

    workspace = models.ForeignKey(
        "thrive.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    connection = models.ForeignKey(
        "connections.ExchangeConnection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Where it happened: an exchange id, or blank for a wallet or place outside the exchanges.
    exchange = models.CharField(max_length=16, blank=True)
    account_ref = models.CharField(max_length=100, blank=True)
    account = models.CharField(max_length=64, default="main")
    asset = models.CharField(max_length=24)
    # Signed as it moves the account: a deposit or reward is positive, a withdrawal or a fee
    # negative. A transfer is one entry on each side, or one with `counterparty` named.
    amount = models.DecimalField(**AMOUNT)
    fee = models.DecimalField(**AMOUNT, null=True, blank=True)
    fee_currency = models.CharField(max_length=24, blank=True)
    counterparty = models.CharField(max_length=120, blank=True)
    occurred_at = models.DateTimeField()
    # The exchange's own id of the entry where it has one (ledger id, transaction hash).
    external_id = models.CharField(max_length=128, blank=True)
    note = models.TextField(blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "exchange", "account_ref", "kind", "external_id"],
                condition=~models.Q(external_id=""),
                name="ledger_identity",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-occurred_at", "-id"], name="ledger_ws_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.asset}"

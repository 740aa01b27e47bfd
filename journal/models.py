"""The trade journal: every fill exactly once, whatever brought it in."""

from __future__ import annotations

from django.db import models

from thrive.tenancy import TenantQuerySet

AMOUNT = {"max_digits": 36, "decimal_places": 18}


class Trade(models.Model):
    class Source(models.TextChoices):
        API = "api", "Exchange API"
        CSV = "csv", "CSV import"
        MANUAL = "manual", "Manual"

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
            models.Index(fields=["workspace", "-executed_at"], name="trade_ws_time"),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.amount} {self.symbol} @ {self.price}"

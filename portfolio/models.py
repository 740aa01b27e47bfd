"""Portfolios, and the balances and positions that flow into them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from thrive.tenancy import TenantQuerySet

AMOUNT = {"max_digits": 36, "decimal_places": 18}


class Portfolio(models.Model):
    workspace = models.ForeignKey(
        "thrive.Workspace", on_delete=models.CASCADE, related_name="portfolios"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # An archived portfolio keeps its history but takes no connection and leaves the switcher.
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="portfolio_unique_name"),
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(is_default=True), name="portfolio_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BalanceSnapshot(models.Model):
    """One asset in one account type at one time. The newest set per connection is `is_latest`;
    the older ones are the history that charts draw."""

    workspace = models.ForeignKey("thrive.Workspace", on_delete=models.CASCADE, related_name="+")
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="balances")
    connection = models.ForeignKey(
        "connections.ExchangeConnection",
        null=True,
        on_delete=models.SET_NULL,
        related_name="balances",
    )
    account = models.CharField(max_length=64, default="main")
    account_type = models.CharField(max_length=24)
    asset = models.CharField(max_length=24)
    free = models.DecimalField(**AMOUNT, null=True)
    used = models.DecimalField(**AMOUNT, null=True)
    total = models.DecimalField(**AMOUNT)
    # The asset's price and the balance's value in US dollars when it was read (None: no
    # price known then); net value over time adds these up.
    price_usd = models.DecimalField(**AMOUNT, null=True, blank=True)
    value_usd = models.DecimalField(**AMOUNT, null=True, blank=True)
    as_of = models.DateTimeField()
    is_latest = models.BooleanField(default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["account", "account_type", "asset"]
        indexes = [
            models.Index(fields=["connection", "is_latest"], name="balance_latest"),
            models.Index(fields=["portfolio", "asset", "as_of"], name="balance_history"),
        ]

    def __str__(self) -> str:
        return f"{self.total} {self.asset} ({self.account_type})"


class BalanceReading(models.Model):
    """One balance sync of one connection, summed: what the net value chart reads, so its
    query grows with syncs, not with the rows each sync writes."""

    workspace = models.ForeignKey(
        "thrive.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="readings")
    connection = models.ForeignKey(
        "connections.ExchangeConnection", on_delete=models.CASCADE, related_name="readings"
    )
    as_of = models.DateTimeField()
    # The balances read with a dollar price, summed; None when none had one.
    value_usd = models.DecimalField(**AMOUNT, null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["as_of"]
        indexes = [
            models.Index(fields=["workspace", "as_of"], name="reading_ws_time"),
        ]

    def __str__(self) -> str:
        return f"{self.value_usd} USD at {self.as_of:%Y-%m-%d %H:%M}"


class Position(models.Model):
    """An open derivatives position at one time; `is_latest` marks the current ones."""

    workspace = models.ForeignKey("thrive.Workspace", on_delete=models.CASCADE, related_name="+")
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="positions")
    connection = models.ForeignKey(
        "connections.ExchangeConnection",
        null=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    account = models.CharField(max_length=64, default="main")
    market_type = models.CharField(max_length=16)
    symbol = models.CharField(max_length=64)
    side = models.CharField(max_length=8)
    contracts = models.DecimalField(**AMOUNT)
    contract_size = models.DecimalField(**AMOUNT, null=True)
    entry_price = models.DecimalField(**AMOUNT, null=True)
    mark_price = models.DecimalField(**AMOUNT, null=True)
    notional = models.DecimalField(**AMOUNT, null=True)
    unrealized_pnl = models.DecimalField(**AMOUNT, null=True)
    leverage = models.DecimalField(**AMOUNT, null=True)
    liquidation_price = models.DecimalField(**AMOUNT, null=True)
    margin_mode = models.CharField(max_length=16, blank=True)
    as_of = models.DateTimeField()
    is_latest = models.BooleanField(default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["symbol"]
        indexes = [models.Index(fields=["connection", "is_latest"], name="position_latest")]

    def __str__(self) -> str:
        return f"{self.side} {self.contracts} {self.symbol}"


class AssetPrice(models.Model):
    """The latest price of an asset in US dollars, from an exchange's public ticker.

    Market data, not a tenant's: every workspace holding the asset reads the same row. A
    stablecoin is priced at its own ticker (USDT/USD), never assumed to be 1.
    """

    asset = models.CharField(max_length=24, primary_key=True)
    price_usd = models.DecimalField(**AMOUNT)
    change_24h_pct = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    # Where it came from: "binance BTC/USDT, kraken USDT/USD".
    source = models.CharField(max_length=120)
    as_of = models.DateTimeField()

    class Meta:
        ordering = ["asset"]

    def __str__(self) -> str:
        return f"{self.asset} = {self.price_usd} USD"

"""Portfolios: where a connection's trades, balances and positions flow."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from thrive.tenancy import TenantQuerySet


class Portfolio(models.Model):
    workspace = models.ForeignKey(
        "thrive.Workspace", on_delete=models.CASCADE, related_name="portfolios"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

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

"""Reads for portfolios, always within one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from thrive.models import Workspace

from .models import BalanceSnapshot, Portfolio, Position


def portfolio_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    return Portfolio.objects.for_workspace(workspace)


def balance_list(*, workspace: Workspace | None) -> QuerySet[BalanceSnapshot]:
    """The latest balances of every connection."""
    return (
        BalanceSnapshot.objects.for_workspace(workspace)
        .filter(is_latest=True)
        .select_related("connection", "portfolio")
        .order_by("portfolio__name", "connection__label", "account_type", "asset")
    )


def position_list(*, workspace: Workspace | None) -> QuerySet[Position]:
    return (
        Position.objects.for_workspace(workspace)
        .filter(is_latest=True)
        .select_related("connection")
        .order_by("connection__label", "symbol")
    )

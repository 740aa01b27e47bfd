"""Reads for portfolios, always within one workspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from connections.models import ExchangeConnection
from thrive.models import Workspace

from .models import BalanceSnapshot, Portfolio, Position


def portfolio_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    return Portfolio.objects.for_workspace(workspace)


# A disconnected connection's last balances are history, not holdings: nothing keeps them
# current any more.
_DISCONNECTED = Q(connection__isnull=True) | Q(
    connection__status=ExchangeConnection.Status.DISCONNECTED
)


def balance_list(
    *, workspace: Workspace | None, disconnected: bool = False
) -> QuerySet[BalanceSnapshot]:
    """The latest balances of every live connection (or, asked, of the disconnected ones)."""
    latest = BalanceSnapshot.objects.for_workspace(workspace).filter(is_latest=True)
    return (
        (latest.filter(_DISCONNECTED) if disconnected else latest.exclude(_DISCONNECTED))
        .select_related("connection", "portfolio")
        .order_by("portfolio__name", "connection__label", "account_type", "asset")
    )


def position_list(*, workspace: Workspace | None, disconnected: bool = False) -> QuerySet[Position]:
    """The open positions of every live connection (or, asked, the disconnected ones' last)."""
    latest = Position.objects.for_workspace(workspace).filter(is_latest=True)
    return (
        (latest.filter(_DISCONNECTED) if disconnected else latest.exclude(_DISCONNECTED))
        .select_related("connection")
        .order_by("connection__label", "symbol")
    )

"""Reads for portfolios, always within one workspace."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Q, QuerySet

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


def portfolio_active_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    """The portfolios a connection may feed and the switcher offers: not the archived ones."""
    return portfolio_list(workspace=workspace).filter(archived_at__isnull=True)


def portfolio_overview_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    """Every portfolio with how many live connections feed it (`live_connections`), one query."""
    live = ~Q(connections__status=ExchangeConnection.Status.DISCONNECTED)
    return portfolio_list(workspace=workspace).annotate(
        live_connections=Count("connections", filter=live)
    )


def portfolio_switcher(
    *, workspace: Workspace | None, current_public_id: uuid.UUID | str | None
) -> dict[str, Any]:
    """The context of templates/_portfolio_switcher.html.

    `switcher_portfolios`: all of them, in order (the template leaves out the archived ones but
    the current); `switcher_current`: the one `?portfolio=` names, or None for "All portfolios"
    (also when the id is not one of this workspace's).
    """
    portfolios = list(portfolio_list(workspace=workspace))
    try:
        wanted = uuid.UUID(str(current_public_id)) if current_public_id else None
    except ValueError:
        wanted = None
    current = next((p for p in portfolios if p.public_id == wanted), None)
    return {"switcher_portfolios": portfolios, "switcher_current": current}

"""Writes for portfolios."""

from __future__ import annotations

from thrive.models import Workspace

from .models import Portfolio

DEFAULT_NAME = "Main portfolio"


def portfolio_default_ensure(*, workspace: Workspace) -> Portfolio:
    """The workspace's default portfolio, created on first need."""
    portfolio, _ = Portfolio.objects.get_or_create(
        workspace=workspace, is_default=True, defaults={"name": DEFAULT_NAME}
    )
    return portfolio

"""Reads for portfolios, always within one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from thrive.models import Workspace

from .models import Portfolio


def portfolio_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    return Portfolio.objects.for_workspace(workspace)

"""Reads of the journal, always inside one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from thrive.models import Workspace

from .models import Trade


def trade_list(*, workspace: Workspace | None) -> QuerySet[Trade]:
    return (
        Trade.objects.for_workspace(workspace)
        .filter(deleted_at__isnull=True)
        .select_related("connection")
    )

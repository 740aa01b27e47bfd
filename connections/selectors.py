"""Reads for connections, always inside one workspace."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from thrive.models import Workspace

from .models import AuditEvent, ExchangeConnection


def connection_list(*, workspace: Workspace | None) -> QuerySet[ExchangeConnection]:
    return ExchangeConnection.objects.for_workspace(workspace).select_related("portfolio")


def connection_get(
    *, workspace: Workspace | None, public_id: uuid.UUID | str
) -> ExchangeConnection:
    """This workspace's connection; another workspace's answers exactly like a missing one."""
    connection = connection_list(workspace=workspace).filter(public_id=public_id).first()
    if connection is None:
        raise Http404("No such connection.")
    return connection


def live_connection_count(*, workspace: Workspace) -> int:
    return (
        ExchangeConnection.objects.for_workspace(workspace)
        .exclude(status=ExchangeConnection.Status.DISCONNECTED)
        .count()
    )


def audit_list(*, connection: ExchangeConnection) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.for_workspace(connection.workspace)
        .filter(connection=connection)
        .select_related("actor")
    )


def reconnected_note(*, connection: ExchangeConnection) -> str | None:
    """What a person is told when Connect brought back an account connected before."""
    event = (
        audit_list(connection=connection)
        .filter(action__in=[AuditEvent.Action.ADDED, AuditEvent.Action.RECONNECTED])
        .first()
    )
    if event is None or event.action != AuditEvent.Action.RECONNECTED:
        return None
    trades = event.details.get("trades_kept", 0)
    kept = f"its {trades:,} trade{'s are' if trades != 1 else ' is'} kept"
    return (
        f"This {connection.get_exchange_display()} account was connected before as "
        f"“{event.details.get('earlier_label', '')}”; {kept} and syncing resumes from where it "
        "stopped."
    )

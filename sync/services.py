"""Sync business rules."""

from __future__ import annotations

import logging

from django.utils import timezone

from connections.models import Credential, ExchangeConnection
from connections.services import access_for, connection_status_set, credential_open
from connections.vault import VaultError

from .exchanges.errors import ErrorCode, ExchangeCallFailed, Outcome, failure_for
from .exchanges.registry import adapter_for

logger = logging.getLogger(__name__)

Status = ExchangeConnection.Status
OUTCOME_STATUS = {
    Outcome.NEEDS_ATTENTION: Status.NEEDS_ATTENTION,
    Outcome.MAINTENANCE: Status.MAINTENANCE,
    Outcome.RETRY: Status.WARNING,
}


def dispatch_due() -> int:
    """Enqueue every connection whose trades or balances sync is due; returns how many.

    Schedules arrive with the sync engine (issue 5); until then nothing can be due.
    """
    return 0


def sync_connection(*, connection_id: int, kind: str) -> str:
    """Open the credential and re-check what the key may do, recording the outcome as a state.

    A credential that fails to open fails closed: the connection needs attention and no call
    reaches the exchange. Importing trades, balances and positions arrives with issue 5.
    """
    # Cross-tenant by design: a task receives an id and takes the workspace from the row.
    connection = ExchangeConnection.objects.filter(pk=connection_id).first()
    if connection is None or connection.is_disconnected:
        return "skipped"
    try:
        secret = credential_open(connection=connection)
    except (VaultError, Credential.DoesNotExist):
        failure = failure_for(ErrorCode.CREDENTIAL_UNREADABLE)
        logger.warning("connection %s: credential failed to open", connection.pk)
        connection_status_set(
            connection=connection, status=Status.NEEDS_ATTENTION, message=failure.message
        )
        return failure.code.value
    try:
        permissions = adapter_for(connection.exchange).check(secret)
    except ExchangeCallFailed as failed:
        logger.info("connection %s: %s", connection.pk, failed.failure.code.value)
        connection_status_set(
            connection=connection,
            status=OUTCOME_STATUS[failed.failure.outcome],
            message=failed.failure.message,
        )
        return failed.failure.code.value
    ExchangeConnection.objects.filter(pk=connection.pk).update(
        access=access_for(permissions),
        permissions=permissions.as_json(),
        permissions_checked_at=timezone.now(),
        key_expires_at=permissions.expires_at,
        status=Status.CONNECTED,
        status_message="",
        updated_at=timezone.now(),
    )
    return "ok"

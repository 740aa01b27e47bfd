"""Writes and rules for connections: test, connect, replace, disconnect — and the audit trail.

The plaintext credential exists here only between the form and the vault; it is never logged,
never put in a task message and never stored outside the encrypted envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from portfolio.models import Portfolio
from portfolio.services import portfolio_default_ensure
from sync.exchanges.base import Permissions
from sync.exchanges.registry import adapter_for
from thrive.models import User, Workspace

from .fingerprint import api_key_fingerprint
from .models import AuditEvent, Credential, ExchangeConnection
from .selectors import live_connection_count
from .vault import Binding, CredentialSecret, configured_keyring, open_envelope, seal

Access = ExchangeConnection.Access
Status = ExchangeConnection.Status

PLAN_LIMITS: dict[str, int | None] = {
    Workspace.Plan.STARTER: 3,
    Workspace.Plan.STANDARD: 10,
    Workspace.Plan.PRO: None,
}


class ConnectionRefused(Exception):
    """A rule said no; the message is a sentence for the person and holds no secret."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CheckResult:
    permissions: Permissions
    access: str

    @property
    def warning(self) -> str:
        return ACCESS_NOTES.get(self.access, "")


ACCESS_NOTES = {
    Access.TRADE: "This key can place trades. It works, but a read-only key is safer: create one "
    "with only read permission and replace this key.",
    Access.WITHDRAW: "This key can withdraw funds. We never need that: create a read-only key. "
    "To keep this one anyway, tick the acknowledgement.",
    Access.UNVERIFIABLE: "This exchange does not tell us what a key may do. Make sure yours is "
    "read-only.",
    Access.NO_READ: "This key has no read permission, so we cannot see your trades. Create a key "
    "with read access.",
}


def access_for(permissions: Permissions) -> str:
    if permissions.read is False:
        return Access.NO_READ
    if not permissions.verifiable:
        return Access.UNVERIFIABLE
    if permissions.withdraw:
        return Access.WITHDRAW
    if permissions.trade:
        return Access.TRADE
    return Access.READ_ONLY


def audit_record(
    *,
    workspace: Workspace,
    actor: User | None,
    action: str,
    connection: ExchangeConnection | None = None,
    **details: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        workspace=workspace, actor=actor, action=action, connection=connection, details=details
    )


def plan_limit_check(*, workspace: Workspace) -> None:
    limit = PLAN_LIMITS.get(workspace.plan)
    if limit is None or live_connection_count(workspace=workspace) < limit:
        return
    bigger = {Workspace.Plan.STARTER: "Standard (10 connections) or Pro (unlimited)"}.get(
        workspace.plan, "Pro (unlimited connections)"
    )
    raise ConnectionRefused(
        f"Your {workspace.get_plan_display()} plan allows {limit} connections and you have "
        f"{limit}. Disconnect one, or move to {bigger}."
    )


def _duplicate_check(
    *, workspace: Workspace, exchange: str, fingerprint: str, exclude_pk: int | None = None
) -> None:
    existing = (
        ExchangeConnection.objects.for_workspace(workspace)
        .filter(exchange=exchange, api_key_fingerprint=fingerprint)
        .exclude(status=Status.DISCONNECTED)
        .exclude(pk=exclude_pk)
        .first()
    )
    if existing is not None:
        raise ConnectionRefused(
            f"This API key is already connected here as “{existing.label}”.", field="api_key"
        )


def credential_check(
    *, workspace: Workspace, actor: User | None, exchange: str, secret: CredentialSecret
) -> CheckResult:
    """Test a key: one read request and the permission check. Saves nothing but the audit row.

    Raises `sync.exchanges.errors.ExchangeCallFailed` with a sentence for the person.
    """
    from sync.exchanges.errors import ExchangeCallFailed

    adapter = adapter_for(exchange)
    try:
        permissions = adapter.check(secret)
    except ExchangeCallFailed as failed:
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditEvent.Action.TESTED,
            exchange=exchange,
            outcome=failed.failure.code.value,
        )
        raise
    result = CheckResult(permissions=permissions, access=access_for(permissions))
    audit_record(
        workspace=workspace,
        actor=actor,
        action=AuditEvent.Action.TESTED,
        exchange=exchange,
        outcome="ok",
        access=result.access,
    )
    return result


def _accept(result: CheckResult, *, acknowledge_withdrawals: bool) -> None:
    if result.access == Access.NO_READ:
        raise ConnectionRefused(ACCESS_NOTES[Access.NO_READ])
    if result.access == Access.WITHDRAW and not acknowledge_withdrawals:
        raise ConnectionRefused(ACCESS_NOTES[Access.WITHDRAW], field="acknowledge_withdrawals")


def _binding(connection: ExchangeConnection) -> Binding:
    return Binding(
        workspace_id=connection.workspace_id,
        connection_id=connection.pk,
        exchange=connection.exchange,
    )


def credential_open(*, connection: ExchangeConnection) -> CredentialSecret:
    """The plaintext, for the adapter call that needs it. Raises VaultError, failing closed."""
    credential = Credential.objects.get(connection=connection)
    return open_envelope(
        credential.envelope, binding=_binding(connection), keyring=configured_keyring()
    )


def _apply_check(
    connection: ExchangeConnection, result: CheckResult, *, acknowledged: bool
) -> None:
    now = timezone.now()
    connection.access = result.access
    connection.permissions = result.permissions.as_json()
    connection.capabilities = result.permissions.capabilities
    connection.permissions_checked_at = now
    connection.key_expires_at = result.permissions.expires_at
    connection.withdrawals_acknowledged_at = (
        now if acknowledged and result.access == Access.WITHDRAW else None
    )


# If the first sync's message is lost, the dispatcher still finds the connection due then.
FIRST_SYNC_FALLBACK = timedelta(minutes=5)


def _enqueue_sync(connection: ExchangeConnection, kind: str, trigger: str) -> None:
    """Queue a sync on the manual queue once the transaction commits (a person is waiting)."""
    from sync.tasks import sync_connection as sync_connection_task

    connection_id = connection.pk
    transaction.on_commit(
        lambda: sync_connection_task.apply_async(
            args=[connection_id, kind, trigger], queue="manual"
        )
    )


def connection_create(
    *,
    workspace: Workspace,
    actor: User | None,
    exchange: str,
    label: str,
    portfolio: Portfolio | None,
    secret: CredentialSecret,
    acknowledge_withdrawals: bool = False,
) -> ExchangeConnection:
    """Check the key, store it encrypted, and queue the first sync once the rows are committed.

    Without a portfolio the connection feeds the workspace's default one.
    """
    if portfolio is None:
        portfolio = portfolio_default_ensure(workspace=workspace)
    if portfolio.workspace_id != workspace.pk:
        raise ConnectionRefused("Choose one of your portfolios.", field="portfolio")
    plan_limit_check(workspace=workspace)
    fingerprint = api_key_fingerprint(exchange, secret.api_key)
    _duplicate_check(workspace=workspace, exchange=exchange, fingerprint=fingerprint)
    result = credential_check(workspace=workspace, actor=actor, exchange=exchange, secret=secret)
    _accept(result, acknowledge_withdrawals=acknowledge_withdrawals)
    with transaction.atomic():
        plan_limit_check(workspace=workspace)
        connection = ExchangeConnection(
            workspace=workspace,
            exchange=exchange,
            label=label,
            portfolio=portfolio,
            api_key_hint=secret.api_key[-4:],
            api_key_fingerprint=fingerprint,
            has_futures_key=bool(secret.futures_api_key),
            status=Status.PENDING,
            created_by=actor,
            next_trades_sync_at=timezone.now() + FIRST_SYNC_FALLBACK,
            next_balances_sync_at=timezone.now() + FIRST_SYNC_FALLBACK,
        )
        _apply_check(connection, result, acknowledged=acknowledge_withdrawals)
        connection.save()
        Credential.objects.create(
            connection=connection,
            envelope=seal(secret, binding=_binding(connection), keyring=configured_keyring()),
        )
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditEvent.Action.ADDED,
            connection=connection,
            exchange=exchange,
            label=label,
            api_key_hint=connection.api_key_hint,
        )
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditEvent.Action.PERMISSIONS_CHECKED,
            connection=connection,
            access=result.access,
        )
        _enqueue_sync(connection, "initial", "initial")
    return connection


def connection_replace_credentials(
    *,
    connection: ExchangeConnection,
    actor: User | None,
    secret: CredentialSecret,
    acknowledge_withdrawals: bool = False,
) -> ExchangeConnection:
    """Check the new key, then overwrite the stored one in one transaction."""
    if connection.is_disconnected:
        raise ConnectionRefused("This connection is disconnected. Add the exchange again instead.")
    workspace = connection.workspace
    fingerprint = api_key_fingerprint(connection.exchange, secret.api_key)
    _duplicate_check(
        workspace=workspace,
        exchange=connection.exchange,
        fingerprint=fingerprint,
        exclude_pk=connection.pk,
    )
    result = credential_check(
        workspace=workspace, actor=actor, exchange=connection.exchange, secret=secret
    )
    _accept(result, acknowledge_withdrawals=acknowledge_withdrawals)
    with transaction.atomic():
        locked = ExchangeConnection.objects.select_for_update().get(pk=connection.pk)
        if locked.is_disconnected:
            raise ConnectionRefused("This connection was disconnected meanwhile.")
        locked.api_key_hint = secret.api_key[-4:]
        locked.api_key_fingerprint = fingerprint
        locked.has_futures_key = bool(secret.futures_api_key)
        locked.status = Status.PENDING
        locked.status_message = ""
        _apply_check(locked, result, acknowledged=acknowledge_withdrawals)
        locked.save()
        Credential.objects.update_or_create(
            connection=locked,
            defaults={
                "envelope": seal(secret, binding=_binding(locked), keyring=configured_keyring())
            },
        )
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditEvent.Action.REPLACED,
            connection=locked,
            api_key_hint=locked.api_key_hint,
        )
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditEvent.Action.PERMISSIONS_CHECKED,
            connection=locked,
            access=result.access,
        )
        _enqueue_sync(locked, "full", "manual")
    return locked


@transaction.atomic
def connection_disconnect(
    *, connection: ExchangeConnection, actor: User | None
) -> ExchangeConnection:
    """Delete the credential now and stop every schedule; imported data and history stay."""
    locked = ExchangeConnection.objects.select_for_update().get(pk=connection.pk)
    if locked.is_disconnected:
        return locked
    Credential.objects.filter(connection=locked).delete()
    locked.status = Status.DISCONNECTED
    locked.status_message = ""
    locked.disconnected_at = timezone.now()
    locked.next_trades_sync_at = None
    locked.next_balances_sync_at = None
    locked.save()
    audit_record(
        workspace=locked.workspace,
        actor=actor,
        action=AuditEvent.Action.DISCONNECTED,
        connection=locked,
    )
    return locked

"""Writes and rules for connections: test, connect, replace, disconnect — and the audit trail.

The plaintext credential exists here only between the form and the vault; it is never logged,
never put in a task message and never stored outside the encrypted envelope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from journal.models import LedgerEntry, Trade
from portfolio.analytics.refresh import analytics_refresh_request
from portfolio.models import BalanceReading, BalanceSnapshot, Portfolio, Position
from portfolio.services import portfolio_default_ensure
from sync.exchanges.base import Permissions
from sync.exchanges.registry import adapter_for
from thrive.models import User, Workspace
from thrive.tenancy import TenantQuerySet

from .fingerprint import api_key_fingerprint
from .limits import key_check_spend, refusal_in_words
from .models import AuditEvent, Credential, Exchange, ExchangeConnection
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
        return CHECK_NOTES.get(self.access, "")


# About a connected key, on its connection page.
ACCESS_NOTES = {
    Access.TRADE: "This key can place trades. It works, but a read-only key is safer: create one "
    "with only read permission and replace this key.",
    Access.WITHDRAW: "This key can withdraw funds; it was kept with that acknowledged. We never "
    "need it: create a read-only key and replace this one.",
    Access.UNVERIFIABLE: "This exchange does not tell us what a key may do. Make sure yours is "
    "read-only.",
    Access.NO_READ: "This key has no read permission, so we cannot see your trades. Create a key "
    "with read access.",
}

# About a key pasted into the add or replace form: nothing is replaced yet, and the
# acknowledgement box is shown with this sentence.
CHECK_NOTES = {
    **ACCESS_NOTES,
    Access.TRADE: "This key can place trades. It works, but a read-only key is safer: create one "
    "with only read permission and paste that one instead.",
    Access.WITHDRAW: "This key can withdraw funds. We never need that: create a read-only key and "
    "paste that one instead. To use this one anyway, tick the box below.",
    Access.NO_READ: "This key has no read permission, so we cannot see your trades. Create a key "
    "with read access and paste that one instead.",
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


@dataclass(frozen=True)
class PlanUsage:
    """How many live connections the workspace has, of how many its plan allows."""

    plan: str
    limit: int | None
    live: int

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.live >= self.limit

    @property
    def bigger_plans(self) -> str:
        """The plans that allow more, in words: "Standard (10 connections) or Pro (unlimited)"."""
        names = [
            f"{label} ({limit} connections)" if limit else f"{label} (unlimited)"
            for value, label in Workspace.Plan.choices
            if (limit := PLAN_LIMITS.get(value)) is None or (self.limit or 0) < limit
        ]
        return " or ".join(names) if self.limit is not None else ""

    @property
    def refusal(self) -> str:
        return (
            f"Your {self.plan} plan allows {self.limit} connections and you have {self.live}. "
            f"Disconnect one, or move to {self.bigger_plans}."
        )


def plan_usage(*, workspace: Workspace) -> PlanUsage:
    return PlanUsage(
        plan=workspace.get_plan_display(),
        limit=PLAN_LIMITS.get(workspace.plan),
        live=live_connection_count(workspace=workspace),
    )


def plan_limit_check(*, workspace: Workspace) -> None:
    usage = plan_usage(workspace=workspace)
    if usage.reached:
        raise ConnectionRefused(usage.refusal)


def _live(workspace: Workspace, exchange: str) -> TenantQuerySet:
    return (
        ExchangeConnection.objects.for_workspace(workspace)
        .filter(exchange=exchange)
        .exclude(status=Status.DISCONNECTED)
    )


def _duplicate_check(
    *, workspace: Workspace, exchange: str, fingerprint: str, exclude_pk: int | None = None
) -> None:
    existing = (
        _live(workspace, exchange)
        .filter(api_key_fingerprint=fingerprint)
        .exclude(pk=exclude_pk)
        .first()
    )
    if existing is not None:
        raise ConnectionRefused(
            f"This API key is already connected here as “{existing.label}”.", field="api_key"
        )


def account_ref_of(*, fingerprint: str, permissions: Permissions) -> str:
    """The account a key belongs to: the exchange's own id, else the key stands in for it."""
    if permissions.account_id:
        return f"id:{permissions.account_id}"
    return f"key:{fingerprint}"


def _account_check(*, workspace: Workspace, exchange: str, account_ref: str) -> None:
    existing = _live(workspace, exchange).filter(account_ref=account_ref).first()
    if existing is not None:
        name = dict(Exchange.choices)[exchange]
        raise ConnectionRefused(
            f"This {name} account is already connected here as “{existing.label}”. To use "
            "this key instead, replace the key of that connection.",
            field="api_key",
        )


def _already_connected(
    *, workspace: Workspace, exchange: str, fingerprint: str, account_ref: str
) -> ConnectionRefused:
    """What a Connect that lost a race to an identical one is told."""
    try:
        _duplicate_check(workspace=workspace, exchange=exchange, fingerprint=fingerprint)
        _account_check(workspace=workspace, exchange=exchange, account_ref=account_ref)
    except ConnectionRefused as refused:
        return refused
    return ConnectionRefused("This account was connected meanwhile. Reload the page.")


def credential_check(
    *, workspace: Workspace, actor: User | None, exchange: str, secret: CredentialSecret
) -> CheckResult:
    """Test a key: one read request and the permission check. Saves nothing but the audit row.

    Counted against the person's and the workspace's limits (connections.limits) first, and
    sent through the checks' own share of the exchange's budget. Raises ConnectionRefused
    over a limit, and `sync.exchanges.errors.ExchangeCallFailed` with a sentence for the
    person when the exchange refuses.
    """
    from sync.exchanges.client import interactive_requests
    from sync.exchanges.errors import ExchangeCallFailed

    refusal = key_check_spend(user_id=actor.pk if actor else None, workspace_id=workspace.pk)
    if refusal is not None:
        raise ConnectionRefused(refusal_in_words(refusal))
    adapter = adapter_for(exchange)
    try:
        with interactive_requests():
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
        raise ConnectionRefused(CHECK_NOTES[Access.NO_READ])
    if result.access == Access.WITHDRAW and not acknowledge_withdrawals:
        raise ConnectionRefused(CHECK_NOTES[Access.WITHDRAW], field="acknowledge_withdrawals")


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

    Without a portfolio the connection feeds the workspace's default one. An exchange account
    connected before and disconnected comes back as the same connection, with its trades and
    cursors, so syncing resumes instead of importing everything again.
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
    account_ref = account_ref_of(fingerprint=fingerprint, permissions=result.permissions)
    try:
        with transaction.atomic():
            # Connects of one workspace queue here, so the plan limit and the one live
            # connection per account hold however many arrive at once.
            workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
            _duplicate_check(workspace=workspace, exchange=exchange, fingerprint=fingerprint)
            _account_check(workspace=workspace, exchange=exchange, account_ref=account_ref)
            plan_limit_check(workspace=workspace)
            earlier = (
                ExchangeConnection.objects.for_workspace(workspace)
                .filter(exchange=exchange, account_ref=account_ref, status=Status.DISCONNECTED)
                .order_by("-disconnected_at", "-pk")
                .first()
            )
            connection = earlier or ExchangeConnection(
                workspace=workspace, exchange=exchange, created_by=actor
            )
            return _connect(
                connection,
                actor=actor,
                label=label,
                portfolio=portfolio,
                secret=secret,
                fingerprint=fingerprint,
                account_ref=account_ref,
                result=result,
                acknowledged=acknowledge_withdrawals,
            )
    except IntegrityError:
        # A Connect of the same key or account committed between our check and our insert.
        raise _already_connected(
            workspace=workspace, exchange=exchange, fingerprint=fingerprint, account_ref=account_ref
        ) from None


def _connect(
    connection: ExchangeConnection,
    *,
    actor: User | None,
    label: str,
    portfolio: Portfolio,
    secret: CredentialSecret,
    fingerprint: str,
    account_ref: str,
    result: CheckResult,
    acknowledged: bool,
) -> ExchangeConnection:
    """Store a new connection, or bring a disconnected one of the same account back."""
    reconnecting = connection.pk is not None
    earlier_label = connection.label
    now = timezone.now()
    connection.label = label
    connection.api_key_hint = secret.api_key[-4:]
    connection.api_key_fingerprint = fingerprint
    connection.has_futures_key = bool(secret.futures_api_key)
    connection.exchange_account_id = result.permissions.account_id or ""
    connection.account_ref = account_ref
    connection.status = Status.PENDING
    connection.status_message = ""
    connection.disconnected_at = None
    connection.sync_lease_token = None
    connection.sync_lease_until = None
    connection.next_trades_sync_at = now + FIRST_SYNC_FALLBACK
    connection.next_balances_sync_at = now + FIRST_SYNC_FALLBACK
    _apply_check(connection, result, acknowledged=acknowledged)
    moved = reconnecting and connection.portfolio_id != portfolio.pk
    connection.portfolio = portfolio
    connection.save()
    if moved:
        connection_data_move(connection=connection, portfolio=portfolio)
    Credential.objects.create(
        connection=connection,
        envelope=seal(secret, binding=_binding(connection), keyring=configured_keyring()),
    )
    workspace = connection.workspace
    if reconnecting:
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditEvent.Action.RECONNECTED,
            connection=connection,
            label=label,
            earlier_label=earlier_label,
            api_key_hint=connection.api_key_hint,
            trades_kept=Trade.objects.filter(connection=connection).count(),
        )
    else:
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditEvent.Action.ADDED,
            connection=connection,
            exchange=connection.exchange,
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
    if reconnecting:
        _enqueue_sync(connection, "full", "manual")
    else:
        _enqueue_sync(connection, "initial", "initial")
    return connection


def connection_data_move(*, connection: ExchangeConnection, portfolio: Portfolio) -> dict[str, int]:
    """A connection's trades, ledger entries, balances and positions follow it to another
    portfolio; returns how many of each moved. Its import batches stay where they were made:
    they record where a file went, and undoing one deletes its rows wherever they are now."""
    moved: dict[str, int] = {}
    for name, model in (
        ("trades", Trade),
        ("ledger_entries", LedgerEntry),
        ("balances", BalanceSnapshot),
        ("readings", BalanceReading),
        ("positions", Position),
    ):
        moved[name] = model.objects.filter(connection=connection).update(portfolio=portfolio)
    if moved["trades"] or moved["ledger_entries"]:
        analytics_refresh_request(workspace_id=connection.workspace_id)
    return moved


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
    account_ref = account_ref_of(fingerprint=fingerprint, permissions=result.permissions)
    with transaction.atomic():
        locked = ExchangeConnection.objects.select_for_update().get(pk=connection.pk)
        if locked.is_disconnected:
            raise ConnectionRefused("This connection was disconnected meanwhile.")
        account_ref = _replacement_account(locked, account_ref)
        if account_ref != locked.account_ref:
            # A connection made before accounts were named learns its account's id.
            Trade.objects.filter(connection=locked, account_ref=locked.account_ref).update(
                account_ref=account_ref
            )
            locked.account_ref = account_ref
            locked.exchange_account_id = result.permissions.account_id or ""
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


def _replacement_account(connection: ExchangeConnection, account_ref: str) -> str:
    """The account the connection keeps: a key of another account is refused.

    Where the exchange names no account, nothing can be compared: the connection keeps its own.
    """
    if not account_ref.startswith("id:"):
        return connection.account_ref
    if connection.account_ref.startswith("id:"):
        if account_ref != connection.account_ref:
            name = connection.get_exchange_display()
            raise ConnectionRefused(
                f"This key belongs to another {name} account than “{connection.label}” "
                f"(account {connection.exchange_account_id}). Replace it with a key of that "
                "account, or add this one as a new connection.",
                field="api_key",
            )
        return account_ref
    _account_check(
        workspace=connection.workspace, exchange=connection.exchange, account_ref=account_ref
    )
    return account_ref


@transaction.atomic
def connection_disconnect(
    *, connection: ExchangeConnection, actor: User | None
) -> ExchangeConnection:
    """Delete the credential now and stop every schedule; imported data and history stay.

    The lease is revoked with it: a sync running now stops before its next request and its
    fenced commits fail, so nothing it does lands after this (sync.lease).
    """
    locked = ExchangeConnection.objects.select_for_update().get(pk=connection.pk)
    if locked.is_disconnected:
        return locked
    Credential.objects.filter(connection=locked).delete()
    locked.status = Status.DISCONNECTED
    locked.status_message = ""
    locked.disconnected_at = timezone.now()
    locked.next_trades_sync_at = None
    locked.next_balances_sync_at = None
    locked.sync_lease_token = None
    locked.sync_lease_until = None
    locked.save()
    audit_record(
        workspace=locked.workspace,
        actor=actor,
        action=AuditEvent.Action.DISCONNECTED,
        connection=locked,
    )
    return locked


@transaction.atomic
def connection_portfolio_move(
    *, connection: ExchangeConnection, portfolio: Portfolio, actor: User | None
) -> dict[str, int]:
    """Make the connection feed another portfolio of its workspace; its trades, ledger entries,
    balances and positions go with it. Returns how many of each moved.

    Refused while a sync holds the connection's lease: the sync writes with the portfolio it
    read when it started, so pages it commits after the move would land in the old one. The
    target row is locked as portfolio_archive locks it, so it cannot be archived meanwhile.
    """
    from sync.lease import lease_held

    # Only the connection and the target are locked, never the source portfolio: two moves
    # in opposite directions would otherwise wait on each other.
    locked = ExchangeConnection.objects.select_for_update().get(pk=connection.pk)
    target = (
        Portfolio.objects.for_workspace(locked.workspace)
        .select_for_update()
        .filter(pk=portfolio.pk)
        .first()
    )
    if target is None:
        raise ConnectionRefused("Choose one of your portfolios.", field="portfolio")
    if target.archived_at is not None:
        raise ConnectionRefused(
            f"“{target.name}” is archived. Unarchive it first, or choose another portfolio.",
            field="portfolio",
        )
    source = locked.portfolio
    if source.pk == target.pk:
        raise ConnectionRefused(f"{locked} already feeds “{target.name}”.", field="portfolio")
    if lease_held(locked):
        raise ConnectionRefused(
            f"{locked} is syncing right now. Move it once the sync finishes, usually within "
            "a minute."
        )
    locked.portfolio = target
    locked.save(update_fields=["portfolio", "updated_at"])
    moved = connection_data_move(connection=locked, portfolio=target)
    audit_record(
        workspace=locked.workspace,
        actor=actor,
        action=AuditEvent.Action.MOVED,
        connection=locked,
        from_portfolio=source.name,
        from_portfolio_id=str(source.public_id),
        to_portfolio=target.name,
        to_portfolio_id=str(target.public_id),
        **moved,
    )
    return moved


# -- Thrive support's actions (the support console; connections/admin) -----------------------
# Cross-tenant by design: staff act on any workspace's connection, and every action is on the
# connection's audit trail, which its workspace reads as "… by Thrive support".


def _support_refusal_if_disconnected(connection: ExchangeConnection) -> None:
    if connection.is_disconnected:
        raise ConnectionRefused(f"{connection} is disconnected: its key is deleted.")


def _support_sync(
    connection: ExchangeConnection, actor: User | None, kind: str, action: str, /, **details: Any
) -> None:
    """Request a sync as a person's "Sync now" does (one at a time per connection), queue it
    once this transaction commits, and put the connection back on its schedule where that
    was stopped: the sync itself decides, as any sync does (a key that still fails stops the
    schedule again; one that works keeps it)."""
    from sync.lease import sync_request
    from sync.models import SyncRun
    from sync.schedule import BALANCES_EVERY, TRADES_EVERY, next_slot

    _support_refusal_if_disconnected(connection)
    if not sync_request(connection_id=connection.pk):
        raise ConnectionRefused(
            f"{connection} is syncing or has a sync queued. Try again once it has finished."
        )
    now = timezone.now()
    rows = ExchangeConnection.objects.filter(pk=connection.pk)
    rows.filter(next_trades_sync_at__isnull=True).update(
        next_trades_sync_at=next_slot(connection.pk, TRADES_EVERY, now)
    )
    rows.filter(next_balances_sync_at__isnull=True).update(
        next_balances_sync_at=next_slot(connection.pk, BALANCES_EVERY, now)
    )
    _enqueue_sync(connection, kind, SyncRun.Trigger.MANUAL)
    audit_record(
        workspace=connection.workspace,
        actor=actor,
        action=action,
        connection=connection,
        **details,
    )


@transaction.atomic
def connection_support_sync(*, connection: ExchangeConnection, actor: User, kind: str) -> None:
    """Support's "Sync now": trades, balances or full. Raises ConnectionRefused while a sync
    is queued or running, or for a disconnected connection."""
    from sync.models import SyncRun

    if kind not in {SyncRun.Kind.TRADES, SyncRun.Kind.BALANCES, SyncRun.Kind.FULL}:
        raise ConnectionRefused(f"“{kind}” is not a kind of sync support can ask for.")
    _support_sync(connection, actor, kind, AuditEvent.Action.SYNC_REQUESTED, kind=kind)


@transaction.atomic
def connection_permissions_recheck(*, connection: ExchangeConnection, actor: User) -> None:
    """Ask the exchange again what the key may do, and let a connection that works again out
    of Needs attention: a balances sync, which checks permissions first (SECURITY.md §3).

    It runs on a worker, not here: only workers may open a credential (SECURITY.md §1).
    """
    from sync.models import SyncRun

    _support_sync(connection, actor, SyncRun.Kind.BALANCES, AuditEvent.Action.PERMISSIONS_RECHECK)


def schedules_paused(connection: ExchangeConnection) -> bool:
    return connection.schedules_paused_at is not None


def _support_locked(connection: ExchangeConnection) -> ExchangeConnection:
    locked = ExchangeConnection.objects.select_for_update().get(pk=connection.pk)
    _support_refusal_if_disconnected(locked)
    if locked.status == Status.NEEDS_ATTENTION:
        raise ConnectionRefused(
            f"{locked} needs attention, so it is off the schedule until a sync works again: "
            "Re-check permissions or Sync now."
        )
    return locked


@transaction.atomic
def connection_schedules_pause(*, connection: ExchangeConnection, actor: User) -> None:
    """Stop the scheduled syncs until support resumes them. The dispatcher skips a paused
    connection, so the slots a running or later sync (Sync now) sets are never acted on."""
    locked = _support_locked(connection)
    if schedules_paused(locked):
        raise ConnectionRefused(f"The scheduled syncs of {locked} are paused already.")
    locked.schedules_paused_at = timezone.now()
    locked.save(update_fields=["schedules_paused_at", "updated_at"])
    audit_record(
        workspace=locked.workspace,
        actor=actor,
        action=AuditEvent.Action.SCHEDULES_PAUSED,
        connection=locked,
    )


@transaction.atomic
def connection_schedules_resume(*, connection: ExchangeConnection, actor: User) -> None:
    """Put a paused connection back on its trades and balances schedules, each on its phase."""
    from sync.schedule import BALANCES_EVERY, TRADES_EVERY, next_slot

    locked = _support_locked(connection)
    if not schedules_paused(locked):
        raise ConnectionRefused(f"{locked} is on its schedule already.")
    now = timezone.now()
    locked.schedules_paused_at = None
    locked.next_trades_sync_at = next_slot(locked.pk, TRADES_EVERY, now)
    locked.next_balances_sync_at = next_slot(locked.pk, BALANCES_EVERY, now)
    locked.save(
        update_fields=[
            "schedules_paused_at",
            "next_trades_sync_at",
            "next_balances_sync_at",
            "updated_at",
        ]
    )
    audit_record(
        workspace=locked.workspace,
        actor=actor,
        action=AuditEvent.Action.SCHEDULES_RESUMED,
        connection=locked,
    )


@dataclass(frozen=True)
class Reimport:
    """The streams rewound, and why each other stream asked for was not."""

    streams: list[str]
    skipped: list[str]


@transaction.atomic
def connection_streams_reimport(
    *,
    connection: ExchangeConnection,
    actor: User,
    since: datetime,
    streams: Sequence[str] | None = None,
) -> Reimport:
    """Walk streams of trades again from `since` (all of them without `streams`) and queue the
    trades sync that does it.

    Idempotent: the trade identity's unique constraint absorbs every trade the journal has.
    A stream is rewound only to a moment its last complete walk had passed: rewinding one
    still on its first import to a later date would skip the trades in between.
    """
    from sync.models import SyncCursor, SyncRun
    from sync.runner import SEARCH
    from sync.selectors import stream_walks_completed
    from sync.services import cursor_rewind

    _support_refusal_if_disconnected(connection)
    if since >= timezone.now():
        raise ConnectionRefused("Choose a date in the past.")
    known = set(
        SyncCursor.objects.filter(connection=connection)
        .exclude(stream__startswith=SEARCH)
        .values_list("stream", flat=True)
    )
    completed = stream_walks_completed(connection=connection)
    rewound: list[str] = []
    skipped: list[str] = []
    for stream in sorted(known) if streams is None else streams:
        walked = completed.get(stream)
        if stream not in known:
            skipped.append(f"{stream} is not a stream of {connection}.")
        elif walked is None:
            skipped.append(f"{stream} has not been imported to its end yet; syncs carry it on.")
        elif since > walked:
            skipped.append(
                f"{stream} was last imported to its end from {walked:%d %b %Y %H:%M} UTC; "
                "choose that moment or earlier."
            )
        else:
            rewound.append(stream)
    if not rewound:
        raise ConnectionRefused(" ".join(skipped) or f"{connection} has no streams of trades yet.")
    _support_sync(
        connection,
        actor,
        SyncRun.Kind.TRADES,
        AuditEvent.Action.REIMPORT_REQUESTED,
        since=since.isoformat(),
        streams=rewound,
    )
    for stream in rewound:
        cursor_rewind(connection=connection, stream=stream, since=since)
    return Reimport(streams=rewound, skipped=skipped)

"""Run one sync of one connection: balances and positions, then every stream of trades.

Order of business: claim the lease, open the credential (failing closed), talk to the
exchange through the adapter, and commit each page of trades together with its cursor under
the lease's fencing token. Every sync leaves a SyncRun saying what happened.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from connections.models import Credential, ExchangeConnection
from connections.services import access_for, credential_open
from connections.vault import VaultError
from journal.services import trades_record
from portfolio.analytics.refresh import analytics_refresh_request
from portfolio.services import snapshot_record

from .exchanges.base import ExchangeAdapter
from .exchanges.capabilities import Availability, Part, PartLog, attach_part_log, part_log_of
from .exchanges.client import requests_guarded
from .exchanges.errors import ErrorCode, ExchangeCallFailed, ExchangeFailure, Outcome, failure_for
from .exchanges.records import KnownStreams, Stream
from .exchanges.registry import adapter_for
from .lease import LeaseLost, lease_alive, lease_claim, lease_fence, lease_release
from .models import ExchangePause, SyncCursor, SyncRun
from .pricing import prices_refresh
from .schedule import BALANCES_EVERY, TRADES_EVERY, next_slot

logger = logging.getLogger(__name__)

Status = ExchangeConnection.Status
HISTORY = timedelta(days=365)
# Cursor rows named "search:<name>" hold how far an adapter's search for streams has gone.
SEARCH = "search:"
# A cursor that is only {REWIND: ms} walks its stream again from that moment (cursor_rewind).
REWIND = "rewind_to_ms"
# The progress key naming the stream being walked: {"stream", "number", "of"}.
WALK = "walk"
# Open futures positions are an optional part on every exchange: whatever the positions
# endpoints answer, balances and trades go on.
POSITIONS = Part("positions", "Open positions")
# Failures that pass with time; an optional part failing another way is a refusal.
PASSING = frozenset(
    {
        ErrorCode.UNAVAILABLE,
        ErrorCode.RATE_LIMITED,
        ErrorCode.TIMEOUT,
        ErrorCode.NETWORK,
        ErrorCode.BAD_RESPONSE,
        ErrorCode.CLOCK_SKEW,
    }
)
STOPS_THE_RUN = frozenset({ErrorCode.RATE_LIMITED})
MISSED_NAMES = {"balances": "balances", "positions": "open positions", "trades": "trades"}
# After this many "maintenance" answers in a row an exchange is paused and probed.
MAINTENANCE_PAUSE_AFTER = 3
MAINTENANCE_PROBE_EVERY = timedelta(minutes=5)
OUTCOME_STATUS = {
    Outcome.NEEDS_ATTENTION: Status.NEEDS_ATTENTION,
    Outcome.MAINTENANCE: Status.MAINTENANCE,
    Outcome.RETRY: Status.WARNING,
}


@dataclass(frozen=True)
class SyncResult:
    status: str  # "succeeded", "partial", "failed", "busy", "skipped"
    run_id: int | None = None
    failure: ExchangeFailure | None = None

    @property
    def retryable(self) -> bool:
        return self.failure is not None and self.failure.retryable


def _call(adapter: ExchangeAdapter, client: Any, function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except ExchangeCallFailed:
        raise
    except LeaseLost:
        raise
    except Exception as exc:
        raise ExchangeCallFailed(adapter.failure_of(exc, client)) from None


def sync_connection(*, connection_id: int, kind: str, trigger: str = "schedule") -> SyncResult:
    # Cross-tenant by design: a task receives an id and takes the workspace from the row.
    connection = ExchangeConnection.objects.filter(pk=connection_id).first()
    if connection is None or connection.is_disconnected:
        return SyncResult("skipped")
    if connection.status == Status.NEEDS_ATTENTION and trigger == SyncRun.Trigger.SCHEDULE:
        return SyncResult("skipped")
    token = lease_claim(connection_id=connection.pk)
    if token is None:
        return SyncResult("busy")
    # Read again under the lease: a move to another portfolio committed since the first read
    # decides where this sync's rows go.
    connection.refresh_from_db()
    # The lease was free, so no other sync of this connection is alive: a run still marked
    # running belonged to a worker that died.
    SyncRun.objects.filter(connection=connection, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED,
        error_code="worker_lost",
        message="The worker running this sync stopped; the next sync carried on.",
        finished_at=timezone.now(),
    )
    run = SyncRun.objects.create(
        workspace_id=connection.workspace_id,
        connection=connection,
        kind=kind,
        trigger=trigger,
        status=SyncRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    _ours(connection, token).update(status=Status.SYNCING)
    try:
        with requests_guarded(functools.partial(_still_ours, connection.pk, token)):
            result = _run(connection, run, token)
    finally:
        lease_release(connection_id=connection.pk, token=token)
    if run.trades_inserted:
        analytics_refresh_request(workspace_id=connection.workspace_id)
    return result


def _ours(connection: ExchangeConnection, token: Any) -> Any:
    """The connection's row while this sync holds its lease: a disconnected connection (its
    lease revoked) or one another sync took over matches nothing, so is never written."""
    return ExchangeConnection.objects.filter(pk=connection.pk, sync_lease_token=token)


def _still_ours(connection_id: int, token: Any) -> None:
    if not lease_alive(connection_id=connection_id, token=token):
        raise LeaseLost()


def _stopped(connection: ExchangeConnection, run: SyncRun) -> None:
    """Why the run stopped without its lease, in the run's own words."""
    run.progress.pop(WALK, None)
    disconnected = ExchangeConnection.objects.filter(
        pk=connection.pk, status=Status.DISCONNECTED
    ).exists()
    run.status = SyncRun.Status.FAILED
    run.finished_at = timezone.now()
    if disconnected:
        run.error_code = "disconnected"
        run.message = "The connection was disconnected; this sync stopped and kept nothing more."
    else:
        run.error_code = "lease_lost"
        run.message = "Another sync of this connection took over; it finishes the work."
    run.save()


def _run(connection: ExchangeConnection, run: SyncRun, token: Any) -> SyncResult:
    adapter = adapter_for(connection.exchange)
    try:
        secret = credential_open(connection=connection)
    except (VaultError, Credential.DoesNotExist):
        logger.warning("connection %s: credential failed to open", connection.pk)
        return _finish(connection, run, token, failure_for(ErrorCode.CREDENTIAL_UNREADABLE))
    client = adapter.client(secret)
    # Balance syncs probe every optional part again; trades-only syncs obey the last probe.
    parts = attach_part_log(
        client,
        PartLog(connection.capabilities, probing=run.kind != SyncRun.Kind.TRADES),
    )
    # What could not be read this time, by what a person sees ("balances", "positions",
    # "trades"): each part goes on without the others, and the run says which were missed.
    missed: dict[str, ExchangeFailure] = {}
    failure: ExchangeFailure | None = None
    try:
        _call(adapter, client, adapter.ensure_markets, client)
        if run.kind in {SyncRun.Kind.INITIAL, SyncRun.Kind.FULL, SyncRun.Kind.BALANCES}:
            missed.update(_sync_balances(adapter, client, connection, run, token))
        if run.kind in {SyncRun.Kind.INITIAL, SyncRun.Kind.FULL, SyncRun.Kind.TRADES}:
            try:
                stream_failures = _sync_trades(adapter, client, connection, run, token)
            except ExchangeCallFailed as failed:
                _only_for_now(failed)
                stream_failures = [failed.failure]
            if stream_failures:
                missed["trades"] = stream_failures[0]
        failure = _missed_in_words(missed, run)
    except ExchangeCallFailed as failed:
        failure = failed.failure
    except LeaseLost:
        run.requests_made = adapter.requests_made(client)
        _stopped(connection, run)
        return SyncResult("failed", run.pk)
    run.requests_made = adapter.requests_made(client)
    run.parts = parts.as_json()
    if parts.entries:
        _ours(connection, token).update(capabilities=parts.merged())
    return _finish(connection, run, token, failure)


def _only_for_now(failed: ExchangeCallFailed) -> None:
    """Let a failure that will pass (the exchange is slow, down for a moment) through to the
    caller's other parts. One that says the key is bad or the exchange is in maintenance
    stops the run, and so does "slow down": going on gets an address banned (Binance's 418)."""
    if failed.failure.outcome is not Outcome.RETRY or failed.failure.code in STOPS_THE_RUN:
        raise failed


def _missed_in_words(missed: dict[str, ExchangeFailure], run: SyncRun) -> ExchangeFailure | None:
    """One failure for the run that names every part it could not read this time."""
    if not missed:
        return None
    run.progress["missed"] = {part: failure.code.value for part, failure in missed.items()}
    first = next(iter(missed.values()))
    names = [MISSED_NAMES[part] for part in missed]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return replace(first, message=f"{listed.capitalize()} not updated this time. {first.message}")


def _sync_balances(
    adapter: ExchangeAdapter, client: Any, connection: ExchangeConnection, run: SyncRun, token: Any
) -> dict[str, ExchangeFailure]:
    """Permissions, balances and positions; returns what could not be read for now."""
    missed: dict[str, ExchangeFailure] = {}
    try:
        permissions = _call(adapter, client, adapter.fetch_permissions, client)
    except ExchangeCallFailed as failed:
        _only_for_now(failed)
        return {"balances": failed.failure}
    access = access_for(permissions)
    if access == ExchangeConnection.Access.NO_READ:
        raise ExchangeCallFailed(failure_for(ErrorCode.PERMISSION))
    balances: list[Any] | None = None
    parts = part_log_of(client)
    mark = len(parts.failure_codes)
    try:
        balances = _call(adapter, client, adapter.fetch_balances, client)
    except ExchangeCallFailed as failed:
        _only_for_now(failed)
        missed["balances"] = failed.failure
    # An optional part that could not be read for now (its failure is on the part log, and
    # never fails the sync): the last balances or positions stay, rather than a total
    # without that wallet.
    if balances is not None and (passing := _passing_since(parts, mark)):
        balances = None
        run.progress["kept"] = {"balances": passing.code.value}
    mark = len(parts.failure_codes)
    positions = _positions(adapter, client, missed)
    if positions is not None and (passing := _passing_since(parts, mark)):
        positions = None
        run.progress.setdefault("kept", {})["positions"] = passing.code.value
    now = timezone.now()
    prices = _prices(adapter, client, balances, run, now=now)
    with transaction.atomic():
        lease_fence(connection_id=connection.pk, token=token)
        snapshot_record(
            connection=connection,
            balances=balances,
            positions=positions,
            as_of=now,
            prices=prices,
        )
        updates: dict[str, Any] = {
            "access": access,
            "permissions": permissions.as_json(),
            "permissions_checked_at": now,
            "key_expires_at": permissions.expires_at,
        }
        if balances is not None:
            updates.update(
                last_balances_sync_at=now,
                next_balances_sync_at=next_slot(connection.pk, BALANCES_EVERY, now),
            )
        ExchangeConnection.objects.filter(pk=connection.pk).update(**updates)
    if balances is not None:
        run.progress["balances"] = {
            "assets": len(balances),
            "positions": len(positions or []),
        }
    return missed


def _prices(
    adapter: ExchangeAdapter,
    client: Any,
    balances: list[Any] | None,
    run: SyncRun,
    *,
    now: datetime,
) -> dict[str, Decimal]:
    """Dollar prices of what the account holds, from public tickers. A price that cannot be
    read for now never fails the sync: its assets show "no price" until the next one."""
    if not balances:
        return {}
    try:
        return _call(
            adapter, client, prices_refresh, adapter, client, {b.asset for b in balances}, now=now
        )
    except ExchangeCallFailed as failed:
        run.progress["prices"] = failed.failure.code.value
        return {}


def _passing_since(parts: PartLog, mark: int) -> ExchangeFailure | None:
    """The first failure that will pass recorded on the part log since `mark`, if any."""
    for code in parts.failure_codes[mark:]:
        if ErrorCode(code) in PASSING:
            return failure_for(ErrorCode(code))
    return None


def _positions(
    adapter: ExchangeAdapter, client: Any, missed: dict[str, ExchangeFailure]
) -> list[Any] | None:
    """Open positions, [] where the account has none to show, or None when they could not be
    read for now (the last ones read stay). Positions are an optional part: a refusal is
    recorded on the part log and never fails the sync."""
    if part_log_of(client).skips(POSITIONS):
        return []
    try:
        return adapter.fetch_positions(client)
    except LeaseLost:
        raise
    except Exception as exc:
        failure = adapter.failure_of(exc, client)
    if failure.outcome is Outcome.RETRY and failure.code in PASSING:
        missed["positions"] = failure
        return None
    adapter.record_failure(client, POSITIONS, failure)
    return []


def _sync_trades(
    adapter: ExchangeAdapter, client: Any, connection: ExchangeConnection, run: SyncRun, token: Any
) -> list[ExchangeFailure]:
    cursors = {c.stream: c for c in SyncCursor.objects.filter(connection=connection)}
    searches = {
        name.removeprefix(SEARCH): int(cursor.position["through_ms"])
        for name, cursor in cursors.items()
        if name.startswith(SEARCH)
    }
    known = KnownStreams((name for name in cursors if not name.startswith(SEARCH)), searches)
    streams: list[Stream] = _call(adapter, client, adapter.trade_streams, client, known=known)
    _remember_streams(client, connection, token, streams, known, cursors)
    now = timezone.now()
    now_ms = int(now.timestamp() * 1000)
    failures: list[ExchangeFailure] = []
    parts = part_log_of(client)
    walked = [s for s in streams if s.part is None or not parts.skips(s.part)]
    for number, stream in enumerate(walked, 1):
        if stream.part is not None and parts.skips(stream.part):
            continue
        # Where the walk is, for the live progress line on the connection's card; written with
        # each page's own save below, so it costs no query, and dropped when the run ends.
        run.progress[WALK] = {"stream": stream.name, "number": number, "of": len(walked)}
        reach = now - timedelta(days=stream.reach_days) if stream.reach_days else now - HISTORY
        since = max(reach, now - HISTORY)
        since_ms = int(since.timestamp() * 1000)
        existing = cursors.get(stream.name)
        position = dict(existing.position) if existing else {}
        rewound_to = position.pop(REWIND, None)
        if rewound_to is not None:
            since_ms = max(since_ms, int(rewound_to))
        progress = {"before": dict(position), "fetched": 0, "inserted": 0}
        run.progress[stream.name] = progress
        try:
            pages = _call(
                adapter,
                client,
                adapter.trade_pages,
                client,
                stream,
                position,
                since_ms=since_ms,
                now_ms=now_ms,
            )
            while True:
                page = _call(adapter, client, next, pages, None)
                if page is None:
                    break
                kept = [record for record in page.trades if record.executed_at >= since]
                with transaction.atomic():
                    lease_fence(connection_id=connection.pk, token=token)
                    inserted, present = trades_record(connection=connection, records=kept)
                    SyncCursor.objects.update_or_create(
                        connection=connection,
                        stream=stream.name,
                        defaults={
                            "position": page.cursor,
                            "reaches_back_to": since if stream.reach_days else None,
                        },
                    )
                    run.trades_fetched += len(page.trades)
                    run.trades_inserted += inserted
                    run.trades_existing += present
                    progress["fetched"] += len(page.trades)
                    progress["inserted"] += inserted
                    progress["after"] = page.cursor
                    run.requests_made = adapter.requests_made(client)
                    run.save(
                        update_fields=[
                            "trades_fetched",
                            "trades_inserted",
                            "trades_existing",
                            "progress",
                            "requests_made",
                        ]
                    )
            if stream.part is not None:
                # Walked to the end: the part answers, whatever an older probe said.
                parts.record(stream.part, Availability.AVAILABLE)
        except ExchangeCallFailed as failed:
            progress["error"] = failed.failure.code.value
            if stream.part is not None:
                # An optional part never fails the sync: recorded, tried again next cycle.
                adapter.record_failure(client, stream.part, failed.failure)
                continue
            if failed.failure.outcome is not Outcome.RETRY:
                raise
            failures.append(failed.failure)
    with transaction.atomic():
        lease_fence(connection_id=connection.pk, token=token)
        ExchangeConnection.objects.filter(pk=connection.pk).update(
            last_trades_sync_at=now, next_trades_sync_at=next_slot(connection.pk, TRADES_EVERY, now)
        )
    return failures


def _remember_streams(
    client: Any,
    connection: ExchangeConnection,
    token: Any,
    streams: list[Stream],
    known: KnownStreams,
    cursors: dict[str, SyncCursor],
) -> None:
    """Store every stream found that will be walked, before walking any, with the searches
    that found them: a run that stops early leaves the next one a list to finish, not a
    search to redo."""
    parts = part_log_of(client)
    with transaction.atomic():
        lease_fence(connection_id=connection.pk, token=token)
        for stream in streams:
            if stream.part is not None and parts.skips(stream.part):
                continue
            if stream.name not in cursors:
                cursors[stream.name] = SyncCursor.objects.create(
                    connection=connection, stream=stream.name, position={}
                )
        for search, through_ms in known.marks.items():
            SyncCursor.objects.update_or_create(
                connection=connection,
                stream=SEARCH + search,
                defaults={"position": {"through_ms": through_ms}},
            )


def _finish(
    connection: ExchangeConnection, run: SyncRun, token: Any, failure: ExchangeFailure | None
) -> SyncResult:
    now = timezone.now()
    run.finished_at = now
    run.progress.pop(WALK, None)
    if failure is None:
        run.status = SyncRun.Status.SUCCEEDED
        status, message = Status.CONNECTED, ""
    else:
        partial = run.trades_fetched > 0 or "balances" in run.progress
        run.status = SyncRun.Status.PARTIAL if partial else SyncRun.Status.FAILED
        run.error_code = failure.code.value
        run.message = failure.message
        status, message = OUTCOME_STATUS[failure.outcome], failure.message
    run.save()
    updates: dict[str, Any] = {"status": status, "status_message": message, "updated_at": now}
    if failure is not None and failure.outcome is Outcome.NEEDS_ATTENTION:
        # No more calls until a person replaces the key (repeated bad calls get IPs banned).
        updates.update(next_trades_sync_at=None, next_balances_sync_at=None)
    elif failure is not None:
        updates.update(
            next_trades_sync_at=next_slot(connection.pk, TRADES_EVERY, now),
            next_balances_sync_at=next_slot(connection.pk, BALANCES_EVERY, now),
        )
    if not _ours(connection, token).update(**updates):
        # Disconnected (or taken over) after the last request: its status is not ours to set.
        _stopped(connection, run)
        return SyncResult("failed", run.pk)
    _note_maintenance(connection.exchange, failure)
    result = "succeeded" if failure is None else run.status
    return SyncResult(result, run.pk, failure)


def _note_maintenance(exchange: str, failure: ExchangeFailure | None) -> None:
    if failure is not None and failure.code is ErrorCode.CREDENTIAL_UNREADABLE:
        return
    if failure is None or failure.outcome is not Outcome.MAINTENANCE:
        ExchangePause.objects.filter(exchange=exchange).delete()
        return
    pause, _ = ExchangePause.objects.get_or_create(exchange=exchange)
    pause.consecutive_maintenance += 1
    if pause.consecutive_maintenance >= MAINTENANCE_PAUSE_AFTER:
        pause.paused_until = timezone.now() + MAINTENANCE_PROBE_EVERY
    pause.save()

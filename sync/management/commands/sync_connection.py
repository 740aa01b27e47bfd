"""Run one sync in the foreground and print its SyncRun summary (support and debugging)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from connections.models import ExchangeConnection
from sync.models import SyncRun
from sync.services import sync_connection


class Command(BaseCommand):
    help = "Sync one connection now, in the foreground, and print what happened."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("public_id", help="The connection's public id (from its page URL).")
        parser.add_argument(
            "--kind", choices=["trades", "balances", "full"], default="full", help="Default: full."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Cross-tenant by design: support staff name a connection by its public id.
        try:
            connection = ExchangeConnection.objects.filter(public_id=options["public_id"]).first()
        except ValidationError:  # not a UUID at all
            connection = None
        if connection is None:
            raise CommandError(f"No connection with public id {options['public_id']!r}.")
        result = sync_connection(
            connection_id=connection.pk, kind=options["kind"], trigger=SyncRun.Trigger.MANUAL
        )
        if result.run_id is None:
            reason = {
                "busy": "another sync of this connection is running",
                "skipped": "the connection is disconnected",
            }.get(result.status, result.status)
            raise CommandError(f"Nothing ran: {reason}.")
        run = SyncRun.objects.get(pk=result.run_id)
        duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
        self.stdout.write(
            f"{connection} — {run.get_kind_display()} sync {run.get_status_display().lower()} "
            f"in {duration:.1f} s\n"
            f"  requests: {run.requests_made}\n"
            f"  trades fetched: {run.trades_fetched}, new: {run.trades_inserted}, "
            f"already present: {run.trades_existing}"
        )
        for stream, progress in sorted(run.progress.items()):
            if "before" in progress:
                self.stdout.write(
                    f"  {stream}: {progress.get('fetched', 0)} fetched, "
                    f"{progress.get('inserted', 0)} new, cursor {progress['before']} → "
                    f"{progress.get('after', progress['before'])}"
                    + (f" ({progress['error']})" if "error" in progress else "")
                )
        if run.error_code:
            self.stdout.write(f"  {run.error_code}: {run.message}")
        if run.status == SyncRun.Status.FAILED:
            raise CommandError(f"The sync failed: {run.message}")

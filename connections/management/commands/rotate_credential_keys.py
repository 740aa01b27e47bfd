"""Re-wrap every credential's data key under the keyring's active key id."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connections.keys import credentials_rotate
from connections.vault import VaultError, configured_keyring


class Command(BaseCommand):
    help = (
        "Re-wrap every credential's data key under the active key id. Idempotent and "
        "resumable: run it again after an interruption."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            keyring = configured_keyring()
        except VaultError as error:
            raise CommandError(str(error)) from None
        if not keyring.can_decrypt:
            raise CommandError("This keyring has no private keys: rotation must unwrap first.")
        report = credentials_rotate(
            keyring=keyring,
            batch_size=options["batch_size"],
            progress=lambda done: self.stdout.write(f"… {done} credentials processed"),
        )
        self.stdout.write(
            f"Rotated to key {keyring.active}: {report.rewrapped} re-wrapped, "
            f"{report.already_current} already current, {len(report.failed)} failed to open."
        )
        if report.failed:
            ids = ", ".join(str(pk) for pk in report.failed[:20])
            raise CommandError(f"Credentials that failed to open (connection ids): {ids}")

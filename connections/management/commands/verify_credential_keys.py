"""Exit non-zero if any credential is on a retired key id or fails to open."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connections.keys import credentials_verify
from connections.vault import VaultError, configured_keyring


class Command(BaseCommand):
    help = "Open every credential; fail if one is on a retired key id or does not open."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            keyring = configured_keyring()
        except VaultError as error:
            raise CommandError(str(error)) from None
        report = credentials_verify(keyring=keyring)
        self.stdout.write(
            f"Checked {report.checked} credentials against active key {keyring.active}: "
            f"{len(report.on_retired_key)} on a retired key, {len(report.failed)} failed to open."
        )
        if not report.healthy:
            problems = []
            if report.on_retired_key:
                problems.append("run rotate_credential_keys")
            if report.failed:
                ids = ", ".join(str(pk) for pk in report.failed[:20])
                problems.append(f"replace the keys of connections {ids}")
            raise CommandError("; ".join(problems))

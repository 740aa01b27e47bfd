"""Add a new active key to a keyring file (the previous keys stay, retired), for rotation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connections.vault import Keyring, KeyringError, keyring_add_active


class Command(BaseCommand):
    help = (
        "Add a new active key to the keyring file and retire the others. Then deploy it and "
        "run rotate_credential_keys; drop retired keys once verify_credential_keys passes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("keyring_file", type=Path)
        parser.add_argument(
            "--public-copy", type=Path, help="Also write the public-only copy for the web tier."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["keyring_file"]
        try:
            keyring = keyring_add_active(Keyring.from_json(path.read_text()))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except KeyringError as error:
            raise CommandError(str(error)) from None
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(keyring.to_json())
        temporary.replace(path)
        if options["public_copy"]:
            options["public_copy"].write_text(keyring.to_json(include_private=False))
        self.stdout.write(f"New active key {keyring.active}; the others are retired.")

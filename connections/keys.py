"""Key rotation and verification over every stored credential (the management commands' logic).

Rotation re-wraps each data key under the active key id; the ciphertext is untouched. It works
batch by batch in primary-key order, one short transaction per row with the row locked, so it
is idempotent, can stop and resume anywhere, and never overwrites a key replaced meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from .models import Credential
from .vault import Binding, Keyring, VaultError, open_envelope, rewrap


@dataclass
class RotationReport:
    rewrapped: int = 0
    already_current: int = 0
    failed: list[int] = field(default_factory=list)


@dataclass
class VerificationReport:
    checked: int = 0
    on_retired_key: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.on_retired_key and not self.failed


def _binding(credential: Credential) -> Binding:
    connection = credential.connection
    return Binding(
        workspace_id=connection.workspace_id,
        connection_id=connection.pk,
        exchange=connection.exchange,
    )


def _credential_ids() -> list[int]:
    """All credential ids, read once; rows added later were sealed under the active key."""
    return list(Credential.objects.order_by("pk").values_list("pk", flat=True))


def credentials_rotate(
    *, keyring: Keyring, batch_size: int = 500, progress: Callable[[int], None] | None = None
) -> RotationReport:
    report = RotationReport()
    ids = _credential_ids()
    for start in range(0, len(ids), batch_size):
        for pk in ids[start : start + batch_size]:
            with transaction.atomic():
                # Cross-tenant by design: rotation is an operator task over every workspace.
                credential = (
                    Credential.objects.select_for_update()
                    .select_related("connection")
                    .filter(pk=pk)
                    .first()
                )
                if credential is None:  # disconnected meanwhile
                    continue
                try:
                    moved = rewrap(
                        credential.envelope, binding=_binding(credential), keyring=keyring
                    )
                except VaultError:
                    report.failed.append(pk)
                    continue
                if moved is None:
                    report.already_current += 1
                    continue
                credential.envelope = moved
                credential.save(update_fields=["envelope", "updated_at"])
                report.rewrapped += 1
        if progress is not None:
            progress(min(start + batch_size, len(ids)))
    return report


def credentials_verify(*, keyring: Keyring, batch_size: int = 500) -> VerificationReport:
    report = VerificationReport()
    # Cross-tenant by design: verification is an operator task over every workspace.
    queryset = Credential.objects.select_related("connection").order_by("pk")
    for credential in queryset.iterator(chunk_size=batch_size):
        report.checked += 1
        kid = credential.envelope.get("kid") if isinstance(credential.envelope, dict) else None
        try:
            open_envelope(credential.envelope, binding=_binding(credential), keyring=keyring)
        except VaultError:
            report.failed.append(credential.pk)
            continue
        if kid != keyring.active:
            report.on_retired_key.append(credential.pk)
    return report

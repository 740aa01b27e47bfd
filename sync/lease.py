"""One sync per connection at a time, enforced by the database.

A sync claims the connection with a conditional UPDATE (only if no live lease exists) and
gets a fencing token. Every commit re-checks the token under a row lock in the same
transaction as the rows it writes, so a sync whose lease expired and was taken over can
never write again, even if it is still running.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from connections.models import ExchangeConnection


class LeaseLost(Exception):
    """Another sync holds this connection now; stop without writing anything more."""


def lease_claim(*, connection_id: int) -> uuid.UUID | None:
    token = uuid.uuid4()
    now = timezone.now()
    claimed = (
        ExchangeConnection.objects.filter(pk=connection_id)
        .filter(Q(sync_lease_token__isnull=True) | Q(sync_lease_until__lt=now))
        .update(
            sync_lease_token=token,
            sync_lease_until=now + timedelta(seconds=settings.THRIVE_SYNC_LEASE_SECONDS),
        )
    )
    return token if claimed else None


def lease_fence(*, connection_id: int, token: uuid.UUID) -> None:
    """Inside a transaction: lock the row, prove the lease is still ours, and extend it."""
    now = timezone.now()
    # The UPDATE both checks the token and locks the row until the transaction ends.
    held = ExchangeConnection.objects.filter(
        pk=connection_id, sync_lease_token=token, sync_lease_until__gte=now
    ).update(sync_lease_until=now + timedelta(seconds=settings.THRIVE_SYNC_LEASE_SECONDS))
    if not held:
        raise LeaseLost()


def lease_release(*, connection_id: int, token: uuid.UUID) -> None:
    ExchangeConnection.objects.filter(pk=connection_id, sync_lease_token=token).update(
        sync_lease_token=None, sync_lease_until=None
    )


def lease_held(connection: ExchangeConnection) -> bool:
    return bool(
        connection.sync_lease_token
        and connection.sync_lease_until
        and connection.sync_lease_until >= timezone.now()
    )

"""One sync per connection at a time, enforced by the database.

A sync claims the connection with a conditional UPDATE (only if no live lease exists) and
gets a fencing token. Every commit re-checks the token under a row lock in the same
transaction as the rows it writes, so a sync whose lease expired and was taken over can
never write again, even if it is still running. Disconnecting clears the token: the running
sync stops before its next request (`lease_alive`, checked by the exchange client) and
writes nothing more.

A person's "Sync now" is a request waiting in the queue until a sync claims the lease: one at
a time per connection (`sync_request`), so pressing twice queues one sync, not two.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from connections.models import ExchangeConnection

# A requested sync whose message was lost (a broker restart) stops blocking the next request.
REQUEST_EXPIRES = timedelta(minutes=10)


class LeaseLost(BaseException):
    """The lease was taken over or revoked (the connection was disconnected): stop at once
    without writing anything more.

    A BaseException, like a cancellation: the adapters' "an optional part failed, go on"
    handlers catch Exception, and must not swallow the order to stop.
    """


def _free(now: datetime) -> Q:
    return Q(sync_lease_token__isnull=True) | Q(sync_lease_until__lt=now)


def lease_claim(*, connection_id: int) -> uuid.UUID | None:
    """The lease of a connection that is not disconnected, or None if a sync holds it. A
    waiting "Sync now" request is served by whichever sync claims or holds the lease."""
    token = uuid.uuid4()
    now = timezone.now()
    live = ExchangeConnection.objects.filter(pk=connection_id).exclude(
        status=ExchangeConnection.Status.DISCONNECTED
    )
    claimed = live.filter(_free(now)).update(
        sync_lease_token=token,
        sync_lease_until=now + timedelta(seconds=settings.THRIVE_SYNC_LEASE_SECONDS),
        sync_requested_until=None,
    )
    if not claimed:
        live.update(sync_requested_until=None)
    return token if claimed else None


def lease_alive(*, connection_id: int, token: uuid.UUID) -> bool:
    """Whether the lease is still ours: asked before every request to the exchange."""
    return ExchangeConnection.objects.filter(pk=connection_id, sync_lease_token=token).exists()


def sync_request(*, connection_id: int) -> bool:
    """Mark a sync as requested, atomically: False while one is queued or running, or the
    connection is disconnected, and then nothing must be queued."""
    now = timezone.now()
    return bool(
        ExchangeConnection.objects.filter(pk=connection_id)
        .exclude(status=ExchangeConnection.Status.DISCONNECTED)
        .filter(_free(now))
        .filter(Q(sync_requested_until__isnull=True) | Q(sync_requested_until__lt=now))
        .update(sync_requested_until=now + REQUEST_EXPIRES)
    )


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

"""When each connection syncs next: every 15 minutes for trades and every 60 for balances,
each connection on its own phase so that load spreads evenly over the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TRADES_EVERY = timedelta(minutes=15)
BALANCES_EVERY = timedelta(minutes=60)
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def phase_of(connection_id: int, every: timedelta) -> timedelta:
    """A stable offset inside the window, spread evenly over ids (Knuth's multiplicative hash)."""
    seconds = int(every.total_seconds())
    return timedelta(seconds=(connection_id * 2_654_435_761) % (2**32) * seconds // (2**32))


def next_slot(connection_id: int, every: timedelta, after: datetime) -> datetime:
    """The first moment after `after` that sits on this connection's phase."""
    phase = phase_of(connection_id, every)
    elapsed = after - _EPOCH - phase
    periods = elapsed // every + 1
    return _EPOCH + phase + periods * every

"""Celery beat's scheduler, with a heartbeat so /healthz can tell that beat is running."""

from __future__ import annotations

import logging
import time

from celery.beat import PersistentScheduler

from .health import beat_heartbeat_write

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY_SECONDS = 30.0


class HeartbeatScheduler(PersistentScheduler):
    _last_heartbeat = 0.0

    def tick(self, *args: object, **kwargs: object) -> float:
        now = time.monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_EVERY_SECONDS:
            try:
                beat_heartbeat_write()
                self._last_heartbeat = now
            except Exception:
                # A database blip must not stop the schedule; /healthz will show beat as stale.
                logger.warning("beat could not write its heartbeat", exc_info=True)
        return min(super().tick(*args, **kwargs), HEARTBEAT_EVERY_SECONDS)

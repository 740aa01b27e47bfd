"""The Celery app: one per process, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")

app = Celery("thrive")
app.config_from_object("django.conf:settings", namespace="CELERY")
# "Sync now" has a queue of its own so that it never waits behind the scheduled work of
# everyone; computing analytics again (seconds for a large journal) has one so that it never
# delays a sync.
app.conf.task_queues = (
    Queue("sync", routing_key="sync"),
    Queue("manual", routing_key="manual"),
    Queue("analytics", routing_key="analytics"),
)
app.conf.task_default_queue = "sync"
app.conf.task_default_routing_key = "sync"
app.conf.beat_scheduler = "thrive.beat:HeartbeatScheduler"
# One entry only: the dispatcher reads due connections from the database every minute, so
# schedules are data on rows, not beat entries.
app.conf.beat_schedule = {
    "dispatch-due-syncs": {
        "task": "sync.tasks.dispatch_due",
        "schedule": 60.0,
        "options": {"queue": "sync", "expires": 55},
    },
}
app.autodiscover_tasks()

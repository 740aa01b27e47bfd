from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from thrive.celery import app as celery_app
from thrive.health import beat_heartbeat_write


@pytest.fixture
def dead_broker_url():
    """A Redis URL on a port nothing listens on: a broker that is stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_healthz_is_ok_when_database_broker_and_beat_are_alive(db):
    beat_heartbeat_write()
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert timezone.datetime.fromisoformat(body["beat"]) <= timezone.now()


def test_healthz_names_a_stopped_broker(db, dead_broker_url, monkeypatch):
    beat_heartbeat_write()
    monkeypatch.setattr(celery_app.conf, "broker_url", dead_broker_url)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_healthz_says_beat_is_down_when_its_heartbeat_is_stale(db):
    beat_heartbeat_write(timezone.now() - timedelta(minutes=10))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"].startswith("down (last heartbeat ")


def test_healthz_says_beat_is_down_before_its_first_heartbeat(db):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "down (no heartbeat yet)"


def test_the_beat_scheduler_writes_a_heartbeat_as_it_ticks(db, tmp_path):
    from thrive.beat import HeartbeatScheduler
    from thrive.models import Heartbeat

    scheduler = HeartbeatScheduler(
        app=celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=True
    )
    scheduler.setup_schedule()
    assert not Heartbeat.objects.exists()
    next_tick = scheduler.tick()
    assert Heartbeat.objects.get(name="beat").beat_at > timezone.now() - timedelta(seconds=5)
    assert 0 <= next_tick <= 30
    scheduler.close()


def test_beat_runs_exactly_one_entry_the_dispatcher_every_minute():
    schedule = celery_app.conf.beat_schedule
    assert list(schedule) == ["dispatch-due-syncs"]
    assert schedule["dispatch-due-syncs"]["task"] == "sync.tasks.dispatch_due"
    assert schedule["dispatch-due-syncs"]["schedule"] == 60.0
    celery_app.loader.import_default_modules()  # what a worker does at start-up
    assert "sync.tasks.dispatch_due" in celery_app.tasks


def test_celery_is_configured_for_safe_delivery():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_ignore_result
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert {q.name for q in conf.task_queues} == {"sync", "manual", "analytics"}

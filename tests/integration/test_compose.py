"""Docker cannot run here, so check the compose file's shape and that what it starts imports."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_runs_postgres_redis_web_workers_and_one_beat():
    assert {
        "postgres", "redis", "migrate", "web", "worker", "worker-manual", "worker-analytics",
        "beat",
    } <= set(SERVICES)  # fmt: skip
    assert SERVICES["beat"]["deploy"]["replicas"] == 1


def test_every_long_running_service_has_a_healthcheck():
    for name in ("postgres", "redis", "web", "worker", "worker-manual", "worker-analytics", "beat"):
        assert SERVICES[name]["healthcheck"]["test"], name


def test_app_services_wait_for_healthy_databases_and_a_finished_migration():
    for name in ("web", "worker", "worker-manual", "worker-analytics", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert SERVICES[name]["env_file"] == ".env"


def test_the_wsgi_application_gunicorn_starts_imports():
    command = SERVICES["web"]["command"]
    assert command[0] == "gunicorn"
    module, attribute = command[1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_the_celery_app_workers_and_beat_start_imports_and_knows_the_queues():
    for name in ("worker", "worker-manual", "worker-analytics", "beat"):
        command = SERVICES[name]["command"]
        assert command[:2] == ["celery", "-A"]
        app = importlib.import_module(command[2]).celery_app
        if "--queues" in command:
            queues = set(command[command.index("--queues") + 1].split(","))
            assert queues <= {q.name for q in app.conf.task_queues}


def test_every_variable_compose_and_the_app_read_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    settings_source = (ROOT / "thrive" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings_source))
    read |= {"POSTGRES_PASSWORD"}
    documented = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read <= documented, read - documented


def test_the_dockerfile_builds_one_image_that_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "requirements.lock" in dockerfile
    assert "collectstatic" in dockerfile

"""Read what is waiting in the Celery broker, whichever transport the settings chose."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from django.conf import settings


def queued_messages(queue: str) -> list[str]:
    """The raw text of every message waiting in `queue` (Redis list or filesystem files)."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        return [raw.decode() for raw in client.lrange(queue, 0, -1)]
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return [path.read_text() for path in sorted(folder.glob(f"*.{queue}.msg"))]


def decoded(raw: str) -> dict:
    """A message with its body decoded: kombu stores it base64-encoded."""
    message = json.loads(raw)
    body = message.get("body", "")
    if message.get("properties", {}).get("body_encoding") == "base64":
        body = base64.b64decode(body).decode()
    return {**message, "decoded_body": body}


def purge(queue: str) -> None:
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete(queue)
        return
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    for path in folder.glob("*.msg"):
        path.unlink(missing_ok=True)

"""Print the sign-in again once `make dev`'s web server answers, then wait.

seed_demo prints it before the servers start, and their start-up logs push it off the screen.
This process must not exit after printing: honcho stops every process as soon as one ends.
"""

from __future__ import annotations

import signal
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .seed_demo import sign_in_banner


def web_answers(url: str, *, timeout: float) -> bool:
    """Whether anything answers HTTP at `url` within `timeout` seconds (503 counts: /healthz
    says 503 until beat's first heartbeat, but the pages already work)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 -- our own dev server
                return True
        except urllib.error.HTTPError:
            return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return False


class Command(BaseCommand):
    help = "Print the demo sign-in once the web server answers, then wait (make dev only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Where the app runs.")
        parser.add_argument("--simulator-url", default="http://127.0.0.1:8900")
        parser.add_argument("--timeout", type=float, default=120, help="Seconds to wait.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("dev_ready only runs with DEBUG on: it prints the demo password.")
        url = options["url"]
        if web_answers(f"{url}/healthz", timeout=options["timeout"]):
            banner = sign_in_banner("ready", url, options["simulator_url"])
            self.stdout.write(self.style.SUCCESS(banner))
        else:
            self.stdout.write(f"The web server did not answer on {url} within the wait.")
        self.stdout.flush()
        while True:
            signal.pause()

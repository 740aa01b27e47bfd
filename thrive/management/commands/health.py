"""Print the health report as JSON; exit 1 when anything checked is down (for healthchecks)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thrive.health import CHECKS, health_report


class Command(BaseCommand):
    help = "Check the database, the broker and beat's heartbeat; exit 1 if one is down."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--only",
            choices=CHECKS,
            action="append",
            help="Check only this one (repeatable). Default: all.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report, down = health_report(options["only"] or CHECKS)
        self.stdout.write(json.dumps(report))
        if down:
            raise CommandError("down: " + ", ".join(down))

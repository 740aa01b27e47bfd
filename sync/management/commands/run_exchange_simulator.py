"""``manage.py run_exchange_simulator``: serve the exchange simulator until interrupted."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sync.simulator.server import serve


class Command(BaseCommand):
    help = "Serve the exchange simulator (fake exchange REST APIs for ccxt) on this machine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("SIM_PORT", "8900")),
            help="TCP port (default: $SIM_PORT or 8900).",
        )
        parser.add_argument("--host", default="127.0.0.1", help="Interface (default 127.0.0.1).")
        parser.add_argument("--seed", type=int, default=0, help="Seed of accounts and trades.")
        parser.add_argument(
            "--rate-limit-scale",
            type=float,
            default=1.0,
            help="Multiply every documented rate limit (0 switches them off, e.g. for benchmarks).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def announce(base_url: str) -> None:
            self.stdout.write(f"Exchange simulator listening on {base_url}", ending="\n")
            self.stdout.write(f"Accounts and keys: {base_url}/_sim/accounts")
            self.stdout.flush()

        try:
            serve(
                options["host"],
                options["port"],
                options["seed"],
                rate_limit_scale=options["rate_limit_scale"],
                on_ready=announce,
            )
        except KeyboardInterrupt:
            self.stdout.write("Exchange simulator stopped.")

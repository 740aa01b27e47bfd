"""Run every read an adapter makes against a real exchange with an operator's read-only key, and
say per endpoint what came back compared with our fixtures.

The key never comes from the command line (shell history, `ps`): it is read from the
environment (THRIVE_PROBE_API_KEY, THRIVE_PROBE_SECRET, THRIVE_PROBE_PASSPHRASE,
THRIVE_PROBE_FUTURES_API_KEY, THRIVE_PROBE_FUTURES_SECRET) or asked for at a prompt that does
not echo, and it is never printed. With --record DIR every answer is written, redacted (keys,
ids and amounts scrambled), in the fixture format of tests/fixtures/exchanges/<exchange>/, so
the audit's "unverified" items can be settled and the fixture set can grow.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connections.models import Exchange
from connections.vault import CredentialSecret
from sync.exchanges.recording import Call, field_paths, fixture_for, record_client, redact
from sync.exchanges.records import KnownStreams
from sync.exchanges.registry import adapter_for

ENV = {
    "api_key": "THRIVE_PROBE_API_KEY",
    "secret": "THRIVE_PROBE_SECRET",
    "passphrase": "THRIVE_PROBE_PASSPHRASE",
    "futures_api_key": "THRIVE_PROBE_FUTURES_API_KEY",
    "futures_secret": "THRIVE_PROBE_FUTURES_SECRET",
}
ERROR_FIELDS = ("code", "retCode", "label", "error", "error_code")


def error_code(call: Call) -> str:
    body = call.body
    if isinstance(body, dict):
        for name in ERROR_FIELDS:
            value = body.get(name)
            if value not in (None, "", 0, "0", [], 200, "200000"):
                return str(value if not isinstance(value, list) else value[0])
    return ""


class Command(BaseCommand):
    help = (
        "Probe an exchange with a real read-only key (from THRIVE_PROBE_* variables or a "
        "prompt, never argv) and report, per endpoint, ok / the exchange's error code / "
        "fields missing or unexpected against our fixtures."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("exchange", choices=Exchange.values)
        parser.add_argument(
            "--record",
            metavar="DIR",
            help="Write every answer, redacted, as fixtures into DIR.",
        )
        parser.add_argument(
            "--streams",
            type=int,
            default=3,
            help="How many trade streams to read one page of (default 3; 0 for all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        exchange = options["exchange"]
        adapter = adapter_for(exchange)
        secret = self._secret(adapter)
        client = adapter.client(secret)
        # Kraken's futures key rides along on a client of its own: its reads are recorded too.
        recorders = [
            record_client(each)
            for each in (client, getattr(client, "futures_client", None))
            if each is not None
        ]
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("markets", client.load_markets),
            ("read check", lambda: adapter.read_probe(client)),
            ("permissions", lambda: adapter.fetch_permissions(client)),
            ("balances", lambda: adapter.fetch_balances(client)),
            ("positions", lambda: adapter.fetch_positions(client)),
        ]
        done = {name: self._run(name, step, adapter, client) for name, step in steps}
        if done["permissions"] is not None:
            # the connect-time check's read of the account's own id (MEXC's /api/v3/uid, Gate's
            # /account/detail where main_keys does not name the key)
            self._run(
                "account id",
                lambda: adapter.account_id(client, done["permissions"]),
                adapter,
                client,
            )
        streams = self._run(
            "trade streams",
            # as a first sync asks: no stream known, no search begun (Binance's income)
            lambda: adapter.trade_streams(client, known=KnownStreams()),
            adapter,
            client,
        )
        limit = options["streams"] or None
        for stream in (streams or [])[:limit]:
            self._run(
                f"trades {stream.name}",
                lambda stream=stream: next(
                    iter(
                        adapter.trade_pages(
                            client,
                            stream,
                            {},
                            since_ms=client.milliseconds() - 30 * 86_400_000,
                            now_ms=client.milliseconds(),
                        )
                    ),
                    None,
                ),
                adapter,
                client,
            )
        calls = [call for recorder in recorders for call in recorder.calls]
        self._report(exchange, calls)
        if options["record"]:
            written = self._record(exchange, calls, Path(options["record"]))
            self.stdout.write(f"wrote {written} redacted fixtures to {options['record']}")

    def _secret(self, adapter: Any) -> CredentialSecret:
        values = {name: os.environ.get(variable, "") for name, variable in ENV.items()}
        asked = ["api_key", "secret"]
        if adapter.shape.needs_passphrase:
            asked.append("passphrase")
        for name in asked:
            if not values[name]:
                try:
                    values[name] = getpass.getpass(f"{name.replace('_', ' ')} (not shown): ")
                except (EOFError, KeyboardInterrupt):
                    raise CommandError(f"No {name.replace('_', ' ')} given.") from None
            if not values[name].strip():
                raise CommandError(
                    f"No {name.replace('_', ' ')} given: set {ENV[name]} or type it at the prompt."
                )
        return CredentialSecret(**{name: value.strip() for name, value in values.items()})

    def _run(self, name: str, step: Callable[[], Any], adapter: Any, client: Any) -> Any:
        try:
            result = step()
        except Exception as exc:
            failure = adapter.failure_of(exc, client)
            code = f" ({failure.exchange_code})" if failure.exchange_code else ""
            self.stdout.write(f"{name}: failed — {failure.code.value}{code}")
            return None
        self.stdout.write(f"{name}: ok")
        return result

    def _report(self, exchange: str, calls: list[Call]) -> None:
        self.stdout.write("")
        self.stdout.write("per endpoint:")
        seen: set[str] = set()
        for call in calls:
            line = call.endpoint
            if line in seen:
                continue
            seen.add(line)
            code = error_code(call)
            if call.status >= 300 or code:
                self.stdout.write(f"  {line}: HTTP {call.status}, error {code or 'none'}")
                continue
            fixture = fixture_for(exchange, call)
            if fixture is None:
                self.stdout.write(f"  {line}: ok (no fixture to compare with)")
                continue
            expected = field_paths(fixture["response"]["body"])
            got = field_paths(call.body)
            missing, extra = sorted(expected - got), sorted(got - expected)
            verdict = "ok" if not missing and not extra else "ok, fields differ"
            self.stdout.write(f"  {line}: {verdict}")
            if missing:
                self.stdout.write(f"    expected, not sent: {', '.join(missing[:20])}")
            if extra:
                self.stdout.write(f"    sent, not expected: {', '.join(extra[:20])}")

    def _record(self, exchange: str, calls: list[Call], folder: Path) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        salt = os.urandom(16).hex()
        written = 0
        for index, call in enumerate(calls):
            if call.signed:
                call.body = redact(call.body, salt)
                call.query = redact(call.query, salt)
            call.source = f"manage.py exchange_probe {exchange} (redacted)"
            slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{call.host}{call.path}").strip("-")
            path = folder / f"{index:03d}-{slug}.json"
            path.write_text(json.dumps(call.as_fixture(), indent=2, sort_keys=True) + "\n")
            written += 1
        return written

"""SECURITY.md §7: a canary secret saved through the UI appears nowhere but in its envelope."""

from __future__ import annotations

import base64
import logging

from django.db import connection as db

from connections.models import ExchangeConnection
from tests.broker import decoded, purge, queued_messages

from .conftest import form_data


def database_dump() -> str:
    """Every row of every table, as text: what a stolen backup would show."""
    lines = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608 -- table names from introspection
            lines.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(lines)


def test_a_canary_secret_is_absent_from_the_database_logs_and_broker(
    owner_client, workspace, routed_to_simulator, caplog, capfd, django_capture_on_commit_callbacks
):
    canary = routed_to_simulator.create_account(
        exchange="binance", trades={"BTC/USDT": 3}, days=10, permissions=["read"]
    )
    secret, api_key = canary["secret"], canary["api_key"]
    purge("manual")
    caplog.set_level(logging.DEBUG)
    logging.getLogger("ccxt").setLevel(logging.DEBUG)  # even if something loosened the clamp,
    # building a client clamps it again.

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            "/settings/connections/add/?exchange=binance", form_data(canary, action="test")
        )
        response = owner_client.post(
            "/settings/connections/add/?exchange=binance", form_data(canary)
        )
    assert response.status_code == 302
    connection = ExchangeConnection.objects.get(workspace=workspace)

    from sync.services import sync_connection

    assert sync_connection(connection_id=connection.pk, kind="initial").status == "succeeded"

    dump = database_dump()
    for needle in (secret, api_key, base64.b64encode(secret.encode()).decode()):
        assert needle not in dump
    assert connection.api_key_hint in dump

    logs = caplog.text + "".join(capfd.readouterr())
    assert secret not in logs and api_key not in logs

    messages = queued_messages("manual")
    assert messages, "the first sync should have been queued"
    for raw in messages:
        message = decoded(raw)
        assert secret not in raw and secret not in message["decoded_body"]
        assert api_key not in raw and api_key not in message["decoded_body"]

"""Fixtures of the support console's tests: a support user, and connections worth supporting."""

from __future__ import annotations

import json

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from sync import services as sync_services
from tests.broker import decoded, purge, queued_messages
from tests.conftest import PASSWORD, signed_in
from tests.exchange_keys import secret_of
from thrive.support import support_user_create


@pytest.fixture
def support_user(db):
    return support_user_create(email="alice.support@thrive.example", password=PASSWORD)


@pytest.fixture
def support_client(support_user):
    return signed_in(support_user)


@pytest.fixture
def demo(routed_to_simulator):
    return routed_to_simulator.account("binance", "demo")


@pytest.fixture
def synced(workspace, owner, demo) -> ExchangeConnection:
    """The simulator's demo Binance account, connected and imported once."""
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main account",
        portfolio=None,
        secret=secret_of(demo),
    )
    result = sync_services.sync_connection(connection_id=connection.pk, kind="initial")
    assert result.status == "succeeded"
    purge("manual")
    connection.refresh_from_db()
    return connection


def queued_syncs() -> list[list]:
    """The (connection id, kind, trigger) of each sync waiting on the manual queue."""
    return [json.loads(decoded(raw)["decoded_body"])[0] for raw in queued_messages("manual")]


def run_queued_syncs() -> list[str]:
    """Run what waits on the manual queue, as a worker would, and empty it; the results."""
    waiting = queued_syncs()
    purge("manual")
    return [
        sync_services.sync_connection(connection_id=pk, kind=kind, trigger=trigger).status
        for pk, kind, trigger in waiting
    ]

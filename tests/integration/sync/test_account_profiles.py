"""Accounts as people really have them, on every exchange: connected through the form, synced,
and judged only by their core (spot). One suite, parameterized by exchange and profile.

Each exchange lists, in tests/account_profiles/<exchange>.py, the simulator profiles it has and
what the connection page must then say of the optional parts.
"""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from journal.models import Trade
from sync.models import SyncRun
from sync.selectors import account_parts_in_words
from sync.services import sync_connection
from tests import account_profiles
from tests.account_profiles import AVAILABLE
from tests.integration.connections.conftest import form_data

ADD = "/settings/connections/add/"
EXCHANGES = account_profiles.load()
PROFILES = {name: module.PROFILES for name, module in EXCHANGES.items()}
OPTIONAL_PATHS = {name: module.OPTIONAL_PATHS for name, module in EXCHANGES.items()}
CASES = [(exchange, profile) for exchange, profiles in PROFILES.items() for profile in profiles]


def connect(client, simulator, exchange: str, label: str) -> ExchangeConnection:
    account = simulator.account(exchange, label)
    response = client.post(ADD, form_data(account, label=label))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ExchangeConnection.objects.get(label=label, exchange=exchange)


def spot_fills(simulator, account: dict) -> int:
    return sum(
        1 for fill in simulator.ground_truth(account["api_key"]) if fill["market_type"] == "spot"
    )


@pytest.mark.parametrize(("exchange", "profile"), CASES, ids=[f"{e}-{p}" for e, p in CASES])
def test_each_profile_connects_imports_its_spot_trades_and_names_what_is_missing(
    routed_to_simulator, owner_client, exchange, profile
):
    account = routed_to_simulator.account(exchange, profile)
    connection = connect(owner_client, routed_to_simulator, exchange, profile)
    assert connection.access in {"read_only", "unverifiable"}

    result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")

    connection.refresh_from_db()
    assert result.status == "succeeded", SyncRun.objects.get(pk=result.run_id).message
    assert connection.status == ExchangeConnection.Status.CONNECTED
    spot = Trade.objects.filter(connection=connection, market_type="spot").count()
    assert spot == spot_fills(routed_to_simulator, account)
    found = {key: entry["availability"] for key, entry in connection.capabilities.items()}
    for part, availability in PROFILES[exchange][profile].items():
        assert found.get(part) == availability, (part, found)
    parts = account_parts_in_words(connection=connection)
    assert parts.readable[0] == "Spot"
    assert len(parts.missing) == sum(1 for a in found.values() if a != AVAILABLE)
    page = owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()
    for sentence in parts.sentences:
        assert sentence.replace("&", "&amp;") in page


@pytest.mark.parametrize("label", ["demo", "spot-only"])
@pytest.mark.parametrize("exchange", sorted(OPTIONAL_PATHS))
def test_an_unseen_error_on_any_optional_part_leaves_the_connection_connected(
    routed_to_simulator, owner_client, exchange, label
):
    # from the connect-time check on: every optional part answers a code nobody has seen
    for path in OPTIONAL_PATHS[exchange]:
        routed_to_simulator.add_fault("unknown_error", exchange=exchange, path=path)
    connection = connect(owner_client, routed_to_simulator, exchange, label)

    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")

    connection.refresh_from_db()
    run = SyncRun.objects.get(pk=result.run_id)
    assert result.status == "succeeded", run.message
    assert connection.status == ExchangeConnection.Status.CONNECTED
    assert Trade.objects.filter(connection=connection, market_type="spot").exists()
    failed = [entry for entry in run.parts.values() if entry["availability"] != AVAILABLE]
    assert failed, "the faults reached no optional part"
    assert any(entry["availability"] == "failed" and entry["exchange_code"] for entry in failed)

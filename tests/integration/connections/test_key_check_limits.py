"""Testing and connecting keys is limited per person and per workspace, and draws from its own
share of the exchange's budget: no stolen-key oracle, no starving other people's syncs."""

from __future__ import annotations

import pytest
from django.core.cache import cache

import sync.budget
from connections.models import AuditEvent
from connections.services import connection_create
from sync.services import sync_connection
from tests.conftest import signed_in
from tests.exchange_keys import secret_of
from tests.factories import MembershipFactory
from thrive.models import Membership

from .conftest import form_data

LIMIT_SAID = "tested or connected keys 3 times in the last minute, the most we allow"


@pytest.fixture(autouse=True)
def _low_limits(settings):
    settings.THRIVE_KEY_CHECKS_PER_MINUTE = 3
    settings.THRIVE_KEY_CHECKS_PER_HOUR = 5
    cache.clear()
    yield
    cache.clear()


def _test_key(client, account, **changes):
    return client.post(
        "/settings/connections/add/?exchange=binance",
        form_data(account, action="test", **changes),
    ).content.decode()


def _requests_of(simulator, api_key: str) -> int:
    return simulator.stats()["api_keys"].get(api_key, {}).get("requests", 0)


def test_a_fourth_key_test_in_a_minute_is_refused_without_reaching_the_exchange(
    routed_to_simulator, owner_client, binance
):
    account = binance["read-only"]
    for _ in range(3):
        assert "Verified read-only" in _test_key(owner_client, account)
    sent = _requests_of(routed_to_simulator, account["api_key"])

    page = _test_key(owner_client, account)

    assert f"You have {LIMIT_SAID}" in page
    assert "Try again in" in page
    assert _requests_of(routed_to_simulator, account["api_key"]) == sent
    # refused tests are not counted: only three tests were made
    assert AuditEvent.objects.filter(action="tested").count() == 3


def test_connecting_counts_like_testing(routed_to_simulator, owner_client, workspace, binance):
    for _ in range(3):
        _test_key(owner_client, binance["read-only"])
    response = owner_client.post(
        "/settings/connections/add/?exchange=binance", form_data(binance["read-only"])
    )
    assert response.status_code == 200
    assert LIMIT_SAID in response.content.decode()
    assert not workspace.connections.exists()


def test_the_workspace_limit_holds_across_its_people(routed_to_simulator, workspace, binance):
    people = [
        signed_in(MembershipFactory(workspace=workspace, role=Membership.Role.OWNER).user)
        for _ in range(3)
    ]
    pages = [_test_key(person, binance["read-only"]) for person in people for _ in range(2)]

    # no one reaches their own limit of 3, but together they reach the workspace's
    assert sum("Verified read-only" in page for page in pages) == 3
    assert f"People in this workspace have {LIMIT_SAID}" in pages[3]


def test_random_keys_stop_reaching_the_exchange_at_the_limit(routed_to_simulator, owner_client):
    fakes = [
        {"exchange": "binance", "api_key": f"{n:02d}" + "k" * 62, "secret": "s" * 64}
        for n in range(8)
    ]
    pages = [_test_key(owner_client, {**fake, "passphrase": ""}) for fake in fakes]
    sent = routed_to_simulator.stats()["exchanges"].get("binance", {}).get("requests", 0)

    assert sum("Authentication failed" in page for page in pages) == 3
    assert sum(LIMIT_SAID in page for page in pages) == 5
    assert sent <= 3 * 3  # a refused key costs at most a few requests; refused tests none


def test_key_checks_draw_from_their_own_share_of_the_budget(
    routed_to_simulator, owner_client, workspace, owner, binance, monkeypatch, settings
):
    taken: list[tuple[str, float]] = []
    take = sync.budget.take

    def recorded(exchange, *, rate_limit_ms, cost=1.0):
        taken.append((exchange, rate_limit_ms))
        return take(exchange, rate_limit_ms=rate_limit_ms, cost=cost)

    monkeypatch.setattr(sync.budget, "take", recorded)
    _test_key(owner_client, binance["read-only"])
    checks, taken[:] = list(taken), []
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main",
        portfolio=None,
        secret=secret_of(binance["spot-only"]),
    )
    taken.clear()
    sync_connection(connection_id=connection.pk, kind="full", trigger="manual")

    assert checks and {key for key, _ in checks} == {"binance:checks"}
    # the sync draws from the syncs' share (Binance's, and Kraken's for a stablecoin price)
    assert "binance" in {key for key, _ in taken}
    assert not [key for key, _ in taken if key.endswith(":checks")]
    # the two shares together are the exchange's limit, no more
    sync_rate_ms = next(rate for key, rate in taken if key == "binance")
    check_rate, sync_rate = 1 / checks[0][1], 1 / sync_rate_ms
    assert check_rate / (check_rate + sync_rate) == pytest.approx(
        settings.THRIVE_CHECK_BUDGET_SHARE
    )

"""Personas every view test uses: an owner and a member of one workspace, and an outsider
who owns another workspace."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import MembershipFactory, WorkspaceFactory
from thrive.models import Membership

PASSWORD = "correct horse battery"


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme Trading")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=Membership.Role.OWNER).user


@pytest.fixture
def member(workspace):
    return MembershipFactory(workspace=workspace, role=Membership.Role.MEMBER).user


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Other Desk")


@pytest.fixture
def outsider(other_workspace):
    return MembershipFactory(workspace=other_workspace, role=Membership.Role.OWNER).user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    return signed_in(owner)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return signed_in(outsider)


@pytest.fixture
def routed_to_simulator(settings, simulator, db):
    """Send every exchange's traffic to the simulator, as THRIVE_EXCHANGE_URLS does in make dev.

    `simulator` is the session fixture of tests/integration/conftest.py. The database is there
    because every exchange request draws on the shared request budget (sync/budget.py).
    """
    from connections.models import Exchange

    settings.THRIVE_EXCHANGE_URLS = {exchange: simulator.base_url for exchange in Exchange.values}
    _budget_buckets_full(settings)
    return simulator


def _budget_buckets_full(settings) -> None:
    """Every test starts with full request-budget buckets. Kept in Redis they outlive a test,
    and a test that travels in time leaves them dated in its future: a later test whose clock
    stands still then sleeps off a debt that never refills (the database's buckets roll back
    with the test)."""
    if not settings.REDIS_URL:
        return
    import redis

    from sync.budget import REDIS_PREFIX

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=REDIS_PREFIX + "*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    """A request lost on the way is retried after milliseconds, not seconds, in tests."""
    settings.THRIVE_EXCHANGE_RETRY_BASE_MS = 5

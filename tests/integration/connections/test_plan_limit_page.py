"""At the plan's limit the Add page explains the limit instead of asking for a secret."""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from tests.conftest import signed_in
from tests.factories import ExchangeConnectionFactory, MembershipFactory
from thrive.models import Membership, Workspace


@pytest.fixture
def three(workspace, owner) -> list[ExchangeConnection]:
    return [
        ExchangeConnectionFactory(workspace=workspace, created_by=owner, exchange=exchange)
        for exchange in ("binance", "bybit", "okx")
    ]


@pytest.mark.parametrize(
    "path", ["/settings/connections/add/", "/settings/connections/add/?exchange=kraken"]
)
def test_at_the_limit_the_add_page_shows_the_limit_and_no_credential_form(
    owner_client, three, path
):
    response = owner_client.get(path)
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 of 3 connections" in body
    assert "Your Starter plan allows 3 connections, and this workspace has 3." in body
    assert "Standard (10 connections) or Pro (unlimited)" in body
    assert 'href="/settings/workspace/#plan"' in body
    assert 'name="api_key"' not in body and 'name="api_secret"' not in body
    assert "?exchange=binance" not in body


def test_an_admin_at_the_limit_is_also_shown_the_way_to_change_the_plan(workspace, three):
    admin = MembershipFactory(workspace=workspace, role=Membership.Role.ADMIN).user
    body = signed_in(admin).get("/settings/connections/add/").content.decode()
    assert "Change the plan in Settings → Workspace" in body


def test_a_disconnected_connection_frees_its_place(owner_client, three):
    three[0].status = ExchangeConnection.Status.DISCONNECTED
    three[0].save()
    body = owner_client.get("/settings/connections/add/?exchange=kraken").content.decode()
    assert 'name="api_key"' in body
    assert "of 3 connections" not in body


def test_the_standard_plan_names_only_pro_as_bigger(owner_client, workspace, owner):
    workspace.plan = Workspace.Plan.STANDARD
    workspace.save()
    for index in range(10):
        ExchangeConnectionFactory(workspace=workspace, created_by=owner, account_ref=f"id:{index}")
    body = owner_client.get("/settings/connections/add/").content.decode()
    assert "10 of 10 connections" in body
    assert "or move to Pro (unlimited)." in body
    assert "Standard (10 connections)" not in body


def test_the_pro_plan_has_no_limit(owner_client, workspace, three):
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    body = owner_client.get("/settings/connections/add/").content.decode()
    assert "?exchange=binance" in body

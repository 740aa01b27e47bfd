"""Owners and admins change connections; members see everything and press Sync now."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections.models import AuditEvent, ExchangeConnection
from connections.services import audit_record
from tests.broker import purge
from tests.conftest import signed_in
from tests.factories import ExchangeConnectionFactory, MembershipFactory, UserFactory
from thrive.models import Membership


@pytest.fixture
def connection(workspace, owner) -> ExchangeConnection:
    return ExchangeConnectionFactory(workspace=workspace, created_by=owner)


@pytest.fixture
def member_client(member):
    return signed_in(member)


@pytest.fixture
def admin(workspace):
    return MembershipFactory(workspace=workspace, role=Membership.Role.ADMIN).user


def test_a_member_sees_the_connection_and_presses_sync_now_but_sees_no_replace_or_disconnect(
    member_client, connection
):
    page = member_client.get(f"/settings/connections/{connection.public_id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert connection.label in body
    assert "Sync now" in body
    assert "Disconnect" not in body
    assert "Replace key" not in body

    purge("manual")
    pressed = member_client.post(f"/settings/connections/{connection.public_id}/sync/")
    purge("manual")
    assert pressed.status_code == 302
    assert pressed["Location"] == f"/settings/connections/{connection.public_id}/"


def test_a_member_does_not_see_connect_an_exchange_but_an_admin_does(
    member_client, admin, connection
):
    assert "Connect an exchange" not in member_client.get("/settings/connections/").content.decode()
    admin_page = signed_in(admin).get("/settings/connections/").content.decode()
    assert "Connect an exchange" in admin_page
    detail = signed_in(admin).get(f"/settings/connections/{connection.public_id}/")
    assert "Disconnect" in detail.content.decode()


def test_a_member_gets_403_disconnecting_and_the_connection_stays(member_client, connection):
    response = member_client.post(f"/settings/connections/{connection.public_id}/disconnect/")
    assert response.status_code == 403
    assert "Only the workspace's owners and admins can do this" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED


def test_a_member_gets_403_replacing_a_key(member_client, connection):
    response = member_client.post(
        f"/settings/connections/{connection.public_id}/edit/",
        {"api_key": "", "api_secret": ""},
    )
    assert response.status_code == 403
    connection.refresh_from_db()
    assert connection.api_key_hint == "WXYZ"


def test_a_member_gets_403_adding_a_connection(member_client, workspace, connection):
    response = member_client.post(
        "/settings/connections/add/?exchange=bybit",
        {"exchange": "bybit", "label": "Mine", "api_key": "", "api_secret": ""},
    )
    assert response.status_code == 403
    assert ExchangeConnection.objects.filter(workspace=workspace).count() == 1


def test_a_staff_users_view_shows_as_thrive_support_in_the_history(
    owner_client, owner, workspace, connection
):
    staff = UserFactory(is_staff=True, email="alice.support@thrive.example")
    audit_record(workspace=workspace, actor=owner, action="added", connection=connection)
    audit_record(
        workspace=workspace,
        actor=staff,
        action=AuditEvent.Action.STAFF_VIEWED,
        connection=connection,
    )
    body = owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()
    assert "Thrive support viewed this connection" in body
    assert staff.email not in body
    assert f"Added by {owner.email}" in body


def test_a_staff_user_who_is_a_member_shows_by_their_email(owner_client, workspace, connection):
    colleague = MembershipFactory(workspace=workspace, user__is_staff=True).user
    audit_record(workspace=workspace, actor=colleague, action="replaced", connection=connection)
    body = owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()
    assert f"Replaced by {colleague.email}" in body
    assert "Thrive support" not in body


def test_naming_staff_in_the_history_costs_one_query_however_many_events(
    owner_client, workspace, connection, django_assert_num_queries
):
    staff = UserFactory(is_staff=True)
    url = f"/settings/connections/{connection.public_id}/"
    audit_record(workspace=workspace, actor=staff, action="staff_viewed", connection=connection)
    owner_client.get(url)  # session and caches warm
    with CaptureQueriesContext(db) as one:
        owner_client.get(url)
    for _ in range(5):
        audit_record(workspace=workspace, actor=staff, action="staff_viewed", connection=connection)
    with django_assert_num_queries(len(one.captured_queries)):
        body = owner_client.get(url).content.decode()
    assert body.count("Thrive support viewed this connection") == 6

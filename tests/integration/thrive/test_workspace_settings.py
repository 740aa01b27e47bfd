"""Settings → Workspace: the plan and the people, changed by owners and admins only."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.factories import ExchangeConnectionFactory, MembershipFactory
from thrive.models import Membership, Workspace

PAGE = "/settings/workspace/"


def membership_of(user, workspace) -> Membership:
    return Membership.objects.get(user=user, workspace=workspace)


@pytest.fixture
def admin(workspace):
    return MembershipFactory(workspace=workspace, role=Membership.Role.ADMIN).user


def test_a_member_sees_the_people_and_their_roles_but_no_controls(member, owner, admin, workspace):
    response = signed_in(member).get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert workspace.name in body and "Starter" in body
    for person in (owner, admin, member):
        assert person.email in body
    assert "Owner" in body and "Admin" in body
    assert "Send invitation" not in body
    assert "Change plan" not in body
    assert "Remove" not in body


def test_the_navigation_links_to_the_workspace_settings(owner_client):
    assert f'href="{PAGE}"' in owner_client.get("/journal/").content.decode()


def test_the_last_owner_can_be_neither_removed_nor_demoted(owner_client, owner, workspace):
    mine = membership_of(owner, workspace)
    removed = owner_client.post(f"{PAGE}members/{mine.public_id}/remove/")
    assert removed.status_code == 200
    assert "needs at least one owner" in removed.content.decode()
    demoted = owner_client.post(f"{PAGE}members/{mine.public_id}/role/", {"role": "member"})
    assert "Make someone else an owner first." in demoted.content.decode()
    assert membership_of(owner, workspace).role == Membership.Role.OWNER


def test_an_owner_hands_over_to_another_owner_and_then_steps_down(
    owner_client, owner, member, workspace
):
    theirs = membership_of(member, workspace)
    owner_client.post(f"{PAGE}members/{theirs.public_id}/role/", {"role": "owner"})
    mine = membership_of(owner, workspace)
    response = owner_client.post(f"{PAGE}members/{mine.public_id}/role/", {"role": "member"})
    assert response.status_code == 302
    assert membership_of(member, workspace).role == Membership.Role.OWNER
    assert membership_of(owner, workspace).role == Membership.Role.MEMBER


def test_an_admin_removes_a_member_but_cannot_touch_an_owner(admin, member, owner, workspace):
    client = signed_in(admin)
    owner_row = membership_of(owner, workspace)
    refused = client.post(f"{PAGE}members/{owner_row.public_id}/remove/")
    assert "Only an owner can" in refused.content.decode()
    promoted = client.post(
        f"{PAGE}members/{membership_of(member, workspace).public_id}/role/", {"role": "owner"}
    )
    assert "Only an owner can" in promoted.content.decode()
    removed = client.post(f"{PAGE}members/{membership_of(member, workspace).public_id}/remove/")
    assert removed.status_code == 302
    assert not Membership.objects.filter(user=member, workspace=workspace).exists()
    assert Membership.objects.filter(user=owner, workspace=workspace).exists()


def test_a_member_cannot_change_roles(member, owner, workspace):
    mine = membership_of(member, workspace)
    response = signed_in(member).post(f"{PAGE}members/{mine.public_id}/role/", {"role": "owner"})
    assert response.status_code == 403
    assert membership_of(member, workspace).role == Membership.Role.MEMBER


def test_the_not_allowed_page_names_the_owners_to_ask(member, owner):
    response = signed_in(member).post("/settings/workspace/plan/", {"plan": "pro"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "Only the workspace's owners and admins can do this" in body
    assert f'Ask <a href="mailto:{owner.email}">{owner.email}</a>' in body


def test_another_workspaces_member_id_answers_404(outsider_client, owner, member, workspace):
    theirs = membership_of(member, workspace)
    assert outsider_client.post(f"{PAGE}members/{theirs.public_id}/remove/").status_code == 404
    role = outsider_client.post(f"{PAGE}members/{theirs.public_id}/role/", {"role": "owner"})
    assert role.status_code == 404
    assert membership_of(member, workspace).role == Membership.Role.MEMBER


def test_a_downgrade_below_the_live_connections_is_refused(owner_client, workspace):
    workspace.plan = Workspace.Plan.STANDARD
    workspace.save()
    for exchange in ("binance", "bybit", "okx", "kraken"):
        ExchangeConnectionFactory(workspace=workspace, exchange=exchange)
    ExchangeConnectionFactory(workspace=workspace, exchange="gate", status="disconnected")

    response = owner_client.post(f"{PAGE}plan/", {"plan": "starter"})
    assert response.status_code == 200
    assert (
        "Acme Trading has 4 live connections and the Starter plan allows 3. Disconnect 1 first"
        in response.content.decode()
    )
    workspace.refresh_from_db()
    assert workspace.plan == Workspace.Plan.STANDARD


def test_an_admin_changes_the_plan_when_the_connections_fit(admin, workspace):
    for exchange in ("binance", "bybit", "okx"):
        ExchangeConnectionFactory(workspace=workspace, exchange=exchange)
    response = signed_in(admin).post(f"{PAGE}plan/", {"plan": "pro"}, follow=True)
    assert "Acme Trading is now on the Pro plan." in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.plan == Workspace.Plan.PRO
    signed_in(admin).post(f"{PAGE}plan/", {"plan": "starter"})
    workspace.refresh_from_db()
    assert workspace.plan == Workspace.Plan.STARTER


def test_the_page_costs_the_same_queries_however_many_people(owner_client, workspace):
    owner_client.get(PAGE)
    with CaptureQueriesContext(db) as few:
        owner_client.get(PAGE)
    for role in ("member", "admin", "member"):
        MembershipFactory(workspace=workspace, role=role)
    with CaptureQueriesContext(db) as many:
        owner_client.get(PAGE)
    assert len(many.captured_queries) == len(few.captured_queries)

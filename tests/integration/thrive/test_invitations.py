"""Inviting people by e-mail, and what the link says when it can no longer be used."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, signed_in
from tests.factories import UserFactory
from thrive.models import Invitation, Membership


def invite(client: Client, email: str, role: str = "member"):
    return client.post("/settings/workspace/invitations/", {"email": email, "role": role})


def last_link() -> str:
    """The accept link's path, as the invitee finds it in the e-mail."""
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.fixture
def invitee(db):
    return UserFactory(email="dana@example.com")


def test_an_owner_invites_by_email_and_the_invitee_signs_in_and_joins(
    owner_client, owner, workspace, invitee
):
    response = invite(owner_client, "Dana@Example.com", role="admin")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.com"]
    assert workspace.name in mail.outbox[0].subject
    link = last_link()
    assert "Dana@Example.com".lower() in owner_client.get("/settings/workspace/").content.decode()

    visitor = Client()
    landing = visitor.get(link)
    assert "Sign in to accept" in landing.content.decode()
    assert f"?next={link}" in landing.content.decode().replace("%2F", "/")
    signed = visitor.post(
        "/accounts/login/", {"username": invitee.email, "password": PASSWORD, "next": link}
    )
    assert signed.status_code == 302 and signed["Location"] == link
    page = visitor.get(link).content.decode()
    assert f"Join {workspace.name}" in page
    assert owner.email in page

    joined = visitor.post(link)
    assert joined.status_code == 302
    membership = Membership.objects.get(workspace=workspace, user=invitee)
    assert membership.role == Membership.Role.ADMIN
    home = visitor.get(joined["Location"], follow=True)
    assert home.context["workspace"] == workspace
    assert f"Welcome to {workspace.name}" in home.content.decode()


def test_only_a_hash_of_the_token_is_stored(owner_client, workspace):
    invite(owner_client, "dana@example.com")
    token = last_link().split("/")[2]
    invitation = Invitation.objects.get(workspace=workspace)
    assert token not in invitation.token_hash
    assert invitation.token_hash == Invitation.hash_token(token)


def test_inviting_someone_already_in_the_workspace_says_so(owner_client, member, workspace):
    response = invite(owner_client, member.email.upper())
    assert response.status_code == 200
    assert f"{member.email} is already a member of {workspace.name}." in response.content.decode()
    assert mail.outbox == []


def test_a_used_invitation_says_so(owner_client, workspace, invitee):
    invite(owner_client, invitee.email)
    link = last_link()
    client = signed_in(invitee)
    client.post(link)
    again = client.get(link).content.decode()
    assert "This invitation has already been used." in again
    assert f"Join {workspace.name}</button>" not in again


def test_an_expired_invitation_says_so_and_joins_no_one(owner_client, workspace, invitee):
    invite(owner_client, invitee.email)
    link = last_link()
    client = signed_in(invitee)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        page = client.get(link).content.decode()
        client.post(link)
    assert "This invitation expired on" in page
    assert "Ask " in page and "to send you a new one" in page
    assert not Membership.objects.filter(workspace=workspace, user=invitee).exists()


def test_inviting_again_replaces_the_first_link(owner_client, workspace, invitee):
    invite(owner_client, invitee.email)
    first = last_link()
    invite(owner_client, invitee.email, role="admin")
    second = last_link()
    client = signed_in(invitee)
    assert "withdrawn or replaced by a newer one" in client.get(first).content.decode()
    client.post(first)
    assert not Membership.objects.filter(workspace=workspace, user=invitee).exists()
    client.post(second)
    assert Membership.objects.get(workspace=workspace, user=invitee).role == "admin"
    assert Invitation.objects.filter(workspace=workspace).count() == 2


def test_a_revoked_invitation_says_so(owner_client, workspace, invitee):
    invite(owner_client, invitee.email)
    link = last_link()
    invitation = Invitation.objects.get(workspace=workspace)
    revoked = owner_client.post(f"/settings/workspace/invitations/{invitation.public_id}/revoke/")
    assert revoked.status_code == 302
    client = signed_in(invitee)
    assert "withdrawn or replaced" in client.get(link).content.decode()
    client.post(link)
    assert not Membership.objects.filter(workspace=workspace, user=invitee).exists()


def test_a_link_opened_by_someone_else_joins_no_one(owner_client, workspace, invitee, outsider):
    invite(owner_client, invitee.email)
    client = signed_in(outsider)
    page = client.get(last_link())
    assert page.status_code == 404
    assert "not valid for" in page.content.decode()
    assert workspace.name not in page.content.decode()
    client.post(last_link())
    assert not Membership.objects.filter(workspace=workspace, user=outsider).exists()


def test_another_workspaces_invitation_cannot_be_revoked(outsider_client, owner_client, workspace):
    invite(owner_client, "dana@example.com")
    invitation = Invitation.objects.get(workspace=workspace)
    response = outsider_client.post(
        f"/settings/workspace/invitations/{invitation.public_id}/revoke/"
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_member_cannot_invite(member, workspace, owner):
    response = invite(signed_in(member), "dana@example.com")
    assert response.status_code == 403
    assert owner.email in response.content.decode()
    assert mail.outbox == []
    assert not Invitation.objects.exists()

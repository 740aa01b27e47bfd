from __future__ import annotations

from tests.factories import MembershipFactory, WorkspaceFactory
from thrive.models import Membership


def test_for_workspace_with_no_workspace_returns_nothing(owner, workspace):
    assert Membership.objects.count() == 1
    assert list(Membership.objects.for_workspace(None)) == []
    assert list(Membership.objects.for_workspace(workspace).values_list("user", flat=True)) == [
        owner.pk
    ]


def test_a_user_of_another_workspace_gets_404_switching_into_it(outsider_client, workspace):
    response = outsider_client.post(f"/workspaces/{workspace.slug}/switch/")
    assert response.status_code == 404
    missing = outsider_client.post("/workspaces/no-such-workspace/switch/")
    assert missing.status_code == 404
    assert response.content == missing.content


def test_the_switcher_lists_only_my_workspaces_and_switches_between_them(
    owner, owner_client, workspace, other_workspace
):
    second = WorkspaceFactory(name="Second Book")
    MembershipFactory(user=owner, workspace=second)
    body = owner_client.get("/journal/").content.decode()
    assert "Second Book" in body
    assert other_workspace.name not in body

    response = owner_client.post(f"/workspaces/{second.slug}/switch/", {"next": "/portfolio/"})
    assert response.status_code == 302
    assert response["Location"] == "/portfolio/"
    page = owner_client.get("/portfolio/")
    assert page.context["workspace"] == second


def test_switching_never_redirects_off_site(owner, owner_client, workspace):
    response = owner_client.post(
        f"/workspaces/{workspace.slug}/switch/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/journal/"


def test_a_user_without_any_workspace_is_told_so(db):
    from django.test import Client

    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    response = client.get("/journal/")
    assert response.status_code == 403
    assert "You are not in a workspace yet" in response.content.decode()

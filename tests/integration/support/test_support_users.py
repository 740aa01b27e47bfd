"""The Support group, `manage.py createsupportuser`, and what a support user may do."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from connections.models import ExchangeConnection
from tests.conftest import PASSWORD, signed_in
from tests.factories import ExchangeConnectionFactory, UserFactory
from thrive.models import User
from thrive.support import SUPPORT_GROUP, support_group_ensure

ROOT = Path(__file__).resolve().parents[3]
EXPECTED = {
    "connections.view_exchangeconnection",
    "connections.run_support_actions",
    "connections.view_auditevent",
    "sync.view_syncrun",
    "sync.view_synccursor",
    "thrive.view_workspace",
    "thrive.view_membership",
    "thrive.view_invitation",
    "thrive.view_user",
}


def group_permissions() -> set[str]:
    group = Group.objects.get(name=SUPPORT_GROUP)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_support_group_exists_after_migrate_with_only_what_support_needs(db):
    assert group_permissions() == EXPECTED
    assert not any(name.split(".")[1].startswith(("add_", "delete_")) for name in EXPECTED)


def test_a_support_group_edited_by_hand_is_put_back(db):
    group = Group.objects.get(name=SUPPORT_GROUP)
    group.permissions.add(*Permission.objects.filter(codename__startswith="delete_"))
    support_group_ensure()
    assert group_permissions() == EXPECTED


def test_createsupportuser_reads_the_password_from_an_environment_variable(db, monkeypatch):
    monkeypatch.setenv("SUPPORT_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command(
        "createsupportuser",
        "Bob.Support@Thrive.example",
        password_from_env="SUPPORT_PASSWORD",
        stdout=out,
    )
    user = User.objects.get(email="bob.support@thrive.example")
    assert user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [SUPPORT_GROUP]
    assert "Created support user bob.support@thrive.example" in out.getvalue()
    assert PASSWORD not in out.getvalue()


def test_createsupportuser_reads_the_password_from_standard_input(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    call_command(
        "createsupportuser", "carol@thrive.example", password_stdin=True, stdout=io.StringIO()
    )
    assert User.objects.get(email="carol@thrive.example").check_password(PASSWORD)


def test_createsupportuser_prompts_twice_at_a_terminal(db, monkeypatch):
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    call_command("createsupportuser", "dan@thrive.example", stdout=io.StringIO())
    assert User.objects.get(email="dan@thrive.example").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("email", "options", "env", "message"),
    [
        ("not-an-email", {"password_from_env": "SUPPORT_PASSWORD"}, PASSWORD, "is not an e-mail"),
        (
            "eve@thrive.example",
            {"password_from_env": "SUPPORT_PASSWORD"},
            "",
            "is empty or not set",
        ),
        ("eve@thrive.example", {"password_from_env": "SUPPORT_PASSWORD"}, "abc", "too short"),
        ("eve@thrive.example", {}, PASSWORD, "No terminal to ask for the password"),
    ],
)
def test_createsupportuser_refuses_bad_input_clearly(db, monkeypatch, email, options, env, message):
    monkeypatch.setenv("SUPPORT_PASSWORD", env)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError, match=message):
        call_command("createsupportuser", email, **options)
    assert not User.objects.filter(is_staff=True).exists()


def test_an_existing_account_is_promoted_only_when_asked_and_keeps_its_password(db, monkeypatch):
    customer = UserFactory(email="frank@example.com")
    monkeypatch.setenv("SUPPORT_PASSWORD", "another password 123")
    with pytest.raises(CommandError, match=r"already has an account.*--existing"):
        call_command("createsupportuser", "frank@example.com", password_from_env="SUPPORT_PASSWORD")
    customer.refresh_from_db()
    assert not customer.is_staff

    call_command("createsupportuser", "frank@example.com", existing=True, stdout=io.StringIO())
    customer.refresh_from_db()
    assert customer.is_staff and not customer.is_superuser
    assert customer.check_password(PASSWORD)
    assert customer.groups.filter(name=SUPPORT_GROUP).exists()


def test_the_command_exits_non_zero_on_a_bad_email():
    result = subprocess.run(
        [sys.executable, "manage.py", "createsupportuser", "nobody", "--password-stdin"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        input="whatever\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "“nobody” is not an e-mail address." in result.stderr


# -- what a support user may do in the admin ----------------------------------------------------


def test_a_support_user_reads_but_cannot_delete_edit_or_promote(support_client, support_user):
    connection = ExchangeConnectionFactory()
    change = f"/admin/connections/exchangeconnection/{connection.pk}/change/"
    assert support_client.get("/admin/").status_code == 200
    assert support_client.get(change).status_code == 200
    assert support_client.post(change, {"label": "Renamed"}).status_code == 403
    delete = f"/admin/connections/exchangeconnection/{connection.pk}/delete/"
    assert support_client.get(delete).status_code == 403
    assert (
        support_client.get(f"/admin/thrive/workspace/{connection.workspace_id}/delete/").status_code
        == 403
    )
    own = f"/admin/thrive/user/{support_user.pk}/change/"
    response = support_client.post(own, {"email": support_user.email, "is_superuser": "on"})
    assert response.status_code == 403
    assert support_client.get("/admin/auth/group/").status_code == 403
    support_user.refresh_from_db()
    assert not support_user.is_superuser
    assert ExchangeConnection.objects.get(pk=connection.pk).label == connection.label


def test_a_support_user_is_offered_the_actions_and_not_delete(support_client):
    ExchangeConnectionFactory()
    body = support_client.get("/admin/connections/exchangeconnection/").content.decode()
    for action in (
        "sync_trades",
        "sync_balances",
        "sync_full",
        "recheck_permissions",
        "pause_schedules",
        "resume_schedules",
        "reimport_streams",
    ):
        assert f'value="{action}"' in body
    assert "delete_selected" not in body


def test_a_staff_user_outside_the_group_is_not_offered_the_actions(db):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name=SUPPORT_GROUP).permissions.exclude(codename="run_support_actions")
    )
    connection = ExchangeConnectionFactory()
    client = signed_in(viewer)
    assert (
        'value="sync_trades"'
        not in client.get("/admin/connections/exchangeconnection/").content.decode()
    )
    url = f"/admin/connections/exchangeconnection/{connection.pk}/support/sync-full/"
    assert client.post(url).status_code == 403


def test_a_person_who_is_not_staff_is_sent_to_the_admin_sign_in(owner_client):
    response = owner_client.get("/admin/connections/exchangeconnection/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_support_user_signs_in_to_the_admin_with_the_password_set(client, support_user):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": support_user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "Support console" in client.get("/admin/").content.decode()

from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from tests.conftest import PASSWORD


def sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_the_right_email_and_password_sign_in(owner):
    cache.clear()
    response = sign_in(Client(), owner.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/journal/"


def test_failed_sign_ins_are_throttled_even_for_the_right_password(owner, settings):
    cache.clear()
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        response = sign_in(client, owner.email, "wrong password")
        assert "Please enter a correct email address and password" in response.content.decode()
    response = sign_in(client, owner.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert owner_client.get("/journal/").status_code == 302


def test_password_reset_sends_an_email_with_a_working_link(owner, mailoutbox):
    client = Client()
    client.post("/accounts/password_reset/", {"email": owner.email})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :].strip()
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a brand new passphrase")

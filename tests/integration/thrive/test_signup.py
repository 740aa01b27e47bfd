from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from thrive.models import Membership, User


def test_sign_up_creates_a_personal_workspace_once_the_emailed_link_is_confirmed(db, mailoutbox):
    cache.clear()
    client = Client()
    response = client.post(
        "/accounts/signup/", {"email": "Ada@Example.com", "password": "a long enough passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/check-your-inbox/"
    assert not User.objects.filter(email="ada@example.com").exists()
    (message,) = mailoutbox
    assert message.to == ["ada@example.com"]
    line = next(line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line)
    link = line[line.index("/accounts/") :].strip()

    confirmed = client.post(link, follow=True)
    assert confirmed.redirect_chain == [("/settings/connections/", 302)]
    assert "Welcome to Thrive" in confirmed.content.decode()
    assert "ada&#x27;s workspace" in confirmed.content.decode()
    user = User.objects.get(email="ada@example.com")
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    assert membership.workspace.name == "ada's workspace"
    assert "This link has expired" in Client().post(link).content.decode()


def test_sign_up_with_a_weak_password_explains_why_and_never_echoes_it(db):
    response = Client().post(
        "/accounts/signup/", {"email": "bo@example.com", "password": "12345678"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password is too common" in body
    assert 'value="12345678"' not in body
    assert not User.objects.filter(email="bo@example.com").exists()


def test_the_three_sections_exist_for_a_signed_in_member(owner_client):
    for url, heading in [
        ("/journal/", "Journal"),
        ("/portfolio/", "Portfolio"),
        ("/settings/connections/", "Connections"),
    ]:
        response = owner_client.get(url)
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in response.content.decode()


def test_pages_send_anonymous_visitors_to_sign_in(db):
    response = Client().get("/journal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_every_page_carries_the_csrf_header_for_htmx_and_no_inline_script(owner_client):
    response = owner_client.get("/journal/")
    body = response.content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert "<script>" not in body
    assert "script-src 'self'" in response["Content-Security-Policy"]

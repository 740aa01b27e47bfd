"""Sign-up answers alike whether or not an address has an account, and makes an account only
from the link mailed to that address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from thrive.models import Membership, User

PASSPHRASE = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def sign_up(email: str, password: str = PASSPHRASE, *, address: str = "192.0.2.5") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.response = client.post("/accounts/signup/", {"email": email, "password": password})
    return client


def without_csrf_token(response) -> str:
    """The page as a person sees it; the CSRF token differs from one browser to the next."""
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())


def link_in(message) -> str:
    line = next(line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line)
    return line[line.index("/accounts/") :].strip()


def test_a_taken_address_gets_the_same_answer_as_a_new_one_and_its_owner_is_told(owner, mailoutbox):
    new = sign_up("newcomer@example.com")
    taken = sign_up(owner.email.upper())

    assert (taken.response.status_code, taken.response["Location"]) == (
        new.response.status_code,
        new.response["Location"],
    )
    new_page, taken_page = new.get(new.response["Location"]), taken.get(taken.response["Location"])
    assert taken_page.status_code == new_page.status_code == 200
    assert without_csrf_token(taken_page) == without_csrf_token(new_page)
    assert "Check your inbox to confirm your address" in new_page.content.decode()
    assert "_auth_user_id" not in new.session and "_auth_user_id" not in taken.session

    to_newcomer, to_owner = mailoutbox
    assert to_newcomer.to == ["newcomer@example.com"]
    assert "/accounts/signup/confirm/" in to_newcomer.body
    assert to_owner.to == [owner.email]
    assert "already has an account" in to_owner.body
    assert "/accounts/login/" in to_owner.body and "/accounts/password_reset/" in to_owner.body
    assert "/accounts/signup/confirm/" not in to_owner.body
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert User.objects.filter(email__iexact=owner.email).count() == 1


def test_opening_the_link_changes_nothing_until_the_person_confirms(db, mailoutbox):
    sign_up("ada@example.com")
    page = Client().get(link_in(mailoutbox[0]))
    assert "Confirm and sign in" in page.content.decode()
    assert "ada@example.com" in page.content.decode()
    # A mail scanner opening links neither makes the account nor uses up the link.
    assert not User.objects.filter(email="ada@example.com").exists()
    assert "Confirm and sign in" in Client().get(link_in(mailoutbox[0])).content.decode()


def test_a_forged_or_expired_link_makes_no_account(db, mailoutbox):
    sign_up("ada@example.com")
    link = link_in(mailoutbox[0])
    forged = Client().post(link[:-3] + "xx/")
    assert "This link has expired" in forged.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        late = Client().post(link)
    assert "This link has expired" in late.content.decode()
    assert not User.objects.filter(email="ada@example.com").exists()


def test_each_sign_up_keeps_its_own_password_so_a_stranger_s_cannot_take_the_account(
    db, mailoutbox
):
    sign_up("ada@example.com", "the stranger's passphrase", address="203.0.113.9")
    ada = sign_up("ada@example.com", PASSPHRASE)
    strangers_link, adas_link = (link_in(m) for m in mailoutbox)

    assert ada.post(adas_link)["Location"] == "/settings/connections/"
    user = User.objects.get(email="ada@example.com")
    assert user.check_password(PASSPHRASE)
    assert not user.check_password("the stranger's passphrase")
    assert "This link has expired" in Client().post(strangers_link).content.decode()
    assert Membership.objects.filter(user=user).count() == 1


def test_sign_up_and_reset_share_one_inbox_s_allowance(owner, mailoutbox, settings):
    settings.PASSWORD_RESET_EMAIL_LIMIT = 3
    answers = [sign_up(owner.email, address=f"198.51.100.{n}").response for n in range(3)]
    answers += [
        Client(REMOTE_ADDR=f"198.51.101.{n}").post(
            "/accounts/password_reset/", {"email": owner.email}
        )
        for n in range(3)
    ]
    assert len(mailoutbox) == 3
    assert [a.status_code for a in answers] == [302] * 6


def test_a_network_signing_up_too_often_is_asked_to_wait(db, mailoutbox, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    for n in range(2):
        assert sign_up(f"p{n}@example.com", address="203.0.113.9").response.status_code == 302
    refused = sign_up("p2@example.com", address="203.0.113.9").response
    assert refused.status_code == 200
    assert "Too many requests from your network" in refused.content.decode()
    assert len(mailoutbox) == 2

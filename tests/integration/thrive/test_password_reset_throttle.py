"""Password reset mails an inbox a few times per window at most, and one network asks only so
often; neither limit tells anyone whether an address has an account."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

DONE = "/accounts/password_reset/done/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def ask_reset(email: str, *, address: str):
    return Client(REMOTE_ADDR=address).post("/accounts/password_reset/", {"email": email})


def test_ten_requests_for_one_inbox_send_only_the_limit_and_all_answer_alike(
    owner, mailoutbox, settings
):
    settings.PASSWORD_RESET_EMAIL_LIMIT = 3
    answers = [ask_reset(owner.email, address=f"198.51.100.{n}") for n in range(10)]
    assert len(mailoutbox) == 3
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, DONE)}


def test_a_network_over_its_limit_is_asked_to_wait_and_others_are_not(owner, mailoutbox, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    settings.PASSWORD_RESET_WINDOW_SECONDS = 3600
    for n in range(3):
        assert ask_reset(f"nobody{n}@example.com", address="203.0.113.9").status_code == 302
    refused = ask_reset(owner.email, address="203.0.113.9")
    assert refused.status_code == 200
    assert "Too many requests from your network. Wait 60 minutes" in refused.content.decode()
    assert mailoutbox == []

    assert ask_reset(owner.email, address="192.0.2.5")["Location"] == DONE
    assert [m.to for m in mailoutbox] == [[owner.email]]

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_and_reaches_their_journal_and_connections(page, owner, workspace):
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/journal/")
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/journal/")
    assert page.locator("h1").inner_text() == "Journal"
    assert page.locator(".workspace-name").inner_text() == workspace.name

    page.click("text=Connections")
    page.wait_for_url("**/settings/connections/")
    assert "No exchanges connected" in page.content()
    screenshot(page, "connections-empty")
    assert page.console_errors == []


def test_a_wrong_password_shows_a_clear_message_and_keeps_the_email(page, owner):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "Please enter a correct email address and password" in page.inner_text(".form-errors")
    assert page.input_value("input[name=username]") == owner.email
    assert page.input_value("input[name=password]") == ""


def test_a_new_person_signs_up_into_their_own_workspace(page, db, mailoutbox):
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "grace@example.com")
    page.fill("input[name=password]", "a long enough passphrase")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/signup/check-your-inbox/")
    assert "Check your inbox" in page.locator("h1").inner_text()

    (message,) = mailoutbox
    link = next(line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line)
    page.goto(link[link.index("/accounts/") :].strip())
    page.click("text=Confirm and sign in")
    page.wait_for_url("**/settings/connections/")
    assert "Welcome to Thrive" in page.inner_text(".messages")
    assert page.locator(".workspace-name").inner_text() == "grace's workspace"
    screenshot(page, "signed-up")

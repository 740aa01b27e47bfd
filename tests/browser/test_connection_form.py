"""The Add form keeps what was typed across Test and Connect; Disconnect asks on our own page;
the skip link comes first; no htmx swap breaks the content security policy."""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from tests.browser.conftest import screenshot
from tests.browser.test_connections import sign_in
from tests.factories import ExchangeConnectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD = "/settings/connections/add/?exchange=binance"
# Chromium reports a refused inline style or script as a console error too; this also catches
# a violation whose console message would change wording.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(CSP_WATCH)
    return page


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def fill_key(page, account: dict) -> None:
    page.fill("input[name=api_key]", account["api_key"])
    page.fill("textarea[name=api_secret]", account["secret"])


def assert_key_kept(page, account: dict) -> None:
    assert page.input_value("input[name=api_key]") == account["api_key"]
    assert page.input_value("textarea[name=api_secret]") == account["secret"]


def test_test_connection_keeps_the_fields(watched, owner, workspace, routed_to_simulator):
    page = watched
    demo = routed_to_simulator.account("binance", "demo")
    sign_in(page, owner)
    page.goto(ADD)
    page.fill("input[name=label]", "Main account")
    fill_key(page, demo)

    page.click("button[value=test]")
    page.wait_for_selector("#check-result .result-good")
    assert "Verified read-only" in page.inner_text("#check-result")
    assert "Paste the key and secret again" not in page.inner_text("#check-result")
    assert page.input_value("input[name=label]") == "Main account"
    assert_key_kept(page, demo)
    screenshot(page, "connection-form-tested-keeps-fields")

    page.click("button[value=connect]")
    page.wait_for_url("**/settings/connections/*-*/")
    assert page.locator("h1").inner_text() == "Binance · Main account"
    assert "is connected" in page.inner_text(".messages")
    assert demo["secret"] not in page.content()
    assert csp_violations(page) == []
    assert page.console_errors == []


def test_a_field_error_shows_in_place_without_wiping_the_key(
    watched, owner, workspace, routed_to_simulator
):
    page = watched
    demo = routed_to_simulator.account("binance", "demo")
    sign_in(page, owner)
    page.goto(ADD)
    fill_key(page, demo)

    page.click("button[value=connect]")
    page.wait_for_selector("#errors-label .error")
    assert page.inner_text("#errors-label") == "This field is required."
    assert_key_kept(page, demo)
    screenshot(page, "connection-form-field-error")

    page.fill("input[name=label]", "Main account")
    page.click("button[value=connect]")
    page.wait_for_url("**/settings/connections/*-*/")
    assert csp_violations(page) == []
    assert page.console_errors == []


def test_a_withdrawal_key_shows_the_box_and_keeps_the_fields(
    watched, owner, workspace, routed_to_simulator
):
    page = watched
    account = routed_to_simulator.account("binance", "withdraw-enabled")
    sign_in(page, owner)
    page.goto(ADD)
    page.fill("input[name=label]", "Risky")
    fill_key(page, account)

    page.click("button[value=test]")
    page.wait_for_selector("#check-result .result-warn")
    assert "Withdrawals enabled" in page.inner_text("#check-result")
    box = page.locator("#check-result input[name=acknowledge_withdrawals]")
    assert box.is_visible() and not box.is_checked()
    assert_key_kept(page, account)

    page.click("button[value=connect]")
    page.wait_for_selector("#check-result .field.checkbox .error")
    assert "tick the box below" in page.inner_text("#check-result .field.checkbox")
    assert_key_kept(page, account)
    screenshot(page, "connection-form-withdrawal-box")

    box.check()
    page.click("button[value=connect]")
    page.wait_for_url("**/settings/connections/*-*/")
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert connection.access == ExchangeConnection.Access.WITHDRAW
    assert connection.withdrawals_acknowledged_at is not None
    assert csp_violations(page) == []
    assert page.console_errors == []


def test_disconnect_asks_on_our_own_page(watched, owner, workspace):
    page = watched
    connection = ExchangeConnectionFactory(workspace=workspace, created_by=owner, label="Main")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, owner)
    page.goto(f"/settings/connections/{connection.public_id}/")

    page.click("a:has-text('Disconnect')")
    page.wait_for_url(f"**/settings/connections/{connection.public_id}/disconnect/")
    assert page.locator("h1").inner_text() == "Disconnect Binance · Main?"
    assert "Its API key is deleted from Thrive at once." in page.inner_text("main")
    screenshot(page, "disconnect-confirm")

    page.click("main a:has-text('Cancel')")
    page.wait_for_url(f"**/settings/connections/{connection.public_id}/")
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED

    page.click("a:has-text('Disconnect')")
    page.click("main button:has-text('Disconnect')")
    page.wait_for_url("**/settings/connections/")
    assert "Binance · Main is disconnected and its key deleted" in page.inner_text(".messages")
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.DISCONNECTED
    assert dialogs == []
    assert csp_violations(page) == []
    assert page.console_errors == []


def test_the_skip_link_is_the_first_thing_a_keyboard_reaches(watched, owner, workspace):
    page = watched
    sign_in(page, owner)
    page.goto(ADD)
    link = page.locator("a.skip-link")
    box = link.bounding_box()
    assert box is None or box["y"] + box["height"] <= 0, "hidden until focused"

    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "Skip to content"]
    box = link.bounding_box()
    assert box is not None and box["y"] >= 0
    screenshot(page, "skip-link-focused")

    page.keyboard.press("Enter")
    assert page.url.endswith("#content")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_favicon_is_served(page, live_server):
    response = page.request.get(f"{live_server.url}/static/favicon.svg")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text().startswith("<svg")

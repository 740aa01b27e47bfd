"""A person adds, tests, replaces and disconnects a Binance connection in the browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/journal/")


def test_a_person_adds_tests_replaces_and_disconnects_a_binance_key(
    page, owner, workspace, routed_to_simulator
):
    demo = routed_to_simulator.account("binance", "demo")
    other_account = routed_to_simulator.account("binance", "read-only")
    replacement = routed_to_simulator.add_key(demo["api_key"])
    sign_in(page, owner)

    page.click("text=Connections")
    page.click("text=Connect an exchange")
    page.click("a.tile:has-text('Binance')")
    assert page.locator("h1").inner_text() == "Connect Binance"
    assert page.locator("input[name=passphrase]").count() == 0

    page.fill("input[name=label]", "Main account")
    page.fill("input[name=api_key]", demo["api_key"])
    page.fill("textarea[name=api_secret]", demo["secret"])
    page.click("button[value=test]")
    page.wait_for_selector(".result-good")
    assert "Verified read-only" in page.inner_text(".result")
    assert page.input_value("textarea[name=api_secret]") == demo["secret"]
    screenshot(page, "connection-tested")

    page.click("button[value=connect]")
    page.wait_for_url("**/settings/connections/*-*/")
    assert "Verified read-only" in page.inner_text("#connection-status")
    assert demo["api_key"][-4:] in page.inner_text("#connection-status")
    assert demo["secret"] not in page.content()
    screenshot(page, "connection-added")

    page.click("text=Replace key")
    page.fill("input[name=api_key]", other_account["api_key"])
    page.fill("textarea[name=api_secret]", other_account["secret"])
    page.click("button:has-text('Replace key')")
    page.wait_for_selector("text=This key belongs to another Binance account")
    screenshot(page, "replace-refused-other-account")
    page.fill("input[name=api_key]", replacement["api_key"])
    page.fill("textarea[name=api_secret]", replacement["secret"])
    page.click("button:has-text('Replace key')")
    page.wait_for_selector("text=The key is replaced")
    assert replacement["api_key"][-4:] in page.inner_text("#connection-status")

    page.click("a:has-text('Disconnect')")
    page.click("main button:has-text('Disconnect')")
    page.wait_for_url("**/settings/connections/")
    assert "is disconnected and its key deleted" in page.inner_text(".messages")
    assert "Disconnected" in page.inner_text(".connection-cards")
    screenshot(page, "connection-disconnected")
    assert page.console_errors == []


def test_a_wrong_secret_is_explained_in_place(page, owner, workspace, routed_to_simulator):
    demo = routed_to_simulator.account("binance", "demo")
    sign_in(page, owner)
    page.goto("/settings/connections/add/?exchange=binance")
    page.fill("input[name=label]", "Main account")
    page.fill("input[name=api_key]", demo["api_key"])
    page.fill("textarea[name=api_secret]", "B" * 64)
    page.click("button[value=connect]")
    page.wait_for_selector(".result-bad")
    assert "Authentication failed" in page.inner_text(".result-bad")
    assert page.input_value("input[name=label]") == "Main account"
    screenshot(page, "connection-wrong-secret")


def test_a_spot_only_binance_account_connects_and_its_page_names_what_it_does_not_have(
    page, owner, workspace, routed_to_simulator
):
    from connections.models import ExchangeConnection
    from sync.services import sync_connection

    spot_only = routed_to_simulator.account("binance", "spot-only")
    sign_in(page, owner)
    page.goto("/settings/connections/add/?exchange=binance")
    page.fill("input[name=label]", "Spot wallet")
    page.fill("input[name=api_key]", spot_only["api_key"])
    page.fill("textarea[name=api_secret]", spot_only["secret"])
    page.click("button[value=connect]")
    page.wait_for_url("**/settings/connections/*-*/")
    connection = ExchangeConnection.objects.get(label="Spot wallet")
    sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")

    page.reload()
    status = page.inner_text("#connection-status")
    assert "Connected" in status and "Verified read-only" in status
    assert page.inner_text(".parts-readable") == "Spot · Funding wallet · Simple Earn"
    missing = page.locator(".parts-missing li").all_inner_texts()
    assert "Cross margin: not opened" in missing
    assert "USDⓈ-M futures: not available to this key (Binance -2015)" in missing
    screenshot(page, "connection-spot-only")
    assert page.console_errors == []

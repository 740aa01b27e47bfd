"""A person imports a CSV into the journal in the browser: upload, preview, confirm, undo."""

from __future__ import annotations

import pytest

from journal.models import Trade
from portfolio.services import portfolio_default_ensure
from tests.browser.conftest import screenshot
from tests.browser.test_connections import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = (
    "time,kind,symbol,side,amount,price,asset,fee,fee_currency,id,note\n"
    "2024-03-01T12:00:00Z,trade,BTC/USDT,buy,0.01,62000.5,,0.62005,USDT,,first buy\n"
    "2024-03-02T09:30:00Z,trade,SOL/ETH,buy,20,0.05,,0.0001,ETH,,ETH to SOL\n"
    "2024-03-03T08:00:00Z,reward,,,0.00123456,,ETH,,,,staking\n"
    "someday,trade,BTC/USDT,buy,1,1,,,,,\n"
)


def test_a_person_imports_a_file_and_undoes_it(page, owner, workspace, tmp_path):
    portfolio_default_ensure(workspace=workspace)
    path = tmp_path / "my-trades.csv"
    path.write_text(FILE)
    sign_in(page, owner)

    page.goto("/journal/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Read the file')")
    page.wait_for_url("**/journal/import/preview/*/")
    assert "The date “someday” is not one we can read." in page.inner_text("table.rejected")
    screenshot(page, "import-preview")

    page.click("button:has-text('Import 3 rows')")
    assert "1 row cannot be imported" in page.inner_text(".messages")
    assert Trade.objects.count() == 0
    page.check("input[name=skip_rejected]")
    page.click("button:has-text('Import 3 rows')")
    page.wait_for_url("**/journal/import/")
    assert "Imported 2 trades and 1 other entry from my-trades.csv" in page.inner_text(".messages")
    assert Trade.objects.count() == 2

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Undo')")
    page.wait_for_selector("text=Undone: 2 trades and 1 other entry")
    assert Trade.objects.count() == 0
    screenshot(page, "import-undone")
    assert page.console_errors == []

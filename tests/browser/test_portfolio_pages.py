"""The holdings page in the browser, at desktop and phone width: nothing makes the page scroll
sideways, and an asset opens to where it sits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.models import AssetPrice, BalanceReading, BalanceSnapshot, Position
from tests.browser.conftest import screenshot
from tests.browser.test_connections import sign_in
from tests.factories import ExchangeConnectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRICES = {"BTC": "64123.45", "ETH": "3012.5", "USDT": "0.9995", "SOL": "143.21"}


def _world(workspace) -> None:
    now = timezone.now()
    binance = ExchangeConnectionFactory(
        workspace=workspace, exchange="binance", label="Main account", account_ref="id:1",
        last_balances_sync_at=now,
    )  # fmt: skip
    okx = ExchangeConnectionFactory(
        workspace=workspace, exchange="okx", label="OKX with a rather long label",
        account_ref="id:2", status="needs_attention", last_balances_sync_at=now,
    )  # fmt: skip
    rows = [
        (binance, "spot", "main", "BTC", "1.23456789"),
        (binance, "funding", "main", "USDT", "15000"),
        (binance, "margin", "main", "USDT", "-2500.5"),
        (binance, "earn", "main", "ETH", "12.5"),
        (binance, "spot", "a-very-long-sub-account-address@example.com", "SOL", "420"),
        (binance, "spot", "main", "NOPRICECOIN", "1000000"),
        (okx, "trading", "main", "BTC", "0.5"),
    ]
    sums: dict[tuple, Decimal] = {}
    for connection, account_type, account, asset, total in rows:
        for days in (30, 14, 3, 0):
            price = Decimal(PRICES.get(asset, "0"))
            key = (connection, now - timedelta(days=days, minutes=10))
            sums[key] = sums.get(key, Decimal(0)) + price * Decimal(total) * (
                1 + Decimal(days) / 100
            )
            BalanceSnapshot.objects.create(
                workspace=workspace, portfolio=connection.portfolio, connection=connection,
                account=account, account_type=account_type, asset=asset, total=Decimal(total),
                value_usd=price * Decimal(total) * (1 + Decimal(days) / 100) or None,
                as_of=now - timedelta(days=days, minutes=10), is_latest=days == 0,
            )  # fmt: skip
    # what snapshot_record writes beside each sync's rows: their sum, for the chart
    for (connection, as_of), value in sums.items():
        BalanceReading.objects.create(
            workspace=workspace, portfolio=connection.portfolio, connection=connection,
            as_of=as_of, value_usd=value,
        )  # fmt: skip
    for asset, usd in PRICES.items():
        AssetPrice.objects.create(
            asset=asset, price_usd=Decimal(usd), change_24h_pct=Decimal("-1.5"),
            source=f"binance {asset}/USDT", as_of=now,
        )  # fmt: skip
    Position.objects.create(
        workspace=workspace, portfolio=binance.portfolio, connection=binance, market_type="swap",
        symbol="BTC/USDT:USDT", side="long", contracts=Decimal("0.75"),
        entry_price=Decimal("61000.1"), mark_price=Decimal("64123.45"),
        unrealized_pnl=Decimal("2342.5875"), leverage=Decimal("20"),
        liquidation_price=Decimal("58123.99"), margin_mode="isolated", as_of=now,
    )  # fmt: skip


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_the_holdings_page_fits_the_screen_and_opens_an_asset(page, owner, workspace, width):
    _world(workspace)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)

    page.goto("/portfolio/?range=month")

    assert "Net value" in page.inner_text("section.net-value")
    assert "NOPRICECOIN" in page.inner_text(".notice")
    btc = page.locator("tbody.holding", has_text="BTC")
    assert btc.locator("tr.placement").count() == 0
    btc.locator("summary").click()
    placement = btc.locator("tr.placement").first
    placement.wait_for()
    assert "Spot" in placement.inner_text()
    btc.locator("summary").click()
    assert not placement.is_visible()
    btc.locator("summary").click()
    assert placement.is_visible() and btc.locator("tr.placement").count() == 1
    sol = page.locator("tbody.holding", has_text="SOL")
    sol.locator("summary").click()
    sol.locator("tr.placement").first.wait_for()
    assert _no_sideways_scroll(page)
    assert page.locator("figure.chart-line svg").is_visible()
    screenshot(page, f"portfolio-{width}")
    page.goto("/portfolio/?include=stale&range=all")
    assert "Counts the figures of connections that are not up to date" in page.inner_text(
        "section.net-value"
    )
    assert _no_sideways_scroll(page)
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_analytics_and_portfolio_pages_fit_the_screen(page, owner, workspace, width):
    from journal.models import Trade

    _world(workspace)
    portfolio = workspace.portfolios.get(is_default=True)
    now = timezone.now()
    for day, (side, price) in enumerate([("buy", "60000"), ("sell", "63000"), ("buy", "61000")]):
        Trade.objects.create(
            workspace=workspace, portfolio=portfolio, exchange="binance", market_type="spot",
            symbol="BTC/USDT", base="BTC", quote="USDT", side=side, price=Decimal(price),
            amount=Decimal("0.1"), cost=Decimal(price) / 10, fee=Decimal("0.5"),
            fee_currency="USDT", executed_at=now - timedelta(days=10 - day),
            exchange_trade_id=f"fit-{day}",
        )  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)

    for path in ("/analytics/", "/portfolio/manage/", "/portfolio/new/"):
        page.goto(path)
        assert _no_sideways_scroll(page), path
    page.goto("/analytics/")
    assert "Realized PnL" in page.inner_text("main")
    screenshot(page, f"analytics-{width}")
    assert page.console_errors == []

"""The holdings page (issue 12): per asset across connections and account types at today's
prices, borrowed amounts negative, no price said as such, connections that are not up to date
kept out of the total unless asked, open positions, and net value over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from portfolio.models import AssetPrice, BalanceReading, BalanceSnapshot, Portfolio, Position
from portfolio.services import portfolio_default_ensure
from tests.factories import ExchangeConnectionFactory

NOW = datetime(2026, 3, 11, 12, 30, tzinfo=UTC)
MINUS = "\u2212"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def connect(workspace, exchange: str, label: str, **fields):
    fields.setdefault("last_balances_sync_at", NOW - timedelta(minutes=20))
    return ExchangeConnectionFactory(
        workspace=workspace, exchange=exchange, label=label, account_ref=f"id:{label}", **fields
    )


def hold(connection, asset: str, total: str, account_type: str = "spot", **fields):
    fields.setdefault("as_of", NOW - timedelta(minutes=20))
    return BalanceSnapshot.objects.create(
        workspace=connection.workspace,
        portfolio=connection.portfolio,
        connection=connection,
        account_type=account_type,
        asset=asset,
        total=Decimal(total),
        **fields,
    )


def price(asset: str, usd: str, change: str | None = None, **fields):
    fields.setdefault("as_of", NOW - timedelta(minutes=5))
    return AssetPrice.objects.create(
        asset=asset,
        price_usd=Decimal(usd),
        change_24h_pct=None if change is None else Decimal(change),
        source=f"test {asset}/USD",
        **fields,
    )


def holding(response, asset: str):
    return next(h for h in response.context["holdings"].assets if h.asset == asset)


@pytest.fixture
def binance(workspace):
    return connect(workspace, "binance", "Main account")


@pytest.fixture
def kraken(workspace):
    return connect(workspace, "kraken", "Kraken desk")


def test_it_sums_an_asset_across_connections_and_account_types_with_values_and_shares(
    owner_client, binance, kraken
):
    hold(binance, "BTC", "1")
    hold(binance, "BTC", "0.5", "funding")
    hold(kraken, "BTC", "0.25")
    hold(kraken, "ETH", "2", "earn")
    price("BTC", "60000", change="2.5")
    price("ETH", "3000", change="-1.26")

    response = owner_client.get("/portfolio/")

    btc, eth = holding(response, "BTC"), holding(response, "ETH")
    assert btc.quantity == Decimal("1.75") and btc.value == Decimal("105000")
    assert eth.value == Decimal("6000")
    assert response.context["holdings"].total == Decimal("111000")
    assert [h.asset for h in response.context["holdings"].assets] == ["BTC", "ETH"]
    page = response.content.decode()
    assert "111,000.00 USD" in page
    assert "94.6%" in page and "5.4%" in page
    assert "+2.5%" in page and f"{MINUS}1.3%" in page
    assert "As of 2026-03-11 12:10 UTC, its oldest figure" in page
    donut, _, bars = page.partition('<figure class="chart chart-bar"')
    assert '<figure class="chart chart-donut"' in donut and "94.6%" in donut
    assert "Binance" in bars and "Kraken" in bars


def test_an_asset_opens_to_where_it_sits_with_htmx_or_without_javascript(
    owner_client, binance, kraken
):
    hold(binance, "BTC", "1")
    hold(binance, "BTC", "0.5", "funding")
    hold(kraken, "BTC", "0.25")
    hold(kraken, "ETH", "2", "earn")
    price("BTC", "60000")

    page = owner_client.get("/portfolio/").content.decode()
    assert 'class="placement"' not in page
    assert 'hx-get="/portfolio/?asset=BTC" hx-trigger="toggle once"' in page
    assert 'href="/portfolio/?open=BTC#holding-1">Where</a></noscript>' in page

    rows = owner_client.get("/portfolio/?asset=BTC", headers={"HX-Request": "true"})
    opened = owner_client.get("/portfolio/?open=BTC")

    assert [(p.exchange, p.account_type, p.quantity) for p in rows.context["placements"]] == [
        ("Binance", "Spot", Decimal("1")),
        ("Binance", "Funding wallet", Decimal("0.5")),
        ("Kraken", "Spot", Decimal("0.25")),
    ]
    fragment = rows.content.decode()
    assert fragment.count('<tr class="placement">') == 3 and "<html" not in fragment
    assert "Kraken · Kraken desk" in fragment and "15,000.00" in fragment
    assert opened.context["opened_placements"] == rows.context["placements"]
    assert "<details open><summary>BTC" in opened.content.decode()
    assert "Earn / staking" in owner_client.get("/portfolio/?open=ETH").content.decode()


def test_borrowed_amounts_show_negative_and_subtract_from_the_value(owner_client, workspace):
    gate = connect(workspace, "gate", "Gate margin")
    hold(gate, "USDT", "1000", "margin")
    hold(gate, "USDT", "-400", "margin_borrowed")
    hold(gate, "BTC", "0.1", "margin")
    price("USDT", "1")
    price("BTC", "60000")

    response = owner_client.get("/portfolio/")

    usdt = holding(response, "USDT")
    assert usdt.quantity == Decimal("600") and usdt.value == Decimal("600")
    assert response.context["holdings"].total == Decimal("6600")
    assert response.context["holdings"].borrowed == Decimal("-400")
    page = response.content.decode()
    assert f"{MINUS}400.00 USD" in page and "6,600.00 USD" in page
    opened = owner_client.get("/portfolio/?open=USDT").content.decode()
    assert "Margin, borrowed" in opened and f"{MINUS}400" in opened


def test_a_stablecoin_is_valued_at_its_own_price_not_at_one_dollar(owner_client, binance):
    hold(binance, "USDT", "1000")
    price("USDT", "0.9995")

    response = owner_client.get("/portfolio/")

    assert response.context["holdings"].total == Decimal("999.5")
    assert "999.50 USD" in response.content.decode()


def test_a_dollar_balance_is_worth_its_amount_without_a_price_row(owner_client, kraken):
    hold(kraken, "USD", "250")

    response = owner_client.get("/portfolio/")

    assert response.context["holdings"].total == Decimal("250")
    assert response.context["holdings"].unpriced == []


def test_an_asset_without_a_price_says_so_and_is_left_out_of_the_total(owner_client, binance):
    hold(binance, "BTC", "1")
    hold(binance, "OBSCURE", "5000")
    price("BTC", "60000")

    response = owner_client.get("/portfolio/")

    obscure = holding(response, "OBSCURE")
    assert obscure.value is None and obscure.share_pct is None
    assert response.context["holdings"].total == Decimal("60000")
    assert holding(response, "BTC").share_pct == Decimal("100")
    page = response.content.decode()
    assert "no price" in page
    assert "Leaves out 1 asset without a price: OBSCURE." in page
    assert "60,000.00 USD" in page


def test_figures_of_failing_and_disconnected_connections_are_marked_and_left_out(
    owner_client, workspace, binance
):
    attention = connect(workspace, "okx", "OKX", status="needs_attention")
    quiet = connect(workspace, "bybit", "Bybit", last_balances_sync_at=NOW - timedelta(hours=4))
    gone = connect(
        workspace,
        "kucoin",
        "KuCoin",
        status="disconnected",
        disconnected_at=NOW - timedelta(days=1),
    )
    hold(binance, "BTC", "1")
    hold(attention, "BTC", "2", as_of=NOW - timedelta(hours=2))
    hold(quiet, "ETH", "10", as_of=NOW - timedelta(hours=4))
    hold(gone, "SOL", "7", as_of=NOW - timedelta(days=1, hours=1))
    price("BTC", "60000")
    price("ETH", "3000")
    price("SOL", "100")

    response = owner_client.get("/portfolio/")

    assert response.context["holdings"].total == Decimal("60000")
    assert [h.asset for h in response.context["holdings"].assets] == ["BTC"]
    page = response.content.decode()
    counted, _, left_out = page.partition('<h2 id="failing-heading">Not up to date</h2>')
    assert "Count them too" in counted
    assert "Needs attention" in left_out and "Not updated for over 3 hours" in left_out
    assert "2026-03-11 10:30" in left_out and "2026-03-11 08:30" in left_out
    failing, _, history = left_out.partition("No longer connected")
    assert "not counted in your holdings" in history and "2026-03-10 11:30" in history
    assert "SOL" in history and "SOL" not in failing

    included = owner_client.get("/portfolio/?include=stale")

    assert included.context["holdings"].total == Decimal("60000") * 3 + 30000 + 700
    assert holding(included, "BTC").marked and holding(included, "SOL").marked
    page = included.content.decode()
    assert "Counts the figures of connections that are not up to date" in page
    assert "Leave them out" in page and 'id="failing-heading"' not in page
    btc = owner_client.get("/portfolio/?include=stale&open=BTC")
    assert [p.standing is None for p in btc.context["opened_placements"]] == [False, True]
    assert "Needs attention, as of 2026-03-11 10:30" in btc.content.decode()
    sol = owner_client.get("/portfolio/?include=stale&open=SOL").content.decode()
    assert "No longer connected, as of 2026-03-10 11:30" in sol


def test_open_positions_with_their_total_unrealized_pnl(owner_client, workspace, binance):
    hold(binance, "USDT", "5000", "futures")
    price("USDT", "1")
    price("BTC", "60000")

    def position(symbol, side, contracts, pnl, **fields):
        return Position.objects.create(
            workspace=workspace, portfolio=binance.portfolio, connection=binance,
            market_type="swap", symbol=symbol, side=side, contracts=Decimal(contracts),
            unrealized_pnl=Decimal(pnl), as_of=NOW - timedelta(minutes=20), **fields,
        )  # fmt: skip

    position(
        "BTC/USDT:USDT", "long", "0.5", "120", entry_price=Decimal("59760"),
        mark_price=Decimal("60000"), leverage=Decimal("10"),
        liquidation_price=Decimal("54321.5"), margin_mode="isolated",
    )  # fmt: skip
    position("ETH/USDT:USDT", "short", "3", "-20", margin_mode="cross")
    position("BTC/USD:BTC", "long", "100", "0.001")

    response = owner_client.get("/portfolio/")

    positions = response.context["positions"]
    assert positions.pnl_by_settle == [("BTC", Decimal("0.001")), ("USDT", Decimal("100"))]
    assert positions.pnl_total == Decimal("160")
    page = response.content.decode()
    assert "Total unrealized PnL" in page and "+160.00 USD" in page
    assert ">54,321.5<" in page and ">10</span>\u00d7" in page and "isolated" in page
    assert "Binance · Main account" in page
    assert response.context["holdings"].total == Decimal("5000"), "PnL is not in the net value"


def at(days_ago: float, hour: int = 0):
    day = NOW.replace(hour=0, minute=0) - timedelta(days=days_ago)
    return day.replace(hour=hour)


def reading(connection, when, *values):
    """One balance sync: rows read at one moment, each with its stored dollar value, and
    their sum, as snapshot_record writes them."""
    for index, value in enumerate(values):
        hold(
            connection, f"A{index}", "1", as_of=when, is_latest=False,
            value_usd=None if value is None else Decimal(value),
        )  # fmt: skip
    priced = [Decimal(value) for value in values if value is not None]
    BalanceReading.objects.create(
        workspace_id=connection.workspace_id,
        portfolio_id=connection.portfolio_id,
        connection=connection,
        as_of=when,
        value_usd=sum(priced, Decimal(0)) if priced else None,
    )


def test_net_value_over_time_adds_each_connections_latest_reading_at_each_point(
    owner_client, binance, kraken
):
    reading(binance, at(10), "70")  # before the week: carried into it
    reading(binance, at(3, 9), "100")
    reading(kraken, at(2, 6), "50", None)  # a row read without a price is left out
    reading(binance, at(1, 8), "100", "50")
    reading(binance, at(1, 20), "120", "60")  # the day's last reading is the day's value

    response = owner_client.get("/portfolio/?range=week")

    assert response.context["range"].key == "week"
    series = dict(response.context["series"])
    assert len(series) == 8
    assert series[at(7)] == series[at(4)] == Decimal("70")
    assert series[at(3)] == Decimal("100")
    assert series[at(2)] == Decimal("150")
    assert series[at(1)] == Decimal("230")
    assert series[at(0)] == Decimal("230")
    page = response.content.decode()
    assert '<figure class="chart chart-line"' in page
    assert "2026-03-10 00:00" in page and "230.00" in page


def test_a_disconnected_connection_counts_in_the_series_until_it_was_disconnected(
    owner_client, workspace, binance
):
    gone = connect(workspace, "okx", "OKX", status="disconnected", disconnected_at=at(2, 12))
    reading(binance, at(5), "100")
    reading(gone, at(5), "40")

    series = dict(owner_client.get("/portfolio/?range=week").context["series"])

    assert series[at(4)] == series[at(3)] == Decimal("140")
    assert series[at(2)] == series[at(0)] == Decimal("100")


def test_the_range_picks_the_span_and_buckets_of_the_chart(owner_client, binance):
    reading(binance, NOW - timedelta(days=400), "10")
    reading(binance, NOW - timedelta(hours=5), "20")

    day = owner_client.get("/portfolio/?range=day")
    assert len(day.context["series"]) == 25  # 24 hours back to the current hour
    assert day.context["series"][-1] == (NOW.replace(minute=0), Decimal("20"))
    assert day.context["series"][0][1] == Decimal("10")
    year = owner_client.get("/portfolio/?range=year")
    assert 52 <= len(year.context["series"]) <= 54
    everything = owner_client.get("/portfolio/?range=all")
    assert everything.context["series"][0][0] == datetime(2025, 2, 3, tzinfo=UTC)  # a Monday
    page = everything.content.decode()
    assert 'href="/portfolio/?range=all" aria-current="page"' in page
    unknown = owner_client.get("/portfolio/?range=decade")
    assert unknown.context["range"].key == "month"
    assert "“decade” is not a range" in unknown.content.decode()


def test_one_portfolio_shows_only_its_own_connections(owner_client, workspace, binance):
    long_term = Portfolio.objects.create(workspace=workspace, name="Long term")
    cold = connect(workspace, "kraken", "Cold", portfolio=long_term)
    hold(binance, "BTC", "1")
    hold(cold, "ETH", "1")
    price("BTC", "60000")
    price("ETH", "3000")

    response = owner_client.get(f"/portfolio/?portfolio={long_term.public_id}")

    assert response.context["holdings"].total == Decimal("3000")
    assert response.context["portfolio"] == long_term
    assert 'aria-current="page">Long term</a>' in response.content.decode()
    assert owner_client.get("/portfolio/").context["holdings"].total == Decimal("63000")


def test_another_workspaces_portfolio_answers_404(
    owner_client, outsider_client, other_workspace, binance
):
    hold(binance, "BTC", "1")
    theirs = portfolio_default_ensure(workspace=other_workspace)

    assert owner_client.get(f"/portfolio/?portfolio={theirs.public_id}").status_code == 404
    assert owner_client.get("/portfolio/?portfolio=not-an-id").status_code == 404
    mine = binance.portfolio.public_id
    assert outsider_client.get(f"/portfolio/?portfolio={mine}").status_code == 404
    htmx = {"HX-Request": "true"}
    assert (
        outsider_client.get(f"/portfolio/?portfolio={mine}&asset=BTC", headers=htmx).status_code
        == 404
    )
    assert outsider_client.get("/portfolio/?asset=BTC", headers=htmx).context["placements"] == []
    assert outsider_client.get("/portfolio/?open=BTC").context["opened_placements"] == []


def _fill(workspace, first: int, count: int) -> None:
    portfolio = portfolio_default_ensure(workspace=workspace)
    for n in range(first, first + count):
        connection = connect(workspace, "binance", f"Account {n}", portfolio=portfolio)
        for asset, total in (("BTC", "0.1"), ("ETH", "2"), ("USDT", "-50"), ("NOPRICE", "3")):
            hold(connection, asset, total)
            hold(connection, asset, total, as_of=NOW - timedelta(days=2), is_latest=False,
                 value_usd=Decimal(1))  # fmt: skip
        Position.objects.create(
            workspace=workspace, portfolio=portfolio, connection=connection, market_type="swap",
            symbol="BTC/USDT:USDT", side="long", contracts=Decimal(1),
            unrealized_pnl=Decimal(n), as_of=NOW,
        )  # fmt: skip


@pytest.mark.parametrize("url", ["/portfolio/", "/portfolio/?range=all&include=stale"])
def test_the_page_takes_the_same_few_queries_for_2_or_20_connections(
    url, owner_client, workspace, django_assert_max_num_queries
):
    price("BTC", "60000")
    price("ETH", "3000")
    price("USDT", "1")
    _fill(workspace, 0, 2)
    with CaptureQueriesContext(db) as few:
        owner_client.get(url)
    _fill(workspace, 2, 18)

    with django_assert_max_num_queries(len(few)):
        response = owner_client.get(url)

    assert len(response.context["holdings"].assets) == 4
    assert len(few) <= 12

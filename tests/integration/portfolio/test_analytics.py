"""Analytics (issue 12): FIFO realized PnL against hand-computed cases, derivatives and
funding, results per trade, fees, volume, tenancy, the empty state, and a kept result that
stays correct when trades arrive, change or go."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal.models import LedgerEntry, Trade
from portfolio.analytics import selectors
from portfolio.analytics.figures import page_build
from portfolio.analytics.refresh import analytics_refresh_run
from portfolio.analytics.selectors import BEHIND, analytics_get
from portfolio.models import AssetPrice, Portfolio
from tests.integration.journal.journal_rows import at, make_entry, make_trade

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
D = Decimal


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """Each test keeps its results in a cache of its own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


def figures(workspace, portfolio=None, start=date(2026, 3, 1), end=date(2026, 3, 31)):
    """The page's figures once a worker has brought them up to date (on PostgreSQL a request
    leaves computing from the start to it)."""
    analytics_refresh_run(workspace_id=workspace.pk)
    analytics = analytics_get(
        workspace=workspace, portfolio=portfolio, date_from=start, date_to=end
    )
    return page_build(analytics)


def result(page, currency="USD"):
    return next(r for r in page.results if r.currency == currency)


def buy(workspace, day, amount, price, **fields):
    return make_trade(
        workspace, executed_at=at(*day) if isinstance(day, tuple) else at(day),
        amount=amount, price=price, side="buy", **fields,
    )  # fmt: skip


def sell(workspace, day, amount, price, **fields):
    return make_trade(
        workspace, executed_at=at(*day) if isinstance(day, tuple) else at(day),
        amount=amount, price=price, side="sell", **fields,
    )  # fmt: skip


# -- FIFO -------------------------------------------------------------------------------------


def test_sells_use_up_the_oldest_lots_first_across_partial_fills(workspace):
    buy(workspace, 1, "1", "100")  # lot A: 1 BTC for 100
    buy(workspace, 2, "1", "200")  # lot B: 1 BTC for 200
    sell(workspace, 3, "0.5", "300")  # 150 for half of A (50): +100
    sell(workspace, 4, "1", "250")  # 250 for the other half of A (50) and half of B (100): +100
    sell(workspace, 5, "0.5", "150")  # 75 for the rest of B (100): -25

    usd = result(figures(workspace))

    assert usd.spot.pnl == D("175")
    assert usd.daily == {date(2026, 3, 3): 100, date(2026, 3, 4): 100, date(2026, 3, 5): -25}
    assert (usd.trades.closes, usd.trades.wins, usd.trades.losses) == (3, 2, 1)


def test_a_lot_bought_before_the_range_is_still_the_cost_of_a_sale_inside_it(workspace):
    make_trade(workspace, executed_at=at(1).replace(month=1), amount="2", price="50")
    sell(workspace, 10, "1", "80")

    usd = result(figures(workspace))

    assert usd.spot.pnl == D("30")
    assert usd.spot.unmatched_sells == 0


def test_a_fee_in_the_base_makes_the_lot_smaller_and_the_quantity_sold_larger(workspace):
    buy(workspace, 1, "1", "100", fee=D("0.01"), fee_currency="BTC")  # lot 0.99 for 100
    buy(workspace, 2, "1", "110")  # lot 1 for 110
    # 0.5 sold and 0.01 paid: 0.51 leaves the lots (0.51/0.99 of 100), 0.5 x 200 comes in.
    sell(workspace, 3, "0.5", "200", fee=D("0.01"), fee_currency="BTC")

    usd = result(figures(workspace))

    cost = D("100") * D("0.51") / D("0.99")
    assert usd.spot.pnl.quantize(D("1e-12")) == (D("100") - cost).quantize(D("1e-12"))


def test_a_fee_in_the_quote_adds_to_the_cost_and_comes_off_the_proceeds(workspace):
    buy(workspace, 1, "1", "100", fee=D("1"), fee_currency="USDT")  # cost 101
    sell(workspace, 2, "1", "150", fee=D("1.5"), fee_currency="USDT")  # proceeds 148.5

    assert result(figures(workspace)).spot.pnl == D("47.5")


def test_a_fee_in_a_third_currency_is_converted_at_the_journals_last_price_of_that_market(
    workspace,
):
    buy(workspace, (1, 9), "2", "500", symbol="BNB/USDT")  # BNB at 500
    buy(workspace, (1, 12), "1", "100", fee=D("0.01"), fee_currency="BNB")  # 5 USDT: cost 105
    buy(workspace, (2, 9), "1", "600", symbol="BNB/USDT")  # BNB at 600
    # A BNB/USDT trade after the sale does not price it: the 600 before it does.
    sell(workspace, (2, 12), "1", "200", fee=D("0.02"), fee_currency="BNB")  # 12: proceeds 188
    buy(workspace, (2, 13), "1", "900", symbol="BNB/USDT")

    page = figures(workspace)

    assert result(page).spot.pnl == D("83")
    assert not any("third currency" in sentence for sentence in page.pnl.left_out)


def test_a_third_currency_fee_on_a_market_outside_dollars_is_converted_through_dollars(
    workspace,
):
    buy(workspace, (1, 8), "1", "500", symbol="BNB/USDT")  # BNB at 500 USDT
    buy(workspace, (1, 9), "1", "50000", symbol="BTC/USDT")  # BTC at 50,000 USDT
    # 0.01 BNB = 5 USDT = 0.0001 BTC: the 10 ETH cost 0.5001 BTC
    buy(workspace, (1, 12), "10", "0.05", symbol="ETH/BTC", fee=D("0.01"), fee_currency="BNB")
    sell(workspace, (2, 12), "10", "0.06", symbol="ETH/BTC")

    page = figures(workspace)

    assert result(page, "BTC").spot.pnl == D("0.0999")
    assert not any("third currency" in sentence for sentence in page.pnl.left_out)


def test_a_third_currency_fee_without_a_price_is_left_out_and_the_page_says_so(workspace):
    buy(workspace, 1, "1", "100", fee=D("3"), fee_currency="XYZ")
    sell(workspace, 2, "1", "120")

    page = figures(workspace)

    assert result(page).spot.pnl == D("20")
    assert any(
        "1 fee in a third currency could not be converted" in s and "1 in XYZ" in s
        for s in page.pnl.left_out
    )


def test_without_a_trade_of_its_market_a_fee_is_converted_at_the_latest_price_and_said_so(
    workspace,
):
    AssetPrice.objects.create(asset="FOO", price_usd=D("2"), source="test", as_of=timezone.now())
    buy(workspace, 1, "1", "100", fee=D("5"), fee_currency="FOO")  # 10 USDT: cost 110
    sell(workspace, 2, "1", "120")

    page = figures(workspace)

    assert result(page).spot.pnl == D("10")
    assert any("at the latest price we hold" in s for s in page.pnl.left_out)


def test_sales_before_any_buy_are_unmatched_proceeds_and_counted(workspace):
    sell(workspace, 1, "1", "100")  # bought before the journal begins: 100 unmatched
    buy(workspace, 2, "0.5", "100")  # lot 0.5 for 50
    sell(workspace, 3, "1", "120")  # half matched (60 - 50 = +10), half unmatched (60)

    page = figures(workspace)
    usd = result(page)

    assert usd.spot.pnl == D("10")
    assert usd.spot.closes == 1
    assert usd.spot.unmatched_sells == 2
    assert usd.spot.unmatched_proceeds == D("160")
    assert any(
        s.startswith("2 sales sold more than the journal shows was bought before")
        and "160 USD of proceeds" in s
        for s in page.pnl.left_out
    )


def test_lots_are_kept_per_exchange_account(workspace):
    buy(workspace, 1, "1", "100", exchange="binance", account_ref="id:a")
    sell(workspace, 2, "1", "150", exchange="kraken", account_ref="id:k")  # nothing to match

    usd = result(figures(workspace))

    assert usd.spot.pnl == 0
    assert usd.spot.unmatched_sells == 1


def test_dollar_stablecoins_count_as_one_currency_and_others_are_listed_apart(workspace):
    buy(workspace, 1, "1", "100", symbol="BTC/USDT")
    sell(workspace, 2, "1", "130", symbol="BTC/USDC")  # same currency group: +30
    buy(workspace, 3, "10", "0.05", symbol="ETH/BTC")  # 0.5 BTC for 10 ETH
    sell(workspace, 4, "10", "0.06", symbol="ETH/BTC")  # 0.6 BTC: +0.1 BTC

    page = figures(workspace)

    assert [r.currency for r in page.results] == ["USD", "BTC"]
    assert result(page).spot.pnl == D("30")
    assert result(page, "BTC").spot.pnl == D("0.1")
    assert any("Profit in BTC is shown in that currency" in s for s in page.pnl.left_out)


# -- derivatives, funding, results ---------------------------------------------------------


def test_derivatives_count_the_exchanges_realized_pnl_and_funding_comes_from_the_ledger(
    workspace,
):
    perp = "BTC/USDT:USDT"
    buy(workspace, 1, "1", "100", symbol=perp)  # opening fill: no realized PnL
    sell(workspace, 2, "0.5", "120", symbol=perp, realized_pnl=D("50"))
    sell(workspace, 3, "0.5", "90", symbol=perp, realized_pnl=D("-20"))
    make_entry(workspace, occurred_at=at(4), amount="-3", asset="USDT", kind="funding")
    make_entry(workspace, occurred_at=at(5), amount="1", asset="USDT", kind="funding")
    make_entry(workspace, occurred_at=at(5), amount="7", asset="USDT", kind="reward")

    page = figures(workspace)
    usd = result(page)

    assert usd.derivatives.pnl == D("30")
    assert usd.funding == D("-2") and usd.funding_entries == 2
    assert usd.total == D("28")
    assert usd.daily[date(2026, 3, 4)] == D("-3")
    assert any("1 derivative fill came without realized PnL" in s for s in page.pnl.left_out)


def test_perpetual_trades_without_funding_entries_say_funding_is_missing(workspace):
    sell(workspace, 2, "1", "120", symbol="ETH/USDT:USDT", realized_pnl=D("5"))

    page = figures(workspace)

    assert any("The ledger has no funding fees in this range" in s for s in page.pnl.left_out)


def test_win_rate_averages_profit_factor_and_extremes_over_spot_and_derivatives(workspace):
    buy(workspace, 1, "3", "100")
    sell(workspace, 2, "1", "160")  # +60
    sell(workspace, 3, "1", "90")  # -10
    sell(workspace, 4, "1", "100")  # 0: neither a win nor a loss
    sell(workspace, 5, "1", "1", symbol="BTC/USDT:USDT", realized_pnl=D("40"))
    sell(workspace, 6, "1", "1", symbol="BTC/USDT:USDT", realized_pnl=D("-30"))

    usd = result(figures(workspace))

    assert (usd.trades.closes, usd.trades.wins, usd.trades.losses) == (5, 2, 2)
    assert usd.win_rate == D("40")
    assert usd.average_win == D("50")
    assert usd.average_loss == D("-20")
    assert usd.profit_factor == D("2.5")
    assert (usd.largest_win, usd.largest_loss) == (D("60"), D("-30"))


def test_no_losing_trade_leaves_the_profit_factor_open(workspace):
    buy(workspace, 1, "1", "100")
    sell(workspace, 2, "1", "110")

    usd = result(figures(workspace))

    assert usd.profit_factor is None and usd.largest_loss is None


def test_fees_volume_weekday_and_hour_add_up_in_the_range(workspace):
    buy(workspace, (2, 9), "1", "100", fee=D("0.1"), fee_currency="USDT")  # a Monday
    sell(workspace, (3, 9), "1", "120", fee=D("0.12"), fee_currency="USDT", exchange="kraken")
    buy(workspace, (3, 15), "1", "50", symbol="ETH/BTC", fee=D("0.001"), fee_currency="ETH")
    buy(workspace, (1, 9), "1", "100", fee=D("9"), fee_currency="USDT")  # before the range

    page = figures(workspace, start=date(2026, 3, 2), end=date(2026, 3, 31))

    assert page.fees.rows == [
        ("Binance", "ETH", 1, D("0.001")),
        ("Binance", "USDT", 1, D("0.1")),
        ("Kraken", "USDT", 1, D("0.12")),
    ]
    assert page.trades == 3
    markets = {row[0]: (row[3], row[4]) for row in page.volume_by_market.rows}
    assert markets == {"BTC/USDT": (2, D("220")), "ETH/BTC": (1, D("50"))}
    chart = page.hour.charts[0]
    assert '<th scope="row">09</th><td>2</td>' in chart
    assert '<th scope="row">15</th><td>1</td>' in chart
    assert '<th scope="row">Mon</th><td>1</td>' in page.weekday.charts[0]


def test_deleted_trades_and_entries_are_left_out_everywhere(workspace):
    buy(workspace, 1, "1", "100")
    gone_buy = buy(workspace, 2, "1", "10")
    sell(workspace, 3, "1", "150")
    gone_sell = sell(workspace, 4, "1", "500", fee=D("5"), fee_currency="USDT")
    gone_perp = sell(workspace, 5, "1", "1", symbol="BTC/USDT:USDT", realized_pnl=D("99"))
    gone_funding = make_entry(
        workspace, occurred_at=at(6), amount="-4", asset="USDT", kind="funding"
    )
    for row in (gone_buy, gone_sell, gone_perp, gone_funding):
        row.deleted_at = timezone.now()
        row.save()

    page = figures(workspace)
    usd = result(page)

    assert usd.spot.pnl == D("50")
    assert usd.derivatives.closes == 0 and usd.funding_entries == 0
    assert page.trades == 2
    assert page.fees.rows == []


# -- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_figures_each_with_how_it_is_calculated(owner_client, workspace):
    buy(workspace, 1, "1", "100")
    sell(workspace, 2, "1", "150")

    response = owner_client.get("/analytics/", MARCH)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/analytics/" aria-current="page">Analytics</a>' in page
    assert "+50 USD" in page
    assert page.count("<summary>How is this calculated</summary>") == 7
    assert "<svg" in page and "style=" not in page


def test_the_page_defaults_to_the_last_365_days(owner_client, workspace):
    response = owner_client.get("/analytics/")

    today = timezone.now().date()
    assert response.context["date_to"] == today
    assert (today - response.context["date_from"]).days == 364


def test_a_bad_date_is_named_and_replaced_by_its_default(owner_client, workspace):
    response = owner_client.get("/analytics/", {"from": "yesterday", "to": "2026-03-31"})

    assert response.status_code == 200
    assert "“yesterday” is not a date like 2026-01-31" in response.content.decode()
    assert response.context["date_from"] == date(2025, 4, 1)


def test_with_no_trades_the_page_says_how_to_get_some(owner_client, workspace):
    response = owner_client.get("/analytics/")

    page = response.content.decode()
    assert "No trades in this range" in page
    assert 'href="/settings/connections/"' in page


def test_a_portfolio_shows_its_own_trades_only(owner_client, workspace):
    long_term = Portfolio.objects.create(workspace=workspace, name="Long term")
    buy(workspace, 1, "1", "100")
    sell(workspace, 2, "1", "150")
    buy(workspace, 1, "1", "100", portfolio=long_term, exchange="kraken")
    sell(workspace, 2, "1", "90", portfolio=long_term, exchange="kraken")

    response = owner_client.get("/analytics/", {**MARCH, "portfolio": long_term.public_id})

    usd = result(response.context["page"])
    assert usd.spot.pnl == D("-10")
    assert response.context["switcher_current"] == long_term


def test_another_workspaces_portfolio_answers_404_like_a_missing_one(owner_client, other_workspace):
    theirs = Portfolio.objects.get(workspace=other_workspace)

    assert owner_client.get("/analytics/", {"portfolio": theirs.public_id}).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert owner_client.get("/analytics/", {"portfolio": missing}).status_code == 404
    assert owner_client.get("/analytics/", {"portfolio": "not-an-id"}).status_code == 404


def test_an_outsider_sees_none_of_the_workspaces_trades(outsider_client, workspace):
    buy(workspace, 1, "1", "100")
    sell(workspace, 2, "1", "150")

    response = outsider_client.get("/analytics/", MARCH)

    assert "No trades in this range" in response.content.decode()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/analytics/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_takes_a_bounded_number_of_queries(owner_client, workspace):
    for day in range(1, 21):
        buy(workspace, day, "1", str(100 + day), fee=D("0.1"), fee_currency="BNB")
        sell(workspace, day, "0.5", str(110 + day), symbol="BTC/USDT:USDT", realized_pnl=D("1"))
        make_entry(workspace, occurred_at=at(day), amount="-1", asset="USDT", kind="funding")

    with CaptureQueriesContext(db) as cold:
        owner_client.get("/analytics/", MARCH)
    with CaptureQueriesContext(db) as warm:
        owner_client.get("/analytics/", MARCH)

    # Session, user, workspace, the switcher's portfolios, the menu's workspaces; the spot
    # rows and AssetPrice (a BNB fee with no BNB market); four GROUP BYs of trades and one of
    # funding; on PostgreSQL the two marks first, and then nothing else when nothing changed.
    postgres = db.vendor == "postgresql"
    assert len(cold) == (14 if postgres else 12)
    assert len(warm) == (7 if postgres else 12)


# -- a kept result stays correct (PostgreSQL: the marks need xmin) -----------------------------


@pytest.fixture
def large_journal(monkeypatch):
    """Requests leave every computation from the start to the worker, as on a journal of more
    trades than a request computes itself."""
    monkeypatch.setattr(selectors, "REQUEST_COMPUTES_UP_TO", 0)


def postgres_only(test):
    """Each write commits on its own, as requests and syncs do: a transaction's own rows all
    carry its xmin, so inside one test transaction no mark could tell them apart."""
    test = pytest.mark.usefixtures("large_journal")(test)
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(
        db.vendor != "postgresql", reason="results are kept on PostgreSQL only"
    )(test)


def kept(workspace):
    """What a request shows, and how it got its figures."""
    analytics = analytics_get(
        workspace=workspace, portfolio=None, date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
    )  # fmt: skip
    return page_build(analytics), analytics.how


def refreshed(workspace) -> str:
    """What the worker does once asked: how the FIFO of all portfolios got there."""
    return analytics_refresh_run(workspace_id=workspace.pk)["all"]


@postgres_only
def test_the_first_look_leaves_computing_to_a_worker_and_later_looks_read_the_kept_result(
    workspace,
):
    buy(workspace, 1, "1", "100")
    sell(workspace, 2, "1", "150")

    page, how = kept(workspace)
    assert how == BEHIND
    assert page.results == []

    assert refreshed(workspace) == "computed"
    page, how = kept(workspace)
    assert how == {"fifo": "kept", "tallies": "kept"}
    assert result(page).spot.pnl == D("50")


@postgres_only
def test_new_trades_are_added_to_the_kept_result_by_the_request_itself(workspace):
    buy(workspace, 1, "2", "100")
    sell(workspace, 2, "1", "150")
    refreshed(workspace)

    sell(workspace, 3, "1", "80", fee=D("1"), fee_currency="USDT")  # 79 - 100 = -21
    make_entry(workspace, occurred_at=at(3), amount="-2", asset="USDT", kind="funding")
    page, how = kept(workspace)

    assert how == {"fifo": "added 1", "tallies": "added"}
    assert result(page).total == D("27")
    assert page.trades == 3
    assert page.fees.rows == [("Binance", "USDT", 1, D("1"))]


def behind_then_current(workspace, before: Decimal | None, after_pnl) -> None:
    """A request shows the kept figures, marked, until the worker computes them again."""
    page, how = kept(workspace)
    assert how == BEHIND
    assert (result(page).spot.pnl if page.results else None) == before
    assert refreshed(workspace) == "computed"
    page, how = kept(workspace)
    assert how == {"fifo": "kept", "tallies": "kept"}
    assert after_pnl(page)


@postgres_only
def test_an_older_trade_arriving_late_is_left_to_the_worker(workspace):
    buy(workspace, 1, "1", "100")
    sell(workspace, 5, "1", "150")
    refreshed(workspace)

    buy(workspace, 3, "1", "10")  # before the kept sale: it still uses the older lot
    behind_then_current(workspace, D("50"), lambda page: result(page).spot.pnl == D("50"))


@postgres_only
def test_an_edit_a_delete_or_a_move_is_computed_again_by_the_worker(workspace):
    buy(workspace, 1, "1", "100")
    the_sale = sell(workspace, 2, "1", "150")
    refreshed(workspace)

    Trade.objects.filter(pk=the_sale.pk).update(cost=D("170"))  # what an edit does
    behind_then_current(workspace, D("50"), lambda page: result(page).spot.pnl == D("70"))

    Trade.objects.filter(pk=the_sale.pk).update(deleted_at=timezone.now())
    behind_then_current(workspace, D("70"), lambda page: page.results == [])

    Trade.objects.filter(pk=the_sale.pk).update(deleted_at=None, account_ref="id:moved")
    behind_then_current(workspace, None, lambda page: result(page).spot.unmatched_sells == 1)


@postgres_only
def test_a_new_trade_of_a_market_that_priced_a_fee_is_left_to_the_worker(workspace):
    buy(workspace, (1, 9), "1", "500", symbol="BNB/USDT")
    buy(workspace, (2, 12), "1", "100", fee=D("0.01"), fee_currency="BNB")  # 5 USDT
    sell(workspace, (3, 12), "1", "200")  # 200 - 105 = 95
    refreshed(workspace)
    assert result(kept(workspace)[0]).spot.pnl == D("95")

    # A BNB price between the first one and the fee's trade: the fee is now 0.01 x 700 = 7.
    buy(workspace, (2, 11), "1", "700", symbol="BNB/USDT")
    behind_then_current(workspace, D("95"), lambda page: result(page).spot.pnl == D("93"))


def test_ledger_entries_other_than_funding_are_not_pnl(workspace):
    make_entry(workspace, occurred_at=at(2), amount="5", asset="USDT", kind=LedgerEntry.Kind.FEE)

    assert figures(workspace).results == []

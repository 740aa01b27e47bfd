"""The journal page: every entry newest first, filters in the URL, keyset pages, numbers for
people, the attention banner and the empty state (issue 11)."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from journal.models import LedgerEntry, Trade
from portfolio.models import Portfolio
from portfolio.services import portfolio_default_ensure
from tests.factories import ExchangeConnectionFactory

from .journal_rows import (
    COLUMNS,
    amounts,
    at,
    make_entry,
    make_trade,
    messages_shown,
    next_link,
    table_rows,
)


@pytest.fixture
def main(workspace):
    return ExchangeConnectionFactory(
        workspace=workspace, exchange="coinbase", label="Main account", account_ref="id:1"
    )


@pytest.fixture
def world(workspace, main):
    """Seven entries that each filter tells apart; amounts 1…7 name them."""
    long_term = Portfolio.objects.create(workspace=workspace, name="Long term")
    desk = ExchangeConnectionFactory(
        workspace=workspace, exchange="kraken", label="Kraken desk", portfolio=long_term
    )
    return {
        "t1": make_trade(workspace, executed_at=at(1), amount="1", connection=main),
        "t2": make_trade(
            workspace, executed_at=at(2), amount="2", connection=main,
            symbol="BTC/USDT:USDT", side="sell",
        ),
        "t3": make_trade(workspace, executed_at=at(3), amount="3", connection=desk,
                         symbol="ETH/BTC"),
        "t4": make_trade(
            workspace, executed_at=at(4), amount="4", symbol="SOL/USDT", side="sell",
            exchange="okx", market_type="margin",
        ),
        "l5": make_entry(workspace, occurred_at=at(5, 23, 59, 59), amount="5", connection=main,
                         source="api"),
        "l6": make_entry(
            workspace, occurred_at=at(6), amount="6", asset="ETH", portfolio=long_term,
            kind=LedgerEntry.Kind.REWARD,
        ),
        "l7": make_entry(
            workspace, occurred_at=at(7), amount="-7", asset="USDT", connection=desk,
            kind=LedgerEntry.Kind.WITHDRAWAL, source="api",
        ),
        "long_term": long_term,
        "desk": desk,
    }  # fmt: skip


MINUS = "\u2212"  # how the page writes a negative number
EVERYTHING = [f"{MINUS}7 USDT", "+6 ETH", "+5 BTC", "4 SOL", "3 ETH", "2 BTC", "1 BTC"]


def test_it_lists_every_entry_newest_first_with_its_source_exchange_and_connection(
    owner_client, world, main
):
    response = owner_client.get("/journal/")

    assert response.status_code == 200
    assert amounts(response) == EVERYTHING
    rows = {row[COLUMNS.index("amount")]: row for row in table_rows(response)}
    assert rows["1 BTC"][1:6] == [
        "API",
        "Coinbase Advanced",
        "Main account",
        "Buy",
        "BTC/USDT Spot",
    ]
    assert rows["2 BTC"][4:6] == ["Sell", "BTC/USDT:USDT Perpetual"]
    assert rows["4 SOL"][1:6] == ["CSV", "OKX", "—", "Sell", "SOL/USDT Margin"]
    assert rows["+6 ETH"][1:6] == ["Manual", "—", "—", "Staking / earn reward", "ETH"]
    assert rows[f"{MINUS}7 USDT"][1:5] == ["API", "Kraken", "Kraken desk", "Withdrawal"]
    assert rows["1 BTC"][0] == "2026-03-01 12:00:00"
    page = response.content.decode()
    assert f'<a href="/settings/connections/{main.public_id}/">Main account</a>' in page


def test_each_entry_opens_its_own_page_and_the_journal_offers_import_and_add(
    owner_client, workspace, world
):
    page = owner_client.get("/journal/").content.decode()

    trade = Trade.objects.get(workspace=workspace, amount=1)
    entry = LedgerEntry.objects.get(workspace=workspace, amount=6)
    assert f'href="/journal/trades/{trade.public_id}/"' in page
    assert f'href="/journal/entries/{entry.public_id}/"' in page
    assert 'href="/journal/import/">Import a CSV</a>' in page
    assert 'href="/journal/new/">Add an entry</a>' in page
    assert owner_client.get(f"/journal/trades/{trade.public_id}/").status_code == 200


def test_deleted_entries_are_left_out(owner_client, workspace, world):
    Trade.objects.filter(pk=world["t1"].pk).update(deleted_at=at(10))
    LedgerEntry.objects.filter(pk=world["l6"].pk).update(deleted_at=at(10))

    assert amounts(owner_client.get("/journal/")) == [
        f"{MINUS}7 USDT",
        "+5 BTC",
        "4 SOL",
        "3 ETH",
        "2 BTC",
    ]


def filter_cases(world) -> list[tuple[str, list[str]]]:
    return [
        (f"portfolio={world['long_term'].public_id}", [f"{MINUS}7 USDT", "+6 ETH", "3 ETH"]),
        (f"connection={world['desk'].public_id}", [f"{MINUS}7 USDT", "3 ETH"]),
        ("exchange=kraken", [f"{MINUS}7 USDT", "3 ETH"]),
        ("market=swap", ["2 BTC"]),
        ("market=margin", ["4 SOL"]),
        ("symbol=BTC/USDT", ["1 BTC"]),
        ("symbol=btc", ["+5 BTC", "3 ETH", "2 BTC", "1 BTC"]),
        ("symbol=usdt", [f"{MINUS}7 USDT", "4 SOL", "2 BTC", "1 BTC"]),
        ("side=sell", ["4 SOL", "2 BTC"]),
        ("kind=trade", ["4 SOL", "3 ETH", "2 BTC", "1 BTC"]),
        ("kind=deposit", ["+5 BTC"]),
        ("kind=withdrawal", [f"{MINUS}7 USDT"]),
        ("from=2026-03-03&to=2026-03-05", ["+5 BTC", "4 SOL", "3 ETH"]),
        ("from=2026-03-06", [f"{MINUS}7 USDT", "+6 ETH"]),
        ("to=2026-03-01", ["1 BTC"]),
        ("order=oldest", list(reversed(EVERYTHING))),
        # Combined.
        (f"portfolio={world['long_term'].public_id}&kind=trade", ["3 ETH"]),
        ("symbol=BTC&side=buy", ["3 ETH", "1 BTC"]),
        ("exchange=coinbase&kind=deposit", ["+5 BTC"]),
        ("symbol=btc&from=2026-03-02&to=2026-03-03&order=oldest", ["2 BTC", "3 ETH"]),
        (f"connection={world['desk'].public_id}&side=buy&market=spot", ["3 ETH"]),
    ]


def test_each_filter_alone_and_combined_shows_exactly_its_entries(owner_client, world):
    for query, expected in filter_cases(world):
        response = owner_client.get(f"/journal/?{query}")
        assert response.status_code == 200, query
        assert amounts(response) == expected, query
        assert messages_shown(response) == [], query


def test_the_filters_stay_in_the_form_after_applying_them(owner_client, world):
    query = f"portfolio={world['long_term'].public_id}&symbol=ETH&from=2026-03-02&kind=reward"
    page = owner_client.get(f"/journal/?{query}").content.decode()

    assert f'<option value="{world["long_term"].public_id}" selected>Long term</option>' in page
    assert 'name="symbol" value="ETH"' in page
    assert 'name="from" value="2026-03-02"' in page
    assert '<option value="reward" selected>Staking / earn reward</option>' in page
    assert f'href="/journal/export.csv?{query}"' in page.replace("&amp;", "&")


def test_a_filter_that_matches_nothing_says_so_and_offers_to_clear(owner_client, world):
    response = owner_client.get("/journal/?symbol=DOGE")

    assert amounts(response) == []
    assert "No entries match these filters" in response.content.decode()
    assert "Connect an exchange" not in response.content.decode()


def test_bad_filter_values_are_named_and_ignored_never_a_500(owner_client, world):
    response = owner_client.get(
        "/journal/?portfolio=not-a-uuid&connection=42&exchange=ftx&market=perp&side=up"
        "&kind=swap&from=2026-13-01&to=yesterday&order=sideways&fold=x&cursor=%%%"
        f"&symbol={'X' * 65}"
    )

    assert response.status_code == 200
    assert amounts(response) == EVERYTHING
    assert messages_shown(response) == [
        "“not-a-uuid” is not a portfolio id, so entries of every portfolio are shown.",
        "“42” is not a connection id, so entries of every connection are shown.",
        "“ftx” is not an exchange we know, so every exchange is shown.",
        "“perp” is not a market type (spot, margin, swap, future or option), so every market "
        "is shown.",
        "The search is longer than 64 characters, so it is ignored.",
        "“up” is not a side (buy or sell), so both sides are shown.",
        "“swap” is not a kind of entry, so every kind is shown.",
        "“sideways” is not an order we know, so the newest entries come first.",
        "“x” is not a way to fold fills, so every fill is shown.",
        "“2026-13-01” is not a date like 2026-01-31, so the start date is ignored.",
        "“yesterday” is not a date like 2026-01-31, so the end date is ignored.",
        "That page link is out of date or damaged, so the list starts from the top.",
    ]


def test_a_bad_value_leaves_the_good_filters_working(owner_client, world):
    response = owner_client.get("/journal/?side=sell&from=31/03/2026")

    assert amounts(response) == ["4 SOL", "2 BTC"]
    assert messages_shown(response) == [
        "“31/03/2026” is not a date like 2026-01-31, so the start date is ignored."
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-01T12:00:00+00:00|t|99999999999999999999999",
        "0001-01-01T00:00:00+14:00|t|1",
        "2026-03-01T12:00:00|t|1",
        "2026-03-01T12:00:00+00:00|x|1",
        "2026-03-01T12:00:00+00:00|t",
    ],
)
def test_a_tampered_page_link_is_named_and_the_list_starts_from_the_top(owner_client, world, raw):
    cursor = base64.urlsafe_b64encode(raw.encode()).decode()

    response = owner_client.get(f"/journal/?cursor={cursor}")

    assert response.status_code == 200
    assert amounts(response) == EVERYTHING
    assert messages_shown(response) == [
        "That page link is out of date or damaged, so the list starts from the top."
    ]


def test_a_start_after_the_end_is_named_and_both_dates_are_ignored(owner_client, world):
    response = owner_client.get("/journal/?from=2026-03-05&to=2026-03-01")

    assert amounts(response) == EVERYTHING
    assert messages_shown(response) == [
        "The start date is after the end date, so both are ignored."
    ]


def test_numbers_are_written_for_people_with_the_full_value_on_hover(owner_client, workspace, main):
    make_trade(
        workspace,
        executed_at=at(1),
        connection=main,
        price="64123.450000000000000000",
        amount="0.001230000000000000",
        fee="0.000075",
        fee_currency="BNB",
    )
    make_trade(
        workspace,
        executed_at=at(2),
        connection=main,
        symbol="ETH/USDT:USDT",
        price="3000",
        amount="1.123456789",
        realized_pnl="12.5",
        side="sell",
    )
    make_trade(
        workspace, executed_at=at(3), connection=main, symbol="BTC/USD:BTC", price="60000",
        amount="2", realized_pnl="-0.0003", side="sell",
    )  # fmt: skip
    response = owner_client.get("/journal/")
    rows = table_rows(response)
    page = response.content.decode()

    price, amount, cost, fee, pnl = (
        COLUMNS.index(c) for c in ("price", "amount", "cost", "fee", "pnl")
    )
    inverse, linear, spot = rows
    assert spot[price] == "64,123.45 USDT"
    assert spot[amount] == "0.00123 BTC"
    assert spot[fee] == "0.000075 BNB"
    assert spot[pnl] == ""
    assert linear[amount] == "1.12345679 ETH"
    assert '<span title="1.123456789 ETH">1.12345679 ETH</span>' in page
    assert linear[cost] == "3,370.370367 USDT"
    assert '<span class="pnl pnl-gain" title="+12.5 USDT">+12.5 USDT</span>' in page
    # An inverse perpetual's PnL is in its settle currency.
    assert f'<span class="pnl pnl-loss" title="-0.0003 BTC">{MINUS}0.0003 BTC</span>' in page
    assert inverse[pnl] == f"{MINUS}0.0003 BTC"


def test_fills_of_one_order_fold_into_one_line_when_asked(owner_client, workspace, main):
    for second, (amount, price) in enumerate([("1", "100"), ("2", "130"), ("1", "90")]):
        make_trade(
            workspace, executed_at=at(1, 12, 0, second), connection=main, amount=amount,
            price=price, order_id="o-1", fee="0.1", fee_currency="USDT", symbol="BTC/USDT",
        )  # fmt: skip
    make_trade(workspace, executed_at=at(1, 11), connection=main, amount="9", order_id="o-2")

    unfolded = owner_client.get("/journal/")
    folded = owner_client.get("/journal/?fold=orders")

    assert amounts(unfolded) == ["1 BTC", "2 BTC", "1 BTC", "9 BTC"]
    order, single = table_rows(folded)
    assert order[COLUMNS.index("entry")] == "Buy 3 fills"
    assert order[COLUMNS.index("amount")] == "4 BTC"
    assert order[COLUMNS.index("cost")] == "450 USDT"
    assert order[COLUMNS.index("price")] == "112.5 USDT"
    assert order[COLUMNS.index("fee")] == "0.3 USDT"
    assert single[COLUMNS.index("entry")] == "Buy"
    assert "Show every fill" in folded.content.decode()
    assert "Fold fills into orders" in unfolded.content.decode()


def walk(client, url: str) -> tuple[list[str], int]:
    seen: list[str] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert messages_shown(response) == []
        seen += amounts(response)
        pages += 1
        url = next_link(response)
    return seen, pages


@pytest.fixture
def mixed_250(workspace, main):
    """150 trades and 100 ledger entries, many sharing a timestamp (seven to a second) and a
    trade and an entry sharing each of them; each one's amount is its number."""
    portfolio = portfolio_default_ensure(workspace=workspace)
    start = at(1)
    Trade.objects.bulk_create(
        Trade(
            workspace=workspace, portfolio=portfolio, connection=main, exchange="coinbase",
            account_ref="id:1", market_type="spot", symbol="BTC/USDT", base="BTC", quote="USDT",
            side="buy", price=1, amount=n, cost=n, executed_at=start + timedelta(seconds=n // 7),
            exchange_trade_id=f"t{n}",
        )
        for n in range(1, 151)
    )  # fmt: skip
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            workspace=workspace, portfolio=portfolio, kind="deposit", asset="ETH", amount=n,
            occurred_at=start + timedelta(seconds=(n - 150) // 7),
        )
        for n in range(151, 251)
    )  # fmt: skip
    rows = [(t.executed_at, 1, t.pk, f"{int(t.amount)} BTC") for t in Trade.objects.all()]
    rows += [(e.occurred_at, 0, e.pk, f"+{int(e.amount)} ETH") for e in LedgerEntry.objects.all()]
    rows.sort(reverse=True)
    return [shown for *_, shown in rows]


def test_keyset_pages_walk_250_mixed_entries_in_order_without_a_gap_or_repeat(
    owner_client, mixed_250
):
    seen, pages = walk(owner_client, "/journal/")

    assert pages == 5
    assert seen == mixed_250
    assert len(set(seen)) == 250


def test_keyset_pages_walk_oldest_first_too_and_keep_the_filters(owner_client, mixed_250):
    seen, _ = walk(owner_client, "/journal/?order=oldest")
    assert seen == list(reversed(mixed_250))

    trades, pages = walk(owner_client, "/journal/?kind=trade&order=oldest")
    assert pages == 3
    assert trades == [shown for shown in reversed(mixed_250) if shown.endswith("BTC")]


def test_a_later_page_offers_the_way_back_and_the_last_page_no_next_link(owner_client, mixed_250):
    first = owner_client.get("/journal/?symbol=eth")
    second = owner_client.get(next_link(first))

    assert amounts(second) == [shown for shown in mixed_250 if shown.endswith("ETH")][50:]
    assert next_link(second) is None
    assert re.search(
        r'<a href="/journal/\?symbol=eth"[^>]*>Back to the newest</a>', second.content.decode()
    )


def test_the_first_page_reads_in_a_constant_number_of_queries(
    owner_client, mixed_250, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = owner_client.get("/journal/")
    assert len(table_rows(response)) == 50


def count_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(db) as queries:
        response = client.get(url)
    return len(queries), len(table_rows(response))


def test_a_filtered_page_of_300_rows_costs_the_queries_of_one_with_30(
    owner_client, workspace, main, django_assert_max_num_queries
):
    portfolio = portfolio_default_ensure(workspace=workspace)

    def add(count: int, offset: int) -> None:
        Trade.objects.bulk_create(
            Trade(
                workspace=workspace, portfolio=portfolio, connection=main, exchange="coinbase",
                account_ref="id:1", market_type="spot", symbol="ETH/USDT", base="ETH",
                quote="USDT", side="sell", price=1, amount=1, cost=1,
                executed_at=at(2) + timedelta(minutes=n), exchange_trade_id=f"x{n}",
            )
            for n in range(offset, offset + count)
        )  # fmt: skip
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                workspace=workspace, portfolio=portfolio, connection=main, kind="deposit",
                asset="ETH", amount=1, occurred_at=at(2) + timedelta(minutes=n),
            )
            for n in range(offset, offset + count)
        )  # fmt: skip

    url = f"/journal/?connection={main.public_id}&symbol=ETH&portfolio={portfolio.public_id}"
    add(15, 0)
    few_queries, few_rows = count_queries(owner_client, url)
    add(135, 1000)
    with django_assert_max_num_queries(few_queries):
        many = owner_client.get(url)
    many_queries, _ = count_queries(owner_client, next_link(many))

    assert few_rows == 30
    assert len(table_rows(many)) == 50
    assert many_queries == few_queries
    assert few_queries <= 10


def test_another_workspaces_portfolio_or_connection_in_a_filter_answers_404(
    outsider_client, world, main
):
    missing = outsider_client.get("/journal/?connection=00000000-0000-0000-0000-000000000000")

    assert missing.status_code == 404
    for query in (f"portfolio={world['long_term'].public_id}", f"connection={main.public_id}"):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = outsider_client.get(f"/journal/?{query}", **headers)
            assert response.status_code == 404, query
            assert response.content == missing.content


def test_another_workspace_sees_none_of_these_entries(outsider_client, outsider, world):
    response = outsider_client.get("/journal/")

    assert amounts(response) == []
    assert "No entries yet" in response.content.decode()
    assert "Main account" not in response.content.decode()


def test_a_connection_feeding_the_view_that_needs_attention_gets_a_banner(
    owner_client, world, main
):
    main.status = "needs_attention"
    main.status_message = "Authentication failed — the key was revoked or expired. Replace it."
    main.save()

    page = owner_client.get("/journal/").content.decode()
    banner = re.search(r'<div class="journal-attention" role="alert">(.*?)</div>', page, re.S)

    assert banner is not None
    assert f'<a href="/settings/connections/{main.public_id}/">Main account</a>' in banner.group(1)
    assert "Authentication failed — the key was revoked or expired. Replace it." in banner.group(1)
    other_view = owner_client.get(f"/journal/?connection={world['desk'].public_id}")
    assert "journal-attention" not in other_view.content.decode()


def test_a_warning_shows_the_banner_and_a_healthy_or_disconnected_one_does_not(
    owner_client, world, main
):
    desk = world["desk"]
    desk.status = "warning"
    desk.save()
    main.status = "disconnected"
    main.save()

    page = owner_client.get("/journal/").content.decode()

    assert "Kraken desk</a></strong>\n    (Kraken) — warning." in page
    assert "Main account</a></strong>" not in page


def test_an_empty_journal_offers_to_connect_import_or_add(owner_client, workspace):
    page = owner_client.get("/journal/").content.decode()

    assert "No entries yet" in page
    assert 'href="/settings/connections/">Connect an exchange</a>' in page
    assert 'href="/journal/import/">Import a CSV</a>' in page
    assert 'href="/journal/new/">Add an entry</a>' in page


def test_htmx_gets_the_list_alone(owner_client, world):
    response = owner_client.get("/journal/?side=sell", HTTP_HX_REQUEST="true")

    assert amounts(response) == ["4 SOL", "2 BTC"]
    assert "<html" not in response.content.decode()


def test_a_market_typed_in_lower_case_finds_it(owner_client, workspace):
    from decimal import Decimal

    from django.utils import timezone

    from journal.models import Trade
    from portfolio.services import portfolio_default_ensure

    portfolio = portfolio_default_ensure(workspace=workspace)
    Trade.objects.create(
        workspace=workspace, portfolio=portfolio, exchange="binance", market_type="spot",
        symbol="BTC/USDT", base="BTC", quote="USDT", side="buy", price=Decimal("60000"),
        amount=Decimal("0.5"), cost=Decimal("30000"), executed_at=timezone.now(),
        exchange_trade_id="lc-1",
    )  # fmt: skip
    page = owner_client.get("/journal/?symbol=btc/usdt").content.decode()
    assert "lc-1" in page or "30,000" in page

"""The journal's CSV export: the filtered view, every row of it, streamed, safe to open in a
spreadsheet (issue 11)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.http import StreamingHttpResponse

from journal.models import LedgerEntry, Trade
from journal.views import EXPORT_COLUMNS
from portfolio.models import Portfolio
from portfolio.services import portfolio_default_ensure
from tests.factories import ExchangeConnectionFactory

from .journal_rows import at, make_entry, make_trade


@pytest.fixture
def main(workspace):
    return ExchangeConnectionFactory(
        workspace=workspace, exchange="coinbase", label="Main account", account_ref="id:1"
    )


def download(client, query: str = "") -> tuple[StreamingHttpResponse, list[dict[str, str]]]:
    response = client.get(f"/journal/export.csv{'?' + query if query else ''}")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == EXPORT_COLUMNS
    return response, list(reader)


def test_it_streams_every_filtered_row_not_one_page(owner_client, workspace, main):
    portfolio = portfolio_default_ensure(workspace=workspace)
    Trade.objects.bulk_create(
        Trade(
            workspace=workspace, portfolio=portfolio, connection=main, exchange="coinbase",
            account_ref="id:1", market_type="spot", symbol="BTC/USDT" if n % 3 else "ETH/USDT",
            base="BTC" if n % 3 else "ETH", quote="USDT", side="buy", price=100, amount=n,
            cost=100 * n, executed_at=at(1) + timedelta(minutes=n), exchange_trade_id=str(n),
        )
        for n in range(1, 301)
    )  # fmt: skip
    make_entry(workspace, occurred_at=at(2), amount="0.5", asset="BTC", connection=main)
    make_entry(workspace, occurred_at=at(2), amount="9", asset="ETH")

    with time_machine.travel(at(7), tick=False):
        response, rows = download(owner_client, "symbol=btc")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="thrive-journal-2026-03-07.csv"'
    assert len(rows) == 201
    assert rows[0]["kind"] == "deposit" and rows[0]["amount"] == "0.5"
    trades = rows[1:]
    assert [row["amount"] for row in trades] == [str(n) for n in range(299, 0, -1) if n % 3]
    first = trades[0]
    assert first == {
        **first,
        "time_utc": "2026-03-01T16:59:00+00:00",
        "kind": "trade",
        "source": "API",
        "exchange": "Coinbase Advanced",
        "connection": "Main account",
        "portfolio": portfolio.name,
        "market_type": "spot",
        "symbol": "BTC/USDT",
        "side": "buy",
        "asset": "BTC",
        "price": "100",
        "cost": "29900",
        "quote": "USDT",
    }


def test_the_export_keeps_the_filters_and_the_order_of_the_page(owner_client, workspace, main):
    long_term = Portfolio.objects.create(workspace=workspace, name="Long term")
    make_trade(workspace, executed_at=at(1), amount="1", connection=main, side="sell")
    make_trade(workspace, executed_at=at(2), amount="2", connection=main)
    make_trade(workspace, executed_at=at(3), amount="3", portfolio=long_term, side="sell")
    make_entry(workspace, occurred_at=at(4), amount="4", portfolio=long_term)

    _, sells = download(owner_client, "side=sell&order=oldest")
    _, long_term_rows = download(owner_client, f"portfolio={long_term.public_id}")
    _, deposits = download(owner_client, "kind=deposit")
    _, dated = download(owner_client, "from=2026-03-02&to=2026-03-03")

    assert [row["amount"] for row in sells] == ["1", "3"]
    assert [row["amount"] for row in long_term_rows] == ["4", "3"]
    assert [row["amount"] for row in deposits] == ["4"]
    assert [row["amount"] for row in dated] == ["3", "2"]


def test_formula_cells_are_neutralized_and_negative_numbers_stay_numbers(owner_client, workspace):
    connection = ExchangeConnectionFactory(workspace=workspace, label="=cmd|' /C calc'!A0")
    make_trade(
        workspace,
        executed_at=at(1),
        connection=connection,
        note="+SUM(A1:A9)",
        realized_pnl="-12.5",
        fee="-0.01",
        fee_currency="USDT",
        order_id="@evil",
    )
    make_entry(
        workspace, occurred_at=at(2), amount="-7.25", asset="USDT",
        kind=LedgerEntry.Kind.WITHDRAWAL, counterparty="-2+3", note="\tTAB", external_id="\rCR",
    )  # fmt: skip

    _, (withdrawal, trade) = download(owner_client)

    assert withdrawal["amount"] == "-7.25"
    assert withdrawal["counterparty"] == "'-2+3"
    assert withdrawal["note"] == "'\tTAB"
    assert withdrawal["external_id"] == "'\rCR"
    assert trade["connection"] == "'=cmd|' /C calc'!A0"
    assert trade["note"] == "'+SUM(A1:A9)"
    assert trade["order_id"] == "'@evil"
    assert trade["realized_pnl"] == "-12.5"
    assert trade["fee"] == "-0.01"


def test_the_export_walks_batch_after_batch_without_a_gap_or_repeat(
    owner_client, workspace, main, monkeypatch
):
    monkeypatch.setattr("journal.selectors.EXPORT_BATCH_SIZE", 7)
    portfolio = portfolio_default_ensure(workspace=workspace)
    Trade.objects.bulk_create(
        Trade(
            workspace=workspace, portfolio=portfolio, connection=main, exchange="coinbase",
            account_ref="id:1", market_type="spot", symbol="BTC/USDT", base="BTC", quote="USDT",
            side="buy", price=1, amount=n, cost=n, executed_at=at(1) + timedelta(seconds=n // 5),
            exchange_trade_id=str(n),
        )
        for n in range(1, 151)
    )  # fmt: skip
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            workspace=workspace, portfolio=portfolio, kind="reward", asset="ETH", amount=n,
            occurred_at=at(1) + timedelta(seconds=(n - 150) // 5),
        )
        for n in range(151, 251)
    )  # fmt: skip
    expected = sorted(
        [(t.executed_at, 1, t.pk, str(int(t.amount))) for t in Trade.objects.all()]
        + [(e.occurred_at, 0, e.pk, str(int(e.amount))) for e in LedgerEntry.objects.all()],
        reverse=True,
    )

    _, rows = download(owner_client)

    assert [row["amount"] for row in rows] == [amount for *_, amount in expected]


def test_bad_filter_values_are_ignored_not_a_500(owner_client, workspace, main):
    make_trade(workspace, executed_at=at(1), connection=main)

    _, rows = download(owner_client, "side=up&from=someday&cursor=zzz&portfolio=nope")

    assert len(rows) == 1


def test_another_workspace_gets_404_for_its_ids_and_none_of_the_rows(
    outsider_client, workspace, main
):
    make_trade(workspace, executed_at=at(1), connection=main)
    make_entry(workspace, occurred_at=at(2), connection=main)
    portfolio = portfolio_default_ensure(workspace=workspace)

    for query in (f"portfolio={portfolio.public_id}", f"connection={main.public_id}"):
        assert outsider_client.get(f"/journal/export.csv?{query}").status_code == 404
    _, rows = download(outsider_client)
    assert rows == []


def test_signing_in_is_required(client):
    response = client.get("/journal/export.csv")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

"""Recording by hand (issue 11): a staking reward and a crypto-to-crypto trade through the
forms, every kind of entry, every validation message with nothing typed lost, editing and
deleting manual rows, and the walls between workspaces."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from journal.models import LedgerEntry, Trade
from portfolio.models import Portfolio
from tests.conftest import signed_in
from tests.factories import ExchangeConnectionFactory

from .journal_rows import make_entry, make_trade


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def member_client(member) -> Client:
    return signed_in(member)


@pytest.fixture
def main(workspace):
    return ExchangeConnectionFactory(
        workspace=workspace, exchange="kraken", label="Main account", account_ref="id:AA11"
    )


def reward(**overrides: str) -> dict[str, str]:
    return {
        "where": "exchange:binance",
        "time": "2024-05-01T08:30",
        "timezone": "Europe/Paris",
        "asset": "eth",
        "amount": "0.0123",
        "note": "Weekly ETH staking payout",
        **overrides,
    }


def swap(**overrides: str) -> dict[str, str]:
    return {
        "where": "other",
        "place": "Phantom",
        "time": "2024-06-02T10:15:30",
        "timezone": "UTC",
        "gave_asset": "ETH",
        "gave_amount": "1.5",
        "got_asset": "SOL",
        "got_amount": "42",
        "fee": "0.001",
        "fee_currency": "ETH",
        "note": "Jupiter swap",
        **overrides,
    }


def trade(**overrides: str) -> dict[str, str]:
    return {
        "where": "exchange:okx",
        "time": "2024-02-10 09:00",
        "timezone": "UTC",
        "symbol": "btc/usdt",
        "side": "buy",
        "amount": "0.25",
        "price": "42000.5",
        "fee": "0.0001",
        "fee_currency": "BTC",
        "note": "",
        **overrides,
    }


def transfer(**overrides: str) -> dict[str, str]:
    return {
        "where": "exchange:binance",
        "to_where": "other",
        "to_place": "Ledger",
        "time": "2024-03-03T12:00",
        "timezone": "UTC",
        "asset": "BTC",
        "amount": "0.5",
        "fee": "0.0002",
        "fee_currency": "BTC",
        **overrides,
    }


# -- the done-when: a staking reward and a crypto-to-crypto trade, by hand --------------------


def test_the_chooser_offers_trades_crypto_to_crypto_and_every_ledger_kind(owner_client):
    response = owner_client.get("/journal/new/")

    assert response.status_code == 200
    text = page_text(response)
    for title in ("Trade", "Crypto-to-crypto trade", "Staking / earn reward", "Deposit",
                  "Withdrawal", "Transfer between own accounts", "Airdrop", "Fee", "Interest",
                  "Funding fee"):  # fmt: skip
        assert title in text
    for kind in ("trade", "swap", *LedgerEntry.Kind.values):
        assert f'href="/journal/new/{kind}/"' in text


def test_a_staking_reward_is_recorded_by_hand_in_the_persons_timezone(owner_client, workspace):
    form = owner_client.get("/journal/new/reward/")
    assert form.status_code == 200
    assert "Record: Staking / earn reward" in page_text(form)

    response = owner_client.post("/journal/new/reward/", reward())

    entry = LedgerEntry.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == f"/journal/entries/{entry.public_id}/"
    assert (entry.kind, entry.asset, entry.amount) == ("reward", "ETH", Decimal("0.0123"))
    # 08:30 in Paris in May (CEST, UTC+2) is 06:30 UTC.
    assert entry.occurred_at == datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
    assert (entry.source, entry.exchange, entry.account_ref, entry.connection) == (
        "manual", "binance", "", None,
    )  # fmt: skip
    assert entry.portfolio == Portfolio.objects.get(workspace=workspace, is_default=True)
    assert entry.note == "Weekly ETH staking payout"
    assert entry.edited_at is None and entry.deleted_at is None
    detail = page_text(owner_client.get(response["Location"]))
    assert "Staking / earn reward · 0.0123 ETH" in detail
    assert "2024-05-01 06:30:00" in detail and "Binance" in detail


def test_a_crypto_to_crypto_trade_eth_to_sol_is_a_buy_of_sol_paid_in_eth(owner_client, workspace):
    response = owner_client.post("/journal/new/swap/", swap())

    row = Trade.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == f"/journal/trades/{row.public_id}/"
    assert (row.symbol, row.base, row.quote, row.market_type, row.side) == (
        "SOL/ETH", "SOL", "ETH", "spot", "buy",
    )  # fmt: skip
    assert (row.amount, row.cost) == (Decimal("42"), Decimal("1.5"))
    # 1.5 / 42 to 18 decimals (SQLite keeps decimals as floats: about 16 digits there).
    assert row.price == pytest.approx(Decimal("0.035714285714285714"), rel=Decimal("1e-15"))
    assert (row.fee, row.fee_currency) == (Decimal("0.001"), "ETH")
    assert row.executed_at == datetime(2024, 6, 2, 10, 15, 30, tzinfo=UTC)
    assert row.exchange_trade_id == f"manual:{row.public_id.hex}"
    assert (row.source, row.exchange, row.account_ref, row.account, row.connection) == (
        "manual", "", "", "Phantom", None,
    )  # fmt: skip
    assert row.note == "Jupiter swap"
    detail = page_text(owner_client.get(response["Location"]))
    assert "Buy 42 SOL/ETH" in detail
    assert "0.0357142857142857" in detail and "1.5 ETH" in detail
    assert "Phantom" in detail


def test_a_manual_trade_on_a_connection_takes_its_account(owner_client, workspace, main):
    response = owner_client.post("/journal/new/trade/", trade(where=f"connection:{main.public_id}"))

    row = Trade.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert (row.exchange, row.account_ref, row.connection, row.account) == (
        "kraken", "id:AA11", main, "main",
    )  # fmt: skip
    assert (row.symbol, row.amount, row.price, row.cost) == (
        "BTC/USDT", Decimal("0.25"), Decimal("42000.5"), Decimal("10500.125"),
    )  # fmt: skip
    assert row.executed_at == datetime(2024, 2, 10, 9, 0, tzinfo=UTC)


def test_a_perpetual_trade_is_a_swap_market(owner_client, workspace):
    owner_client.post("/journal/new/trade/", trade(symbol="ETH/USDT:USDT", side="sell"))

    row = Trade.objects.get(workspace=workspace)
    assert (row.market_type, row.base, row.quote, row.settle, row.side) == (
        "swap", "ETH", "USDT", "USDT", "sell",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "extra", "signed"),
    [
        ("deposit", {}, "0.0123"),
        ("withdrawal", {}, "-0.0123"),
        ("airdrop", {}, "0.0123"),
        ("fee", {}, "-0.0123"),
        ("interest", {"direction": "received"}, "0.0123"),
        ("interest", {"direction": "paid"}, "-0.0123"),
        ("funding", {"direction": "paid"}, "-0.0123"),
        ("funding", {"direction": "received"}, "0.0123"),
    ],
)
def test_each_ledger_kind_moves_the_account_its_way(owner_client, workspace, kind, extra, signed):
    data = reward(**extra)
    if kind == "fee":
        data.pop("note")
    response = owner_client.post(f"/journal/new/{kind}/", data)

    assert response.status_code == 302, page_text(response)
    entry = LedgerEntry.objects.get(workspace=workspace)
    assert (entry.kind, entry.amount) == (kind, Decimal(signed))


def test_a_transfer_is_two_entries_linked_minus_on_the_source_plus_on_the_destination(
    owner_client, workspace
):
    response = owner_client.post("/journal/new/transfer/", transfer())

    assert response.status_code == 302
    out, into = (
        LedgerEntry.objects.filter(workspace=workspace).order_by("amount")
    )  # fmt: skip
    assert response["Location"] == f"/journal/entries/{out.public_id}/"
    assert (out.kind, out.asset, out.amount, out.exchange, out.counterparty) == (
        "transfer", "BTC", Decimal("-0.5"), "binance", "",
    )  # fmt: skip
    assert (out.fee, out.fee_currency) == (Decimal("0.0002"), "BTC")
    assert (into.amount, into.exchange, into.counterparty, into.fee) == (
        Decimal("0.5"), "", "Ledger", None,
    )  # fmt: skip
    stem = f"transfer:{out.public_id.hex}"
    assert (out.external_id, into.external_id) == (f"{stem}:out", f"{stem}:in")
    detail = page_text(owner_client.get(f"/journal/entries/{into.public_id}/"))
    assert "Binance" in detail and "Ledger" in detail


def test_a_transfer_between_two_wallets_is_two_entries_too(owner_client, workspace):
    owner_client.post(
        "/journal/new/transfer/", transfer(where="other", place="Ledger", to_place="Trezor")
    )

    assert sorted(
        LedgerEntry.objects.filter(workspace=workspace).values_list("counterparty", "amount")
    ) == [("Ledger", Decimal("-0.5")), ("Trezor", Decimal("0.5"))]


def test_a_form_sent_twice_records_once(owner_client, workspace):
    token = owner_client.get("/journal/new/swap/").context["form"].initial["token"]

    first = owner_client.post("/journal/new/swap/", swap(token=token))
    second = owner_client.post("/journal/new/swap/", swap(token=token))

    assert Trade.objects.filter(workspace=workspace).count() == 1
    assert first["Location"] == second["Location"]


def test_a_member_of_the_workspace_can_record(member_client, workspace):
    response = member_client.post("/journal/new/reward/", reward())

    assert response.status_code == 302
    assert LedgerEntry.objects.filter(workspace=workspace).count() == 1


def test_signed_out_people_are_sent_to_sign_in_and_nothing_is_recorded(db, workspace):
    response = Client().post("/journal/new/reward/", reward())

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not LedgerEntry.objects.exists()


def test_an_unknown_kind_is_not_found(owner_client):
    assert owner_client.get("/journal/new/lottery/").status_code == 404


# -- bad input: a clear message, and nothing typed lost ---------------------------------------

CASES = [
    ("reward", {"amount": "0"}, "amount", "The amount must be greater than zero."),
    ("reward", {"amount": "-3"}, "amount", "The amount must be greater than zero."),
    ("reward", {"amount": ""}, "amount", "Enter the amount."),
    ("reward", {"amount": "1,000"}, "amount",
     "Enter the amount as a number, like 0.25 (a dot for decimals, no thousands separators)."),
    ("reward", {"amount": "0.1234567890123456789"}, "amount",
     "The amount has more than 18 digits after the decimal point."),
    ("reward", {"amount": "1" + "0" * 18}, "amount",
     "The amount is too large: at most 18 digits before the point."),
    ("reward", {"asset": "ET-H"}, "asset",
     "Write the asset as its ticker: letters and digits only, up to 24 (like ETH)."),
    ("reward", {"asset": "A" * 25}, "asset",
     "Write the asset as its ticker: letters and digits only, up to 24 (like ETH)."),
    ("reward", {"asset": ""}, "asset", "Enter the asset, like ETH."),
    ("reward", {"time": "2999-01-01T00:00"}, "time",
     "That time is in the future (Europe/Paris). Enter when it happened, and check the "
     "timezone."),
    ("reward", {"time": "yesterday"}, "time",
     "Enter the time as a date and a time, like 2024-03-01 14:30."),
    ("reward", {"time": ""}, "time", "Enter when it happened, like 2024-03-01 14:30."),
    ("reward", {"time": "0204-05-01T08:30"}, "time",
     "That is before the first bitcoin block (3 January 2009): check the year."),
    ("reward", {"timezone": "Mars/Olympus"}, "timezone", "Choose a timezone from the list."),
    ("reward", {"where": ""}, "where", "Choose where it happened."),
    ("reward", {"where": "exchange:nowhere"}, "where", "Choose one of the places in the list."),
    ("reward", {"where": "other", "place": ""}, "place",
     "Name the wallet or place, like “Ledger” or “Uniswap”."),
    ("reward", {"fee": "0.1"}, "fee_currency",
     "Say which currency the fee was paid in, like USDT."),
    ("reward", {"fee_currency": "ETH"}, "fee", "Enter the fee, or clear its currency."),
    ("reward", {"fee": "-1", "fee_currency": "ETH"}, "fee", "The fee must be zero or more."),
    ("reward", {"note": "n" * 2001}, "note", "Keep the note to 2,000 characters; it has 2001."),
    ("reward", {"portfolio": "3f0c2c56-0000-4000-8000-000000000000"}, "portfolio",
     "Choose one of this workspace's portfolios."),
    ("interest", {}, "direction", "Say whether it was received or paid."),
    ("trade", {"symbol": "BTCUSDT"}, "symbol", "Write the market as BASE/QUOTE, like BTC/USDT."),
    ("trade", {"symbol": "BTC/BTC"}, "symbol",
     "The market's two assets are the same; check the symbol."),
    ("trade", {"symbol": ""}, "symbol", "Enter the market, like BTC/USDT."),
    ("trade", {"price": "0"}, "price", "The price must be greater than zero."),
    ("trade", {"price": "abc"}, "price",
     "Enter the price as a number, like 0.25 (a dot for decimals, no thousands separators)."),
    ("trade", {"side": "hold"}, "side", "Choose Buy or Sell."),
    ("trade", {"amount": "100000000000000000", "price": "100"}, "amount",
     "Amount × price comes to 10,000,000,000,000,000,000.00, more than the journal holds."),  # noqa: RUF001
    ("swap", {"got_asset": "eth"}, "got_asset",
     "You gave and got the same asset; pick two different ones."),
    ("swap", {"gave_amount": "0"}, "gave_amount", "The amount you gave must be greater than zero."),
    ("swap", {"got_asset": ""}, "got_asset", "Enter the asset you got, like ETH."),
    ("swap", {"gave_amount": "0.000000000000000001", "got_amount": "10"}, "got_amount",
     "The price (what you gave ÷ what you got) is below 0.000000000000000001. "
     "Check the two amounts."),
    ("transfer", {"to_where": "exchange:binance"}, "to_where",
     "From and To are the same place. Choose the account the funds went to."),
    ("transfer", {"to_where": ""}, "to_where", "Choose where the funds went."),
    ("transfer", {"to_place": ""}, "to_place",
     "Name the wallet or place, like “Ledger” or “Uniswap”."),
]  # fmt: skip
FORMS = {"reward": reward, "interest": reward, "trade": trade, "swap": swap, "transfer": transfer}


@pytest.mark.parametrize(("kind", "bad", "field", "message"), CASES)
def test_bad_input_gets_a_clear_message_and_records_nothing(
    owner_client, workspace, kind, bad, field, message
):
    response = owner_client.post(f"/journal/new/{kind}/", FORMS[kind](**bad))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in page_text(response)
    assert "nothing you typed is lost" in page_text(response)
    assert not Trade.objects.exists() and not LedgerEntry.objects.exists()


def test_a_re_rendered_form_keeps_every_value_typed(owner_client, workspace, main):
    typed = swap(
        where=f"connection:{main.public_id}",
        place="Phantom",
        timezone="Asia/Tokyo",
        gave_amount="1,5",
        note="Swapped on the app\nsecond line <b>bold</b>",
    )

    response = owner_client.post("/journal/new/swap/", typed)

    text = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["gave_amount"]
    for name in ("place", "time", "gave_asset", "gave_amount", "got_asset", "got_amount", "fee",
                 "fee_currency"):  # fmt: skip
        assert f'name="{name}" value="{typed[name]}"' in text, name
    assert f'<option value="connection:{main.public_id}" selected>' in text
    assert '<option value="Asia/Tokyo" selected>' in text
    assert "Swapped on the app\nsecond line &lt;b&gt;bold&lt;/b&gt;</textarea>" in text


def test_an_htmx_post_with_bad_input_answers_the_form_alone(owner_client, workspace):
    response = owner_client.post(
        "/journal/new/reward/", reward(amount="0"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<form id="entry-form"')
    assert "The amount must be greater than zero." in text


def test_an_htmx_post_that_records_redirects_the_page(owner_client, workspace):
    response = owner_client.post("/journal/new/reward/", reward(), headers={"HX-Request": "true"})

    entry = LedgerEntry.objects.get(workspace=workspace)
    assert response["HX-Redirect"] == f"/journal/entries/{entry.public_id}/"


def test_another_workspaces_portfolio_and_connection_are_not_choices(
    owner_client, workspace, other_workspace
):
    theirs = ExchangeConnectionFactory(workspace=other_workspace, exchange="okx")
    their_portfolio = Portfolio.objects.get(workspace=other_workspace)
    page = owner_client.get("/journal/new/reward/").content.decode()
    assert str(theirs.public_id) not in page and str(their_portfolio.public_id) not in page

    response = owner_client.post(
        "/journal/new/reward/",
        reward(where=f"connection:{theirs.public_id}", portfolio=str(their_portfolio.public_id)),
    )

    assert response.context["form"].errors == {
        "where": ["Choose one of the places in the list."],
        "portfolio": ["Choose one of this workspace's portfolios."],
    }
    assert not LedgerEntry.objects.exists()


def test_a_second_portfolio_can_be_chosen(owner_client, workspace):
    long_term = Portfolio.objects.create(workspace=workspace, name="Long term")

    owner_client.post("/journal/new/reward/", reward(portfolio=str(long_term.public_id)))

    assert LedgerEntry.objects.get(workspace=workspace).portfolio == long_term


# -- editing and deleting what the person recorded --------------------------------------------


def test_a_manual_trade_is_fully_editable(owner_client, workspace, main):
    owner_client.post("/journal/new/trade/", trade())
    row = Trade.objects.get(workspace=workspace)
    form = owner_client.get(f"/journal/trades/{row.public_id}/edit/")
    assert form.status_code == 200
    assert form.context["form"].initial["price"] == "42000.5"

    response = owner_client.post(
        f"/journal/trades/{row.public_id}/edit/",
        trade(
            where=f"connection:{main.public_id}",
            symbol="ETH/USDC",
            side="sell",
            amount="2",
            price="3000",
            time="2024-02-11T09:00",
            note="Fixed the market",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/journal/trades/{row.public_id}/"
    row.refresh_from_db()
    assert (row.symbol, row.base, row.quote, row.side) == ("ETH/USDC", "ETH", "USDC", "sell")
    assert (row.amount, row.price, row.cost) == (Decimal(2), Decimal(3000), Decimal(6000))
    assert (row.connection, row.exchange, row.account_ref) == (main, "kraken", "id:AA11")
    assert row.executed_at == datetime(2024, 2, 11, 9, 0, tzinfo=UTC)
    assert row.note == "Fixed the market" and row.edited_at is not None
    assert row.exchange_trade_id == f"manual:{row.public_id.hex}"
    assert "edited" in page_text(owner_client.get(response["Location"]))


def test_saving_an_edit_form_untouched_changes_nothing(owner_client, workspace):
    owner_client.post("/journal/new/swap/", swap(time="2024-06-02T10:15:30"))
    row = Trade.objects.get(workspace=workspace)
    initial = owner_client.get(f"/journal/trades/{row.public_id}/edit/").context["form"].initial
    sent = {key: value for key, value in initial.items() if key != "token"}

    response = owner_client.post(f"/journal/trades/{row.public_id}/edit/", sent)

    assert response.status_code == 302
    again = Trade.objects.get(pk=row.pk)
    assert again.edited_at is None
    # A swap's cost is exactly what was given, not price times amount rounded back.
    assert (again.cost, again.price, again.amount) == (row.cost, row.price, row.amount)


def test_editing_with_bad_input_keeps_the_row_and_says_why(owner_client, workspace):
    owner_client.post("/journal/new/trade/", trade())
    row = Trade.objects.get(workspace=workspace)

    response = owner_client.post(
        f"/journal/trades/{row.public_id}/edit/", trade(price="-1", note="kept")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"price": ["The price must be greater than zero."]}
    assert 'name="price" value="-1"' in response.content.decode()
    assert Trade.objects.get(pk=row.pk).price == Decimal("42000.5")


def test_a_manual_entry_is_fully_editable(owner_client, workspace):
    owner_client.post("/journal/new/interest/", reward(direction="received"))
    entry = LedgerEntry.objects.get(workspace=workspace)

    owner_client.post(
        f"/journal/entries/{entry.public_id}/edit/",
        reward(direction="paid", asset="USDT", amount="3.2", where="other", place="Aave"),
    )

    entry.refresh_from_db()
    assert (entry.asset, entry.amount, entry.counterparty, entry.exchange) == (
        "USDT", Decimal("-3.2"), "Aave", "",
    )  # fmt: skip
    assert entry.edited_at is not None


def test_a_transfers_two_sides_are_edited_and_deleted_together(owner_client, workspace):
    owner_client.post("/journal/new/transfer/", transfer())
    out, into = LedgerEntry.objects.filter(workspace=workspace).order_by("amount")
    form = owner_client.get(f"/journal/entries/{into.public_id}/edit/").context["form"]
    assert (form.initial["where"], form.initial["to_where"], form.initial["to_place"]) == (
        "exchange:binance", "other", "Ledger",
    )  # fmt: skip

    owner_client.post(
        f"/journal/entries/{into.public_id}/edit/", transfer(amount="0.75", to_place="Trezor")
    )

    out.refresh_from_db()
    into.refresh_from_db()
    assert (out.amount, into.amount, into.counterparty) == (
        Decimal("-0.75"), Decimal("0.75"), "Trezor",
    )  # fmt: skip
    confirm = owner_client.get(f"/journal/entries/{out.public_id}/delete/")
    assert "Both sides of the transfer are deleted." in page_text(confirm)

    owner_client.post(f"/journal/entries/{out.public_id}/delete/")

    assert LedgerEntry.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 0


def test_deleting_asks_first_then_leaves_a_tombstone_out_of_every_page(owner_client, workspace):
    owner_client.post("/journal/new/swap/", swap())
    row = Trade.objects.get(workspace=workspace)
    confirm = owner_client.get(f"/journal/trades/{row.public_id}/delete/")
    assert confirm.status_code == 200
    assert "Delete Buy 42 SOL/ETH?" in page_text(confirm)
    assert Trade.objects.get(pk=row.pk).deleted_at is None

    response = owner_client.post(f"/journal/trades/{row.public_id}/delete/")

    assert response.status_code == 302 and response["Location"] == "/journal/"
    assert Trade.objects.get(pk=row.pk).deleted_at is not None
    for url in ("", "edit/", "delete/"):
        assert owner_client.get(f"/journal/trades/{row.public_id}/{url}").status_code == 404
    assert "SOL/ETH" not in page_text(owner_client.get("/journal/"))


def test_a_manual_entry_is_deleted(owner_client, workspace):
    owner_client.post("/journal/new/reward/", reward())
    entry = LedgerEntry.objects.get(workspace=workspace)

    response = owner_client.post(f"/journal/entries/{entry.public_id}/delete/")

    assert response.status_code == 302
    assert LedgerEntry.objects.get(pk=entry.pk).deleted_at is not None
    assert owner_client.get(f"/journal/entries/{entry.public_id}/").status_code == 404


# -- walls between workspaces -----------------------------------------------------------------


@pytest.fixture
def theirs(other_workspace):
    return {
        "trades": make_trade(other_workspace, executed_at=datetime(2024, 1, 2, tzinfo=UTC)),
        "entries": make_entry(other_workspace, occurred_at=datetime(2024, 1, 2, tzinfo=UTC)),
    }


@pytest.mark.parametrize("what", ["trades", "entries"])
@pytest.mark.parametrize("url", ["", "edit/", "delete/"])
def test_another_workspaces_rows_answer_404_like_missing_ones(owner_client, theirs, what, url):
    row = theirs[what]
    missing = owner_client.get(f"/journal/{what}/3f0c2c56-0000-4000-8000-000000000000/{url}")

    got = owner_client.get(f"/journal/{what}/{row.public_id}/{url}")
    posted = owner_client.post(f"/journal/{what}/{row.public_id}/{url}", reward(note="mine now"))

    assert (got.status_code, posted.status_code, missing.status_code) == (404, 404, 404)
    assert got.content == missing.content
    row.refresh_from_db()
    assert (row.deleted_at, row.edited_at, row.note) == (None, None, "")

"""Portfolios (issue 12): create, rename, archive; a connection moved to another portfolio with
everything it brought; the add form's new portfolio; the switcher. Owner, member, outsider."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connections.models import AuditEvent, ExchangeConnection
from connections.services import ConnectionRefused, connection_portfolio_move
from journal.models import LedgerEntry, Trade
from portfolio.models import BalanceSnapshot, Portfolio, Position
from portfolio.services import portfolio_create, portfolio_default_ensure
from sync.services import sync_connection
from tests.conftest import signed_in
from tests.factories import ExchangeConnectionFactory
from tests.integration.journal.journal_rows import amounts, at, make_entry, make_trade

MANAGE = "/portfolio/manage/"
NEW = "/portfolio/new/"
ADD = "/settings/connections/add/?exchange=binance"


def edit_url(portfolio: Portfolio) -> str:
    return f"/portfolio/{portfolio.public_id}/edit/"


def move_url(connection: ExchangeConnection) -> str:
    return f"/settings/connections/{connection.public_id}/move/"


def text(response) -> str:
    """The page as a person reads it: tags out, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def switcher(response) -> list[tuple[str, bool]]:
    """The switcher's portfolio links: (name, current) in order, "Manage portfolios" left out."""
    page = response.content.decode()
    nav = re.search(r'<nav class="portfolio-switcher"[^>]*>(.*?)</nav>', page, flags=re.DOTALL)
    assert nav is not None
    return [
        (html.unescape(name.strip()), 'aria-current="page"' in attrs)
        for attrs, name in re.findall(r"<a ([^>]*)>(.*?)</a>", nav.group(1), flags=re.DOTALL)
        if 'class="manage"' not in attrs
    ]


def form_data(account: dict, **overrides: str) -> dict[str, str]:
    return {
        "exchange": account["exchange"],
        "label": "Main",
        "api_key": account["api_key"],
        "api_secret": account["secret"],
        "passphrase": account["passphrase"] or "",
        "action": "connect",
        **overrides,
    }


@pytest.fixture
def main(workspace):
    return portfolio_default_ensure(workspace=workspace)


@pytest.fixture
def member_client(member):
    return signed_in(member)


@pytest.fixture
def long_term(workspace):
    return portfolio_create(workspace=workspace, name="Long term")


@pytest.fixture
def binance(routed_to_simulator):
    return {item["label"]: item for item in routed_to_simulator.accounts("binance")}


# -- create, rename ----------------------------------------------------------------------------


def test_an_owner_creates_a_second_portfolio_and_the_list_shows_it(owner_client, workspace, main):
    response = owner_client.post(NEW, {"name": "  Long   term "})
    assert response.status_code == 302
    assert response["Location"] == MANAGE
    created = Portfolio.objects.get(workspace=workspace, name="Long term")
    assert not created.is_default
    page = text(owner_client.get(MANAGE))
    assert "“Long term” is created." in page
    assert "Main portfolio Default 0" in page
    assert "Long term 0" in page


def test_a_duplicate_name_is_refused_whatever_its_case_and_keeps_what_was_typed(
    owner_client, workspace, long_term
):
    response = owner_client.post(NEW, {"name": "LONG TERM"})
    assert response.status_code == 200
    assert "There is already a portfolio called “Long term” here. Choose another name." in text(
        response
    )
    assert 'value="LONG TERM"' in response.content.decode()
    assert Portfolio.objects.filter(workspace=workspace).count() == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give the portfolio a name."),
        ("x" * 81, "A portfolio name has at most 80 characters; this one has 81. Shorten it."),
    ],
    ids=["empty", "too-long"],
)
def test_an_empty_or_too_long_name_is_refused_with_a_sentence(
    owner_client, workspace, main, name, message
):
    response = owner_client.post(NEW, {"name": name})
    assert response.status_code == 200
    assert message in text(response)
    assert Portfolio.objects.filter(workspace=workspace).count() == 1


def test_the_same_name_in_another_workspace_is_no_clash(
    owner_client, workspace, other_workspace, main
):
    portfolio_create(workspace=other_workspace, name="Long term")
    assert owner_client.post(NEW, {"name": "Long term"}).status_code == 302


def test_an_owner_renames_a_portfolio(owner_client, long_term):
    page = owner_client.get(edit_url(long_term))
    assert 'value="Long term"' in page.content.decode()
    response = owner_client.post(edit_url(long_term), {"name": "Cold storage"})
    assert response.status_code == 302
    long_term.refresh_from_db()
    assert long_term.name == "Cold storage"
    assert "“Long term” is now called “Cold storage”." in text(owner_client.get(MANAGE))


def test_renaming_onto_another_portfolios_name_is_refused(owner_client, main, long_term):
    response = owner_client.post(edit_url(long_term), {"name": "main portfolio"})
    assert response.status_code == 200
    assert "There is already a portfolio called “Main portfolio” here." in text(response)
    assert 'value="main portfolio"' in response.content.decode()
    long_term.refresh_from_db()
    assert long_term.name == "Long term"


# -- archive -----------------------------------------------------------------------------------


def test_the_default_portfolio_cannot_be_archived(owner_client, main):
    response = owner_client.post(f"/portfolio/{main.public_id}/archive/", follow=True)
    assert "“Main portfolio” is the default portfolio" in text(response)
    main.refresh_from_db()
    assert main.archived_at is None


def test_a_portfolio_a_live_connection_feeds_cannot_be_archived_and_the_refusal_names_it(
    owner_client, workspace, long_term
):
    ExchangeConnectionFactory(workspace=workspace, label="Main", portfolio=long_term)
    ExchangeConnectionFactory(
        workspace=workspace, exchange="kraken", label="Old", portfolio=long_term,
        status=ExchangeConnection.Status.DISCONNECTED,
    )  # fmt: skip
    response = owner_client.post(f"/portfolio/{long_term.public_id}/archive/", follow=True)
    assert (
        "“Long term” still feeds 1 live connection: Binance · Main. Move it to another "
        "portfolio from the connection's page, or disconnect, then archive."
    ) in text(response)
    long_term.refresh_from_db()
    assert long_term.archived_at is None


def test_an_archived_portfolio_leaves_the_switcher_and_the_add_form_until_unarchived(
    owner_client, workspace, main, long_term
):
    ExchangeConnectionFactory(
        workspace=workspace, label="Old", portfolio=long_term,
        status=ExchangeConnection.Status.DISCONNECTED,
    )  # fmt: skip
    assert ("Long term", False) in switcher(owner_client.get("/journal/"))
    response = owner_client.post(f"/portfolio/{long_term.public_id}/archive/", follow=True)
    assert "“Long term” is archived" in text(response)

    assert switcher(owner_client.get("/journal/")) == [
        ("All portfolios", True),
        ("Main portfolio", False),
    ]
    add_form = owner_client.get(ADD).content.decode()
    assert str(long_term.public_id) not in add_form
    assert "New portfolio…" in add_form

    owner_client.post(f"/portfolio/{long_term.public_id}/unarchive/")
    assert ("Long term", False) in switcher(owner_client.get("/journal/"))


# -- the switcher ------------------------------------------------------------------------------


def test_the_switcher_marks_the_current_portfolio_and_keeps_the_pages_other_parameters(
    owner_client, main, long_term
):
    response = owner_client.get(
        f"/journal/?portfolio={long_term.public_id}&symbol=BTC/USDT&cursor=abc"
    )
    assert switcher(response) == [
        ("All portfolios", False),
        ("Main portfolio", False),
        ("Long term", True),
    ]
    page = response.content.decode()
    assert 'href="?symbol=BTC%2FUSDT"' in page
    assert f'href="?portfolio={main.public_id}&amp;symbol=BTC%2FUSDT"' in page


# -- moving a connection -----------------------------------------------------------------------


@pytest.fixture
def fed(workspace, main):
    """A connection of the default portfolio with a trade, a ledger entry, a balance and a
    position; and a trade of another connection that stays."""
    connection = ExchangeConnectionFactory(workspace=workspace, label="Main", portfolio=main)
    other = ExchangeConnectionFactory(
        workspace=workspace, exchange="kraken", label="Spot", portfolio=main
    )
    make_trade(workspace, executed_at=at(1), amount="1", connection=connection)
    make_entry(workspace, occurred_at=at(2), amount="2", connection=connection, source="api")
    make_trade(workspace, executed_at=at(3), amount="3", connection=other)
    as_of = datetime(2026, 3, 4, tzinfo=UTC)
    BalanceSnapshot.objects.create(
        workspace=workspace, portfolio=main, connection=connection, account_type="spot",
        asset="BTC", total=Decimal("1.5"), as_of=as_of,
    )  # fmt: skip
    Position.objects.create(
        workspace=workspace, portfolio=main, connection=connection, market_type="swap",
        symbol="BTC/USDT:USDT", side="long", contracts=Decimal(2), as_of=as_of,
    )  # fmt: skip
    return connection


def test_moving_a_connection_takes_its_trades_entries_balances_and_positions_along(
    owner_client, owner, workspace, main, long_term, fed
):
    response = owner_client.post(move_url(fed), {"portfolio": str(long_term.public_id)})
    assert response.status_code == 302
    assert "Binance · Main and its 1 trade now feed “Long term”." in text(
        owner_client.get(response["Location"])
    )
    fed.refresh_from_db()
    assert fed.portfolio == long_term
    for model in (Trade, LedgerEntry, BalanceSnapshot, Position):
        assert set(model.objects.filter(connection=fed).values_list("portfolio", flat=True)) == {
            long_term.pk
        }, model
    event = AuditEvent.objects.get(connection=fed, action=AuditEvent.Action.MOVED)
    assert event.actor == owner
    assert event.details == {
        "from_portfolio": "Main portfolio",
        "from_portfolio_id": str(main.public_id),
        "to_portfolio": "Long term",
        "to_portfolio_id": str(long_term.public_id),
        "trades": 1,
        "ledger_entries": 1,
        "balances": 1,
        "readings": 0,
        "positions": 1,
    }

    moved_to = owner_client.get(f"/journal/?portfolio={long_term.public_id}")
    assert amounts(moved_to) == ["+2 BTC", "1 BTC"]
    assert amounts(owner_client.get(f"/journal/?portfolio={main.public_id}")) == ["3 BTC"]


def test_the_connection_page_offers_the_move_to_managers_only(
    owner_client, member_client, main, long_term, fed
):
    page = owner_client.get(f"/settings/connections/{fed.public_id}/").content.decode()
    assert "Portfolio: Main portfolio · Move" in page
    assert f'<option value="{long_term.public_id}"' in page
    member_page = member_client.get(f"/settings/connections/{fed.public_id}/").content.decode()
    assert "· Move" not in member_page


def test_a_move_is_refused_into_an_archived_portfolio_and_while_a_sync_runs(
    workspace, owner, main, long_term, fed
):
    long_term.archived_at = datetime(2026, 3, 1, tzinfo=UTC)
    long_term.save()
    with pytest.raises(ConnectionRefused, match="“Long term” is archived"):
        connection_portfolio_move(connection=fed, portfolio=long_term, actor=owner)

    desk = portfolio_create(workspace=workspace, name="Desk")
    ExchangeConnection.objects.filter(pk=fed.pk).update(
        sync_lease_token="8f14e45f-ceea-467f-a0e6-000000000000",
        sync_lease_until=datetime(2999, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(ConnectionRefused, match="is syncing right now"):
        connection_portfolio_move(connection=fed, portfolio=desk, actor=owner)
    assert set(Trade.objects.filter(connection=fed).values_list("portfolio", flat=True)) == {
        main.pk
    }


def test_an_archived_portfolio_is_not_a_choice_of_the_move_form(owner_client, long_term, fed, main):
    long_term.archived_at = datetime(2026, 3, 1, tzinfo=UTC)
    long_term.save()
    response = owner_client.post(
        move_url(fed), {"portfolio": str(long_term.public_id)}, follow=True
    )
    assert "Choose one of this workspace's portfolios." in text(response)
    fed.refresh_from_db()
    assert fed.portfolio == main


# -- who may ---------------------------------------------------------------------------------


def test_a_member_sees_the_list_but_may_not_create_rename_archive_or_move(
    member_client, workspace, main, long_term, fed
):
    page = member_client.get(MANAGE)
    assert page.status_code == 200
    assert "Long term" in text(page)
    assert "Rename or archive" not in text(page)
    assert member_client.get(NEW).status_code == 403
    assert member_client.post(NEW, {"name": "Mine"}).status_code == 403
    assert member_client.get(edit_url(long_term)).status_code == 403
    assert member_client.post(edit_url(long_term), {"name": "Mine"}).status_code == 403
    assert member_client.post(f"/portfolio/{long_term.public_id}/archive/").status_code == 403
    response = member_client.post(move_url(fed), {"portfolio": str(long_term.public_id)})
    assert response.status_code == 403
    assert not Portfolio.objects.filter(name="Mine").exists()
    long_term.refresh_from_db()
    assert long_term.name == "Long term" and long_term.archived_at is None
    fed.refresh_from_db()
    assert fed.portfolio == main


def test_an_outsider_gets_404_for_another_workspaces_portfolio_and_connection(
    outsider_client, other_workspace, main, long_term, fed
):
    theirs = portfolio_default_ensure(workspace=other_workspace)
    assert outsider_client.get(edit_url(long_term)).status_code == 404
    assert outsider_client.post(edit_url(long_term), {"name": "Mine"}).status_code == 404
    for verb in ("archive", "unarchive"):
        assert outsider_client.post(f"/portfolio/{long_term.public_id}/{verb}/").status_code == 404
    move = outsider_client.post(move_url(fed), {"portfolio": str(theirs.public_id)})
    assert move.status_code == 404
    assert str(long_term.public_id) not in outsider_client.get(MANAGE).content.decode()
    long_term.refresh_from_db()
    assert long_term.name == "Long term" and long_term.archived_at is None
    fed.refresh_from_db()
    assert fed.portfolio == main


def test_another_workspaces_portfolio_is_no_target_for_a_move(
    owner_client, other_workspace, main, fed
):
    theirs = portfolio_create(workspace=other_workspace, name="Theirs")
    response = owner_client.post(move_url(fed), {"portfolio": str(theirs.public_id)}, follow=True)
    assert "Choose one of this workspace's portfolios." in text(response)
    fed.refresh_from_db()
    assert fed.portfolio == main


def test_the_portfolios_page_reads_in_a_fixed_number_of_queries(
    owner_client, workspace, main, django_assert_num_queries
):
    for n in range(6):
        portfolio = portfolio_create(workspace=workspace, name=f"P{n}")
        ExchangeConnectionFactory(workspace=workspace, account_ref=f"id:{n}", portfolio=portfolio)
    owner_client.get(MANAGE)
    # Four for the session, the user and their workspaces; one for the portfolios and counts.
    with django_assert_num_queries(5):
        assert owner_client.get(MANAGE).status_code == 200


# -- the add form ------------------------------------------------------------------------------


def test_the_add_forms_new_portfolio_choice_creates_it_and_the_connection_feeds_it(
    owner_client, workspace, main, binance
):
    response = owner_client.post(
        ADD, form_data(binance["read-only"], portfolio="new", new_portfolio_name="Long term")
    )
    assert response.status_code == 302
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert connection.portfolio.name == "Long term"
    assert not connection.portfolio.is_default


def test_choosing_new_portfolio_without_a_name_asks_for_one(owner_client, workspace, binance):
    response = owner_client.post(ADD, form_data(binance["read-only"], portfolio="new"))
    assert response.status_code == 200
    assert "Name the new portfolio, or choose one above." in text(response)
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()


def test_a_taken_new_portfolio_name_is_refused_before_the_key_is_checked(
    owner_client, workspace, long_term, binance
):
    response = owner_client.post(
        ADD, form_data(binance["read-only"], portfolio="new", new_portfolio_name="long term")
    )
    assert "There is already a portfolio called “Long term” here." in text(response)
    assert 'value="long term"' in response.content.decode()
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()
    assert not AuditEvent.objects.filter(workspace=workspace, action="tested").exists()


def test_a_failed_connect_leaves_no_empty_new_portfolio_behind(
    owner_client, workspace, main, binance
):
    response = owner_client.post(
        ADD,
        form_data(
            binance["read-only"], api_secret="A" * 64, portfolio="new", new_portfolio_name="Desk"
        ),
    )
    assert response.status_code == 200
    assert "Authentication failed" in text(response)
    assert 'value="Desk"' in response.content.decode()
    assert list(Portfolio.objects.filter(workspace=workspace)) == [main]


# -- done when: a second portfolio is created and a connection moved into it -------------------


def test_a_synced_connection_moves_into_a_second_portfolio_made_on_its_page(
    owner_client, workspace, main, routed_to_simulator
):
    account = routed_to_simulator.create_account(
        exchange="binance", trades={"BTC/USDT": 12, "BTC/USDT:USDT": 4}, days=30
    )
    owner_client.post(ADD, form_data(account))
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert connection.portfolio == main
    result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")
    assert result.status == "succeeded", result
    trades = Trade.objects.filter(connection=connection).count()
    assert trades == 16
    assert BalanceSnapshot.objects.filter(connection=connection).exists()

    owner_client.post(NEW, {"name": "Long term"})
    long_term = Portfolio.objects.get(workspace=workspace, name="Long term")
    response = owner_client.post(
        move_url(connection), {"portfolio": str(long_term.public_id)}, follow=True
    )
    assert "Binance · Main and its 16 trades now feed “Long term”." in text(response)
    assert not Trade.objects.filter(workspace=workspace, portfolio=main).exists()
    assert not BalanceSnapshot.objects.filter(workspace=workspace, portfolio=main).exists()
    assert len(amounts(owner_client.get(f"/journal/?portfolio={long_term.public_id}"))) == 16
    assert amounts(owner_client.get(f"/journal/?portfolio={main.public_id}")) == []

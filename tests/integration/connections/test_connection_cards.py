"""Settings → Connections as cards: what each card says, that it polls only while it syncs,
the plan on the page, and times in the person's own time zone."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections.models import ExchangeConnection
from sync.models import SyncCursor, SyncRun
from tests.broker import purge
from tests.factories import ExchangeConnectionFactory
from tests.integration.journal.journal_rows import make_trade

NOW = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
LIST = "/settings/connections/"


def card_of(page: str, connection: ExchangeConnection) -> str:
    """The HTML of one connection's card on a page."""
    found = re.search(
        rf'<article class="connection-card[^"]*" id="card-{connection.public_id}".*?</article>',
        page,
        flags=re.DOTALL,
    )
    assert found, f"no card for {connection}"
    return found.group(0)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def a_connection(workspace, **fields) -> ExchangeConnection:
    fields.setdefault("account_ref", f"id:{uuid.uuid4().hex[:12]}")
    fields.setdefault("access", ExchangeConnection.Access.READ_ONLY)
    return ExchangeConnectionFactory(workspace=workspace, **fields)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def test_a_card_shows_the_exchange_label_portfolio_badges_sync_times_and_coverage(
    owner_client, workspace, frozen
):
    main = a_connection(
        workspace,
        label="Main account",
        last_trades_sync_at=NOW - timedelta(minutes=3),
        last_balances_sync_at=NOW - timedelta(minutes=41),
        next_trades_sync_at=NOW + timedelta(minutes=12),
    )
    make_trade(workspace, connection=main, executed_at=datetime(2025, 6, 9, 8, tzinfo=UTC))
    make_trade(workspace, connection=main, executed_at=datetime(2026, 1, 2, tzinfo=UTC))
    make_trade(
        workspace,
        connection=main,
        symbol="BTC/USDT:USDT",
        executed_at=datetime(2026, 2, 2, tzinfo=UTC),
    )

    card = card_of(owner_client.get(LIST).content.decode(), main)
    words = text_of(card)

    assert 'class="exchange-mark mark-binance"' in card
    assert "Main account" in words
    assert f"Binance · {main.portfolio.name} · key ••••WXYZ" in words
    assert '<span class="badge status-connected">Connected</span>' in card
    assert '<span class="badge access-read_only">Verified read-only</span>' in card
    assert (
        "Trades synced 3 minutes ago · Balances synced 41 minutes ago · Next sync in 12 minutes"
        in words
    )
    assert "3 trades · since 9 Jun 2025 · Spot, USDⓈ-M" in words
    # the exact moment, in the person's zone (UTC until they choose), on hover
    assert '<time datetime="2026-06-09T11:57:00+00:00" title="9 Jun 2026, 11:57 UTC">' in card
    assert 'aria-label="Sync now"' in card
    assert f'href="/settings/connections/{main.public_id}/edit/"' in card
    assert f'href="/settings/connections/{main.public_id}/disconnect/"' in card
    assert "hx-trigger" not in card


def test_a_member_sees_sync_now_but_neither_replace_nor_disconnect(client, member, workspace):
    main = a_connection(workspace)
    client.force_login(member)
    card = card_of(client.get(LIST).content.decode(), main)
    assert 'aria-label="Sync now"' in card
    assert "Replace key" not in card and "Disconnect" not in card


@pytest.mark.parametrize("status", ["needs_attention", "disconnected"])
def test_a_card_whose_key_stopped_working_or_is_deleted_wears_no_green_verified_badge(
    owner_client, workspace, status
):
    broken = a_connection(
        workspace, status=status, status_message="Authentication failed — the key was revoked."
    )
    card = card_of(owner_client.get(LIST).content.decode(), broken)
    assert "access-read_only" not in card
    assert "Verified read-only" not in card
    if status == "needs_attention":
        assert '<span class="badge access-muted">Read-only when last checked</span>' in card
        assert "Authentication failed — the key was revoked." in card
    else:
        assert 'aria-label="Sync now"' not in card
        assert "Replace key" not in card


def test_a_sync_moments_ago_reads_just_now_and_a_slot_already_passed_reads_due_now(
    owner_client, workspace, frozen
):
    main = a_connection(
        workspace,
        last_trades_sync_at=NOW - timedelta(seconds=20),
        last_balances_sync_at=NOW,
        next_trades_sync_at=NOW - timedelta(minutes=4),
    )
    words = text_of(card_of(owner_client.get(LIST).content.decode(), main))
    assert "Trades synced just now · Balances synced just now · Next sync due now" in words
    assert "0 minutes" not in words
    assert "No trades yet" in words


def test_the_page_says_how_many_connections_the_plan_allows(owner_client, workspace):
    a_connection(workspace, exchange="binance")
    a_connection(workspace, exchange="okx")
    a_connection(workspace, exchange="kraken", status="disconnected")
    page = text_of(owner_client.get(LIST).content.decode())
    assert "2 of 3 connections · Starter plan" in page
    assert "Connect an exchange" in page
    assert "allows 3 connections" not in page

    workspace.plan = "pro"
    workspace.save()
    page = text_of(owner_client.get(LIST).content.decode())
    assert "2 connections · Pro plan, no limit" in page


def test_at_the_limit_the_page_explains_it_instead_of_offering_to_connect(owner_client, workspace):
    for exchange in ("binance", "okx", "kraken"):
        a_connection(workspace, exchange=exchange)
    page = owner_client.get(LIST).content.decode()
    words = text_of(page)
    assert "3 of 3 connections · Starter plan" in words
    assert 'href="/settings/connections/add/"' not in page
    assert (
        "Your Starter plan allows 3 connections, and this workspace has 3. To connect another "
        "exchange account, disconnect one you no longer need, or move to Standard "
        "(10 connections) or Pro (unlimited)."
    ) in words
    assert 'href="/settings/workspace/#plan"' in page


def _workspace_with(workspace, count: int) -> None:
    """`count` live connections, every third of them syncing, each with trades."""
    workspace.plan = "pro"
    workspace.save()
    for number in range(count):
        connection = a_connection(
            workspace,
            exchange=("binance", "okx", "bybit", "kraken")[number % 4],
            last_trades_sync_at=NOW - timedelta(minutes=number),
        )
        make_trade(workspace, connection=connection, executed_at=NOW - timedelta(days=number))
        if number % 3 == 0:
            ExchangeConnection.objects.filter(pk=connection.pk).update(
                sync_lease_token=uuid.uuid4(), sync_lease_until=NOW + timedelta(minutes=5)
            )
            SyncRun.objects.create(
                workspace=workspace,
                connection=connection,
                kind="trades",
                trigger="schedule",
                status="running",
                started_at=NOW,
            )


def test_the_list_reads_in_the_same_number_of_queries_for_2_and_20_connections(
    owner_client, workspace, other_workspace, frozen
):
    _workspace_with(workspace, 2)
    owner_client.get(LIST)  # the session and the like, once
    with CaptureQueriesContext(db) as two:
        first = owner_client.get(LIST)
    _workspace_with(other_workspace, 1)  # another workspace's rows change nothing
    _workspace_with(workspace, 18)
    with CaptureQueriesContext(db) as twenty:
        second = owner_client.get(LIST)
    assert first.content.decode().count('<article class="connection-card') == 2
    assert second.content.decode().count('<article class="connection-card') == 20
    assert len(twenty) == len(two), [q["sql"] for q in twenty.captured_queries]
    assert len(twenty) <= 8


def test_an_outsider_gets_404_on_a_card_and_its_sync_now(outsider_client, workspace):
    main = a_connection(workspace)
    missing = outsider_client.get(f"/settings/connections/{uuid.uuid4()}/card/")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        card = outsider_client.get(f"/settings/connections/{main.public_id}/card/", **headers)
        assert card.status_code == 404
        assert card.content == missing.content
        pressed = outsider_client.post(
            f"/settings/connections/{main.public_id}/sync/", {"view": "card"}, **headers
        )
        assert pressed.status_code == 404
    main.refresh_from_db()
    assert main.sync_requested_until is None


def test_sync_now_on_a_card_answers_the_card_already_syncing_and_polling_for_itself(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    purge("manual")
    main = a_connection(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/settings/connections/{main.public_id}/sync/",
            {"view": "card"},
            HTTP_HX_REQUEST="true",
        )
    purge("manual")
    card = response.content.decode()
    assert response.status_code == 200
    assert card.lstrip().startswith(f'<article class="connection-card" id="card-{main.public_id}"')
    assert '<span class="badge status-syncing">Syncing</span>' in card
    assert f'hx-get="/settings/connections/{main.public_id}/card/"' in card
    assert 'hx-trigger="every 2s"' in card
    assert "Sync requested · starting in a moment" in card

    again = owner_client.post(
        f"/settings/connections/{main.public_id}/sync/", {"view": "card"}, HTTP_HX_REQUEST="true"
    )
    assert "A sync is already running for this connection" in again.content.decode()


def test_sync_now_on_the_connection_page_answers_its_status_area_syncing(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    purge("manual")
    main = a_connection(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/settings/connections/{main.public_id}/sync/", HTTP_HX_REQUEST="true"
        )
    purge("manual")
    area = response.content.decode()
    assert area.lstrip().startswith('<section id="connection-status"')
    assert 'hx-trigger="every 2s"' in area
    assert '<span class="badge status-syncing">Syncing</span>' in area


def test_without_javascript_sync_now_still_goes_back_to_the_page_with_a_message(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    purge("manual")
    main = a_connection(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/settings/connections/{main.public_id}/sync/", follow=True)
    purge("manual")
    assert response.redirect_chain == [(f"/settings/connections/{main.public_id}/", 302)]
    assert "Sync started." in response.content.decode()


def test_a_syncing_card_shows_the_import_as_it_goes_and_stops_polling_when_it_ends(
    owner_client, workspace
):
    main = a_connection(workspace, status="pending", access="")
    run = SyncRun.objects.create(
        workspace=workspace,
        connection=main,
        kind="initial",
        trigger="initial",
        status="running",
        started_at=NOW,
        trades_inserted=1200,
        progress={"walk": {"stream": "usdm:BTC/USDT:USDT", "number": 3, "of": 5}},
    )
    url = f"/settings/connections/{main.public_id}/card/"
    card = owner_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in card
    assert "Importing USDⓈ-M BTC/USDT perpetual · 1,200 trades so far · market 3 of 5" in card

    SyncRun.objects.filter(pk=run.pk).update(status="succeeded", progress={})
    ExchangeConnection.objects.filter(pk=main.pk).update(
        status="connected", access="read_only", last_trades_sync_at=NOW
    )
    make_trade(workspace, connection=main, executed_at=NOW - timedelta(days=2))
    card = owner_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in card and "hx-get" not in card
    assert '<span class="badge status-connected">Connected</span>' in card
    assert "1 trade · since" in text_of(card)


def test_the_connection_page_names_each_market_and_links_short_histories_to_the_csv_import(
    owner_client, workspace
):
    main = a_connection(workspace)
    make_trade(
        workspace,
        connection=main,
        symbol="BTC/USDT:USDT",
        executed_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    make_trade(workspace, connection=main, executed_at=datetime(2025, 6, 9, tzinfo=UTC))
    SyncCursor.objects.create(
        connection=main,
        stream="usdm:BTC/USDT:USDT",
        position={},
        reaches_back_to=datetime(2025, 12, 11, tzinfo=UTC),
    )
    page = owner_client.get(f"/settings/connections/{main.public_id}/").content.decode()
    words = text_of(page)
    assert "Spot BTC/USDT 1 trade · since 9 Jun 2025" in words
    assert "USDⓈ-M BTC/USDT perpetual 1 trade · since 5 Jan 2026" in words
    assert "USDⓈ-M BTC/USDT perpetual only from 11 Dec 2025" in words
    assert "usdm:BTC/USDT:USDT" not in page
    assert 'href="/journal/import/?exchange=binance"' in page

    offered = owner_client.get("/journal/import/?exchange=binance").content.decode()
    formats = re.search(r'<select name="file_format".*?</select>', offered, flags=re.DOTALL)
    options = re.findall(r"<option value=\"([^\"]*)\"", formats.group(0))
    assert options[0] == "" and len(options) > 1
    assert all(key.startswith("binance") for key in options[1:])
    assert '<option value="binance" selected>' in offered


def test_times_show_in_the_persons_time_zone_with_its_abbreviation(
    owner_client, owner, workspace, frozen
):
    main = a_connection(
        workspace,
        last_trades_sync_at=NOW - timedelta(minutes=3),
        last_balances_sync_at=NOW - timedelta(hours=2),
    )
    owner.time_zone = "Europe/Berlin"
    owner.save()
    card = card_of(owner_client.get(LIST).content.decode(), main)
    assert 'title="9 Jun 2026, 13:57 CEST"' in card
    page = owner_client.get(f"/settings/connections/{main.public_id}/").content.decode()
    assert "9 Jun 2026, 13:57 CEST" in page
    assert "UTC" not in text_of(page)

    owner.time_zone = "America/New_York"
    owner.save()
    card = card_of(owner_client.get(LIST).content.decode(), main)
    assert 'title="9 Jun 2026, 07:57 EDT"' in card

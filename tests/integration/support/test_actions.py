"""Support's actions: each does what it says, is refused when it cannot, and is on the
connection's History as "… by Thrive support"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import AuditEvent, ExchangeConnection
from journal.models import Trade
from sync.models import SyncCursor, SyncRun
from sync.runner import REWIND
from sync.services import dispatch_due, sync_connection
from tests.broker import purge

from .conftest import queued_syncs, run_queued_syncs

Status = ExchangeConnection.Status


def change_url(connection) -> str:
    return f"/admin/connections/exchangeconnection/{connection.pk}/change/"


def act(client, connection, action: str, capture, **data):
    with capture(execute=True):
        return client.post(
            f"/admin/connections/exchangeconnection/{connection.pk}/support/{action}/",
            data,
            follow=True,
        )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def history(owner_client, connection) -> str:
    """The workspace's own connection page, where its History is."""
    return owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    purge("manual")
    return django_capture_on_commit_callbacks


def test_a_staff_view_is_audited_and_the_workspace_sees_that_support_looked(
    support_client, support_user, owner_client, synced
):
    assert support_client.get(change_url(synced)).status_code == 200
    event = AuditEvent.objects.get(connection=synced, action=AuditEvent.Action.STAFF_VIEWED)
    assert event.actor == support_user
    page = history(owner_client, synced)
    assert "Thrive support viewed this connection" in page
    assert support_user.email not in page


@pytest.mark.parametrize("kind", ["trades", "balances", "full"])
def test_sync_now_queues_the_kind_asked_for_once(
    support_client, owner_client, synced, capture, kind
):
    response = act(support_client, synced, f"sync-{kind}", capture)
    assert f"{synced}: {kind} sync queued." in messages_of(response)
    assert queued_syncs() == [[synced.pk, kind, "manual"]]

    again = act(support_client, synced, f"sync-{kind}", capture)
    assert any("has a sync queued" in text for text in messages_of(again))
    assert len(queued_syncs()) == 1
    event = AuditEvent.objects.get(connection=synced, action=AuditEvent.Action.SYNC_REQUESTED)
    assert event.details == {"kind": kind}
    assert "Sync requested by Thrive support" in history(owner_client, synced)
    assert run_queued_syncs() == ["succeeded"]


def test_the_list_action_queues_a_sync_for_each_connection_chosen(
    support_client, synced, capture, workspace, owner, routed_to_simulator
):
    from connections.services import connection_create
    from tests.exchange_keys import secret_of

    other = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="bybit",
        label="Bybit",
        portfolio=None,
        secret=secret_of(routed_to_simulator.account("bybit", "demo")),
    )
    purge("manual")
    with capture(execute=True):
        response = support_client.post(
            "/admin/connections/exchangeconnection/",
            {"action": "sync_full", "_selected_action": [synced.pk, other.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert sorted(queued_syncs()) == sorted(
        [[synced.pk, "full", "manual"], [other.pk, "full", "manual"]]
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SYNC_REQUESTED).count() == 2


def test_re_checking_permissions_lets_a_fixed_key_out_of_needs_attention(
    support_client, owner_client, synced, capture, routed_to_simulator, demo
):
    routed_to_simulator.add_fault("ip_not_allowed", api_key=demo["api_key"])
    sync_connection(connection_id=synced.pk, kind="full")
    synced.refresh_from_db()
    assert synced.status == Status.NEEDS_ATTENTION
    assert synced.next_trades_sync_at is None and synced.next_balances_sync_at is None
    page = support_client.get(change_url(synced)).content.decode()
    # Binance answers -2015 for a bad key, IP or permission alike: why, in the page's words.
    assert "authentication_failed" in page and synced.status_message in page

    routed_to_simulator.ok("DELETE", "/faults")  # the person allow-listed our addresses
    response = act(support_client, synced, "recheck", capture)
    assert any("permission check queued" in text for text in messages_of(response))
    assert queued_syncs() == [[synced.pk, "balances", "manual"]]
    assert run_queued_syncs() == ["succeeded"]

    synced.refresh_from_db()
    assert synced.status == Status.CONNECTED
    assert synced.access == ExchangeConnection.Access.READ_ONLY
    # Back on both schedules: the needs-attention stop is lifted by a sync that works.
    assert synced.next_trades_sync_at is not None and synced.next_balances_sync_at is not None
    assert "Permission check requested by Thrive support" in history(owner_client, synced)


def test_a_re_check_that_still_fails_keeps_the_connection_off_the_schedule(
    support_client, synced, capture, routed_to_simulator, demo
):
    routed_to_simulator.add_fault("revoked_key", api_key=demo["api_key"])
    sync_connection(connection_id=synced.pk, kind="full")
    act(support_client, synced, "recheck", capture)
    assert run_queued_syncs() == ["failed"]
    synced.refresh_from_db()
    assert synced.status == Status.NEEDS_ATTENTION
    assert synced.next_trades_sync_at is None and synced.next_balances_sync_at is None


def test_pause_stops_the_schedule_and_resume_restarts_it(
    support_client, owner_client, synced, capture
):
    response = act(support_client, synced, "pause", capture)
    assert any("scheduled syncs paused" in text for text in messages_of(response))
    synced.refresh_from_db()
    assert synced.schedules_paused_at is not None
    assert "Paused by support" in support_client.get(change_url(synced)).content.decode()
    ExchangeConnection.objects.filter(pk=synced.pk).update(
        next_trades_sync_at=timezone.now() - timedelta(minutes=1),
        next_balances_sync_at=timezone.now() - timedelta(minutes=1),
    )
    assert dispatch_due() == 0
    again = act(support_client, synced, "pause", capture)
    assert any("paused already" in text for text in messages_of(again))

    act(support_client, synced, "resume", capture)
    synced.refresh_from_db()
    now = timezone.now()
    assert synced.schedules_paused_at is None
    assert now < synced.next_trades_sync_at <= now + timedelta(minutes=15)
    assert now < synced.next_balances_sync_at <= now + timedelta(minutes=60)
    page = history(owner_client, synced)
    assert "Scheduled syncs paused by Thrive support" in page
    assert "Scheduled syncs resumed by Thrive support" in page


def test_a_pause_holds_through_a_sync_someone_asks_for(support_client, synced, capture):
    act(support_client, synced, "pause", capture)
    act(support_client, synced, "sync-full", capture)
    assert run_queued_syncs() == ["succeeded"]

    synced.refresh_from_db()
    assert synced.schedules_paused_at is not None
    ExchangeConnection.objects.filter(pk=synced.pk).update(
        next_trades_sync_at=timezone.now() - timedelta(minutes=1)
    )
    assert dispatch_due() == 0


def test_re_importing_a_stream_from_a_date_fetches_again_and_duplicates_nothing(
    support_client, owner_client, synced, capture
):
    trades = Trade.objects.filter(connection=synced).count()
    assert trades > 0
    first_import = SyncRun.objects.get(connection=synced)
    stream = max(
        (name for name, entry in first_import.progress.items() if "fetched" in entry),
        key=lambda name: first_import.progress[name]["fetched"],
    )
    since = (timezone.now() - timedelta(days=400)).date()
    response = act(
        support_client, synced, "reimport", capture, stream=stream, since=since.isoformat()
    )
    assert any(f"{stream} re-imported from" in text for text in messages_of(response))
    cursor = SyncCursor.objects.get(connection=synced, stream=stream)
    assert set(cursor.position) == {REWIND}
    assert queued_syncs() == [[synced.pk, "trades", "manual"]]

    assert run_queued_syncs() == ["succeeded"]
    run = SyncRun.objects.filter(connection=synced).first()
    assert run.progress[stream]["fetched"] > 0
    assert run.progress[stream]["inserted"] == 0
    assert run.trades_existing >= run.progress[stream]["fetched"]
    assert Trade.objects.filter(connection=synced).count() == trades
    cursor.refresh_from_db()
    assert REWIND not in cursor.position
    event = AuditEvent.objects.get(connection=synced, action=AuditEvent.Action.REIMPORT_REQUESTED)
    assert event.details["streams"] == [stream]
    assert "Re-import requested by Thrive support" in history(owner_client, synced)


def test_re_importing_every_stream_from_the_list_asks_for_the_date_first(
    support_client, synced, capture
):
    trades = Trade.objects.filter(connection=synced).count()
    streams = set(
        SyncCursor.objects.filter(connection=synced)
        .exclude(stream__startswith="search:")
        .values_list("stream", flat=True)
    )
    chosen = {"action": "reimport_streams", "_selected_action": [synced.pk]}
    page = support_client.post("/admin/connections/exchangeconnection/", chosen)
    assert page.status_code == 200
    assert "Re-import trades from a date" in page.content.decode()
    assert not queued_syncs()

    since = (timezone.now() - timedelta(days=400)).date().isoformat()
    with capture(execute=True):
        support_client.post(
            "/admin/connections/exchangeconnection/", {**chosen, "apply": "yes", "since": since}
        )
    rewound = set(
        SyncCursor.objects.filter(connection=synced, position__has_key=REWIND).values_list(
            "stream", flat=True
        )
    )
    assert rewound == streams
    assert run_queued_syncs() == ["succeeded"]
    assert Trade.objects.filter(connection=synced).count() == trades


def test_a_stream_not_yet_imported_to_its_end_is_not_rewound(support_client, synced, capture):
    stream = (
        SyncCursor.objects.filter(connection=synced).exclude(stream__startswith="search:").first()
    )
    last = SyncRun.objects.filter(connection=synced).first()
    last.progress[stream.stream]["error"] = "timeout"
    last.save()
    position = stream.position
    since = (timezone.now() - timedelta(days=3)).date().isoformat()
    response = act(support_client, synced, "reimport", capture, stream=stream.stream, since=since)
    assert any("has not been imported to its end yet" in text for text in messages_of(response))
    stream.refresh_from_db()
    assert stream.position == position
    assert not queued_syncs()


def test_a_disconnected_connection_has_no_actions(support_client, synced, capture, owner):
    from connections.services import connection_disconnect

    connection_disconnect(connection=synced, actor=owner)
    assert "Support actions" not in support_client.get(change_url(synced)).content.decode()
    response = act(support_client, synced, "sync-full", capture)
    assert any("is disconnected" in text for text in messages_of(response))
    assert not queued_syncs()


def test_the_action_urls_take_only_posts(support_client, synced):
    url = f"/admin/connections/exchangeconnection/{synced.pk}/support/sync-full/"
    assert support_client.get(url).status_code == 405
    assert support_client.post(url.replace("sync-full", "delete")).status_code == 404

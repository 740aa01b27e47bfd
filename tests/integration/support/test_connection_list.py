"""The support console's list of connections: columns, filters, search, and its query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections.models import ExchangeConnection
from sync.models import SyncRun
from tests.factories import ExchangeConnectionFactory, MembershipFactory, WorkspaceFactory
from thrive.models import Membership, Workspace

LIST = "/admin/connections/exchangeconnection/"
Status = SyncRun.Status


def run(connection, status, *, ago=timedelta(minutes=5), error_code=""):
    finished = timezone.now() - ago
    return SyncRun.objects.create(
        workspace=connection.workspace,
        connection=connection,
        kind="trades",
        trigger="schedule",
        status=status,
        started_at=finished,
        finished_at=finished,
        error_code=error_code,
    )


def old(connection: ExchangeConnection, *, hours: int = 2) -> ExchangeConnection:
    ExchangeConnection.objects.filter(pk=connection.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )
    return connection


def listed(client, query: str = "") -> set[str]:
    """The labels of the connections the list shows."""
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return {row.label for row in response.context["cl"].result_list}


def test_each_row_says_who_what_and_how_the_syncs_went(support_client):
    workspace = WorkspaceFactory(name="Desk of Ada", plan=Workspace.Plan.PRO)
    owner = MembershipFactory(
        workspace=workspace, role=Membership.Role.OWNER, user__email="ada@example.com"
    )
    connection = ExchangeConnectionFactory(
        workspace=workspace,
        label="Main",
        api_key_hint="Q7RZ",
        status="needs_attention",
        access="trade",
        created_by=owner.user,
        last_trades_sync_at=timezone.now() - timedelta(hours=3),
    )
    run(connection, Status.SUCCEEDED, ago=timedelta(hours=3))
    run(connection, Status.FAILED, ago=timedelta(hours=2), error_code="timeout")
    run(connection, Status.FAILED, ago=timedelta(hours=1), error_code="authentication_failed")

    response = support_client.get(LIST)
    row = response.context["cl"].result_list[0]
    assert (row.owner_email, row.consecutive_failures, row.last_error_code) == (
        "ada@example.com",
        2,
        "authentication_failed",
    )
    body = response.content.decode()
    for text in (
        "Desk of Ada",
        "ada@example.com",
        "Binance",
        "Main",
        "Needs attention",
        "Trade enabled",
        "authentication_failed",
    ):
        assert text in body


def test_failures_in_a_row_count_from_the_last_sync_that_worked(support_client):
    connection = ExchangeConnectionFactory(label="Recovering")
    run(connection, Status.FAILED, ago=timedelta(hours=3), error_code="timeout")
    run(connection, Status.PARTIAL, ago=timedelta(hours=2), error_code="rate_limited")
    run(connection, Status.FAILED, ago=timedelta(hours=1), error_code="network_error")
    row = support_client.get(LIST).context["cl"].result_list[0]
    assert (row.consecutive_failures, row.last_error_code) == (1, "network_error")
    run(connection, Status.SUCCEEDED)
    row = support_client.get(LIST).context["cl"].result_list[0]
    assert (row.consecutive_failures, row.last_error_code) == (0, "")


def test_filters_by_exchange_status_plan_and_staleness(support_client):
    pro = WorkspaceFactory(plan=Workspace.Plan.PRO)
    fresh = old(ExchangeConnectionFactory(label="Fresh", exchange="kraken"))
    run(fresh, Status.SUCCEEDED, ago=timedelta(minutes=10))
    failing = old(
        ExchangeConnectionFactory(label="Failing", workspace=pro, status="needs_attention")
    )
    run(failing, Status.SUCCEEDED, ago=timedelta(minutes=45))
    run(failing, Status.FAILED, ago=timedelta(minutes=5), error_code="authentication_failed")
    old(ExchangeConnectionFactory(label="Never synced", exchange="okx"))
    ExchangeConnectionFactory(label="Just added", exchange="bybit", status="pending")
    old(ExchangeConnectionFactory(label="Gone", exchange="gate", status="disconnected"))

    assert listed(support_client, "exchange__exact=kraken") == {"Fresh"}
    assert listed(support_client, "status__exact=needs_attention") == {"Failing"}
    assert listed(support_client, "workspace__plan__exact=pro") == {"Failing"}
    # Thirty minutes is two cycles of the trades schedule; new and disconnected ones are not stale.
    assert listed(support_client, "stale=yes") == {"Failing", "Never synced"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Desk of Ada", {"Main"}),
        ("ada@example", {"Main"}),
        ("main", {"Main"}),
        ("Q7RZ", {"Main"}),
        ("nobody", set()),
    ],
)
def test_search_by_workspace_email_label_and_key_hint(support_client, query, expected):
    workspace = WorkspaceFactory(name="Desk of Ada")
    MembershipFactory(
        workspace=workspace, role=Membership.Role.OWNER, user__email="ada@example.com"
    )
    MembershipFactory(workspace=workspace, role=Membership.Role.MEMBER)
    ExchangeConnectionFactory(workspace=workspace, label="Main", api_key_hint="Q7RZ")
    ExchangeConnectionFactory(label="Other", api_key_hint="ABCD")
    assert listed(support_client, f"q={query}") == expected


def test_the_list_costs_the_same_queries_for_5_connections_as_for_50(support_client):
    def add(count: int) -> None:
        for _ in range(count):
            workspace = WorkspaceFactory()
            MembershipFactory(workspace=workspace, role=Membership.Role.OWNER)
            connection = ExchangeConnectionFactory(workspace=workspace)
            run(connection, Status.SUCCEEDED, ago=timedelta(hours=2))
            run(connection, Status.FAILED, error_code="timeout")

    def queries(query: str) -> int:
        with CaptureQueriesContext(db) as captured:
            response = support_client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        return len(captured.captured_queries)

    add(5)
    support_client.get(LIST)  # the session and permission caches warm
    few = [queries(query) for query in ("", "stale=yes", "q=example")]
    add(45)
    many = [queries(query) for query in ("", "stale=yes", "q=example")]
    assert few == many
    # session, user, workspace (twice), permissions (2), counts (2), the page itself
    assert max(many) <= 9


def test_internal_fields_are_read_only_on_the_connection_page(support_client, admin_client):
    connection = ExchangeConnectionFactory(sync_lease_token=None)
    url = f"{LIST}{connection.pk}/change/"
    for client in (support_client, admin_client):
        body = client.get(url).content.decode()
        for field in ("status", "sync_lease_token", "next_trades_sync_at", "label"):
            assert f'name="{field}"' not in body
    admin_client.post(url, {"status": "connected", "label": "Renamed"})
    connection.refresh_from_db()
    assert connection.label != "Renamed"


def test_search_by_the_public_id_a_person_reads_in_their_address_bar(support_client):
    connection = ExchangeConnectionFactory(label="Wanted")
    ExchangeConnectionFactory(label="Other")
    assert listed(support_client, f"q={connection.public_id}") == {"Wanted"}

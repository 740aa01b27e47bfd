"""The exchange health page: per exchange, what support needs to tell "one connection" from
"the whole exchange"."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sync.budget import take
from sync.models import ExchangePause, SyncRun
from tests.factories import ExchangeConnectionFactory, UserFactory

HEALTH = "/admin/connections/exchangeconnection/health/"


def run(connection, status, *, ago=timedelta(minutes=10), error_code="", requests=0):
    created = SyncRun.objects.create(
        workspace=connection.workspace,
        connection=connection,
        kind="trades",
        trigger="schedule",
        status=status,
        error_code=error_code,
        requests_made=requests,
    )
    SyncRun.objects.filter(pk=created.pk).update(created_at=timezone.now() - ago)


def row(body: str, exchange: str) -> str:
    """The text of one exchange's row, tags stripped."""
    match = re.search(rf'<tr[^>]*id="health-{exchange}">(.*?)</tr>', body, flags=re.S)
    assert match, exchange
    cells = re.sub(r"<br>|</t[dh]>", " | ", match.group(1))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cells))


def test_it_counts_the_last_hours_syncs_requests_errors_pauses_and_budget(support_client):
    binance = ExchangeConnectionFactory(exchange="binance")
    kraken = ExchangeConnectionFactory(exchange="kraken", status="needs_attention")
    run(binance, "succeeded", requests=12)
    run(binance, "succeeded", requests=8)
    run(binance, "failed", error_code="rate_limited", requests=3)
    run(binance, "failed", ago=timedelta(hours=3), error_code="rate_limited", requests=500)
    run(binance, "partial", ago=timedelta(hours=5), error_code="timeout")
    run(binance, "failed", ago=timedelta(days=2), error_code="exchange_error")
    run(kraken, "failed", error_code="authentication_failed", requests=1)
    ExchangePause.objects.create(
        exchange="kraken",
        consecutive_maintenance=4,
        paused_until=timezone.now() + timedelta(minutes=4),
    )
    take("binance", rate_limit_ms=50, cost=5)

    body = support_client.get(HEALTH).content.decode()

    binance_row = row(body, "binance")
    assert "Succeeded: 2" in binance_row and "Failed: 1" in binance_row
    assert "| 23 |" in binance_row  # requests in the last hour: 12 + 8 + 3
    assert "rate_limited: 2" in binance_row and "timeout: 1" in binance_row
    assert "exchange_error" not in binance_row  # older than a day
    assert re.search(r"binance: \d+\.\d at", binance_row)
    assert "Connected: 1" in binance_row
    kraken_row = row(body, "kraken")
    assert "Paused until" in kraken_row and "4 maintenance answers in a row" in kraken_row
    assert "authentication_failed: 1" in kraken_row and "Needs attention: 1" in kraken_row
    assert "None" in row(body, "okx")


def test_its_query_count_does_not_grow_with_syncs_or_connections(support_client):
    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert support_client.get(HEALTH).status_code == 200
        return len(captured.captured_queries)

    connection = ExchangeConnectionFactory(exchange="okx")
    run(connection, "succeeded")
    support_client.get(HEALTH)
    few = queries()
    for exchange in ("okx", "bybit", "gate", "mexc"):
        for status in ("succeeded", "failed"):
            run(ExchangeConnectionFactory(exchange=exchange), status, error_code="timeout")
    assert queries() == few


def test_the_admin_index_links_to_it_and_people_without_the_permissions_get_no_page(
    support_client, client
):
    assert HEALTH in support_client.get("/admin/").content.decode()
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(HEALTH).status_code == 403
    assert "Support console" not in client.get("/admin/").content.decode()

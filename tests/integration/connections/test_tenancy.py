"""Another workspace's connection answers 404 on every URL and verb, and nothing is queued."""

from __future__ import annotations

import pytest

from connections.models import AuditEvent, Credential, ExchangeConnection
from tests.broker import purge, queued_messages

from .conftest import form_data


@pytest.fixture
def urls(connected):
    base = f"/settings/connections/{connected.public_id}"
    return [
        ("get", f"{base}/"),
        ("get", f"{base}/status/"),
        ("get", f"{base}/edit/"),
        ("post", f"{base}/edit/"),
        ("post", f"{base}/disconnect/"),
    ]


def test_an_outsider_gets_404_on_every_connection_url_and_changes_nothing(
    outsider_client, connected, urls, binance, django_capture_on_commit_callbacks
):
    purge("manual")
    missing = outsider_client.get("/settings/connections/00000000-0000-0000-0000-000000000000/")
    events_before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for method, url in urls:
            data = form_data(binance["demo"]) if method == "post" else None
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = getattr(outsider_client, method)(url, data, **headers)
                assert response.status_code == 404, (method, url)
                assert response.content == missing.content
    assert callbacks == []
    assert queued_messages("manual") == []
    connected.refresh_from_db()
    assert connected.status == ExchangeConnection.Status.PENDING
    assert Credential.objects.filter(connection=connected).exists()
    assert AuditEvent.objects.count() == events_before


def test_the_list_shows_only_my_workspaces_connections(owner_client, outsider_client, connected):
    assert connected.label in owner_client.get("/settings/connections/").content.decode()
    assert connected.label not in outsider_client.get("/settings/connections/").content.decode()


def test_the_list_reads_in_a_constant_number_of_queries(
    owner_client, connected, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        owner_client.get("/settings/connections/")

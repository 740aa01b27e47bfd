"""Disconnect asks on a page of ours first: what is deleted, what stays, and a way back."""

from __future__ import annotations

import pytest

from connections.models import Credential, ExchangeConnection
from tests.conftest import signed_in
from tests.factories import ExchangeConnectionFactory


@pytest.fixture
def connection(workspace, owner) -> ExchangeConnection:
    return ExchangeConnectionFactory(workspace=workspace, created_by=owner, label="Main")


def url(connection: ExchangeConnection) -> str:
    return f"/settings/connections/{connection.public_id}/disconnect/"


def test_the_confirm_page_says_the_key_is_deleted_and_the_journal_kept(owner_client, connection):
    response = owner_client.get(url(connection))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Disconnect Binance · Main?</h1>" in body
    assert "Its API key is deleted from Thrive at once." in body
    assert "Its trades, balances and journal stay" in body
    assert f'<form method="post" action="{url(connection)}"' in body
    assert f'href="/settings/connections/{connection.public_id}/">Cancel</a>' in body
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED


def test_the_connection_page_links_to_the_confirm_page_instead_of_posting(owner_client, connection):
    page = owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()
    assert f'href="{url(connection)}">Disconnect</a>' in page
    assert "data-confirm" not in page


def test_a_member_gets_403_on_the_confirm_page(member, connection):
    response = signed_in(member).get(url(connection))
    assert response.status_code == 403
    assert "Only the workspace's owners and admins can do this" in response.content.decode()


def test_an_outsider_gets_404_on_the_confirm_page(outsider_client, connection):
    assert outsider_client.get(url(connection)).status_code == 404


def test_posting_from_the_confirm_page_disconnects(owner_client, connected):
    response = owner_client.post(url(connected))
    assert response.status_code == 302
    assert response["Location"] == "/settings/connections/"
    connected.refresh_from_db()
    assert connected.status == ExchangeConnection.Status.DISCONNECTED
    assert not Credential.objects.filter(connection=connected).exists()


def test_the_confirm_page_of_a_disconnected_connection_leads_back_to_it(owner_client, connection):
    connection.status = ExchangeConnection.Status.DISCONNECTED
    connection.save()
    response = owner_client.get(url(connection))
    assert response.status_code == 302
    assert response["Location"] == f"/settings/connections/{connection.public_id}/"

from __future__ import annotations

import json

from connections.models import AuditEvent, Credential, ExchangeConnection
from tests.broker import decoded, purge, queued_messages

from .conftest import form_data


def test_replacing_the_key_overwrites_the_stored_one(
    routed_to_simulator, owner_client, connected, binance
):
    old_envelope = Credential.objects.get(connection=connected).envelope
    new = {**binance["read-only"], **routed_to_simulator.add_key(binance["read-only"]["api_key"])}
    response = owner_client.post(
        f"/settings/connections/{connected.public_id}/edit/", form_data(new)
    )
    assert response.status_code == 302
    connected.refresh_from_db()
    assert connected.api_key_hint == new["api_key"][-4:]
    assert Credential.objects.get(connection=connected).envelope != old_envelope
    assert AuditEvent.objects.filter(connection=connected, action="replaced").exists()


def test_a_failing_new_key_leaves_the_old_one_in_place(owner_client, connected, binance):
    old_envelope = Credential.objects.get(connection=connected).envelope
    response = owner_client.post(
        f"/settings/connections/{connected.public_id}/edit/",
        form_data(binance["expired"]),
    )
    assert "Authentication failed" in response.content.decode()
    assert Credential.objects.get(connection=connected).envelope == old_envelope


def test_the_edit_form_never_shows_the_old_key(owner_client, connected, binance):
    page = owner_client.get(f"/settings/connections/{connected.public_id}/edit/").content.decode()
    assert binance["read-only"]["api_key"] not in page
    assert binance["read-only"]["secret"] not in page
    assert f'ends in <span class="mono">{connected.api_key_hint}</span>' in page


def test_disconnecting_deletes_the_credential_at_once_and_stops_schedules(owner_client, connected):
    response = owner_client.post(f"/settings/connections/{connected.public_id}/disconnect/")
    assert response.status_code == 302
    connected.refresh_from_db()
    assert connected.status == ExchangeConnection.Status.DISCONNECTED
    assert connected.next_trades_sync_at is None and connected.next_balances_sync_at is None
    assert not Credential.objects.filter(connection=connected).exists()
    assert AuditEvent.objects.filter(connection=connected, action="disconnected").exists()
    page = owner_client.get(f"/settings/connections/{connected.public_id}/").content.decode()
    assert "Disconnected" in page
    assert "Replace key" not in page


def test_the_same_key_connected_again_brings_the_connection_back(owner_client, connected, binance):
    owner_client.post(f"/settings/connections/{connected.public_id}/disconnect/")
    again = owner_client.post(
        "/settings/connections/add/?exchange=binance", form_data(binance["read-only"])
    )
    assert again.status_code == 302
    back = ExchangeConnection.objects.get(workspace=connected.workspace)
    assert back.pk == connected.pk
    assert back.status == ExchangeConnection.Status.PENDING
    assert Credential.objects.filter(connection=back).exists()


def test_connecting_queues_the_first_sync_with_the_connection_id_only(
    owner_client, workspace, binance, django_capture_on_commit_callbacks
):
    purge("manual")
    account = binance["read-only"]
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/settings/connections/add/?exchange=binance", form_data(account))
    connection = ExchangeConnection.objects.get(workspace=workspace)
    messages = [decoded(raw) for raw in queued_messages("manual")]
    assert len(messages) == 1
    assert messages[0]["headers"]["task"] == "sync.tasks.sync_connection"
    args, kwargs, _ = json.loads(messages[0]["decoded_body"])
    assert args == [connection.pk, "initial", "initial"]
    assert kwargs == {}


def test_a_key_of_another_account_is_refused_and_the_old_key_stays(
    owner_client, connected, binance
):
    old_envelope = Credential.objects.get(connection=connected).envelope
    response = owner_client.post(
        f"/settings/connections/{connected.public_id}/edit/", form_data(binance["demo"])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This key belongs to another Binance account than “Main account”" in page
    assert Credential.objects.get(connection=connected).envelope == old_envelope
    connected.refresh_from_db()
    assert connected.api_key_hint == binance["read-only"]["api_key"][-4:]
    assert not AuditEvent.objects.filter(connection=connected, action="replaced").exists()


def test_a_second_key_of_a_connected_account_is_refused_whatever_the_key(
    routed_to_simulator, owner_client, connected, binance
):
    other_key = routed_to_simulator.add_key(binance["read-only"]["api_key"])
    response = owner_client.post(
        "/settings/connections/add/?exchange=binance",
        form_data({**binance["read-only"], **other_key}, label="Again"),
    )
    assert response.status_code == 200
    assert "This Binance account is already connected here as “Main account”" in (
        response.content.decode()
    )
    assert ExchangeConnection.objects.filter(workspace=connected.workspace).count() == 1

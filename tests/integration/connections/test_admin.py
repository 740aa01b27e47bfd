from __future__ import annotations

import pytest
from django.test import Client

from connections.models import AuditEvent
from tests.factories import UserFactory

from .conftest import secret_of


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_see_a_connection_without_its_secret_and_the_view_is_audited(
    staff_client, connected, binance
):
    response = staff_client.get(f"/admin/connections/exchangeconnection/{connected.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200
    assert connected.api_key_hint in body
    secret = secret_of(binance["read-only"])
    assert secret.secret not in body and secret.api_key not in body
    assert connected.api_key_fingerprint not in body
    event = AuditEvent.objects.get(connection=connected, action="staff_viewed")
    assert event.actor.is_staff


def test_audit_events_cannot_be_changed_or_deleted(connected):
    event = AuditEvent.objects.filter(connection=connected).first()
    event.details = {"tampered": True}
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(details={})
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_staff_see_which_parts_of_the_account_the_key_reads_and_cannot_edit_them(
    staff_client, workspace, owner, portfolio, binance
):
    from connections.services import connection_create

    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Spot wallet",
        portfolio=portfolio,
        secret=secret_of(binance["spot-only"]),
    )

    body = staff_client.get(
        f"/admin/connections/exchangeconnection/{connection.pk}/change/"
    ).content.decode()

    assert "Cross margin: not opened" in body
    assert 'name="capabilities"' not in body

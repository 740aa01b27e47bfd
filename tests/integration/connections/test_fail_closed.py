"""A damaged, moved or unknown-key envelope makes the sync fail closed, with no exchange call."""

from __future__ import annotations

import base64

import pytest

from connections.models import Credential, ExchangeConnection
from connections.services import connection_create
from sync.services import sync_connection

from .conftest import secret_of


def flip_a_bit(envelope: dict) -> dict:
    raw = bytearray(base64.b64decode(envelope["ciphertext"]))
    raw[0] ^= 0x01
    return {**envelope, "ciphertext": base64.b64encode(bytes(raw)).decode()}


@pytest.mark.parametrize(
    "damage",
    [
        flip_a_bit,
        lambda envelope: {**envelope, "kid": "k-unknown"},
        lambda envelope: {**envelope, "v": 9},
        lambda envelope: {"not": "an envelope"},
    ],
    ids=["flipped-bit", "unknown-kid", "unknown-version", "malformed"],
)
def test_a_damaged_envelope_fails_closed_before_any_exchange_call(
    connected, routed_to_simulator, binance, damage
):
    credential = Credential.objects.get(connection=connected)
    credential.envelope = damage(credential.envelope)
    credential.save()
    routed_to_simulator.ok("POST", "/reset")

    result = sync_connection(connection_id=connected.pk, kind="initial")
    assert result.failure.code == "credential_unreadable"

    connected.refresh_from_db()
    assert connected.status == ExchangeConnection.Status.NEEDS_ATTENTION
    assert "could not be opened" in connected.status_message
    stats = routed_to_simulator.ok("GET", "/stats")
    assert binance["read-only"]["api_key"] not in str(stats)


def test_an_envelope_moved_to_another_connection_does_not_open(
    connected, workspace, owner, portfolio, binance, routed_to_simulator
):
    second = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Second",
        portfolio=portfolio,
        secret=secret_of(binance["demo"]),
    )
    Credential.objects.filter(connection=second).update(
        envelope=Credential.objects.get(connection=connected).envelope
    )
    assert sync_connection(connection_id=second.pk, kind="initial").failure.code == (
        "credential_unreadable"
    )
    assert sync_connection(connection_id=connected.pk, kind="initial").status == "succeeded"


def test_a_healthy_credential_syncs_and_marks_the_connection_connected(connected):
    assert sync_connection(connection_id=connected.pk, kind="initial").status == "succeeded"
    connected.refresh_from_db()
    assert connected.status == ExchangeConnection.Status.CONNECTED


def test_a_revoked_key_needs_attention(connected, routed_to_simulator, binance):
    routed_to_simulator.ok(
        "POST", "/faults", {"kind": "revoked_key", "api_key": binance["read-only"]["api_key"]}
    )
    result = sync_connection(connection_id=connected.pk, kind="balances")
    assert result.failure.code == "authentication_failed"
    connected.refresh_from_db()
    assert connected.status == ExchangeConnection.Status.NEEDS_ATTENTION
    assert connected.status_message.startswith("Authentication failed")

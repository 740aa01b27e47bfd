"""Rotating key-encryption keys: every credential ends on the new key id and still opens."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from connections.models import Credential
from connections.services import connection_create, credential_open
from connections.vault import Keyring, configured_keyring, keyring_add_active

from .conftest import secret_of


@pytest.fixture
def three_connections(workspace, owner, portfolio, binance, routed_to_simulator):
    from thrive.models import Workspace

    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    return [
        connection_create(
            workspace=workspace,
            actor=owner,
            exchange="binance",
            label=label,
            portfolio=portfolio,
            secret=secret_of(binance[label]),
        )
        for label in ("demo", "read-only", "trade-enabled")
    ]


def rotate_keyring(settings) -> Keyring:
    keyring = keyring_add_active(configured_keyring())
    settings.THRIVE_KEYRING = keyring.to_json()
    return keyring


def test_rotating_twice_leaves_every_credential_opening_under_the_newest_key(
    settings, three_connections, binance, capsys
):
    call_command("verify_credential_keys")
    for _ in range(2):
        keyring = rotate_keyring(settings)
        with pytest.raises(CommandError, match="rotate_credential_keys"):
            call_command("verify_credential_keys")
        call_command("rotate_credential_keys", "--batch-size", "2")
        call_command("verify_credential_keys")
    assert {c.envelope["kid"] for c in Credential.objects.all()} == {keyring.active}
    newest_only = Keyring(active=keyring.active, keys={keyring.active: keyring.active_key()})
    settings.THRIVE_KEYRING = newest_only.to_json()
    for connection, label in zip(
        three_connections, ("demo", "read-only", "trade-enabled"), strict=True
    ):
        assert credential_open(connection=connection) == secret_of(binance[label])
    out = capsys.readouterr().out
    assert "3 re-wrapped" in out


def test_rotation_is_idempotent(settings, three_connections, capsys):
    rotate_keyring(settings)
    call_command("rotate_credential_keys")
    call_command("rotate_credential_keys")
    assert "0 re-wrapped, 3 already current" in capsys.readouterr().out


def test_verification_fails_on_a_credential_that_does_not_open(three_connections):
    credential = Credential.objects.get(connection=three_connections[0])
    credential.envelope = {**credential.envelope, "kid": "k-gone"}
    credential.save()
    with pytest.raises(CommandError, match=f"connections {three_connections[0].pk}"):
        call_command("verify_credential_keys")


def test_rotation_refuses_a_public_only_keyring(settings, three_connections):
    settings.THRIVE_KEYRING = configured_keyring().to_json(include_private=False)
    with pytest.raises(CommandError, match="no private keys"):
        call_command("rotate_credential_keys")


def test_add_keyring_key_writes_a_new_active_key_and_a_public_copy(tmp_path, settings):
    keyring_file = tmp_path / "keyring.json"
    keyring_file.write_text(configured_keyring().to_json())
    public = tmp_path / "public.json"
    call_command("add_keyring_key", str(keyring_file), "--public-copy", str(public))
    rotated = Keyring.from_json(keyring_file.read_text())
    assert rotated.active != configured_keyring().active
    assert len(rotated.keys) == 2
    assert not Keyring.from_json(public.read_text()).can_decrypt
    assert oct(keyring_file.stat().st_mode & 0o777) == "0o600"

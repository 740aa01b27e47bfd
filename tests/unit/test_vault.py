"""The vault fails closed: nothing but the right key, row, workspace and exchange opens a secret."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connections.vault import (
    Binding,
    CredentialSecret,
    Keyring,
    KeyringError,
    VaultError,
    keyring_add_active,
    keyring_generate,
    open_envelope,
    rewrap,
    seal,
)

BINDING = Binding(workspace_id=7, connection_id=42, exchange="binance")
SECRET = CredentialSecret(api_key="AKIA-canary-key", secret="canary-secret-0451", passphrase="pp")


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    return keyring_generate()


@pytest.fixture(scope="module")
def envelope(keyring) -> dict:
    return seal(SECRET, binding=BINDING, keyring=keyring)


def test_a_sealed_credential_opens_with_the_same_binding(keyring, envelope):
    assert open_envelope(envelope, binding=BINDING, keyring=keyring) == SECRET


def test_the_stored_form_is_the_versioned_envelope_without_plaintext(keyring, envelope):
    assert set(envelope) == {"v", "alg", "kid", "nonce", "wrapped_dek", "ciphertext"}
    assert envelope["v"] == 1 and envelope["alg"] == "A256GCM+RSA-OAEP-256"
    assert envelope["kid"] == keyring.active
    stored = json.dumps(envelope)
    for plaintext in ("canary-secret-0451", "AKIA-canary-key"):
        assert plaintext not in stored


def test_every_seal_uses_a_fresh_data_key_and_nonce(keyring, envelope):
    again = seal(SECRET, binding=BINDING, keyring=keyring)
    assert again["nonce"] != envelope["nonce"]
    assert again["wrapped_dek"] != envelope["wrapped_dek"]
    assert again["ciphertext"] != envelope["ciphertext"]


@pytest.mark.parametrize(
    "moved",
    [
        Binding(workspace_id=8, connection_id=42, exchange="binance"),
        Binding(workspace_id=7, connection_id=43, exchange="binance"),
        Binding(workspace_id=7, connection_id=42, exchange="bybit"),
    ],
    ids=["other-workspace", "other-connection", "other-exchange"],
)
def test_an_envelope_moved_to_another_row_fails_to_open(keyring, envelope, moved):
    with pytest.raises(VaultError):
        open_envelope(envelope, binding=moved, keyring=keyring)


@pytest.mark.parametrize("field", ["nonce", "wrapped_dek", "ciphertext"])
def test_flipping_one_bit_anywhere_fails_closed(keyring, envelope, field):
    raw = bytearray(base64.b64decode(envelope[field]))
    raw[len(raw) // 2] ^= 0x01
    tampered = {**envelope, field: base64.b64encode(bytes(raw)).decode()}
    with pytest.raises(VaultError) as caught:
        open_envelope(tampered, binding=BINDING, keyring=keyring)
    assert "canary" not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kid": "k-unknown"}, "Unknown key id"),
        ({"v": 2}, "Unknown envelope version"),
        ({"alg": "A128GCM"}, "Unknown envelope algorithm"),
        ({"nonce": "%%%not-base64%%%"}, "malformed"),
        ({"extra": "field"}, "malformed"),
    ],
)
def test_an_unknown_version_or_kid_or_a_malformed_envelope_fails_closed(
    keyring, envelope, change, message
):
    with pytest.raises(VaultError, match=message):
        open_envelope({**envelope, **change}, binding=BINDING, keyring=keyring)


@pytest.mark.parametrize("broken", [None, "string", [], {}, {"v": 1}])
def test_things_that_are_not_envelopes_fail_closed(keyring, broken):
    with pytest.raises(VaultError):
        open_envelope(broken, binding=BINDING, keyring=keyring)


def test_a_public_only_keyring_seals_but_cannot_open(keyring, envelope):
    public_only = Keyring.from_json(keyring.to_json(include_private=False))
    assert not public_only.can_decrypt
    sealed = seal(SECRET, binding=BINDING, keyring=public_only)
    with pytest.raises(VaultError, match="no private half"):
        open_envelope(sealed, binding=BINDING, keyring=public_only)
    assert open_envelope(sealed, binding=BINDING, keyring=keyring) == SECRET


def test_rewrapping_moves_the_data_key_to_the_new_active_key_once(keyring, envelope):
    rotated = keyring_add_active(keyring)
    assert rotated.keys[keyring.active].retired
    moved = rewrap(envelope, binding=BINDING, keyring=rotated)
    assert moved is not None
    assert moved["kid"] == rotated.active
    assert moved["ciphertext"] == envelope["ciphertext"]
    assert open_envelope(moved, binding=BINDING, keyring=rotated) == SECRET
    assert rewrap(moved, binding=BINDING, keyring=rotated) is None
    new_only = Keyring(active=rotated.active, keys={rotated.active: rotated.active_key()})
    assert open_envelope(moved, binding=BINDING, keyring=new_only) == SECRET


def test_a_keyring_whose_active_key_is_missing_is_refused(keyring):
    data = json.loads(keyring.to_json())
    data["active"] = "k-nowhere"
    with pytest.raises(KeyringError):
        Keyring.from_json(json.dumps(data))


def test_the_plaintext_never_shows_in_a_repr():
    assert "canary" not in repr(SECRET)
    assert "canary" not in str(SECRET)


@settings(max_examples=25, deadline=None)
@given(
    api_key=st.text(max_size=200),
    secret=st.text(max_size=2000),
    passphrase=st.text(max_size=100),
)
def test_any_text_round_trips(keyring, api_key, secret, passphrase):
    value = CredentialSecret(api_key=api_key, secret=secret, passphrase=passphrase)
    assert (
        open_envelope(
            seal(value, binding=BINDING, keyring=keyring), binding=BINDING, keyring=keyring
        )
        == value
    )

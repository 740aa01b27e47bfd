"""The credential vault: envelope encryption for exchange API keys (SECURITY.md §1).

Each credential gets a fresh 256-bit data key (DEK). The plaintext JSON is sealed with
AES-256-GCM under that DEK, and the DEK is wrapped with RSA-OAEP-SHA256 under the active
key-encryption key (KEK) of the keyring. The associated data binds the ciphertext to its row,
workspace and exchange, and is also the OAEP label, so a ciphertext or wrapped key copied
anywhere else fails to open. Wrapping needs only public keys, so the web tier can run with a
public-only keyring; unwrapping needs the private half, which only sync workers hold.

Opening fails closed: a wrong version, an unknown `kid`, a malformed envelope or a failed tag
raises `VaultError`, never returns stored bytes. Error messages carry no key material.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
ALGORITHM = "A256GCM+RSA-OAEP-256"
AAD_PREFIX = b"thrive/credential/v1|"
RSA_BITS = 3072
ENVELOPE_FIELDS = {"v", "alg", "kid", "nonce", "wrapped_dek", "ciphertext"}
SECRET_FIELDS = ("api_key", "secret", "passphrase", "futures_api_key", "futures_secret")


class VaultError(Exception):
    """A credential cannot be sealed or opened. The message never holds key material."""


class KeyringError(VaultError):
    pass


@dataclass(frozen=True)
class Binding:
    """Where a credential lives; part of the associated data of its envelope."""

    workspace_id: int
    connection_id: int
    exchange: str

    def associated_data(self) -> bytes:
        return AAD_PREFIX + f"{self.workspace_id}|{self.connection_id}|{self.exchange}".encode()


@dataclass(frozen=True)
class CredentialSecret:
    """The plaintext of one credential. `repr` hides everything so it can't reach a log."""

    api_key: str = field(repr=False)
    secret: str = field(repr=False)
    passphrase: str = field(default="", repr=False)
    futures_api_key: str = field(default="", repr=False)
    futures_secret: str = field(default="", repr=False)

    def to_json(self) -> bytes:
        return json.dumps({name: getattr(self, name) for name in SECRET_FIELDS}).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> CredentialSecret:
        try:
            data = json.loads(raw)
            return cls(**{name: str(data.get(name) or "") for name in SECRET_FIELDS})
        except (ValueError, TypeError, AttributeError):
            raise VaultError("The credential's plaintext is not valid.") from None


@dataclass(frozen=True)
class KeyEncryptionKey:
    kid: str
    public: rsa.RSAPublicKey
    private: rsa.RSAPrivateKey | None
    retired: bool = False


@dataclass(frozen=True)
class Keyring:
    """Key-encryption keys by id; `active` wraps new data keys, the others only unwrap."""

    active: str
    keys: dict[str, KeyEncryptionKey]

    def active_key(self) -> KeyEncryptionKey:
        return self.keys[self.active]

    def get(self, kid: str) -> KeyEncryptionKey:
        try:
            return self.keys[kid]
        except KeyError:
            raise VaultError(
                f"Unknown key id {kid!r}: this keyring cannot open the credential."
            ) from None

    @property
    def can_decrypt(self) -> bool:
        return any(key.private is not None for key in self.keys.values())

    def to_json(self, *, include_private: bool = True) -> str:
        """The keyring file; `include_private=False` gives the web tier's public-only copy."""
        keys = {}
        for kid, key in self.keys.items():
            keys[kid] = {
                "public": key.public.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ).decode(),
                "private": key.private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ).decode()
                if include_private and key.private is not None
                else None,
                "retired": key.retired,
            }
        return json.dumps({"active": self.active, "keys": keys}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            data = json.loads(text)
            keys = {}
            for kid, entry in data["keys"].items():
                private = (
                    serialization.load_pem_private_key(entry["private"].encode(), password=None)
                    if entry.get("private")
                    else None
                )
                public = (
                    serialization.load_pem_public_key(entry["public"].encode())
                    if entry.get("public")
                    else private.public_key()  # type: ignore[union-attr]
                )
                if not isinstance(public, rsa.RSAPublicKey) or public.key_size < RSA_BITS:
                    raise KeyringError(f"Key {kid!r} is not an RSA key of {RSA_BITS} bits or more.")
                keys[kid] = KeyEncryptionKey(
                    kid=kid, public=public, private=private, retired=bool(entry.get("retired"))
                )
            active = data["active"]
        except KeyringError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyringError("The keyring is not valid JSON of the expected shape.") from None
        if active not in keys or keys[active].retired:
            raise KeyringError("The keyring's active key id is missing or retired.")
        return cls(active=active, keys=keys)


def generate_key(kid: str) -> KeyEncryptionKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    return KeyEncryptionKey(kid=kid, public=private.public_key(), private=private)


def new_kid() -> str:
    return "k" + base64.b32encode(os.urandom(5)).decode().lower()


def keyring_generate() -> Keyring:
    key = generate_key(new_kid())
    return Keyring(active=key.kid, keys={key.kid: key})


def keyring_add_active(keyring: Keyring) -> Keyring:
    """A new active key; the previous ones are retired (they still unwrap until rotated)."""
    key = generate_key(new_kid())
    retired = {
        kid: KeyEncryptionKey(kid=k.kid, public=k.public, private=k.private, retired=True)
        for kid, k in keyring.keys.items()
    }
    return Keyring(active=key.kid, keys={**retired, key.kid: key})


def _oaep(label: bytes) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=label)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(envelope: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(envelope[name], validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise VaultError(f"The envelope's {name} is malformed.") from None


def seal(secret: CredentialSecret, *, binding: Binding, keyring: Keyring) -> dict[str, Any]:
    aad = binding.associated_data()
    dek = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(dek).encrypt(nonce, secret.to_json(), aad)
    kek = keyring.active_key()
    return {
        "v": VERSION,
        "alg": ALGORITHM,
        "kid": kek.kid,
        "nonce": _b64(nonce),
        "wrapped_dek": _b64(kek.public.encrypt(dek, _oaep(aad))),
        "ciphertext": _b64(ciphertext),
    }


def _check_shape(envelope: Any) -> None:
    if not isinstance(envelope, dict) or set(envelope) != ENVELOPE_FIELDS:
        raise VaultError("The envelope is malformed.")
    if envelope["v"] != VERSION:
        raise VaultError(f"Unknown envelope version {envelope['v']!r}.")
    if envelope["alg"] != ALGORITHM:
        raise VaultError("Unknown envelope algorithm.")


def _unwrap(envelope: dict[str, Any], aad: bytes, keyring: Keyring) -> bytes:
    kek = keyring.get(str(envelope["kid"]))
    if kek.private is None:
        raise VaultError(f"Key id {kek.kid!r} has no private half here (encrypt-only keyring).")
    try:
        dek = kek.private.decrypt(_unb64(envelope, "wrapped_dek"), _oaep(aad))
    except ValueError:
        raise VaultError("The data key does not open: wrong key, row or exchange.") from None
    if len(dek) != 32:
        raise VaultError("The data key has the wrong length.")
    return dek


def open_envelope(envelope: Any, *, binding: Binding, keyring: Keyring) -> CredentialSecret:
    _check_shape(envelope)
    aad = binding.associated_data()
    dek = _unwrap(envelope, aad, keyring)
    nonce = _unb64(envelope, "nonce")
    if len(nonce) != 12:
        raise VaultError("The envelope's nonce is malformed.")
    try:
        plaintext = AESGCM(dek).decrypt(nonce, _unb64(envelope, "ciphertext"), aad)
    except InvalidTag:
        raise VaultError("The credential failed its integrity check.") from None
    return CredentialSecret.from_json(plaintext)


def rewrap(envelope: Any, *, binding: Binding, keyring: Keyring) -> dict[str, Any] | None:
    """The envelope with its data key wrapped under the active key, or None if it already is.

    The ciphertext is untouched; the whole envelope is opened first so that a damaged one is
    reported rather than carried forward under a new key.
    """
    open_envelope(envelope, binding=binding, keyring=keyring)
    if envelope["kid"] == keyring.active:
        return None
    aad = binding.associated_data()
    dek = _unwrap(envelope, aad, keyring)
    kek = keyring.active_key()
    return {**envelope, "kid": kek.kid, "wrapped_dek": _b64(kek.public.encrypt(dek, _oaep(aad)))}


@cache
def _load(text: str) -> Keyring:
    return Keyring.from_json(text)


def configured_keyring() -> Keyring:
    """The keyring from settings (THRIVE_KEYRING / THRIVE_KEYRING_FILE), parsed once."""
    from django.conf import settings

    text = settings.THRIVE_KEYRING
    if not text:
        raise KeyringError("No keyring is configured (THRIVE_KEYRING or THRIVE_KEYRING_FILE).")
    return _load(text)


def keyring_file_ensure(path: Path) -> None:
    """Create a development keyring file (mode 0600) if there is none; used by `make dev`."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(keyring_generate().to_json())

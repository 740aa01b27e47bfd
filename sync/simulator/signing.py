"""Signing primitives shared by the exchange modules.

Each exchange verifies requests the way it documents: Binance and MEXC sign the query with
HMAC-SHA256 (hex); OKX, Bitget and KuCoin sign ``timestamp + method + path + body`` with
HMAC-SHA256 (base64) and check a passphrase; Kraken signs ``path + SHA256(nonce + body)`` with
HMAC-SHA512 under a base64 secret; Coinbase CDP keys send an ES256 JWT.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import string

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

_ALPHANUMERIC = string.ascii_letters + string.digits


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def hmac_sha256_hex(secret: str | bytes, message: str | bytes) -> str:
    return hmac.new(_as_bytes(secret), _as_bytes(message), hashlib.sha256).hexdigest()


def hmac_sha256_base64(secret: str | bytes, message: str | bytes) -> str:
    digest = hmac.new(_as_bytes(secret), _as_bytes(message), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def kraken_signature(secret_base64: str, url_path: str, nonce: str, body: str) -> str:
    """Kraken's ``API-Sign``: HMAC-SHA512 of path + SHA256(nonce + body), keyed by the secret."""
    inner = hashlib.sha256((nonce + body).encode("utf-8")).digest()
    mac = hmac.new(base64.b64decode(secret_base64), url_path.encode("utf-8") + inner, "sha512")
    return base64.b64encode(mac.digest()).decode("ascii")


def signatures_match(expected: str, received: str | None) -> bool:
    """Constant-time comparison, so the simulator does not teach timing attacks by example."""
    return received is not None and hmac.compare_digest(expected, received)


def derive_bytes(seed: int, label: str, length: int = 32) -> bytes:
    """Deterministic key material for ``label``: HMAC-SHA256 in counter mode, keyed by the seed."""
    key = f"thrive-simulator:{seed}".encode()
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(key, f"{label}#{counter}".encode(), hashlib.sha256).digest()
        counter += 1
    return out[:length]


def derive_alphanumeric(seed: int, label: str, length: int = 64) -> str:
    material = derive_bytes(seed, label, length)
    return "".join(_ALPHANUMERIC[byte % len(_ALPHANUMERIC)] for byte in material)


def derive_base64(seed: int, label: str, length: int = 64) -> str:
    return base64.b64encode(derive_bytes(seed, label, length)).decode("ascii")


def derive_ec_private_key_pem(seed: int, label: str) -> str:
    """A P-256 private key (SEC1 PEM, as Coinbase CDP hands them out) derived from the seed."""
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    scalar = int.from_bytes(derive_bytes(seed, label, 40), "big") % (order - 1) + 1
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return pem.decode("ascii")


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_es256_jwt(token: str, private_key_pem: str) -> dict | None:
    """Claims of an ES256 JWT signed by the key whose private half is ``private_key_pem``.

    Returns ``None`` when the token is malformed or the signature does not verify; expiry and
    audience checks are the caller's, since each exchange words those refusals differently.
    """
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_b64url_decode(header_b64))
        claims = json.loads(_b64url_decode(claims_b64))
        raw_signature = _b64url_decode(signature_b64)
    except ValueError:
        return None
    if header.get("alg") != "ES256" or len(raw_signature) != 64:
        return None
    key = serialization.load_pem_private_key(private_key_pem.encode("ascii"), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signature = encode_dss_signature(
        int.from_bytes(raw_signature[:32], "big"), int.from_bytes(raw_signature[32:], "big")
    )
    try:
        key.public_key().verify(
            signature, f"{header_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        return None
    return claims

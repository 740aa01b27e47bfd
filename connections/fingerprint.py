"""A keyed fingerprint of an API key: finds "the same key twice" without storing the key."""

from __future__ import annotations

from django.utils.crypto import salted_hmac


def api_key_fingerprint(exchange: str, api_key: str) -> str:
    return salted_hmac(
        "thrive.connections.api-key", f"{exchange}|{api_key}", algorithm="sha256"
    ).hexdigest()

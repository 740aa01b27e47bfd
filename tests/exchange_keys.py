"""Simulator accounts as credentials, and the connect-time check run on them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connections.vault import CredentialSecret
from sync.exchanges.base import Permissions
from sync.exchanges.registry import adapter_for


def secret_of(account: dict[str, Any]) -> CredentialSecret:
    return CredentialSecret(
        api_key=account["api_key"],
        secret=account["secret"],
        passphrase=account["passphrase"] or "",
    )


def check_key(simulator: Any, label: str, *, exchange: str, **changes: str) -> Permissions:
    """The adapter's check of a seeded key, optionally with a field changed (a wrong secret…)."""
    secret = replace(secret_of(simulator.account(exchange, label)), **changes)
    return adapter_for(exchange).check(secret)

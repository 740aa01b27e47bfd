"""What a MEXC key may do, asked through ccxt of the simulator over HTTP. MEXC cannot tell
what a key may do, only whether it reads; every refusal still comes back with a clear code."""

from __future__ import annotations

import re

import pytest

from connections.services import access_for
from connections.vault import CredentialSecret
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.exchanges.registry import adapter_for

EXCHANGE = "mexc"


def check(simulator, label: str, **changes: str):
    account = simulator.account(EXCHANGE, label)
    secret = CredentialSecret(
        **{"api_key": account["api_key"], "secret": account["secret"], **changes}
    )
    return adapter_for(EXCHANGE).check(secret)


def failure_of(simulator, label: str, **changes: str) -> ErrorCode:
    with pytest.raises(ExchangeCallFailed) as caught:
        check(simulator, label, **changes)
    assert "0" * 16 not in str(caught.value)
    return caught.value.failure.code


@pytest.mark.parametrize("label", ["demo", "read-only", "trade-enabled", "withdraw-enabled"])
def test_every_working_key_reads_and_stays_unverifiable(routed_to_simulator, label):
    permissions = check(routed_to_simulator, label)

    assert not permissions.verifiable
    assert permissions.read is True
    assert permissions.details == {"futures_read": True}
    assert access_for(permissions) == "unverifiable"


def test_a_key_that_cannot_read_futures_still_connects_and_says_so(routed_to_simulator):
    account = routed_to_simulator.account(EXCHANGE, "read-only")
    routed_to_simulator.add_fault(
        "no_read_permission", api_key=account["api_key"], path="/api/v1/private"
    )

    permissions = check(routed_to_simulator, "read-only")

    assert permissions.details == {"futures_read": False}


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("read-only", {"secret": "0" * 32}),
        ("read-only", {"api_key": "mx0" + "0" * 15}),
        ("expired", {}),
    ],
    ids=["wrong-secret", "unknown-key", "expired-key"],
)
def test_bad_credentials_fail_authentication(routed_to_simulator, label, changes):
    assert failure_of(routed_to_simulator, label, **changes) == ErrorCode.AUTHENTICATION


def test_a_futures_clock_refusal_is_clock_skew_of_the_futures_part_alone(routed_to_simulator):
    """Futures are optional: their 513 is recorded as the part's clock skew, and the key
    still connects on spot."""
    routed_to_simulator.add_fault(
        "clock_skew", exchange=EXCHANGE, path="/api/v1/private", skew_ms=30_000
    )

    permissions = check(routed_to_simulator, "read-only")

    assert permissions.read is True
    futures = permissions.capabilities["futures"]
    assert (futures["availability"], futures["error_code"]) == ("failed", "clock_skew")


def test_the_credential_shape_accepts_mexc_keys_and_the_steps_are_short(routed_to_simulator):
    adapter = adapter_for(EXCHANGE)
    shape = adapter.shape

    for account in routed_to_simulator.accounts(EXCHANGE):
        assert re.fullmatch(shape.api_key_pattern, account["api_key"])
        assert re.fullmatch(shape.secret_pattern, account["secret"])
    assert re.fullmatch(shape.api_key_pattern, shape.api_key_example)
    assert not shape.needs_passphrase
    assert 3 <= len(adapter.key_help) <= 5

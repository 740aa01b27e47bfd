"""What a Gate key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

import re
from functools import partial

import pytest

from connections.services import access_for
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.exchanges.registry import adapter_for
from tests.exchange_keys import check_key

EXCHANGE = "gate"
check = partial(check_key, exchange=EXCHANGE)


def failure_of(simulator, label: str, **changes: str) -> ErrorCode:
    with pytest.raises(ExchangeCallFailed) as caught:
        check(simulator, label, **changes)
    assert "x" * 16 not in str(caught.value)
    return caught.value.failure.code


def add_fault(simulator, kind: str, **spec) -> None:
    simulator.ok("POST", "/faults", {"kind": kind, "exchange": EXCHANGE, **spec})


@pytest.mark.parametrize(
    ("label", "access"),
    [
        ("demo", "read_only"),
        ("read-only", "read_only"),
        ("unified", "read_only"),
        ("trade-enabled", "trade"),
        ("withdraw-enabled", "withdraw"),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(routed_to_simulator, label, access):
    permissions = check(routed_to_simulator, label)

    assert permissions.verifiable
    assert access_for(permissions) == access


def test_it_reads_the_calling_key_among_all_keys_of_the_account(routed_to_simulator):
    """/account/main_keys also lists the account's trading bot key; it is not ours."""
    permissions = check(routed_to_simulator, "read-only")

    assert permissions.trade is False and permissions.withdraw is False
    assert permissions.details["writable"] == []
    assert permissions.details["account_mode"] == "classic"


@pytest.mark.parametrize("mask", ["prefix", "ends"])
def test_the_calling_key_is_recognised_whichever_end_its_mask_shows(routed_to_simulator, mask):
    """Gate's masking of listed keys is undocumented: first characters, or both ends."""
    routed_to_simulator.ok("POST", "/config", {"readings": {"gate.key_mask": mask}})

    permissions = check(routed_to_simulator, "trade-enabled")

    assert permissions.verifiable
    assert access_for(permissions) == "trade"


def test_a_mask_that_hides_the_whole_key_degrades_to_cannot_verify(routed_to_simulator):
    """Neither key can be told apart: the bot key's trade rights are never taken for ours."""
    routed_to_simulator.ok("POST", "/config", {"readings": {"gate.key_mask": "hidden"}})

    permissions = check(routed_to_simulator, "read-only")

    assert permissions.read is True
    assert permissions.details == {"key_listed": False}
    assert access_for(permissions) == "unverifiable"


def test_a_unified_key_says_so(routed_to_simulator):
    assert check(routed_to_simulator, "unified").details["account_mode"] == "unified"


def test_a_key_without_the_account_permission_reads_but_cannot_be_verified(
    routed_to_simulator,
):
    permissions = check(routed_to_simulator, "no-account-permission")

    assert permissions.read is True
    assert access_for(permissions) == "unverifiable"


@pytest.mark.parametrize(
    ("label", "changes"),
    [("read-only", {"secret": "x" * 64}), ("read-only", {"api_key": "0" * 32}), ("expired", {})],
    ids=["wrong-secret", "unknown-key", "expired-key"],
)
def test_bad_credentials_fail_authentication(routed_to_simulator, label, changes):
    assert failure_of(routed_to_simulator, label, **changes) == ErrorCode.AUTHENTICATION


def test_a_busy_exchange_is_unavailable_not_maintenance(routed_to_simulator):
    # an outage that outlasts our retries of each request
    add_fault(routed_to_simulator, "server_error")

    assert failure_of(routed_to_simulator, "read-only") == ErrorCode.UNAVAILABLE


def test_a_clock_gap_over_60_seconds_is_clock_skew(routed_to_simulator):
    add_fault(routed_to_simulator, "clock_skew", skew_ms=90_000)

    assert failure_of(routed_to_simulator, "read-only") == ErrorCode.CLOCK_SKEW


def test_the_form_accepts_the_real_key_format(routed_to_simulator):
    shape = adapter_for(EXCHANGE).shape
    for account in routed_to_simulator.accounts(EXCHANGE):
        assert re.fullmatch(shape.api_key_pattern, account["api_key"])
        assert re.fullmatch(shape.secret_pattern, account["secret"])
    assert re.fullmatch(shape.api_key_pattern, shape.api_key_example)
    assert 3 <= len(adapter_for(EXCHANGE).key_help) <= 5

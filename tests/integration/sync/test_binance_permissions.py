"""What a Binance key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

from functools import partial

import pytest

from connections.services import access_for
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from tests.exchange_keys import check_key

EXCHANGE = "binance"
check = partial(check_key, exchange=EXCHANGE)


@pytest.mark.parametrize(
    ("label", "access"),
    [
        ("demo", "read_only"),
        ("read-only", "read_only"),
        ("trade-enabled", "trade"),
        ("withdraw-enabled", "withdraw"),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(routed_to_simulator, label, access):
    permissions = check(routed_to_simulator, label)
    assert permissions.verifiable
    assert access_for(permissions) == access


def test_a_key_without_read_permission_is_refused(routed_to_simulator):
    try:
        permissions = check(routed_to_simulator, "no-read")
    except ExchangeCallFailed as failed:
        assert failed.failure.code in {ErrorCode.PERMISSION, ErrorCode.AUTHENTICATION}
    else:
        assert access_for(permissions) == "no_read"


@pytest.mark.parametrize(
    ("label", "changes", "code"),
    [
        ("read-only", {"secret": "x" * 64}, ErrorCode.AUTHENTICATION),
        ("expired", {}, ErrorCode.AUTHENTICATION),
    ],
    ids=["wrong-secret", "expired-key"],
)
def test_bad_credentials_fail_with_a_clear_code(routed_to_simulator, label, changes, code):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, label, **changes)
    assert caught.value.failure.code == code
    assert "x" * 16 not in str(caught.value)


def test_an_ip_restricted_key_that_allows_us_works_and_says_it_is_restricted(
    routed_to_simulator,
):
    permissions = check(routed_to_simulator, "ip-restricted")
    assert permissions.ip_restricted is True
    assert access_for(permissions) == "read_only"


def test_a_key_that_does_not_allow_our_ip_fails_authentication(routed_to_simulator):
    account = routed_to_simulator.account(EXCHANGE, "read-only")
    routed_to_simulator.ok(
        "POST", "/faults", {"kind": "ip_not_allowed", "api_key": account["api_key"]}
    )
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, "read-only")
    # Binance answers -2015 "Invalid API-key, IP, or permissions" for both: it does not say which.
    assert caught.value.failure.code == ErrorCode.AUTHENTICATION


def test_maintenance_is_reported_as_maintenance(routed_to_simulator):
    routed_to_simulator.ok("POST", "/faults", {"kind": "maintenance", "exchange": EXCHANGE})
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, "read-only")
    assert caught.value.failure.code == ErrorCode.MAINTENANCE

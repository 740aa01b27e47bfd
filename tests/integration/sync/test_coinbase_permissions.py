"""What a Coinbase CDP key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

from functools import partial

import pytest

from connections.services import access_for
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.simulator.signing import derive_ec_private_key_pem
from tests.exchange_keys import check_key

EXCHANGE = "coinbase"
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
    assert permissions.details["portfolio_type"] == "DEFAULT"


@pytest.mark.parametrize(
    ("label", "changes", "code"),
    [
        (
            "read-only",
            {"secret": derive_ec_private_key_pem(7, "someone else")},
            ErrorCode.AUTHENTICATION,
        ),
        ("expired", {}, ErrorCode.AUTHENTICATION),
    ],
    ids=["wrong-secret", "expired-key"],
)
def test_bad_credentials_fail_with_a_clear_code(routed_to_simulator, label, changes, code):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, label, **changes)
    assert caught.value.failure.code == code
    assert "PRIVATE KEY" not in str(caught.value)


def test_an_outage_without_retry_after_is_not_called_maintenance(routed_to_simulator):
    routed_to_simulator.ok("POST", "/faults", {"kind": "server_error", "exchange": EXCHANGE})
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, "read-only")
    assert caught.value.failure.code == ErrorCode.UNAVAILABLE


def test_the_check_also_probes_the_optional_wallet_list_once(routed_to_simulator):
    """The connect-time check reads the balances too, so the connection knows its optional
    parts from the start (the Coinbase App wallet list, for staked coins)."""
    permissions = check(routed_to_simulator, "read-only")

    endpoints = routed_to_simulator.stats()["endpoints"]
    assert {
        "coinbase /api/v3/brokerage/accounts",
        "coinbase /api/v3/brokerage/key_permissions",
        "coinbase /v2/accounts",
    } <= set(endpoints)
    assert endpoints["coinbase /v2/accounts"]["requests"] == 1
    assert permissions.capabilities["earn"]["availability"] == "available"

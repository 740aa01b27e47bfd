"""What a Bybit key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from connections.services import access_for
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from tests.exchange_keys import check_key

EXCHANGE = "bybit"
check = partial(check_key, exchange=EXCHANGE)
# clients draw on the shared request budget, which lives in the database without Redis
pytestmark = pytest.mark.django_db


def failure_of(simulator, label: str, **changes: str) -> ErrorCode:
    with pytest.raises(ExchangeCallFailed) as caught:
        check(simulator, label, **changes)
    return caught.value.failure.code


@pytest.mark.parametrize(
    ("label", "access"),
    [
        ("demo", "read_only"),
        ("read-only", "read_only"),
        ("trade-enabled", "trade"),
        ("withdraw-enabled", "withdraw"),
        ("classic", "read_only"),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(routed_to_simulator, label, access):
    permissions = check(routed_to_simulator, label)

    assert permissions.verifiable
    assert access_for(permissions) == access
    assert permissions.details["unified_account"] is (label != "classic")


def test_the_check_costs_four_signed_calls_and_no_market_download(routed_to_simulator):
    check(routed_to_simulator, "read-only")

    # the key, the account mode (asked once), and the wallets that tell which parts it sees
    endpoints = routed_to_simulator.stats()["endpoints"]
    assert {name: row["requests"] for name, row in endpoints.items()} == {
        "bybit /v5/account/info": 1,
        "bybit /v5/user/query-api": 1,
        "bybit /v5/account/wallet-balance": 1,
        "bybit /v5/asset/transfer/query-account-coins-balance": 1,
    }


def test_a_read_key_without_wallet_rights_passes_and_only_the_funding_wallet_is_refused(
    routed_to_simulator,
):
    permissions = check(routed_to_simulator, "no-transfer")

    assert access_for(permissions) == "read_only"
    assert permissions.transfer is False
    funding = permissions.capabilities["funding"]
    assert (funding["availability"], funding["exchange_code"]) == ("no_access", "10005")
    assert funding["label"] == "Funding wallet"


def test_in_the_any_read_key_reading_the_same_key_reads_the_funding_wallet(routed_to_simulator):
    routed_to_simulator.ok("POST", "/config", {"readings": {"bybit.fund_access": "any_read_key"}})

    permissions = check(routed_to_simulator, "no-transfer")

    assert permissions.capabilities["funding"]["availability"] == "available"


def test_a_key_without_a_bound_ip_says_when_it_lapses(routed_to_simulator):
    permissions = check(routed_to_simulator, "withdraw-enabled")

    assert permissions.transfer is True
    assert permissions.ip_restricted is False
    assert permissions.expires_at is not None
    assert timedelta(days=50) < permissions.expires_at - datetime.now(UTC) < timedelta(days=70)


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("read-only", {"secret": "x" * 36}),
        ("read-only", {"api_key": "y" * 18}),
        ("expired", {}),
    ],
    ids=["wrong-secret", "unknown-key", "expired-key"],
)
def test_bad_credentials_fail_authentication(routed_to_simulator, label, changes):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, label, **changes)

    assert caught.value.failure.code == ErrorCode.AUTHENTICATION
    assert "x" * 16 not in str(caught.value)


def test_a_server_error_outside_maintenance_is_an_outage(routed_to_simulator):
    # an outage that outlasts our retries of each request
    routed_to_simulator.add_fault("server_error", exchange=EXCHANGE)

    assert failure_of(routed_to_simulator, "read-only") == ErrorCode.UNAVAILABLE

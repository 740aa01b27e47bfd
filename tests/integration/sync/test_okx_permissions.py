"""What an OKX key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

from functools import partial

import pytest

from connections.services import access_for
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from tests.exchange_keys import check_key

EXCHANGE = "okx"
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
    assert permissions.ip_restricted is False
    assert permissions.details == {"account_mode": "spot_and_futures"}


@pytest.mark.parametrize(
    ("label", "mode"), [("simple", "spot"), ("multi", "multi_currency_margin")]
)
def test_it_reports_the_account_mode(routed_to_simulator, label, mode):
    permissions = check(routed_to_simulator, label)
    assert access_for(permissions) == "read_only"
    assert permissions.details == {"account_mode": mode}


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("read-only", {"secret": "F" * 32}),
        ("read-only", {"passphrase": "Not-the-phrase-9"}),
        ("expired", {}),
    ],
    ids=["wrong-secret", "wrong-passphrase", "expired-key"],
)
def test_bad_credentials_fail_with_a_clear_code(routed_to_simulator, label, changes):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, label, **changes)
    assert caught.value.failure.code == ErrorCode.AUTHENTICATION
    assert "F" * 16 not in str(caught.value)


@pytest.mark.parametrize("reading", ["50110", "50121"])
def test_a_key_that_does_not_allow_our_ip_is_reported_as_such(routed_to_simulator, reading):
    # OKX's table has 50110 (HTTP 401, ccxt: PermissionDenied) and 50121 (HTTP 200, unknown to
    # ccxt: ExchangeError, which would otherwise be retried forever)
    routed_to_simulator.ok("POST", "/config", {"readings": {"okx.ip_refusal": reading}})
    account = routed_to_simulator.account(EXCHANGE, "read-only")
    routed_to_simulator.add_fault("ip_not_allowed", api_key=account["api_key"])
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, "read-only")
    assert caught.value.failure.code == ErrorCode.IP_NOT_ALLOWED
    assert caught.value.failure.exchange_code == reading


def test_the_check_reads_the_configuration_and_the_balances_only(routed_to_simulator):
    check(routed_to_simulator, "read-only")
    endpoints = routed_to_simulator.stats()["endpoints"]
    assert set(endpoints) == {
        "okx /api/v5/account/balance",
        "okx /api/v5/account/config",
        "okx /api/v5/asset/balances",
        "okx /api/v5/finance/savings/balance",
    }


def test_a_spot_mode_key_names_its_derivative_parts_not_opened_without_asking_them(
    routed_to_simulator,
):
    permissions = check(routed_to_simulator, "spot-only")

    assert permissions.details["account_mode"] == "spot"
    parts = {key: entry["availability"] for key, entry in permissions.capabilities.items()}
    assert parts == {
        "margin": "not_opened",
        "swap": "not_opened",
        "futures": "not_opened",
        "option": "not_opened",
        "funding": "available",
        "earn": "available",
    }
    endpoints = routed_to_simulator.stats()["endpoints"]
    assert not any("fills" in name or "positions" in name for name in endpoints)

"""What a Kraken key (and its Kraken Futures key) may do, asked through ccxt of the simulator
over HTTP."""

from __future__ import annotations

import ccxt
import pytest

from connections.services import access_for
from connections.vault import CredentialSecret
from sync import budget
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.exchanges.registry import adapter_for

EXCHANGE = "kraken"
FUTURES = "krakenfutures"


@pytest.fixture(autouse=True)
def no_client_pacing(monkeypatch):
    """Kraken private calls cost 3 of ccxt's 1-second units, so ccxt and the shared request
    budget space them 3 s apart. That is right in production; here it would only slow the
    tests down (the simulator's own limits are tested in test_kraken.py)."""
    for klass in (ccxt.kraken, ccxt.krakenfutures):
        monkeypatch.setattr(klass, "throttle", lambda self, cost=None: None)
    monkeypatch.setattr(budget, "take", lambda exchange, **spend: 0.0)


def secret_of(simulator, label: str, futures_label: str | None = None, **changes: str):
    account = simulator.account(EXCHANGE, label)
    fields = {"api_key": account["api_key"], "secret": account["secret"]}
    if futures_label is not None:
        futures = simulator.account(FUTURES, futures_label)
        fields.update(futures_api_key=futures["api_key"], futures_secret=futures["secret"])
    return CredentialSecret(**{**fields, **changes})


def check(simulator, label: str, futures_label: str | None = None, **changes: str):
    return adapter_for(EXCHANGE).check(secret_of(simulator, label, futures_label, **changes))


def failure_of(simulator, label: str, futures_label: str | None = None, **changes: str):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(simulator, label, futures_label, **changes)
    assert "x" * 16 not in str(caught.value)
    return caught.value.failure.code


def reading(simulator, name: str, choice: str) -> None:
    simulator.ok("POST", "/config", {"readings": {name: choice}})


@pytest.mark.parametrize("names", ["full", "documented"])
@pytest.mark.parametrize(
    ("label", "access"),
    [
        ("demo", "read_only"),
        ("read-only", "read_only"),
        ("trade-enabled", "trade"),
        ("withdraw-enabled", "withdraw"),
        ("no-read", "no_read"),
    ],
)
def test_it_reports_what_each_seeded_spot_key_may_do(routed_to_simulator, label, access, names):
    """Kraken documents four permission names; whether GetApiKeyInfo also lists
    query-closed-trades and its siblings is unknown (audit P4): either list reads right."""
    reading(routed_to_simulator, "kraken.permission_names", names)
    permissions = check(routed_to_simulator, label)
    assert permissions.verifiable
    assert access_for(permissions) == access


@pytest.mark.parametrize(
    ("futures_label", "access"),
    [("read-only", "read_only"), ("trade-enabled", "trade"), ("withdraw-enabled", "withdraw")],
)
def test_the_futures_key_check_says_what_the_futures_key_may_do(
    routed_to_simulator, futures_label, access
):
    permissions = check(routed_to_simulator, "read-only", futures_label=futures_label)
    assert access_for(permissions) == access
    assert permissions.details["futures"]["verifiable"] is True
    assert permissions.capabilities["futures"]["availability"] == "available"


def test_a_futures_key_silent_about_its_permissions_leaves_a_read_only_pair_unverifiable(
    routed_to_simulator,
):
    # the docs' own example of the key check prints "permissions": {}
    reading(routed_to_simulator, "krakenfutures.key_permissions", "empty")
    permissions = check(routed_to_simulator, "read-only", futures_label="trade-enabled")
    assert access_for(permissions) == "unverifiable"
    assert permissions.read is True
    assert permissions.details["futures"] == {
        "verifiable": False,
        "works": True,
        "trade": False,
        "withdraw": False,
        "ip_restricted": False,
    }


def test_a_spot_key_that_can_withdraw_keeps_its_warning_next_to_a_futures_key(
    routed_to_simulator,
):
    reading(routed_to_simulator, "krakenfutures.key_permissions", "empty")
    permissions = check(routed_to_simulator, "withdraw-enabled", futures_label="demo")
    assert access_for(permissions) == "withdraw"


@pytest.mark.parametrize(
    ("label", "changes"),
    [("read-only", {"secret": "x" * 86 + "=="}), ("expired", {})],
    ids=["wrong-secret", "expired-key"],
)
def test_bad_spot_credentials_fail_authentication(routed_to_simulator, label, changes):
    assert failure_of(routed_to_simulator, label, **changes) == ErrorCode.AUTHENTICATION


@pytest.mark.parametrize(
    ("futures_label", "changes"),
    [("read-only", {"futures_secret": "x" * 86 + "=="}), ("expired", {})],
    ids=["wrong-futures-secret", "expired-futures-key"],
)
def test_a_refused_futures_key_is_recorded_and_the_spot_key_still_connects(
    routed_to_simulator, futures_label, changes
):
    """The futures key is an optional part: whatever it answers never fails the check."""
    permissions = check(routed_to_simulator, "read-only", futures_label, **changes)
    assert permissions.read is True
    assert access_for(permissions) == "unverifiable"
    assert permissions.details["futures"] == {"verifiable": False, "works": False}
    futures = permissions.capabilities["futures"]
    assert (futures["availability"], futures["exchange_code"]) == (
        "no_access",
        "authenticationError",
    )


def test_a_key_that_does_not_allow_our_ip_is_told_apart_from_a_missing_permission(
    routed_to_simulator,
):
    account = routed_to_simulator.account(EXCHANGE, "read-only")
    routed_to_simulator.add_fault("ip_not_allowed", api_key=account["api_key"])
    # Kraken answers "EGeneral:Permission denied" for both; GetApiKeyInfo, which needs no
    # permission, being refused as well is what gives the address away
    assert failure_of(routed_to_simulator, "read-only") == ErrorCode.IP_NOT_ALLOWED


def test_a_passing_outage_is_reported_as_unavailable(routed_to_simulator):
    # an outage that outlasts our retries of each request
    routed_to_simulator.add_fault("server_error", exchange=EXCHANGE)
    assert failure_of(routed_to_simulator, "read-only") == ErrorCode.UNAVAILABLE


def test_a_rate_limited_key_is_told_to_slow_down(routed_to_simulator):
    account = routed_to_simulator.account(EXCHANGE, "read-only")
    routed_to_simulator.add_fault("rate_limit", api_key=account["api_key"], requests=1)
    assert failure_of(routed_to_simulator, "read-only") == ErrorCode.RATE_LIMITED

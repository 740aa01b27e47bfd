"""What a KuCoin key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

from functools import partial

import pytest

from connections.services import access_for
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from tests.exchange_keys import check_key

EXCHANGE = "kucoin"
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
    assert permissions.read is True
    assert permissions.ip_restricted is False
    assert access_for(permissions) == access


def test_the_check_asks_the_rights_once_and_otherwise_only_reads_wallets(routed_to_simulator):
    """The connect-time check is one read probe, the key's rights, then each wallet once to
    learn which parts the key can see: no call beyond those reads."""
    permissions = check(routed_to_simulator, "read-only")

    endpoints = routed_to_simulator.stats()["endpoints"]
    assert endpoints["kucoin /api/v1/user/api-key"]["requests"] == 1
    signed_reads = {
        "kucoin /api/v1/accounts",
        "kucoin /api/v1/user/api-key",
        "kucoin /api/v3/margin/accounts",
        "kucoin /api/v3/isolated/accounts",
        "kucoin /api/v3/purchase/orders",
        "kucoin /api/v1/earn/hold-assets",
        "kucoin /api/v1/account-overview",
    }
    market_lists = {
        "kucoin /api/v3/currencies",
        "kucoin /api/v3/margin/symbols",
        "kucoin /api/v1/isolated/symbols",
        "kucoin /api/v1/contracts/active",
    }
    assert set(endpoints) <= signed_reads | market_lists
    assert set(permissions.capabilities) == {"margin", "isolated", "lending", "earn", "futures"}


def test_a_key_without_read_permission_is_refused_as_missing_permission(routed_to_simulator):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, "no-read")
    # 400007 "Access denied, requires more permission.": ccxt says AuthenticationError, the
    # adapter reads KuCoin's code
    assert caught.value.failure.code == ErrorCode.PERMISSION


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("read-only", {"secret": "0" * 8 + "-0000-4000-8000-" + "0" * 12}),
        ("read-only", {"passphrase": "not-the-passphrase"}),
        ("read-only", {"api_key": "0" * 24}),
        ("expired", {}),
    ],
    ids=["wrong-secret", "wrong-passphrase", "unknown-key", "expired-key"],
)
def test_bad_credentials_fail_authentication(routed_to_simulator, label, changes):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, label, **changes)
    assert caught.value.failure.code == ErrorCode.AUTHENTICATION
    assert "not-the-passphrase" not in str(caught.value)


def test_an_outage_is_not_mistaken_for_maintenance(routed_to_simulator):
    routed_to_simulator.add_fault("server_error", exchange=EXCHANGE, status=502)
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, "read-only")
    assert caught.value.failure.code == ErrorCode.UNAVAILABLE

"""What a Bitget key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

from functools import partial

import pytest

from connections.services import access_for
from sync.exchanges.bitget import permissions_from
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from tests.exchange_keys import check_key

EXCHANGE = "bitget"
check = partial(check_key, exchange=EXCHANGE)


@pytest.mark.parametrize(
    ("label", "access"),
    [
        ("demo", "read_only"),
        ("read-only", "read_only"),
        ("trade-enabled", "trade"),
        ("withdraw-enabled", "withdraw"),
        # read rights plus sub-account, P2P, pledge-loan and tax write rights (audit P2)
        ("other-write-rights", "trade"),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(routed_to_simulator, label, access):
    permissions = check(routed_to_simulator, label)
    assert permissions.verifiable
    assert access_for(permissions) == access
    assert permissions.ip_restricted is False


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("read-only", {"secret": "ab" * 32}),
        ("read-only", {"passphrase": "NotThePassphrase9"}),
        ("expired", {}),
    ],
    ids=["wrong-secret", "wrong-passphrase", "expired-key"],
)
def test_bad_credentials_fail_with_authentication(routed_to_simulator, label, changes):
    with pytest.raises(ExchangeCallFailed) as caught:
        check(routed_to_simulator, label, **changes)
    assert caught.value.failure.code == ErrorCode.AUTHENTICATION
    assert "ab" * 16 not in str(caught.value)


def test_keys_that_still_answer_with_the_old_permission_words_are_read():
    assert access_for(permissions_from(["readonly"], "")) == "read_only"
    assert access_for(permissions_from(["trade", "readonly"], "1.2.3.4")) == "trade"
    assert permissions_from(["readonly"], "1.2.3.4").ip_restricted is True


@pytest.mark.parametrize("code", ["chow", "p2p", "p2pw", "pllw", "taxw"])
def test_each_write_right_beyond_trading_makes_a_key_trade_enabled(code):
    # Bitget lists these under "Read and Write" (api-doc/spot/account/Get-Account-Info)
    permissions = permissions_from(["coor", "cpor", "stor", "smor", "ttor", "wtor", code], "")

    assert access_for(permissions) == "trade"
    assert permissions.withdraw is False

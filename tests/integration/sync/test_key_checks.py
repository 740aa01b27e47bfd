"""The connect-time key check, alike on every exchange: what each seeded key may do, and every
way a key can be refused. One suite parameterized by exchange; what is truly one exchange's own
(account modes, masks, readings of unsettled evidence) stays in its test_<exchange>_permissions.

Each row says how the exchange answers where exchanges differ: whether it has a permission
endpoint at all ("unverifiable" keys), whether it tells a refused address from a bad key, and
whether it says that a key is bound to addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ccxt
import pytest

from connections.models import Exchange
from connections.services import access_for
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.exchanges.registry import adapter_for
from tests.exchange_keys import check_key, secret_of


@dataclass(frozen=True)
class Answers:
    verifiable: bool = True
    # Binance (-2015 "Invalid API-key, IP, or permissions") and Coinbase (401) do not say which.
    refused_ip: ErrorCode = ErrorCode.IP_NOT_ALLOWED
    says_ip_bound: bool = True
    # A key created without read: refused outright, or read by its permission endpoint.
    no_read: str = "permission"


ANSWERS = {
    "binance": Answers(refused_ip=ErrorCode.AUTHENTICATION),
    "bybit": Answers(),
    "okx": Answers(),
    "bitget": Answers(),
    "coinbase": Answers(refused_ip=ErrorCode.AUTHENTICATION, says_ip_bound=False),
    "kraken": Answers(no_read="no_read"),
    "kucoin": Answers(),
    "mexc": Answers(verifiable=False, says_ip_bound=False),
    "gate": Answers(),
}
EXCHANGES = sorted(ANSWERS)

# The id each exchange gives the key's account, read from its own answer with a plain ccxt
# client: what the check must return, as a string.
ACCOUNT_IDS: dict[str, Callable[[ccxt.Exchange], Any]] = {
    "binance": lambda client: client.private_get_account()["uid"],
    "bybit": lambda client: client.private_get_v5_user_query_api()["result"]["userID"],
    "okx": lambda client: client.private_get_account_config()["data"][0]["uid"],
    "bitget": lambda client: client.private_spot_get_v2_spot_account_info()["data"]["userId"],
    "kucoin": lambda client: client.private_get_user_api_key()["data"]["uid"],
    "gate": lambda client: client.private_account_get_detail()["user_id"],
    "coinbase": lambda client: client.v3_private_get_brokerage_key_permissions()["portfolio_uuid"],
    "mexc": lambda client: client.spot_private_get_uid()["uid"],
    "kraken": lambda client: client.private_post_getapikeyinfo()["result"]["iban"],
}
# Where the check asks for the id with a request of its own (the others read it from an answer
# the check needs anyway): the path, and the readings under which the check asks it.
ID_REQUESTS: dict[str, tuple[str, dict[str, str]]] = {
    # only when its key listing does not name the key: a mask that leaves nothing shown
    "gate": ("/api/v4/account/detail", {"gate.key_mask": "hidden"}),
    "mexc": ("/api/v3/uid", {}),
}


def test_every_exchange_is_covered():
    assert set(ANSWERS) == set(Exchange.values)
    assert set(ACCOUNT_IDS) == set(Exchange.values)


def failure_of(simulator, exchange: str, label: str, **changes: str) -> ErrorCode:
    with pytest.raises(ExchangeCallFailed) as caught:
        check_key(simulator, label, exchange=exchange, **changes)
    return caught.value.failure.code


@pytest.mark.parametrize("exchange", EXCHANGES)
@pytest.mark.parametrize(
    ("label", "access"),
    [
        ("demo", "read_only"),
        ("read-only", "read_only"),
        ("spot-only", "read_only"),
        ("trade-enabled", "trade"),
        ("withdraw-enabled", "withdraw"),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(routed_to_simulator, exchange, label, access):
    permissions = check_key(routed_to_simulator, label, exchange=exchange)

    assert permissions.verifiable is ANSWERS[exchange].verifiable
    assert access_for(permissions) == (access if permissions.verifiable else "unverifiable")


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_key_without_read_permission_is_refused(routed_to_simulator, exchange):
    if ANSWERS[exchange].no_read == "no_read":
        permissions = check_key(routed_to_simulator, "no-read", exchange=exchange)
        assert access_for(permissions) == "no_read"
    else:
        assert failure_of(routed_to_simulator, exchange, "no-read") == ErrorCode.PERMISSION


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_an_expired_key_fails_authentication(routed_to_simulator, exchange):
    assert failure_of(routed_to_simulator, exchange, "expired") == ErrorCode.AUTHENTICATION


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_wrong_secret_fails_authentication_and_says_nothing_of_it(routed_to_simulator, exchange):
    # Another seeded key's secret: the right shape, the wrong key.
    wrong = routed_to_simulator.account(exchange, "demo")["secret"]

    with pytest.raises(ExchangeCallFailed) as caught:
        check_key(routed_to_simulator, "read-only", exchange=exchange, secret=wrong)

    assert caught.value.failure.code == ErrorCode.AUTHENTICATION
    assert wrong not in str(caught.value) and wrong[:12] not in repr(caught.value.failure)


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_an_ip_restricted_key_that_allows_us_works(routed_to_simulator, exchange):
    permissions = check_key(routed_to_simulator, "ip-restricted", exchange=exchange)

    assert access_for(permissions) == ("read_only" if permissions.verifiable else "unverifiable")
    assert permissions.ip_restricted is (True if ANSWERS[exchange].says_ip_bound else None)


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_key_that_does_not_allow_our_address_is_refused(routed_to_simulator, exchange):
    account = routed_to_simulator.account(exchange, "read-only")
    routed_to_simulator.add_fault("ip_not_allowed", api_key=account["api_key"])

    assert failure_of(routed_to_simulator, exchange, "read-only") == ANSWERS[exchange].refused_ip


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_maintenance_is_reported_as_maintenance(routed_to_simulator, exchange):
    routed_to_simulator.add_fault("maintenance", exchange=exchange)

    assert failure_of(routed_to_simulator, exchange, "read-only") == ErrorCode.MAINTENANCE


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_the_simulators_keys_have_the_shape_the_form_accepts(routed_to_simulator, exchange):
    shape = adapter_for(exchange).shape
    for account in routed_to_simulator.accounts(exchange):
        secret = secret_of(account)
        assert re.fullmatch(shape.api_key_pattern, secret.api_key), account["label"]
        if not shape.secret_is_pem:
            assert re.fullmatch(shape.secret_pattern, secret.secret), account["label"]
        assert bool(secret.passphrase) is shape.needs_passphrase


def account_id_named_by(simulator, exchange: str, account: dict[str, Any]) -> str:
    # asked right after the check, which some limits would refuse (Bitget's account info: one
    # a second per account); the test resets the limits after it
    simulator.ok("POST", "/config", {"rate_limit_scale": 0})
    return str(ACCOUNT_IDS[exchange](simulator.client(account)))


@pytest.mark.parametrize("exchange", sorted(ACCOUNT_IDS))
@pytest.mark.parametrize("label", ["demo", "spot-only"])
def test_the_check_returns_the_account_id_the_exchange_names(routed_to_simulator, exchange, label):
    account = routed_to_simulator.account(exchange, label)

    permissions = check_key(routed_to_simulator, label, exchange=exchange)

    assert permissions.account_id == account_id_named_by(routed_to_simulator, exchange, account)


@pytest.mark.parametrize("exchange", sorted(ACCOUNT_IDS))
def test_another_key_of_the_same_account_has_the_same_account_id(routed_to_simulator, exchange):
    account = routed_to_simulator.account(exchange, "demo")
    added = routed_to_simulator.add_key(account["api_key"])

    first = check_key(routed_to_simulator, "demo", exchange=exchange)
    second = adapter_for(exchange).check(secret_of({**account, **added}))

    assert added["api_key"] != account["api_key"]
    assert second.account_id is not None and second.account_id == first.account_id


@pytest.mark.parametrize("exchange", sorted(ACCOUNT_IDS))
def test_two_accounts_have_different_account_ids(routed_to_simulator, exchange):
    demo = check_key(routed_to_simulator, "demo", exchange=exchange)
    other = check_key(routed_to_simulator, "read-only", exchange=exchange)

    assert demo.account_id is not None and other.account_id is not None
    assert demo.account_id != other.account_id


@pytest.mark.parametrize("exchange", sorted(ID_REQUESTS))
def test_where_the_answers_name_no_account_its_own_request_does(routed_to_simulator, exchange):
    _, readings = ID_REQUESTS[exchange]
    if readings:
        routed_to_simulator.ok("POST", "/config", {"readings": readings})
    account = routed_to_simulator.account(exchange, "demo")

    permissions = check_key(routed_to_simulator, "demo", exchange=exchange)

    assert permissions.account_id == account_id_named_by(routed_to_simulator, exchange, account)


@pytest.mark.parametrize("exchange", sorted(ID_REQUESTS))
def test_the_check_passes_without_the_account_id_when_its_request_fails(
    routed_to_simulator, exchange
):
    path, readings = ID_REQUESTS[exchange]
    if readings:
        routed_to_simulator.ok("POST", "/config", {"readings": readings})
    routed_to_simulator.fail_next_request("server_error", exchange=exchange, path=path)

    permissions = check_key(routed_to_simulator, "demo", exchange=exchange)

    assert permissions.account_id is None
    assert access_for(permissions) == ("read_only" if permissions.verifiable else "unverifiable")

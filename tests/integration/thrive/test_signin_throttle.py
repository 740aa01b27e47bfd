"""Failed sign-ins are counted per (email, client address) and, failures only, per address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from tests.conftest import PASSWORD
from thrive.throttle import client_address

ATTACKER = "203.0.113.9"
OWNER_HOME = "192.0.2.5"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def sign_in(email: str, password: str, *, address: str, forwarded: str | None = None) -> Client:
    """A fresh browser signing in from `address`; returns it to look at its page and session."""
    client = Client(REMOTE_ADDR=address)
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    client.response = client.post(
        "/accounts/login/", {"username": email, "password": password}, **headers
    )
    return client


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_from_one_address_never_lock_the_owner_out_from_another(owner):
    for _ in range(5):
        assert not is_signed_in(sign_in(owner.email, "guess", address=ATTACKER))
    attacker = sign_in(owner.email, PASSWORD, address=ATTACKER)
    assert "Too many failed sign-ins" in attacker.response.content.decode()
    assert not is_signed_in(attacker)

    at_home = sign_in(owner.email, PASSWORD, address=OWNER_HOME)
    assert at_home.response.status_code == 302
    assert at_home.response["Location"] == "/journal/"
    assert is_signed_in(at_home)


def test_signing_in_forgives_the_typos_made_before_it(owner):
    for _day in range(3):
        for _ in range(4):
            sign_in(owner.email, "typo", address=OWNER_HOME)
        assert is_signed_in(sign_in(owner.email, PASSWORD, address=OWNER_HOME))


def test_one_address_trying_many_emails_is_stopped_at_its_own_cap_only(owner, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(7):
        sign_in(f"someone{n}@example.com", "guess", address=ATTACKER)
    # Below the cap, a person on that network still signs in.
    assert is_signed_in(sign_in(owner.email, PASSWORD, address=ATTACKER))

    sign_in("someone7@example.com", "guess", address=ATTACKER)
    blocked = sign_in(owner.email, PASSWORD, address=ATTACKER)
    assert "Too many failed sign-ins from your network" in blocked.response.content.decode()
    assert not is_signed_in(blocked)
    assert is_signed_in(sign_in(owner.email, PASSWORD, address=OWNER_HOME))


def test_an_ipv6_subscriber_cannot_escape_the_cap_by_changing_address(owner, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for n in range(1, 6):
        sign_in(f"someone{n}@example.com", "guess", address=f"2001:db8:1:2::{n}")
    blocked = sign_in(owner.email, PASSWORD, address="2001:db8:1:2::99")
    assert "Too many failed sign-ins from your network" in blocked.response.content.decode()
    assert is_signed_in(sign_in(owner.email, PASSWORD, address="2001:db8:1:3::1"))


def test_behind_a_trusted_proxy_two_clients_are_counted_apart(owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        sign_in(owner.email, "guess", address=PROXY, forwarded="198.51.100.7")
    # What the client writes left of our proxy's entry changes nothing.
    spoofed = sign_in(owner.email, PASSWORD, address=PROXY, forwarded="1.2.3.4, 198.51.100.7")
    assert "Too many failed sign-ins" in spoofed.response.content.decode()
    assert not is_signed_in(spoofed)

    neighbour = sign_in(owner.email, PASSWORD, address=PROXY, forwarded="198.51.100.8")
    assert is_signed_in(neighbour)


def test_without_a_trusted_proxy_a_forged_forwarded_header_neither_escapes_nor_frames(owner):
    # The attacker writes a fresh X-Forwarded-For each time, some naming the owner's address.
    for n in range(5):
        sign_in(owner.email, "guess", address=ATTACKER, forwarded=f"198.51.100.{n}")
        sign_in(owner.email, "guess", address=ATTACKER, forwarded=OWNER_HOME)
    escaped = sign_in(owner.email, PASSWORD, address=ATTACKER, forwarded="198.51.100.200")
    assert "Too many failed sign-ins" in escaped.response.content.decode()
    assert not is_signed_in(escaped)

    assert is_signed_in(sign_in(owner.email, PASSWORD, address=OWNER_HOME))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "198.51.100.7, 172.16.0.3", "198.51.100.7"),
        (2, "198.51.100.7", PROXY),  # fewer entries than proxies: the connection's address
        (1, "not-an-address", PROXY),
        (1, "198.51.100.7:51234", "198.51.100.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_the_client_address_is_read_through_exactly_the_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected

"""Every Binance fault and credential problem raises, through an unmodified ccxt client, the
exception class ccxt raises in production."""

from __future__ import annotations

import time

import ccxt
import pytest

from sync.simulator.exchanges.base import REJECTION_KINDS
from sync.simulator.http import Request

EXCHANGE = "binance"


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


def test_an_unknown_key_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "api_key": "A" * 64})

    assert raised_by(client.fetch_balance) is ccxt.AuthenticationError


def test_a_malformed_key_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "api_key": "not-a-key"})

    assert raised_by(client.load_markets) is ccxt.AuthenticationError


def test_a_wrong_secret_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "secret": "B" * 64})

    with pytest.raises(ccxt.AuthenticationError, match="-1022"):
        client.fetch_balance()


def test_a_stale_timestamp_is_an_invalid_nonce(simulator, demo):
    # the client believes its clock runs two minutes ahead, so it signs stale timestamps
    client = simulator.client(demo, options={"timeDifference": 120_000})

    with pytest.raises(ccxt.InvalidNonce, match="outside of the recvWindow"):
        client.fetch_balance()


def test_a_timestamp_from_the_future_is_an_invalid_nonce(simulator, demo):
    client = simulator.client(demo, options={"timeDifference": -5_000})

    with pytest.raises(ccxt.InvalidNonce, match="ahead of the server"):
        client.fetch_balance()


def test_the_expired_seeded_key_is_an_authentication_error(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "expired"))

    assert raised_by(client.sapi_get_account_apirestrictions) is ccxt.AuthenticationError


def test_the_seeded_key_without_read_permission_is_permission_denied(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "no-read"))

    assert raised_by(client.fetch_balance) is ccxt.PermissionDenied


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("maintenance", {}, ccxt.OnMaintenance),
        ("rate_limit", {}, ccxt.DDoSProtection),
        ("ban", {}, ccxt.DDoSProtection),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        ("no_read_permission", {}, ccxt.PermissionDenied),
        # Binance answers a request from outside the whitelist with -2015 "... request ip:"
        # and no separate code; ccxt maps -2015 to AuthenticationError
        ("ip_not_allowed", {}, ccxt.AuthenticationError),
        ("clock_skew", {"skew_ms": 30_000}, ccxt.InvalidNonce),
        ("clock_skew", {"skew_ms": -5_000}, ccxt.InvalidNonce),
    ],
)
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, kind, options, error
):
    client = simulator.client(demo)
    client.load_markets()
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"], "a one-request fault is gone after one request"


def test_a_hanging_exchange_is_a_request_timeout(simulator, demo):
    client = simulator.client(demo, timeout=1_000)
    client.load_markets()
    simulator.add_fault("timeout", exchange=EXCHANGE, requests=1)

    assert raised_by(client.fetch_balance) is ccxt.RequestTimeout


def test_latency_slows_answers_down_without_failing_them(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()
    simulator.add_fault("latency", exchange=EXCHANGE, latency_ms=400, requests=1)

    started = time.monotonic()
    client.fetch_balance()

    assert time.monotonic() - started >= 0.4


def test_a_client_that_measures_the_time_difference_first_survives_clock_skew(simulator, demo):
    """``adjustForTimeDifference`` alone is not enough: ccxt's load_markets signs the
    currencies call before fetch_markets measures the clock, so measure it first."""
    simulator.add_fault("clock_skew", exchange=EXCHANGE, skew_ms=30_000, seconds=30)
    client = simulator.client(demo, options={"adjustForTimeDifference": True})

    client.load_time_difference()

    assert client.fetch_balance()["total"]


def test_a_revoked_key_after_a_success_reads_as_ddos_protection_as_in_production(simulator, demo):
    """ccxt treats -2015 after a successful private call as a temporary ban (binance.py
    handle_errors), so a key revoked mid-session surfaces as DDoSProtection."""
    client = simulator.client(demo)
    client.fetch_balance()
    simulator.add_fault("revoked_key", exchange=EXCHANGE, api_key=demo["api_key"])

    assert raised_by(client.fetch_balance) is ccxt.DDoSProtection


def test_a_client_that_keeps_going_after_a_429_is_banned_with_418(simulator, demo):
    # Binance counts weight in wall-clock minutes: start where the next one is far away
    seconds_left = 60 - time.time() % 60
    if seconds_left < 15:
        time.sleep(seconds_left + 0.1)
    client = simulator.client(demo)
    client.load_markets()
    # the spot pool allows 6000 weight a minute; scaled down, three account calls fit
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.01})

    answers = []
    for _ in range(5):
        try:
            client.fetch_balance()
            answers.append("ok")
        except ccxt.DDoSProtection as error:
            answers.append(
                "429" if " 429 " in str(error) else "418" if " 418 " in str(error) else "?"
            )

    assert answers == ["ok", "ok", "429", "418", "418"], simulator.stats()["endpoints"]
    statuses = simulator.stats()["endpoints"]["binance /api/v3/account"]["statuses"]
    assert statuses == {"200": 2, "429": 1, "418": 2}


def test_a_lost_read_permission_still_lets_the_key_read_its_restrictions(simulator, demo):
    simulator.add_fault("no_read_permission", exchange=EXCHANGE, api_key=demo["api_key"])
    client = simulator.client(demo)

    assert client.sapi_get_account_apirestrictions()["enableReading"] is True
    assert raised_by(client.fetch_balance) is ccxt.PermissionDenied


def test_binance_answers_every_rejection_kind_the_core_may_ask_for(simulator):
    binance = simulator.running.state.exchanges[EXCHANGE]
    request = Request("GET", "api.binance.com", "/api/v3/account", remote_addr="127.0.0.1")

    for kind in REJECTION_KINDS:
        response = binance.reject(kind, request, now_ms=0, retry_after=1, status=503)
        assert response.status >= 400, kind


def test_a_margin_account_refusal_raises_the_class_production_raises(simulator):
    """ccxt picks Binance's error table by the URL's host; the relay sits under ccxt, so the
    simulator's -3003 meets the spot table exactly as an answer from api.binance.com does."""
    client = simulator.client(simulator.account("binance", "spot-only"))
    with pytest.raises(ccxt.BaseError) as relayed:
        client.sapi_get_margin_account()

    body = '{"code":-3003,"msg":"Margin account does not exist."}'
    production = ccxt.binance()
    with pytest.raises(ccxt.BaseError) as direct:
        production.handle_errors(
            400,
            "Bad Request",
            "https://api.binance.com/sapi/v1/margin/account?timestamp=1",
            "GET",
            {},
            body,
            production.parse_json(body),
            {},
            None,
        )

    assert type(relayed.value) is type(direct.value) is ccxt.BadRequest

"""The simulator's control API (``/_sim/``), its seeded data and the URL rewrite."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from decimal import Decimal

import ccxt
import pytest

from sync.exchanges.urls import relay_url
from sync.simulator.accounts import AccountSpec
from sync.simulator.state import SimulatorState
from sync.simulator.trades import TIE_EVERY

STANDARD_LABELS = {
    "demo", "read-only", "trade-enabled", "withdraw-enabled", "expired", "ip-restricted",
    "no-read",
}  # fmt: skip


def raw_get(simulator, path: str) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP GET on an exchange path, as any client would send it."""
    try:
        with urllib.request.urlopen(f"{simulator.base_url}{path}", timeout=10) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_it_lists_the_seeded_accounts_with_keys_derived_from_the_seed(simulator):
    accounts = simulator.accounts("binance")

    assert {account["label"] for account in accounts} >= STANDARD_LABELS
    keys = [account["api_key"] for account in accounts]
    assert len(set(keys)) == len(keys)
    assert all(len(key) == 64 and key.isalnum() for key in keys)
    demo = next(account for account in accounts if account["label"] == "demo")
    assert demo["passphrase"] is None
    assert demo["permissions"] == ["read"]
    assert set(demo["trades"]) == {"spot", "swap"} and sum(demo["trades"].values()) >= 300


def test_new_fills_appended_now_follow_the_history_and_reach_the_exchange_api(simulator):
    created = simulator.create_account(
        exchange="binance", label="growing", trades={"BTC/USDT": 30, "ETH/USDT:USDT": 10}, days=5
    )
    before = simulator.ground_truth(created["api_key"])

    added = simulator.ok(
        "POST", f"/accounts/{created['api_key']}/trades", {"symbol": "BTC/USDT", "count": 7}
    )

    after = simulator.ground_truth(created["api_key"])
    assert len(added) == 7 and len(after) == len(before) + 7
    spot_before = [fill for fill in before if fill["symbol"] == "BTC/USDT"]
    assert min(int(fill["id"]) for fill in added) > max(int(fill["id"]) for fill in spot_before)
    assert min(fill["timestamp"] for fill in added) > max(f["timestamp"] for f in spot_before)
    assert max(fill["timestamp"] for fill in added) <= time.time() * 1000
    client = simulator.client(created)
    seen = client.fetch_my_trades("BTC/USDT", None, 1000, {"fromId": 0})
    assert [trade["id"] for trade in seen[-7:]] == [fill["id"] for fill in added]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"symbol": "BTC/EUR", "count": 1}, "unknown symbol"),
        ({"symbol": "BTC/USDT", "count": 0}, "between 1 and 10000"),
        ({"count": 3}, '"symbol"'),
    ],
)
def test_appending_fills_refuses_bad_input_with_a_clear_error(simulator, body, message):
    account = simulator.account("binance", "demo")

    status, payload = simulator.call("POST", f"/accounts/{account['api_key']}/trades", body)

    assert status == 400
    assert message in payload["error"]


def test_an_account_reads_unsettled_evidence_its_own_way_over_the_simulator_wide_choice(
    simulator,
):
    created = simulator.create_account(
        exchange="binance", label="own-reading", readings={"sub_account_refusal": "broker"}
    )
    binance = simulator.running.state.exchanges["binance"]
    own = simulator.running.state.account_by_key(created["api_key"])
    other = simulator.running.state.account_by_key(simulator.account("binance", "demo")["api_key"])

    simulator.ok("POST", "/config", {"readings": {"binance.sub_account_refusal": "not_authorized"}})

    assert created["readings"] == {"sub_account_refusal": "broker"}
    assert binance.reading("sub_account_refusal", own) == "broker"
    assert binance.reading("sub_account_refusal", other) == "not_authorized"


def test_another_key_of_an_account_signs_on_its_own_and_is_the_same_account(simulator):
    account = simulator.account("binance", "demo")

    added = simulator.add_key(account["api_key"])

    assert set(added) == {"api_key", "secret", "passphrase"}
    assert added["api_key"] != account["api_key"] and added["secret"] != account["secret"]
    first, second = simulator.client(account), simulator.client({**account, **added})
    assert second.private_get_account()["uid"] == first.private_get_account()["uid"]
    assert simulator.ground_truth(added["api_key"]) == simulator.ground_truth(account["api_key"])
    assert simulator.balances(added["api_key"]) == simulator.balances(account["api_key"])
    # it signs with its own secret, not the account's first one
    with pytest.raises(ccxt.AuthenticationError):
        simulator.client({**account, "api_key": added["api_key"]}).private_get_account()


def test_added_keys_are_derived_from_the_seed_label_and_number():
    first, second = (
        SimulatorState(5, anchor_ms=1_700_000_000_000),
        SimulatorState(5, anchor_ms=1_700_000_000_000),
    )

    def demo(state: SimulatorState):
        return next(item for item in state.accounts("okx") if item.label == "demo")

    keys = [first.add_key(demo(first)), first.add_key(demo(first))]

    assert keys == [second.add_key(demo(second)), second.add_key(demo(second))]
    assert len({key.api_key for key in [*keys, demo(first).credentials]}) == 3
    assert all(key.passphrase for key in keys)
    assert first.account_by_key(keys[1].api_key).uid == demo(first).uid


def test_a_key_for_an_unknown_account_is_refused_with_a_clear_error(simulator):
    status, payload = simulator.call("POST", "/accounts/not-a-key/keys")

    assert status == 404
    assert "no account with api_key 'not-a-key'" in payload["error"]


def test_the_same_seed_and_anchor_give_the_same_keys_and_history():
    first, second = (
        SimulatorState(5, anchor_ms=1_700_000_000_000),
        SimulatorState(5, anchor_ms=1_700_000_000_000),
    )
    other = SimulatorState(6, anchor_ms=1_700_000_000_000)

    def demo(state: SimulatorState):
        return next(item for item in state.accounts("binance") if item.label == "demo")

    assert demo(first).credentials == demo(second).credentials
    assert demo(first).credentials.api_key != demo(other).credentials.api_key
    truth = [fill.ground_truth() for fill in demo(first).fills()]
    assert truth == [fill.ground_truth() for fill in demo(second).fills()]
    assert truth[-1]["timestamp"] < 1_700_000_000_000


def test_it_creates_an_account_and_answers_its_ground_truth(simulator):
    created = simulator.create_account(
        exchange="binance",
        label="created-for-ground-truth",
        trades={"BTC/USDT": 250, "ETH/USDT:USDT": 120, "BTC/USD:BTC": 30},
        days=30,
        permissions=["read", "trade"],
    )

    truth = simulator.ground_truth(created["api_key"])

    assert created["trades"] == {"spot": 250, "swap": 150}
    assert created["permissions"] == ["read", "trade"]
    assert created in simulator.accounts("binance")
    assert len(truth) == 400
    assert Counter(fill["symbol"] for fill in truth) == {
        "BTC/USDT": 250, "ETH/USDT:USDT": 120, "BTC/USD:BTC": 30
    }  # fmt: skip
    oldest = int(time.time() * 1000) - 31 * 86_400_000
    assert all(oldest <= fill["timestamp"] <= time.time() * 1000 for fill in truth)
    fill = truth[0]
    assert set(fill) >= {
        "symbol", "market_type", "id", "order_id", "timestamp", "side", "price", "amount",
        "cost", "fee", "fee_currency", "taker_or_maker",
    }  # fmt: skip
    for field in ("price", "amount", "cost", "fee"):
        assert isinstance(fill[field], str) and Decimal(fill[field]) >= 0


def test_the_ground_truth_is_realistic(simulator):
    account = simulator.create_account(
        exchange="binance", label="realistic", trades={"BTC/USDT": 1200, "ETH/USDT": 300}
    )

    truth = [fill for fill in simulator.ground_truth(account["api_key"])]
    btc = [fill for fill in truth if fill["symbol"] == "BTC/USDT"]

    assert all(20_000 <= Decimal(fill["price"]) <= 110_000 for fill in btc)
    assert all(
        Decimal(fill["cost"]) == Decimal(fill["price"]) * Decimal(fill["amount"]) for fill in btc
    )
    orders = Counter(fill["order_id"] for fill in btc)
    assert max(orders.values()) > 1, "partial fills share an order id"
    assert {fill["fee_currency"] for fill in truth} >= {"BNB", "BTC", "USDT"}
    assert {fill["taker_or_maker"] for fill in truth} == {"taker", "maker"}
    assert btc[TIE_EVERY]["timestamp"] == btc[TIE_EVERY - 1]["timestamp"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"trades": {"BTC/USDT": 1}}, "exchange is required"),
        ({"exchange": "nope"}, "unknown exchange"),
        ({"exchange": "binance", "trades": {"BTC/EUR": 5}}, "unknown symbol"),
        ({"exchange": "binance", "trades": {"BTC/USDT": -1}}, "non-negative"),
        ({"exchange": "binance", "trades": {"BTC/USDT": 100_001}}, "at most 100000"),
        ({"exchange": "binance", "days": 0}, "days must be"),
        ({"exchange": "binance", "permissions": ["everything"]}, "unknown permissions"),
        ({"exchange": "binance", "label": "demo"}, "already has an account"),
        ({"exchange": "binance", "colour": "red"}, "unknown fields"),
        ({"exchange": "binance", "readings": {"nothing": "x"}}, "binance has no reading"),
        (
            {"exchange": "binance", "readings": {"sub_account_refusal": "x"}},
            "binance.sub_account_refusal is one of",
        ),
        ([1, 2], "JSON object"),
    ],
)
def test_it_refuses_bad_account_input_with_a_clear_error(simulator, body, message):
    status, payload = simulator.call("POST", "/accounts", body)

    assert status == 400
    assert message in payload["error"]


def test_it_generates_a_hundred_thousand_trades_in_a_couple_of_seconds():
    state = SimulatorState(1, anchor_ms=1_700_000_000_000)
    account = state.create_account(
        "binance",
        AccountSpec("big", trades={"BTC/USDT": 60_000, "ETH/USDT:USDT": 40_000}, days=540),
    )

    started = time.monotonic()
    series = account.series()

    assert sum(len(item) for item in series.values()) == 100_000
    assert time.monotonic() - started < 3.0


def test_faults_by_count_expire_after_that_many_requests(simulator):
    simulator.add_fault("maintenance", exchange="binance", requests=2)

    statuses = [raw_get(simulator, "/api.binance.com/api/v3/time")[0] for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert simulator.ok("GET", "/faults") == []


def test_faults_by_key_touch_only_that_key(simulator):
    demo = simulator.account("binance", "demo")
    other = simulator.account("binance", "read-only")
    simulator.add_fault("maintenance", exchange="binance", api_key=demo["api_key"])

    def status_for(key: str) -> int:
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{simulator.base_url}/api.binance.com/api/v3/time", headers={"X-MBX-APIKEY": key}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert status_for(demo["api_key"]) == 503
    assert status_for(other["api_key"]) == 200
    assert raw_get(simulator, "/api.binance.com/api/v3/time")[0] == 200


def test_faults_by_seconds_expire(simulator):
    simulator.add_fault("server_error", seconds=0.3)

    assert raw_get(simulator, "/api.binance.com/api/v3/time")[0] == 503
    time.sleep(0.4)
    assert raw_get(simulator, "/api.binance.com/api/v3/time")[0] == 200


def test_it_lists_and_clears_faults(simulator):
    first = simulator.add_fault("latency", exchange="binance", latency_ms=10)
    simulator.add_fault("ban", api_key="someone", retry_after=30)

    listed = simulator.ok("GET", "/faults")
    cleared_one = simulator.ok("DELETE", f"/faults?id={first['id']}")
    cleared_rest = simulator.ok("DELETE", "/faults")

    assert [fault["kind"] for fault in listed] == ["latency", "ban"]
    assert listed[1]["retry_after"] == 30 and listed[1]["exchange"] is None
    assert cleared_one == {"cleared": 1} and cleared_rest == {"cleared": 1}


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "earthquake"},
        {"kind": "maintenance", "exchange": "nope"},
        {"kind": "maintenance", "requests": 0},
        {"kind": "latency", "latency_ms": -1},
        {"kind": "server_error", "status": 404},
        {"kind": "maintenance", "colour": "red"},
    ],
)
def test_it_refuses_bad_faults(simulator, spec):
    status, payload = simulator.call("POST", "/faults", spec)

    assert status == 400 and payload["error"]


def test_stats_count_requests_and_weight_per_exchange_key_and_endpoint(simulator):
    demo = simulator.account("binance", "demo")
    client = simulator.client(demo)
    client.load_markets()
    client.fetch_balance()

    stats = simulator.stats()

    endpoints = stats["endpoints"]
    assert endpoints["binance /api/v3/exchangeInfo"] == {
        "requests": 1, "weight": 20, "statuses": {"200": 1}
    }  # fmt: skip
    assert endpoints["binance /api/v3/account"]["weight"] == 20
    assert stats["api_keys"][demo["api_key"]]["requests"] == 5
    # ccxt asks for the cross-margin pairs twice: for currencies and again for markets
    assert endpoints["binance /sapi/v1/margin/allPairs"]["requests"] == 2
    assert stats["exchanges"]["binance"]["requests"] == 8
    assert stats["exchanges"]["binance"]["weight"] == sum(
        row["weight"] for row in endpoints.values()
    )


def test_reset_clears_faults_stats_and_rate_limit_counters(simulator):
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.004})  # 24 weight a minute
    raw_get(simulator, "/api.binance.com/api/v3/exchangeInfo")
    assert raw_get(simulator, "/api.binance.com/api/v3/exchangeInfo")[0] == 429
    simulator.add_fault("maintenance")

    simulator.reset()

    assert simulator.ok("GET", "/faults") == []
    assert simulator.stats() == {"exchanges": {}, "api_keys": {}, "endpoints": {}}
    assert simulator.ok("GET", "/config")["rate_limit_scale"] == 1.0
    assert raw_get(simulator, "/api.binance.com/api/v3/exchangeInfo")[0] == 200


def test_it_answers_429_with_retry_after_then_418_to_a_client_that_keeps_going(simulator):
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.01})  # 60 weight a minute

    answers = [raw_get(simulator, "/api.binance.com/api/v3/exchangeInfo") for _ in range(5)]

    assert [status for status, _, _ in answers] == [200, 200, 200, 429, 418]
    assert answers[2][1]["X-MBX-USED-WEIGHT-1M"] == "60"
    assert 1 <= int(answers[3][1]["Retry-After"]) <= 60
    assert json.loads(answers[3][2])["code"] == -1003
    assert int(answers[4][1]["Retry-After"]) == 120
    assert "IP banned until" in json.loads(answers[4][2])["msg"]


def test_rate_limits_can_be_switched_off(simulator):
    simulator.ok("POST", "/config", {"rate_limit_scale": 0})

    statuses = {raw_get(simulator, "/api.binance.com/api/v3/exchangeInfo")[0] for _ in range(40)}

    assert statuses == {200}


def test_unknown_paths_and_hosts_answer_404(simulator):
    assert raw_get(simulator, "/api.binance.com/api/v3/nothing")[0] == 404
    assert raw_get(simulator, "/api.unknown.example/v1/time")[0] == 404
    assert simulator.call("GET", "/nothing")[0] == 404


def test_the_relay_keeps_host_path_and_query_under_the_base():
    url = "https://fapi.binance.com/fapi/v1/userTrades?symbol=BTCUSDT&fromId=0"

    assert relay_url(url, "http://127.0.0.1:8900/") == (
        "http://127.0.0.1:8900/fapi.binance.com/fapi/v1/userTrades?symbol=BTCUSDT&fromId=0"
    )
    with pytest.raises(ValueError):
        relay_url("http://plain.example/x", "http://127.0.0.1:8900")


def test_a_relayed_client_keeps_the_real_exchange_urls(simulator):
    client = simulator.client(simulator.account("binance", "read-only"))

    client.fetch_time()

    assert client.urls["api"]["public"] == "https://api.binance.com/api/v3"
    assert simulator.stats()["exchanges"]["binance"]["requests"] >= 1


@pytest.mark.parametrize(
    ("kind", "raised"),
    [
        ("dropped", ccxt.NetworkError),
        ("bad_gateway", ccxt.ExchangeNotAvailable),
        ("cut_body", ccxt.NetworkError),
    ],
)
def test_the_network_fails_underneath_every_exchange_as_ccxt_sees_it(simulator, kind, raised):
    for exchange in ("binance", "okx", "bybit"):
        client = simulator.client(simulator.account(exchange, "demo"))
        simulator.add_fault(kind, exchange=exchange, requests=1)

        with pytest.raises(raised) as failure:
            client.fetch_time()

        assert not isinstance(failure.value, ccxt.OnMaintenance | ccxt.DDoSProtection)
        assert client.fetch_time() > 0


def test_a_flaky_network_fails_a_seeded_share_of_requests_the_same_way_each_time(simulator):
    client = simulator.client(simulator.account("binance", "demo"))

    def run() -> list[str]:
        simulator.reset()
        simulator.add_fault("flaky", exchange="binance", percent=40, seed=7, latency_ms=10)
        outcomes = []
        for _ in range(30):
            try:
                client.fetch_time()
                outcomes.append("ok")
            except ccxt.BaseError as error:
                outcomes.append(type(error).__name__)
        return outcomes

    first = run()

    assert first == run()
    assert 3 <= sum(outcome != "ok" for outcome in first) <= 21
    assert {"NetworkError", "ExchangeNotAvailable"} <= set(first)

"""Aiming a fault at one stream of an endpoint that several streams share (``POST /_sim/faults``
with ``host`` and ``query``), and the answers to a target described wrongly."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest


def get(simulator, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{simulator.base_url}{path}", timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_fault_with_a_query_fails_only_the_requests_sending_those_values(simulator):
    fault = simulator.add_fault(
        "unknown_error",
        exchange="bybit",
        path="/v5/market/instruments-info",
        query={"category": "linear"},
    )

    _, linear = get(simulator, "/api.bybit.com/v5/market/instruments-info?category=linear")
    _, spot = get(simulator, "/api.bybit.com/v5/market/instruments-info?category=spot")
    _, inverse = get(simulator, "/api.bybit.com/v5/market/instruments-info?category=inverse")
    _, narrowed = get(
        simulator, "/api.bybit.com/v5/market/instruments-info?category=linear&symbol=BTCUSDT"
    )

    assert linear["retCode"] == 198765 and narrowed["retCode"] == 198765
    assert spot["retCode"] == 0 and spot["result"]["list"]
    assert inverse["retCode"] == 0 and inverse["result"]["list"]
    (listed,) = simulator.ok("GET", "/faults")
    assert listed["id"] == fault["id"] and listed["query"] == {"category": "linear"}
    assert listed["matched_requests"] == 2


def test_a_fault_needs_every_parameter_it_names(simulator):
    simulator.add_fault(
        "unknown_error",
        path="/v5/market/instruments-info",
        query={"category": "linear", "symbol": "ETHUSDT"},
    )

    _, other_symbol = get(
        simulator, "/api.bybit.com/v5/market/instruments-info?category=linear&symbol=BTCUSDT"
    )
    _, aimed = get(
        simulator, "/api.bybit.com/v5/market/instruments-info?category=linear&symbol=ETHUSDT"
    )

    assert other_symbol["retCode"] == 0 and aimed["retCode"] == 198765


def test_a_fault_with_a_host_fails_that_host_only(simulator):
    """KuCoin serves /api/v1/timestamp on the spot and on the futures host."""
    simulator.add_fault("unknown_error", host="api-futures.kucoin.com", path="/api/v1/timestamp")

    futures_status, futures = get(simulator, "/api-futures.kucoin.com/api/v1/timestamp")
    spot_status, spot = get(simulator, "/api.kucoin.com/api/v1/timestamp")

    assert futures_status == 400 and futures["code"] == "987650"
    assert spot_status == 200 and spot["code"] == "200000"
    assert simulator.ok("GET", "/faults")[0]["host"] == "api-futures.kucoin.com"


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"query": ["category", "linear"]}, "query maps parameter names"),
        ({"query": {"category": 1}}, "query maps parameter names"),
        ({"query": {}}, "query maps parameter names"),
        ({"host": "api.example.com"}, "unknown host 'api.example.com'"),
        ({"exchange": "binance", "host": "api.bybit.com"}, "api.bybit.com serves bybit"),
        ({"path": "v5/execution/list"}, "path is the start of an API path"),
        ({"path": 5}, "path is the start of an API path"),
    ],
)
def test_it_refuses_a_target_described_wrongly_and_says_why(simulator, spec, reason):
    status, payload = simulator.call("POST", "/faults", {"kind": "unknown_error", **spec})

    assert status == 400
    assert reason in payload["error"]
    assert simulator.ok("GET", "/faults") == []

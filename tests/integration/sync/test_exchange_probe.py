"""`manage.py exchange_probe`: an operator's read-only key in, a report per endpoint out, and
redacted fixtures on request; the key never appears anywhere."""

from __future__ import annotations

import io
import json

import ccxt
import pytest
from django.core.management import CommandError, call_command


def probe(monkeypatch, account: dict, *args: str) -> str:
    monkeypatch.setenv("THRIVE_PROBE_API_KEY", account["api_key"])
    monkeypatch.setenv("THRIVE_PROBE_SECRET", account["secret"])
    out = io.StringIO()
    call_command("exchange_probe", account["exchange"], *args, stdout=out)
    return out.getvalue()


def test_it_reports_each_endpoint_with_the_exchanges_own_error_codes(
    routed_to_simulator, monkeypatch
):
    account = routed_to_simulator.account("binance", "spot-only")

    report = probe(monkeypatch, account)

    assert "GET api.binance.com/api/v3/account: ok" in report
    assert "GET api.binance.com/sapi/v1/margin/account: HTTP 400, error -3003" in report
    assert "GET fapi.binance.com/fapi/v3/account: HTTP 401, error -2015" in report
    assert account["api_key"] not in report and account["secret"] not in report


def test_it_names_fields_that_differ_from_the_documented_answer(routed_to_simulator, monkeypatch):
    account = routed_to_simulator.account("binance", "spot-only")

    report = probe(monkeypatch, account)

    # the documented example carries "uid"; what the simulator sends is compared field by field
    line = next(line for line in report.splitlines() if "api/v3/account:" in line)
    assert line.endswith(("ok", "ok, fields differ"))


def test_recorded_answers_are_redacted_fixtures(routed_to_simulator, monkeypatch, tmp_path):
    account = routed_to_simulator.account("binance", "spot-only")

    probe(monkeypatch, account, "--record", str(tmp_path))

    files = sorted(tmp_path.glob("*.json"))
    assert files
    text = "".join(path.read_text() for path in files)
    assert account["api_key"] not in text and account["secret"] not in text
    spot = next(
        json.loads(path.read_text())
        for path in files
        if json.loads(path.read_text())["request"]["path"] == "/api/v3/account"
    )
    truth = routed_to_simulator.balances(account["api_key"])["wallets"]["spot"]
    recorded = {row["asset"]: row["free"] for row in spot["response"]["body"]["balances"]}
    assert set(recorded) == {asset for asset, row in truth.items() if float(row["balance"])}
    assert all(
        recorded[asset] != row["balance"] for asset, row in truth.items() if asset in recorded
    )
    assert spot["request"]["host"] == "api.binance.com" and spot["source"]


def test_without_a_key_it_says_where_to_give_one(routed_to_simulator, monkeypatch):
    monkeypatch.delenv("THRIVE_PROBE_API_KEY", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "")

    with pytest.raises(CommandError, match="THRIVE_PROBE_API_KEY"):
        call_command("exchange_probe", "binance", stdout=io.StringIO())


def test_it_runs_the_futures_discovery_reads_a_sync_makes(routed_to_simulator, monkeypatch):
    # a sync finds Binance's traded contracts in the income histories: the probe asks them too
    report = probe(monkeypatch, routed_to_simulator.account("binance", "demo"))

    assert "GET fapi.binance.com/fapi/v1/income: ok" in report
    assert "GET dapi.binance.com/dapi/v1/income: ok" in report


def test_it_reports_and_records_the_kraken_futures_reads_too(
    routed_to_simulator, monkeypatch, tmp_path
):
    for klass in (ccxt.kraken, ccxt.krakenfutures):
        monkeypatch.setattr(klass, "throttle", lambda self, cost=None: None)
    futures = routed_to_simulator.account("krakenfutures", "demo")
    monkeypatch.setenv("THRIVE_PROBE_FUTURES_API_KEY", futures["api_key"])
    monkeypatch.setenv("THRIVE_PROBE_FUTURES_SECRET", futures["secret"])

    report = probe(
        monkeypatch, routed_to_simulator.account("kraken", "demo"), "--record", str(tmp_path)
    )

    assert "GET futures.kraken.com/derivatives/api/v3/accounts: ok" in report
    recorded = [json.loads(path.read_text()) for path in tmp_path.glob("*.json")]
    assert any(call["request"]["host"] == "futures.kraken.com" for call in recorded)
    text = "".join(path.read_text() for path in tmp_path.glob("*.json"))
    assert futures["api_key"] not in text and futures["secret"] not in text


def test_it_reads_the_account_id_as_the_connect_time_check_does(routed_to_simulator, monkeypatch):
    # MEXC names the account only at GET /api/v3/uid, a read of the check's own
    report = probe(monkeypatch, routed_to_simulator.account("mexc", "spot-only"), "--streams", "1")

    assert "account id: ok" in report
    assert "GET api.mexc.com/api/v3/uid: ok" in report

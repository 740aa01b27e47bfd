"""`manage.py exchange_probe`: an operator's read-only key in, a report per endpoint out, and
redacted fixtures on request; the key never appears anywhere."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import ccxt
import pytest
from django.core.management import CommandError, call_command

from sync.exchanges import recording


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


def recorded(folder: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def test_it_names_each_field_the_fixture_has_and_the_answer_lacks_and_the_reverse(
    routed_to_simulator, monkeypatch, tmp_path
):
    account = routed_to_simulator.account("binance", "spot-only")
    probe(monkeypatch, account, "--record", str(tmp_path / "answers"), "--streams", "1")
    documented = next(
        fixture
        for fixture in recorded(tmp_path / "answers")
        if fixture["request"]["path"] == "/api/v3/account"
    )
    # documentation that has drifted from the exchange: a field it no longer sends (one of
    # them nested), and one it sends and the documentation never mentioned
    body = documented["response"]["body"]
    body["documentedOnly"] = True
    body["commissionRates"]["documentedRate"] = "0.00100000"
    del body["canTrade"]
    folder = tmp_path / "fixtures" / "binance"
    folder.mkdir(parents=True)
    (folder / "account.json").write_text(json.dumps(documented))
    monkeypatch.setattr(recording, "FIXTURES", tmp_path / "fixtures")

    lines = probe(monkeypatch, account, "--streams", "1").splitlines()

    at = lines.index("  GET api.binance.com/api/v3/account: ok, fields differ")
    assert lines[at + 1 : at + 3] == [
        "    expected, not sent: commissionRates.documentedRate, documentedOnly",
        "    sent, not expected: canTrade",
    ]
    assert (
        "  GET api.binance.com/sapi/v1/account/apiRestrictions: ok (no fixture to compare with)"
        in lines
    )


def test_recorded_trades_keep_times_symbols_and_prices_and_scramble_ids_and_amounts(
    routed_to_simulator, monkeypatch, tmp_path
):
    account = routed_to_simulator.create_account(
        exchange="binance", label="probe-redaction", trades={"BTC/USDT": 12}, days=5
    )

    probe(monkeypatch, account, "--record", str(tmp_path), "--streams", "0")

    truth = routed_to_simulator.ground_truth(account["api_key"])
    rows = [
        row
        for fixture in recorded(tmp_path)
        if fixture["request"]["path"] == "/api/v3/myTrades"
        for row in fixture["response"]["body"]
    ]
    # when and at what price each fill traded is kept: it is what a fixture documents
    assert sorted((row["time"], Decimal(row["price"])) for row in rows) == sorted(
        (fill["timestamp"], Decimal(fill["price"])) for fill in truth
    )
    assert {row["symbol"] for row in rows} == {"BTCUSDT"}
    # whose fills they were, and how much, is not
    assert not {str(row["id"]) for row in rows} & {fill["id"] for fill in truth}
    assert not {str(row["orderId"]) for row in rows} & {fill["order_id"] for fill in truth}
    assert not {(row["time"], Decimal(row["qty"])) for row in rows} & {
        (fill["timestamp"], Decimal(fill["amount"])) for fill in truth
    }
    assert not {Decimal(row["quoteQty"]) for row in rows} & {
        Decimal(fill["cost"]) for fill in truth
    }
    spot = next(
        fixture["response"]["body"]
        for fixture in recorded(tmp_path)
        if fixture["request"]["path"] == "/api/v3/account"
    )
    uid = account["email"].split("@")[0].rsplit(".", 1)[1]
    assert spot["uid"] and str(spot["uid"]) != uid


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

"""Every format's sample, uploaded through the page as a person would, lands in the journal
exactly as its expected file says (tests/fixtures/csv/<key>.csv and <key>.expected.json)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from journal.csv_formats import FORMATS
from journal.models import ImportBatch, LedgerEntry, Trade
from portfolio.services import portfolio_default_ensure

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "csv"


def _expected(key: str) -> list[dict | None]:
    return json.loads((SAMPLES / f"{key}.expected.json").read_text())


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_the_sample_imports_exactly(owner_client, workspace, key):
    portfolio_default_ensure(workspace=workspace)
    expected = _expected(key)
    # A row read as several items (a closed position: its two fills) lists them.
    items = [item for row in expected for item in (row if isinstance(row, list) else [row])]
    trades = [item["trade"] for item in items if item and "trade" in item]
    entries = [item["entry"] for item in items if item and "entry" in item]
    rejected = [row for row in expected if row and "error" in row]
    content = (SAMPLES / f"{key}.csv").read_bytes()

    response = owner_client.post(
        "/journal/import/",
        {
            "file": SimpleUploadedFile(f"{key}.csv", content, content_type="text/csv"),
            "timezone": "UTC",
            "exchange": FORMATS[key].exchange or "binance",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    page = owner_client.get(response["Location"]).content.decode()
    assert f"<dt>Trades</dt><dd>{len(trades)}</dd>" in page
    assert f"<dt>Other entries</dt><dd>{len(entries)}</dd>" in page
    assert f"<dt>Rejected</dt><dd>{len(rejected)}</dd>" in page
    owner_client.post(response["Location"], {"skip_rejected": "on"})

    batch = ImportBatch.objects.get()
    assert batch.file_format == key
    assert batch.trades_imported == len({_identity(t) for t in trades})
    stored = {
        _identity(
            {
                "symbol": t.symbol,
                "trade_id": "" if t.exchange_trade_id.startswith("csv:") else t.exchange_trade_id,
                "executed_at": t.executed_at.isoformat(),
                "side": t.side,
                "amount": str(t.amount),
                "price": str(t.price),
            }
        ): t
        for t in Trade.objects.filter(import_batch=batch)
    }
    for want in trades:
        got = stored[_identity(want)]
        assert (got.market_type, got.base, got.quote, got.cost) == (
            want["market_type"],
            want["base"],
            want["quote"],
            Decimal(want["cost"]),
        )
        assert (got.fee, got.fee_currency) == (
            None if want["fee"] is None else Decimal(want["fee"]),
            want["fee_currency"],
        )
    assert LedgerEntry.objects.filter(import_batch=batch).count() == len(entries)
    for want in entries:
        assert LedgerEntry.objects.filter(
            import_batch=batch,
            kind=want["kind"],
            asset=want["asset"],
            amount=Decimal(want["amount"]),
            occurred_at=datetime.fromisoformat(want["occurred_at"]),
        ).exists(), want


def _identity(trade: dict) -> tuple:
    return (
        trade["symbol"],
        trade["trade_id"],
        datetime.fromisoformat(trade["executed_at"]),
        trade["side"],
        Decimal(trade["amount"]).normalize(),
        Decimal(trade["price"]).normalize(),
    )

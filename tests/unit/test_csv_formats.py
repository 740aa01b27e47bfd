"""Every CSV format reads its real-shaped sample exactly: each sample file in
tests/fixtures/csv/<format key>.csv has beside it <format key>.expected.json, one item per data
row: {"trade": {...}}, {"entry": {...}}, null (a row the format skips), {"error": "<part of
the message>"}, or a list of those for a row read as several (a closed position's two fills).
Numbers are compared as Decimal, times in UTC ISO 8601.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journal.csv_formats import FORMATS, detect
from journal.csv_formats.base import ParsedEntry, ParsedTrade, RowError, normalize_column

SAMPLES = Path(__file__).parent.parent / "fixtures" / "csv"


def _plain(parsed: ParsedTrade | ParsedEntry) -> dict[str, object]:
    values = dataclasses.asdict(parsed)
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in values.items()
    }


def _comparable(expected: dict[str, object], fields: set[str]) -> dict[str, object]:
    return {
        name: Decimal(value) if isinstance(value, str) and name in fields else value
        for name, value in expected.items()
    }


DECIMALS = {"price", "amount", "cost", "fee", "realized_pnl"}


def test_every_format_key_fits_the_import_record():
    from journal.models import ImportBatch

    longest = max(FORMATS, key=len)
    assert len(longest) <= ImportBatch._meta.get_field("file_format").max_length, longest


def test_every_format_has_a_sample():
    assert sorted(FORMATS) == sorted(path.stem for path in SAMPLES.glob("*.csv"))


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_the_sample_is_detected_and_read_exactly(key):
    text = (SAMPLES / f"{key}.csv").read_text(encoding="utf-8-sig")
    expected = json.loads((SAMPLES / f"{key}.expected.json").read_text())
    reader = csv.DictReader(io.StringIO(text))
    csv_format = detect(reader.fieldnames or [])
    assert csv_format is not None and csv_format.key == key
    zone = ZoneInfo("UTC")
    rows = [
        {normalize_column(k): (v or "").strip() for k, v in row.items() if k is not None}
        for row in reader
    ]
    assert len(rows) == len(expected)
    for number, (row, want) in enumerate(zip(rows, expected, strict=True), start=2):
        try:
            got = csv_format.parse(row, zone)
        except RowError as error:
            assert want is not None and "error" in want, f"line {number}: {error.message}"
            assert want["error"] in error.message, f"line {number}"
            continue
        if want is None:
            assert got is None, f"line {number}"
            continue
        # A row read as several items (a closed position: its two fills) expects a list.
        items = got if isinstance(got, tuple) else (got,)
        wanted = want if isinstance(want, list) else [want]
        assert len(items) == len(wanted), f"line {number}: read as {len(items)} items"
        for item, one in zip(items, wanted, strict=True):
            kind = "trade" if isinstance(item, ParsedTrade) else "entry"
            assert kind in one, f"line {number}: read as {kind}"
            assert _comparable(_plain(item), DECIMALS) == _comparable(one[kind], DECIMALS), (
                f"line {number}"
            )

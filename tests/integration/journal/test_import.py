"""Journal → Import through the pages: upload, preview, confirm, undo, and every bad file."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from journal.models import ImportBatch, LedgerEntry, Trade
from portfolio.services import portfolio_default_ensure

HEADER = "time,kind,symbol,side,amount,price,asset,fee,fee_currency,id,note\n"
TWO_TRADES_AND_A_REWARD = HEADER + (
    "2024-03-01T12:00:00Z,trade,BTC/USDT,buy,0.01,62000.5,,0.62005,USDT,,first buy\n"
    "2024-03-02T09:30:00Z,trade,SOL/ETH,buy,20,0.05,,0.0001,ETH,,ETH to SOL\n"
    "2024-03-03T08:00:00Z,reward,,,0.00123456,,ETH,,,,staking\n"
)


@pytest.fixture(autouse=True)
def _portfolio(workspace):
    return portfolio_default_ensure(workspace=workspace)


def upload(client, content: bytes | str, name: str = "journal.csv", **fields: str):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/journal/import/",
        {
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
            "timezone": "UTC",
            **fields,
        },
    )


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def preview_of(client, response) -> tuple[str, str]:
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    return url, client.get(url).content.decode()


def test_upload_preview_confirm_and_undo(owner_client, workspace):
    url, page = preview_of(owner_client, upload(owner_client, TWO_TRADES_AND_A_REWARD))
    assert "Thrive template" in page
    assert re.search(r"<dt>Trades</dt><dd>2</dd>", page)
    assert re.search(r"<dt>Other entries</dt><dd>1</dd>", page)
    assert "Import 3 rows" in page
    assert not Trade.objects.exists(), "nothing is imported before the confirmation"

    done = owner_client.post(url)
    assert done.status_code == 302
    assert said(done)[-1].startswith("Imported 2 trades and 1 other entry from journal.csv")
    swap = Trade.objects.get(symbol="SOL/ETH")
    assert (swap.source, swap.side, swap.amount, swap.cost) == ("csv", "buy", 20, 1)
    assert swap.note == "ETH to SOL"
    reward = LedgerEntry.objects.get()
    assert (reward.kind, reward.asset, str(reward.amount.normalize())) == (
        "reward",
        "ETH",
        "0.00123456",
    )
    batch = ImportBatch.objects.get()
    assert (batch.trades_imported, batch.entries_imported) == (2, 1)

    undone = owner_client.post(f"/journal/import/{batch.public_id}/undo/")
    assert said(undone)[-1].startswith("Undone: 2 trades and 1 other entry")
    assert not Trade.objects.exists() and not LedgerEntry.objects.exists()
    assert "Undone" in owner_client.get("/journal/import/").content.decode()


def test_the_same_file_twice_imports_nothing_the_second_time(owner_client):
    url, _ = preview_of(owner_client, upload(owner_client, TWO_TRADES_AND_A_REWARD))
    owner_client.post(url)

    url, page = preview_of(owner_client, upload(owner_client, TWO_TRADES_AND_A_REWARD))
    assert re.search(r"<dt>Already in your journal</dt><dd>3</dd>", page)
    assert "Every row of this file is in your journal already." in page
    owner_client.post(url)
    assert Trade.objects.count() == 2 and LedgerEntry.objects.count() == 1


def test_rejected_rows_stop_the_import_unless_the_person_skips_them(owner_client):
    content = TWO_TRADES_AND_A_REWARD + (
        "yesterday,trade,BTC/USDT,buy,1,1,,,,,\n"
        "2024-03-04T10:00:00Z,trade,BTC/USDT,sell,-2,1,,,,,\n"
        '2024-03-04T10:00:00Z,trade,BTC/USDT,sell,1,1,,,,,=HYPERLINK("http://x")\n'
    )
    url, page = preview_of(owner_client, upload(owner_client, content))
    assert "The date “yesterday” is not one we can read." in page
    assert "The amount is negative (-2)." in page
    assert "would run as a spreadsheet formula" in page
    assert re.search(r"<td class=\"num mono\">5</td><td>The date", page), "the line is named"

    refused = owner_client.post(url)
    assert "3 rows cannot be imported" in said(refused)[-1]
    assert not Trade.objects.exists()

    owner_client.post(url, {"skip_rejected": "on"})
    assert Trade.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "chart.png", "This is not a CSV file."),
        (b"Date,Something,Else\n1,2,3\n", "other.csv", "We do not recognise this file"),
        (HEADER.encode(), "header.csv", "The file has a header but no rows."),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(owner_client, content, name, message):
    response = upload(owner_client, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists() and not Trade.objects.exists()


def test_a_file_over_the_limit_is_refused_naming_the_limit(owner_client, settings):
    settings.THRIVE_IMPORT_MAX_MB = 1
    settings.THRIVE_IMPORT_MAX_BYTES = 1_000_000
    big = TWO_TRADES_AND_A_REWARD + "x" * 1_100_000
    page = upload(owner_client, big).content.decode()
    assert "the most we take is 1 MB" in page


def _zip(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_with_one_csv_is_read_and_other_zips_are_explained(owner_client):
    _, page = preview_of(
        owner_client,
        upload(
            owner_client, _zip(**{"export/trades.csv": TWO_TRADES_AND_A_REWARD.encode()}), "e.zip"
        ),
    )
    assert "<h1>trades.csv</h1>" in page
    two = upload(owner_client, _zip(a=b"x", b=b"y"), "two.zip").content.decode()
    assert "The zip must hold exactly one CSV file" in two
    excel = upload(owner_client, _zip(**{"xl/workbook.xml": b"<x/>"}), "book.xlsx")
    assert "This is an Excel workbook." in excel.content.decode()


@pytest.mark.parametrize(
    "encoded",
    [
        TWO_TRADES_AND_A_REWARD.replace("first buy", "café").encode("utf-8-sig"),
        TWO_TRADES_AND_A_REWARD.replace("first buy", "café").encode("utf-16"),
        TWO_TRADES_AND_A_REWARD.replace("first buy", "café").encode("latin-1"),
        TWO_TRADES_AND_A_REWARD.replace("first buy", "café").replace(",", ";").encode(),
    ],
    ids=["utf-8 with BOM", "utf-16", "latin-1", "semicolons"],
)
def test_encodings_and_separators_exchanges_use_are_read(owner_client, encoded):
    url, _ = preview_of(owner_client, upload(owner_client, encoded))
    owner_client.post(url)
    assert Trade.objects.get(symbol="BTC/USDT").note == "café"


def test_lines_above_the_header_are_skipped(owner_client):
    content = "Trade history\nExported 2024-03-10\n\n" + TWO_TRADES_AND_A_REWARD
    _, page = preview_of(owner_client, upload(owner_client, content))
    assert "Import 3 rows" in page


def test_times_without_a_zone_are_read_in_the_chosen_timezone(owner_client):
    content = HEADER + "2024-03-01 12:00:00,trade,BTC/USDT,buy,1,10,,,,,\n"
    url, _ = preview_of(owner_client, upload(owner_client, content, timezone="Asia/Tokyo"))
    owner_client.post(url)
    assert Trade.objects.get().executed_at == datetime(2024, 3, 1, 3, 0, tzinfo=UTC)


def test_a_chosen_format_that_does_not_fit_says_what_it_needs(owner_client):
    page = upload(owner_client, "a,b\n1,2\n", file_format="thrive-generic").content.decode()
    assert "This file does not have the columns of “Thrive template" in page


def test_the_template_downloads(owner_client):
    response = owner_client.get("/journal/import/template.csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert content.startswith(HEADER)


def test_another_workspace_cannot_see_confirm_or_undo_an_import(owner_client, outsider_client):
    url, _ = preview_of(owner_client, upload(owner_client, TWO_TRADES_AND_A_REWARD))
    stolen = outsider_client.get(url)
    assert stolen.status_code == 302 and "no longer waiting" in said(stolen)[-1]
    outsider_client.post(url)
    assert not Trade.objects.exists()
    owner_client.post(url)
    batch = ImportBatch.objects.get()
    assert outsider_client.post(f"/journal/import/{batch.public_id}/undo/").status_code == 404
    assert Trade.objects.count() == 2
    assert "journal.csv" not in outsider_client.get("/journal/import/").content.decode()

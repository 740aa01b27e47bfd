"""From an uploaded file to the rows of a known CSV format, or a sentence saying why not.

Exchanges ship their exports as CSV in UTF-8 (with or without a byte-order mark), UTF-16
(Excel's "Unicode text") or Latin-1, sometimes inside a zip, sometimes with lines of preamble
above the header, separated by commas, semicolons or tabs. All of that is read here; nothing is
written anywhere.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from .csv_formats import FORMATS, detect
from .csv_formats.base import CsvFormat, normalize_column

# How far down the file a header may start (exports put titles and date ranges above it).
HEADER_SEARCH_LINES = 30
DELIMITERS = ",;\t"


class UnreadableFile(Exception):
    """The file cannot be imported; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CsvTable:
    file_format: CsvFormat
    header_line: int  # 1-based line of the header in the file
    delimiter: str
    text: str
    header_at: int  # where the header starts in `text`

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, row keyed by normalized column) for every data row."""
        body = io.StringIO(self.text)
        body.seek(self.header_at)
        reader = csv.reader(body, delimiter=self.delimiter)
        header = [normalize_column(name) for name in next(reader)]
        line = self.header_line
        for values in reader:
            line += 1
            if not any(value.strip() for value in values):
                continue
            yield (
                line,
                {name: value.strip() for name, value in zip(header, values, strict=False) if name},
            )


def text_of_upload(data: bytes, file_name: str, *, max_bytes: int) -> tuple[str, str]:
    """(text, name of the CSV read) of an uploaded file; a zip gives up its one CSV."""
    if not data:
        raise UnreadableFile("The file is empty.")
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"The file is {len(data) / 1_000_000:.1f} MB; the most we take is "
            f"{max_bytes / 1_000_000:.0f} MB. Export a shorter period, or zip the CSV."
        )
    if data[:4] == b"PK\x03\x04":
        data, file_name = _csv_in_zip(data, max_bytes=max_bytes)
    return _decoded(data), file_name


def _csv_in_zip(data: bytes, *, max_bytes: int) -> tuple[bytes, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile(
            "The zip file is damaged: download it from the exchange again."
        ) from None
    names = [info for info in archive.infolist() if not info.is_dir()]
    if any(info.filename.startswith("xl/") for info in names):
        raise UnreadableFile(
            "This is an Excel workbook. Save it as CSV (File → Save as → CSV) and upload that."
        )
    csvs = [
        info
        for info in names
        if info.filename.lower().endswith((".csv", ".txt"))
        and not info.filename.startswith("__MACOSX/")
    ]
    if len(csvs) != 1:
        found = ", ".join(info.filename for info in names[:5]) or "nothing"
        raise UnreadableFile(
            f"The zip must hold exactly one CSV file; it holds {found}. Upload the CSV itself."
        )
    info = csvs[0]
    if info.file_size > max_bytes:
        raise UnreadableFile(
            f"The CSV in the zip is {info.file_size / 1_000_000:.1f} MB unpacked; the most we "
            f"take is {max_bytes / 1_000_000:.0f} MB. Export a shorter period."
        )
    with archive.open(info) as member:
        # Read one byte past the limit: a zip that lies about its sizes stops here.
        content = member.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UnreadableFile("The CSV in the zip is larger than it says; it was not read.")
    return content, info.filename.rsplit("/", 1)[-1]


def _decoded(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    elif data[:200].count(b"\x00") > 20:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
        text = data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if "\x00" in text or _looks_binary(text):
        raise UnreadableFile(
            "This is not a CSV file. Download the exchange's trade history as CSV and upload it."
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t")
    return controls > len(sample) // 50


def table_of(text: str, *, format_key: str | None = None) -> CsvTable:
    """The format and where its header is: detected, or the one the person chose."""
    lines = text[: 1 << 16].split("\n")[:HEADER_SEARCH_LINES]
    chosen = FORMATS.get(format_key) if format_key else None
    if format_key and chosen is None:
        raise UnreadableFile("Choose one of the formats in the list.")
    offset = 0
    for number, line in enumerate(lines, start=1):
        at, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        for delimiter in _delimiters_of(line):
            header = next(csv.reader([line], delimiter=delimiter))
            columns = {normalize_column(name) for name in header}
            found = chosen if chosen and chosen.matches(columns) else None
            found = found or (None if chosen else detect(header))
            if found is not None:
                return CsvTable(found, number, delimiter, text, at)
    if not any(line.strip() for line in lines):
        raise UnreadableFile("The file is empty.")
    if chosen is not None:
        raise UnreadableFile(
            f"This file does not have the columns of “{chosen.title}”: it needs "
            f"{', '.join(chosen.columns)}. Check the format, or let us detect it."
        )
    first = next((line for line in lines if line.strip()), "")[:120]
    raise UnreadableFile(
        f"We do not recognise this file (its first line is “{first}”). Export the trade history "
        "as CSV from the exchange, choose the format from the list, or use our template."
    )


def _delimiters_of(line: str) -> list[str]:
    return sorted(DELIMITERS, key=lambda delimiter: -line.count(delimiter))

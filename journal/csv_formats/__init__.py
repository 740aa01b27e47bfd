"""Every CSV export we read: each module here lists its formats in `FORMATS`.

Adding an exchange's export is one new module (or one more entry in its module) and nothing
else; `detect` picks the format whose identifying header the file carries, preferring the one
that names the most columns.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from .base import CsvFormat, normalize_column

_INFRASTRUCTURE = {"base"}


def _discover() -> dict[str, CsvFormat]:
    found: dict[str, CsvFormat] = {}
    for module_info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module_info.name in _INFRASTRUCTURE:
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for csv_format in getattr(module, "FORMATS", ()):
            if csv_format.key in found:
                raise ValueError(f"two CSV formats are called {csv_format.key!r}")
            found[csv_format.key] = csv_format
    return dict(sorted(found.items()))


FORMATS: dict[str, CsvFormat] = _discover()


def detect(header: list[str]) -> CsvFormat | None:
    """The format this header belongs to, or None."""
    columns = {normalize_column(name) for name in header}
    candidates = [f for f in FORMATS.values() if f.matches(columns)]
    return max(candidates, key=lambda f: len(f.columns), default=None)

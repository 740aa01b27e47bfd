"""The analytics page's query string (parse and validate only): portfolio, from, to."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

DEFAULT_DAYS = 365
DATE_FORMATS = ["%Y-%m-%d"]
IGNORED = {
    "from": "“{value}” is not a date like 2026-01-31, so the range starts a year before its end.",
    "to": "“{value}” is not a date like 2026-01-31, so the range ends today.",
    "order": "The start date is after the end date, so the last 365 days are shown.",
}


class AnalyticsForm(forms.Form):
    portfolio = forms.CharField(max_length=64, required=False)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        # "from" is a Python keyword, so these two cannot be class attributes.
        self.fields["from"] = forms.DateField(required=False, input_formats=DATE_FORMATS)
        self.fields["to"] = forms.DateField(required=False, input_formats=DATE_FORMATS)

    def values(self) -> dict[str, Any]:
        """portfolio ("" for all), from and to (inclusive UTC days; the last 365 days by
        default, a bad date replaced by its default)."""
        self.is_valid()
        end = self.cleaned_data.get("to") or self.today
        start = self.cleaned_data.get("from") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            end, start = self.today, self.today - timedelta(days=DEFAULT_DAYS - 1)
        return {"portfolio": self.cleaned_data.get("portfolio", ""), "from": start, "to": end}

    def problems(self) -> list[str]:
        """One sentence per value that was replaced."""
        self.is_valid()
        sentences = [
            IGNORED[name].format(value=self.data.get(name, ""))
            for name in ("from", "to")
            if name in self.errors
        ]
        start, end = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        if start and end and start > end:
            sentences.append(IGNORED["order"])
        return sentences

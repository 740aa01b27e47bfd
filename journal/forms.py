"""The journal's filters, read from the query string (parse and validate only).

The parameter names are a contract (links people bookmark and share): portfolio, connection,
exchange, market, symbol, side, kind, from, to, plus order, fold and cursor for the view
itself. A bad value is reported in a sentence and left out; the others still apply.
"""

from __future__ import annotations

from typing import Any

from django import forms

from connections.models import Exchange

from .models import LedgerEntry, Trade
from .selectors import MARKETS, TRADE_KIND

KINDS = ((TRADE_KIND, "Trade"), *LedgerEntry.Kind.choices)

# What a person is told when a value cannot be used, by parameter; {value} is what they sent.
IGNORED = {
    "portfolio": "“{value}” is not a portfolio id, so entries of every portfolio are shown.",
    "connection": "“{value}” is not a connection id, so entries of every connection are shown.",
    "exchange": "“{value}” is not an exchange we know, so every exchange is shown.",
    "market": (
        "“{value}” is not a market type (spot, margin, swap, future or option), so every "
        "market is shown."
    ),
    "symbol": "The search is longer than 64 characters, so it is ignored.",
    "side": "“{value}” is not a side (buy or sell), so both sides are shown.",
    "kind": "“{value}” is not a kind of entry, so every kind is shown.",
    "from": "“{value}” is not a date like 2026-01-31, so the start date is ignored.",
    "to": "“{value}” is not a date like 2026-01-31, so the end date is ignored.",
    "order": "“{value}” is not an order we know, so the newest entries come first.",
    "fold": "“{value}” is not a way to fold fills, so every fill is shown.",
    "cursor": "That page link is out of date or damaged, so the list starts from the top.",
}
DATE_FORMATS = ["%Y-%m-%d"]


class JournalFilterForm(forms.Form):
    portfolio = forms.UUIDField(required=False)
    connection = forms.UUIDField(required=False)
    exchange = forms.ChoiceField(choices=[("", "Any"), *Exchange.choices], required=False)
    market = forms.ChoiceField(choices=[("", "Any"), *MARKETS], required=False)
    symbol = forms.CharField(max_length=64, required=False)
    side = forms.ChoiceField(choices=[("", "Any"), *Trade.Side.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any"), *KINDS], required=False)
    order = forms.ChoiceField(
        choices=[("", "Newest first"), ("oldest", "Oldest first")], required=False
    )
    fold = forms.ChoiceField(choices=[("", "Every fill"), ("orders", "By order")], required=False)
    cursor = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two cannot be class attributes.
        self.fields["from"] = forms.DateField(required=False, input_formats=DATE_FORMATS)
        self.fields["to"] = forms.DateField(required=False, input_formats=DATE_FORMATS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error(None, "The start date is after the end date, so both are ignored.")
            cleaned["from"] = cleaned["to"] = None
        return cleaned

    def values(self) -> dict[str, Any]:
        """The usable values, every parameter present ("" or None where missing or bad)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}

    def problems(self) -> list[str]:
        """One sentence per value that was left out, in the order of the filters."""
        self.is_valid()
        sentences = []
        for name in self.fields:
            if name in self.errors:
                value = str(self.data.get(name, ""))
                shown = value if len(value) <= 40 else value[:39] + "…"
                sentences.append(IGNORED[name].format(value=shown))
        sentences += list(self.non_field_errors())
        return sentences

"""The support console's one form with input: re-import streams of trades from a date."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from django import forms
from django.utils import timezone

ALL_STREAMS = ""


class ReimportForm(forms.Form):
    """A day (from its start, UTC) and, on one connection, the stream or all of them."""

    since = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Trades are imported again from the start of this day (UTC); the journal "
        "keeps one row per trade however often it is imported.",
    )
    stream = forms.ChoiceField(label="Stream", required=False)

    def __init__(self, *args: Any, streams: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stream"].choices = [(ALL_STREAMS, "All streams")] + [
            (name, name) for name in streams or []
        ]

    def clean_since(self) -> Any:
        day = self.cleaned_data["since"]
        if day > timezone.now().date():
            raise forms.ValidationError("Choose today or a day before.")
        return day

    def since_moment(self) -> datetime:
        return datetime.combine(self.cleaned_data["since"], time.min, tzinfo=UTC)

    def chosen_streams(self) -> list[str] | None:
        """The one stream chosen, or None for all of them."""
        stream = self.cleaned_data.get("stream")
        return [stream] if stream else None

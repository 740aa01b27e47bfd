"""The CSV import form: which file, which format and timezone, whose account, which portfolio."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from connections.models import Exchange

from .csv_formats import FORMATS
from .imports import timezone_choices


def format_choices(exchange: str | None = None) -> list[tuple[str, str]]:
    """Every format, or only one exchange's (the import a connection's page links to)."""
    return [
        ("", "Detect it from the file"),
        *((f.key, f.title) for f in FORMATS.values() if exchange in {None, f.exchange}),
    ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={
            "empty": "The file is empty.",
            "required": "Choose the CSV file to import.",
        },
        help_text="The exchange's trade history export as CSV (or the zip it came in), or our "
        "template.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.zip,text/csv"}),
    )
    file_format = forms.ChoiceField(label="Format", choices=format_choices, required=False)
    timezone = forms.ChoiceField(
        label="Timezone of the file's times",
        choices=lambda: [(name, name) for name in timezone_choices()],
        initial="UTC",
        help_text="Only for files whose times do not say their zone; most exchanges write UTC.",
    )
    exchange = forms.ChoiceField(
        label="Exchange (for our template)",
        choices=[("", "Wallet / other"), *Exchange.choices],
        required=False,
        help_text="Exchange exports name their exchange themselves.",
    )
    connection = forms.ModelChoiceField(
        label="Whose account is it?",
        queryset=None,
        required=False,
        empty_label="Not one of my connections",
        help_text="The connection of the same exchange account, if you have one: its later "
        "syncs then recognise these trades.",
    )
    portfolio = forms.ModelChoiceField(
        label="Portfolio", queryset=None, empty_label=None, required=False
    )

    def __init__(
        self,
        *args: Any,
        connections: QuerySet,
        portfolios: QuerySet,
        exchange: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if exchange in Exchange.values:
            # Offered from a connection whose API stops short of a year: that exchange's exports.
            self.fields["file_format"].choices = format_choices(exchange)
            self.fields["exchange"].initial = exchange
        # Scoped to the workspace: another workspace's rows are "not one of the choices".
        self.fields["connection"].queryset = connections
        self.fields["portfolio"].queryset = portfolios
        default = portfolios.filter(is_default=True).first()
        if default is not None:
            self.fields["portfolio"].initial = default.pk

    def clean_portfolio(self) -> Any:
        """The chosen portfolio, or the workspace's default when none was sent."""
        chosen = self.cleaned_data.get("portfolio")
        return chosen or self.fields["portfolio"].queryset.filter(is_default=True).first()

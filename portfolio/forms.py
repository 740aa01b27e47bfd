"""The portfolio forms: parse and validate only. A name taken in the workspace is the service's
to refuse (portfolio.services.PortfolioRefused), added to the form as the name's error."""

from __future__ import annotations

from django import forms

from .services import NAME_MAX_LENGTH


def name_field(**kwargs: object) -> forms.CharField:
    """A portfolio's name, as the pages and the connection form ask for it."""
    return forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Give the portfolio a name.",
            "max_length": (
                "A portfolio name has at most %(limit_value)d characters; this one has "
                "%(show_value)d. Shorten it."
            ),
            "null_characters_not_allowed": "The name contains a NUL character. Type it again.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        **kwargs,
    )


class PortfolioNameForm(forms.Form):
    name = name_field(label="Name", help_text="For example “Long term” or “Day trading”.")

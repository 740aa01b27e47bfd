"""The connection forms: parse and validate only. Secrets are never rendered back."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from portfolio.forms import name_field
from portfolio.models import Portfolio
from sync.exchanges.base import CredentialShape
from sync.exchanges.registry import ADAPTERS, adapter_for

from .models import Exchange
from .vault import CredentialSecret

MAX_KEY_LENGTH = 256
MAX_SECRET_LENGTH = 4096
MAX_PASSPHRASE_LENGTH = 128
PEM_MARKER = "-----BEGIN"
# The add form's last portfolio choice: make one, named in `new_portfolio_name`.
NEW_PORTFOLIO = "new"


class SecretTextarea(forms.Textarea):
    """A textarea (for multi-line PEM keys) that, like PasswordInput, never renders its value."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


def secret_input(**attrs: Any) -> forms.PasswordInput:
    return forms.PasswordInput(
        render_value=False, attrs={"autocomplete": "off", "spellcheck": "false", **attrs}
    )


def exchange_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label in Exchange.choices if value in ADAPTERS]


def _clean_value(value: str, *, what: str, max_length: int, multiline: bool = False) -> str:
    if "\x00" in value:
        raise forms.ValidationError(
            f"The {what} contains a NUL character. Copy it again from the exchange."
        )
    value = value.strip()
    if len(value) > max_length:
        raise forms.ValidationError(
            f"The {what} is {len(value):,} characters long; at most {max_length:,} are expected. "
            "Check that you pasted only the key."
        )
    if not multiline and re.search(r"\s", value):
        raise forms.ValidationError(
            f"The {what} contains spaces or line breaks. Paste it again as one line."
        )
    return value


class CredentialFields(forms.Form):
    """The key fields shared by the add and replace forms; checked against the exchange's format."""

    api_key = forms.CharField(
        label="API key", strip=False, max_length=None, widget=secret_input(), required=True
    )
    api_secret = forms.CharField(
        label="API secret",
        strip=False,
        required=True,
        widget=SecretTextarea(
            attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false", "class": "secret"}
        ),
    )
    passphrase = forms.CharField(
        label="Passphrase",
        strip=False,
        required=False,
        widget=secret_input(),
        help_text="OKX, Bitget and KuCoin only: the passphrase you chose when creating the key.",
    )
    futures_api_key = forms.CharField(
        label="Kraken Futures API key (optional)",
        strip=False,
        required=False,
        widget=secret_input(),
    )
    futures_api_secret = forms.CharField(
        label="Kraken Futures API secret (optional)",
        strip=False,
        required=False,
        widget=secret_input(),
    )
    acknowledge_withdrawals = forms.BooleanField(
        required=False,
        label="I understand this key can withdraw funds and want to keep it anyway.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Our own clean methods refuse NUL bytes with a message that says what to do.
        for field in self.fields.values():
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]

    def exchange_id(self) -> str | None:
        raise NotImplementedError

    def _shape_check(
        self, shape: CredentialShape, exchange_name: str, cleaned: dict[str, Any]
    ) -> None:
        api_key = cleaned.get("api_key")
        secret = cleaned.get("api_secret")
        if api_key and not re.fullmatch(shape.api_key_pattern, api_key):
            hint = f" (like {shape.api_key_example})" if shape.api_key_example else ""
            self.add_error("api_key", f"This does not look like a {exchange_name} API key{hint}.")
        if secret:
            is_pem = secret.startswith(PEM_MARKER)
            if shape.secret_is_pem and not is_pem:
                self.add_error(
                    "api_secret",
                    f"{exchange_name} needs the private key in PEM form, from "
                    "“-----BEGIN EC PRIVATE KEY-----” to “-----END EC PRIVATE KEY-----”.",
                )
            elif not shape.secret_is_pem and is_pem:
                self.add_error(
                    "api_secret",
                    f"This is a PEM private key, but {exchange_name} uses a plain secret string. "
                    "Paste the API secret instead.",
                )
            elif not shape.secret_is_pem and not re.fullmatch(shape.secret_pattern, secret):
                self.add_error(
                    "api_secret", f"This does not look like a {exchange_name} API secret."
                )
            elif shape.secret_is_pem and "PRIVATE KEY-----" not in secret.splitlines()[-1]:
                self.add_error("api_secret", "The PEM key is cut off: include its last line.")
        passphrase = cleaned.get("passphrase")
        if shape.needs_passphrase and not passphrase:
            self.add_error("passphrase", f"{exchange_name} keys have a passphrase: enter it here.")
        if not shape.needs_passphrase:
            cleaned["passphrase"] = ""
        futures_key, futures_secret = (
            cleaned.get("futures_api_key"),
            cleaned.get("futures_api_secret"),
        )
        if not shape.has_futures_key:
            cleaned["futures_api_key"] = cleaned["futures_api_secret"] = ""
        elif bool(futures_key) != bool(futures_secret):
            field = "futures_api_secret" if futures_key else "futures_api_key"
            self.add_error(field, "Enter both the Kraken Futures key and its secret, or neither.")

    def clean_api_key(self) -> str:
        return _clean_value(self.cleaned_data["api_key"], what="API key", max_length=MAX_KEY_LENGTH)

    def clean_api_secret(self) -> str:
        raw = self.cleaned_data["api_secret"].replace("\r\n", "\n")
        multiline = raw.strip().startswith(PEM_MARKER)
        return _clean_value(
            raw, what="API secret", max_length=MAX_SECRET_LENGTH, multiline=multiline
        )

    def clean_passphrase(self) -> str:
        return _clean_value(
            self.cleaned_data["passphrase"], what="passphrase", max_length=MAX_PASSPHRASE_LENGTH
        )

    def clean_futures_api_key(self) -> str:
        return _clean_value(
            self.cleaned_data["futures_api_key"], what="API key", max_length=MAX_KEY_LENGTH
        )

    def clean_futures_api_secret(self) -> str:
        return _clean_value(
            self.cleaned_data["futures_api_secret"], what="API secret", max_length=MAX_SECRET_LENGTH
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        exchange = self.exchange_id()
        if exchange:
            name = dict(Exchange.choices)[exchange]
            self._shape_check(adapter_for(exchange).shape, name, cleaned)
        return cleaned

    def secret(self) -> CredentialSecret:
        data = self.cleaned_data
        return CredentialSecret(
            api_key=data["api_key"],
            secret=data["api_secret"],
            passphrase=data.get("passphrase", ""),
            futures_api_key=data.get("futures_api_key", ""),
            futures_secret=data.get("futures_api_secret", ""),
        )


class ConnectionAddForm(CredentialFields):
    field_order = ["exchange", "label", "portfolio", "new_portfolio_name"]

    exchange = forms.ChoiceField(choices=exchange_choices)
    label = forms.CharField(
        max_length=80, help_text="A name you will recognise, e.g. “Main account”."
    )
    portfolio = forms.ChoiceField(
        required=False, help_text="Where this account's trades and balances go."
    )
    new_portfolio_name = name_field(
        label="or a new portfolio named",
        required=False,
        help_text="Fill this in to make a new portfolio for this account instead.",
    )

    def __init__(self, *args: Any, portfolios: Iterable[Portfolio], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The workspace's portfolios that take connections (the view scopes them): another
        # workspace's or an archived one is "not one of the choices".
        self.portfolios = {str(p.public_id): p for p in portfolios}
        self.fields["portfolio"].choices = [
            *((key, p.name) for key, p in self.portfolios.items()),
            (NEW_PORTFOLIO, "New portfolio…"),
        ]
        self.fields["new_portfolio_name"].widget.attrs["placeholder"] = "Day trading"

    def exchange_id(self) -> str | None:
        return self.cleaned_data.get("exchange")

    def clean_portfolio(self) -> Portfolio | None:
        """The chosen portfolio, the workspace's default when none was sent, or None when a new
        one is asked for (`new_portfolio_name`)."""
        key = self.cleaned_data.get("portfolio")
        if key == NEW_PORTFOLIO:
            return None
        if key:
            return self.portfolios[key]
        return next((p for p in self.portfolios.values() if p.is_default), None)

    def clean_label(self) -> str:
        return _clean_value(self.cleaned_data["label"], what="label", max_length=80, multiline=True)

    def clean_new_portfolio_name(self) -> str:
        name = self.cleaned_data["new_portfolio_name"]
        if "\x00" in name:
            raise forms.ValidationError("The name contains a NUL character. Type it again.")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A typed name wins over the list: without JavaScript the field is always shown.
        wants_new = self.data.get("portfolio") == NEW_PORTFOLIO
        if (
            wants_new
            and not cleaned.get("new_portfolio_name")
            and "new_portfolio_name" not in self.errors
        ):
            self.add_error("new_portfolio_name", "Name the new portfolio, or choose one above.")
        return cleaned


class ConnectionReplaceForm(CredentialFields):
    def __init__(self, *args: Any, exchange: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._exchange = exchange

    def exchange_id(self) -> str | None:
        return self._exchange


class ConnectionMoveForm(forms.Form):
    portfolio = forms.ChoiceField(
        label="Move to",
        error_messages={"invalid_choice": "Choose one of this workspace's portfolios."},
    )

    def __init__(self, *args: Any, portfolios: Iterable[Portfolio], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Scoped by the view to the workspace's portfolios that are not archived.
        self.portfolios = {str(p.public_id): p for p in portfolios}
        self.fields["portfolio"].choices = [(key, p.name) for key, p in self.portfolios.items()]

    def clean_portfolio(self) -> Portfolio:
        return self.portfolios[self.cleaned_data["portfolio"]]

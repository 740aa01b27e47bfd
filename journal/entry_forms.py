"""The manual entry forms: parse and validate only (the rules live in entry_services).

Every form re-renders what was typed, and says in a sentence what to change. Choices of
portfolio and place come from the view, scoped to the workspace: another workspace's
portfolio or connection is simply "not one of the choices".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone

from connections.models import Exchange, ExchangeConnection
from portfolio.models import Portfolio

from .entry_services import INCOMING, OUTGOING, Place
from .models import LedgerEntry, Trade

ASSET = re.compile(r"[A-Z0-9]{1,24}")
SYMBOL = re.compile(r"([A-Z0-9]{1,24})/([A-Z0-9]{1,24})(?::([A-Z0-9]{1,24}))?")
NOTE_MAX = 2000
PLACE_MAX = 64  # a trade keeps a wallet's name in `account` (64), an entry in `counterparty`
# Crypto begins with the first bitcoin block; an earlier date is a typo in the year.
EARLIEST = datetime(2009, 1, 3, tzinfo=UTC)
OTHER = "other"
TIMEZONES = ["UTC", *sorted(available_timezones() - {"UTC"})]


def plain(value: Decimal | None) -> str:
    """A stored amount as a person writes it: 0.5, not 0.500000000000000000 nor 5E-1."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text in {"-0", ""} else text


def time_text(moment: datetime) -> str:
    """An aware time as a datetime-local value in UTC, to the millisecond when it has one."""
    moment = moment.astimezone(UTC)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec)


class NumberField(forms.DecimalField):
    """A positive amount with the journal's precision; the browser keeps the text typed."""

    def __init__(self, *, what: str, allow_zero: bool = False, **kwargs: Any) -> None:
        self.what, self.allow_zero = what, allow_zero
        it = what[0].upper() + what[1:]
        super().__init__(
            max_digits=36,
            decimal_places=18,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            error_messages={
                "required": f"Enter {what}.",
                "invalid": f"Enter {what} as a number, like 0.25 (a dot for decimals, "
                "no thousands separators).",
                "max_decimal_places": f"{it} has more than 18 digits after the decimal point.",
                "max_whole_digits": f"{it} is too large: at most 18 digits before the point.",
                "max_digits": f"{it} is too large: at most 18 digits before the point.",
            },
            **kwargs,
        )

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
        return super().to_python(value)

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)
        if value is not None and (value < 0 or (value == 0 and not self.allow_zero)):
            floor = "zero or more" if self.allow_zero else "greater than zero"
            raise forms.ValidationError(f"{self.what[0].upper()}{self.what[1:]} must be {floor}.")


class AssetField(forms.CharField):
    def __init__(self, *, what: str = "the asset", **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault("max_length", None)
        kwargs.setdefault("error_messages", {"required": f"Enter {what}, like ETH."})
        super().__init__(widget=forms.TextInput(attrs={"autocomplete": "off"}), **kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value).upper().replace(" ", "")
        if text and not ASSET.fullmatch(text):
            raise forms.ValidationError(
                f"Write {self.what} as its ticker: letters and digits only, up to 24 (like ETH)."
            )
        return text


def _text(label: str, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, **kwargs)


class _Timed(forms.Form):
    """When it happened, read in the timezone the person chose, and a note."""

    time = forms.CharField(
        label="Time",
        widget=forms.TextInput(attrs={"type": "datetime-local", "step": "1"}),
        error_messages={"required": "Enter when it happened, like 2024-03-01 14:30."},
    )
    timezone = forms.ChoiceField(
        label="Timezone of that time",
        choices=[(name, name) for name in TIMEZONES],
        required=False,
        initial="UTC",
        error_messages={"invalid_choice": "Choose a timezone from the list."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the note to 2,000 characters; it has %(show_value)d."},
    )

    def __init__(self, *args: Any, original_time: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Editing: a time sent back as it was shown is the stored time, to the microsecond.
        self.original_time = original_time

    def clean_timezone(self) -> str:
        return self.cleaned_data.get("timezone") or "UTC"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text = (cleaned.get("time") or "").strip()
        if not text or "timezone" not in cleaned:
            return cleaned
        zone = cleaned["timezone"]
        if (
            self.original_time is not None
            and text == self.initial.get("time")
            and zone == self.initial.get("timezone", "UTC")
        ):
            cleaned["moment"] = self.original_time
            return cleaned
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            self.add_error("time", "Enter the time as a date and a time, like 2024-03-01 14:30.")
            return cleaned
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        if moment < EARLIEST:
            self.add_error(
                "time", "That is before the first bitcoin block (3 January 2009): check the year."
            )
        elif moment > timezone.now():
            self.add_error(
                "time",
                f"That time is in the future ({zone}). Enter when it happened, and check the "
                "timezone.",
            )
        else:
            cleaned["moment"] = moment.astimezone(UTC)
        return cleaned


class _Fee(forms.Form):
    fee = NumberField(what="the fee", allow_zero=True, required=False, label="Fee (optional)")
    fee_currency = AssetField(what="the fee's currency", required=False, label="Fee currency")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        fee, currency = cleaned.get("fee"), cleaned.get("fee_currency")
        if fee is not None and not currency and "fee_currency" not in self.errors:
            self.add_error("fee_currency", "Say which currency the fee was paid in, like USDT.")
        if fee is None and currency and "fee" not in self.errors:
            self.add_error("fee", "Enter the fee, or clear its currency.")
        return cleaned


class _Placed(_Timed):
    """Which portfolio, and where: a connection, an exchange by name, or a wallet."""

    portfolio = forms.ChoiceField(
        label="Portfolio",
        error_messages={"invalid_choice": "Choose one of this workspace's portfolios."},
    )
    where = forms.ChoiceField(
        label="Where",
        error_messages={
            "required": "Choose where it happened.",
            "invalid_choice": "Choose one of the places in the list.",
        },
    )
    place = _text(
        "Wallet or place",
        max_length=PLACE_MAX,
        help_text="For “Wallet / other”: its name, like “Ledger” or “Uniswap”.",
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        portfolios: Iterable[Portfolio],
        connections: Iterable[ExchangeConnection],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.portfolios = {str(p.public_id): p for p in portfolios}
        self.connections = {f"connection:{c.public_id}": c for c in connections}
        self.fields["portfolio"].choices = [(key, p.name) for key, p in self.portfolios.items()]
        default = next((key for key, p in self.portfolios.items() if p.is_default), None)
        self.fields["portfolio"].initial = self.initial.get("portfolio", default)
        self.fields["portfolio"].required = False
        self.fields["where"].choices = self.place_choices()
        if not self.is_bound and "token" not in self.initial:
            self.initial["token"] = uuid.uuid4().hex

    def place_choices(self) -> list[Any]:
        connected = [
            (key, f"{c}{' (disconnected)' if c.is_disconnected else ''}")
            for key, c in self.connections.items()
        ]
        exchanges = [(f"exchange:{value}", label) for value, label in Exchange.choices]
        choices: list[Any] = [("", "Choose…")]
        if connected:
            choices.append(("Your connections", connected))
        choices += [("An exchange", exchanges), ("Elsewhere", [(OTHER, "Wallet / other")])]
        return choices

    def clean_portfolio(self) -> Portfolio:
        key = self.cleaned_data.get("portfolio")
        if key:
            return self.portfolios[key]
        default = next((p for p in self.portfolios.values() if p.is_default), None)
        if default is None:
            raise forms.ValidationError("Choose a portfolio.")
        return default

    def clean_token(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.cleaned_data.get("token") or "")
        except ValueError:
            return None

    def place_of(self, where_field: str, place_field: str) -> Place | None:
        where, name = self.cleaned_data.get(where_field), self.cleaned_data.get(place_field, "")
        if not where:
            return None
        if where in self.connections:
            return Place(connection=self.connections[where])
        if where.startswith("exchange:"):
            return Place(exchange=where.removeprefix("exchange:"))
        if not name:
            if place_field not in self.errors:
                self.add_error(place_field, "Name the wallet or place, like “Ledger” or “Uniswap”.")
            return None
        return Place(name=name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["place_object"] = self.place_of("where", "place")
        return cleaned

    def common_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"portfolio": data["portfolio"], "place": data["place_object"], "note": data["note"]}

    def fee_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"fee": data["fee"], "fee_currency": data["fee_currency"]}


class TradeForm(_Placed, _Fee):
    field_order = ["portfolio", "where", "place", "time", "timezone", "symbol", "side"]

    symbol = forms.CharField(
        label="Market",
        max_length=None,
        widget=forms.TextInput(attrs={"placeholder": "BTC/USDT", "autocomplete": "off"}),
        help_text="BASE/QUOTE, like BTC/USDT (BTC/USDT:USDT for a perpetual).",
        error_messages={"required": "Enter the market, like BTC/USDT."},
    )
    side = forms.ChoiceField(
        label="Side",
        choices=Trade.Side.choices,
        error_messages={"invalid_choice": "Choose Buy or Sell."},
    )
    amount = NumberField(what="the amount", label="Amount (of the base asset)")
    price = NumberField(what="the price", label="Price (in the quote asset)")

    def clean_symbol(self) -> str:
        symbol = self.cleaned_data["symbol"].upper().replace(" ", "")
        match = SYMBOL.fullmatch(symbol)
        if match is None:
            raise forms.ValidationError("Write the market as BASE/QUOTE, like BTC/USDT.")
        if match.group(1) == match.group(2):
            raise forms.ValidationError("The market's two assets are the same; check the symbol.")
        return symbol

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.common_values(),
            **self.fee_values(),
            "executed_at": data["moment"],
            "symbol": data["symbol"],
            "side": data["side"],
            "amount": data["amount"],
            "price": data["price"],
        }


class SwapForm(_Placed, _Fee):
    field_order = ["portfolio", "where", "place", "time", "timezone"]

    gave_asset = AssetField(what="the asset you gave", label="I gave (asset)")
    gave_amount = NumberField(what="the amount you gave", label="Amount given")
    got_asset = AssetField(what="the asset you got", label="I got (asset)")
    got_amount = NumberField(what="the amount you got", label="Amount received")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        gave, got = cleaned.get("gave_asset"), cleaned.get("got_asset")
        if gave and gave == got:
            self.add_error("got_asset", "You gave and got the same asset; pick two different ones.")
        return cleaned

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.common_values(),
            **self.fee_values(),
            "executed_at": data["moment"],
            "gave_asset": data["gave_asset"],
            "gave_amount": data["gave_amount"],
            "got_asset": data["got_asset"],
            "got_amount": data["got_amount"],
        }


AMOUNT_LABELS = {
    LedgerEntry.Kind.DEPOSIT: "Amount deposited",
    LedgerEntry.Kind.WITHDRAWAL: "Amount withdrawn",
    LedgerEntry.Kind.REWARD: "Amount received",
    LedgerEntry.Kind.AIRDROP: "Amount received",
    LedgerEntry.Kind.FEE: "Fee paid",
    LedgerEntry.Kind.INTEREST: "Interest",
    LedgerEntry.Kind.FUNDING: "Funding fee",
    LedgerEntry.Kind.TRANSFER: "Amount moved",
}


class LedgerEntryForm(_Placed, _Fee):
    """Deposit, withdrawal, reward, airdrop, fee, interest or funding: one entry."""

    field_order = ["portfolio", "where", "place", "time", "timezone", "asset", "amount"]

    asset = AssetField(label="Asset")
    amount = NumberField(what="the amount", label="Amount")
    direction = forms.ChoiceField(
        label="Direction",
        choices=[("received", "Received (adds to the account)"), ("paid", "Paid (leaves it)")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it was received or paid."},
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["amount"].label = AMOUNT_LABELS[kind]
        if kind in INCOMING or kind in OUTGOING:
            del self.fields["direction"]
        if kind == LedgerEntry.Kind.FEE:
            del self.fields["fee"], self.fields["fee_currency"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        direction = data.get("direction")
        return {
            **self.common_values(),
            "fee": data.get("fee"),
            "fee_currency": data.get("fee_currency", ""),
            "occurred_at": data["moment"],
            "asset": data["asset"],
            "amount": data["amount"],
            "received": None if direction is None else direction == "received",
        }


class TransferForm(_Placed, _Fee):
    """Between two of the workspace's own accounts: from `where`, to `to_where`."""

    field_order = ["portfolio", "where", "place", "to_where", "to_place", "time", "timezone"]

    to_where = forms.ChoiceField(
        label="To",
        error_messages={
            "required": "Choose where the funds went.",
            "invalid_choice": "Choose one of the places in the list.",
        },
    )
    to_place = _text(
        "To wallet or place",
        max_length=PLACE_MAX,
        help_text="For “Wallet / other”: its name.",
    )
    asset = AssetField(label="Asset")
    amount = NumberField(what="the amount", label="Amount moved")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["where"].label = "From"
        self.fields["place"].label = "From wallet or place"
        self.fields["to_where"].choices = self.fields["where"].choices
        self.fields["fee"].help_text = "Paid on the From side, on top of the amount moved."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["to_place_object"] = self.place_of("to_where", "to_place")
        return cleaned

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.common_values(),
            **self.fee_values(),
            "destination": data["to_place_object"],
            "occurred_at": data["moment"],
            "asset": data["asset"],
            "amount": data["amount"],
        }


class TradeCorrectionForm(_Timed, _Fee):
    """A synced or imported fill: the person may correct its numbers and time, and note it."""

    field_order = ["time", "timezone", "amount", "price"]

    amount = NumberField(what="the amount", label="Amount (of the base asset)")
    price = NumberField(what="the price", label="Price (in the quote asset)")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "executed_at": data["moment"],
            "amount": data["amount"],
            "price": data["price"],
            "fee": data["fee"],
            "fee_currency": data["fee_currency"],
            "note": data["note"],
        }


class EntryCorrectionForm(_Timed, _Fee):
    """A synced or imported entry: amount (its sign stays), fee, time and note."""

    field_order = ["time", "timezone", "amount"]

    amount = NumberField(what="the amount", label="Amount")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "occurred_at": data["moment"],
            "amount": data["amount"],
            "fee": data["fee"],
            "fee_currency": data["fee_currency"],
            "note": data["note"],
        }


# -- what an edit form starts from ------------------------------------------------------------


def _where_initial(place: Place) -> dict[str, str]:
    if place.connection is not None:
        return {"where": f"connection:{place.connection.public_id}", "place": ""}
    if place.exchange:
        return {"where": f"exchange:{place.exchange}", "place": ""}
    return {"where": OTHER, "place": place.name}


def _common_initial(row: Trade | LedgerEntry, moment: datetime) -> dict[str, Any]:
    return {
        "portfolio": str(row.portfolio.public_id),
        "time": time_text(moment),
        "timezone": "UTC",
        "note": row.note,
        "fee": plain(row.fee),
        "fee_currency": row.fee_currency,
    }


def trade_initial(trade: Trade) -> dict[str, Any]:
    return {
        **_common_initial(trade, trade.executed_at),
        **_where_initial(Place.of_trade(trade)),
        "symbol": trade.symbol,
        "side": trade.side,
        "amount": plain(trade.amount),
        "price": plain(trade.price),
    }


def entry_initial(entry: LedgerEntry, arriving: LedgerEntry | None = None) -> dict[str, Any]:
    """`entry` is the leaving side of a manual transfer when `arriving` is given."""
    initial = {
        **_common_initial(entry, entry.occurred_at),
        **_where_initial(Place.of_entry(entry)),
        "asset": entry.asset,
        "amount": plain(abs(entry.amount)),
        "direction": "received" if entry.amount >= 0 else "paid",
    }
    if arriving is not None:
        to = _where_initial(Place.of_entry(arriving))
        initial.update(to_where=to["where"], to_place=to["place"])
    return initial

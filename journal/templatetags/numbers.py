"""Numbers for people: grouped, at most eight decimals, trailing zeros trimmed, and the full
stored value in a `title` for hover.

We store no market precision (an API fill comes with none), so eight decimals is the cap: a
satoshi still shows, and 0.001230000000000000 reads 0.00123.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

DISPLAY_PLACES = Decimal("1e-8")
MINUS = "\u2212"


def plain(value: Decimal) -> str:
    """Every digit we hold, without exponent or trailing zeros: "0.00123", "-5", "64123.45"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def display(value: Decimal) -> str:
    """Grouped thousands, at most eight decimals, a true minus sign (U+2212): "1,234.5"."""
    text = format(value.quantize(DISPLAY_PLACES, rounding=ROUND_HALF_EVEN), ",f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "0"):
        return "0"
    return MINUS + text[1:] if text.startswith("-") else text


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


@register.filter
def amount(value: Decimal | None, unit: str = "") -> SafeString | str:
    """`{{ trade.price|amount:trade.quote }}` → 64,123.45 USDT, the full value on hover."""
    if value is None:
        return ""
    return format_html(
        '<span title="{}">{}</span>',
        _with_unit(plain(value), unit),
        _with_unit(display(value), unit),
    )


@register.filter
def signed(value: Decimal | None, unit: str = "") -> SafeString | str:
    """An amount that moves an account, with its sign: +0.5 BTC, or a minus sign."""
    if value is None:
        return ""
    sign = "+" if value > 0 else ""
    return format_html(
        '<span title="{}{}">{}{}</span>',
        sign,
        _with_unit(plain(value), unit),
        sign,
        _with_unit(display(value), unit),
    )


@register.filter
def pnl(value: Decimal | None, unit: str = "") -> SafeString | str:
    """Realized PnL coloured by its sign: a gain green with "+", a loss red with a minus sign."""
    if value is None:
        return ""
    tone = "gain" if value > 0 else "loss" if value < 0 else "flat"
    sign = "+" if value > 0 else ""
    return format_html(
        '<span class="pnl pnl-{}" title="{}{}">{}{}</span>',
        tone,
        sign,
        _with_unit(plain(value), unit),
        sign,
        _with_unit(display(value), unit),
    )

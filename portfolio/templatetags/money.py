"""Money, percentages and times on the portfolio pages: values to the cent and shares to a
tenth of a percent, grouped, with a true minus sign and the full value on hover; times in UTC.
Quantities and prices use journal's `numbers` filters (up to eight decimals)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from journal.templatetags.numbers import MINUS, plain

register = template.Library()

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _grouped(value: Decimal, places: Decimal) -> str:
    text = format(value.quantize(places, rounding=ROUND_HALF_EVEN), ",f")
    if text.startswith("-"):
        return text[1:] if not text.strip("-0.,") else MINUS + text[1:]
    return text


@register.filter
def money(value: Decimal | None, unit: str = "") -> SafeString | str:
    """`{{ holding.value|money:currency }}` → 12,345.68 USD; a loan with a minus sign."""
    if value is None:
        return ""
    tail = f" {unit}" if unit else ""
    return format_html(
        '<span title="{}{}">{}{}</span>', plain(value), tail, _grouped(value, CENT), tail
    )


@register.filter
def percent(value: Decimal | None) -> str:
    """A share of the total: 12.3%."""
    if value is None:
        return ""
    return f"{_grouped(value, TENTH)}%"


@register.filter
def change(value: Decimal | None) -> SafeString | str:
    """A 24-hour change coloured by its sign: +2.1% green, a fall red."""
    if value is None:
        return ""
    tone = "gain" if value > 0 else "loss" if value < 0 else "flat"
    sign = "+" if value > 0 else ""
    return format_html('<span class="pnl pnl-{}">{}{}%</span>', tone, sign, _grouped(value, TENTH))


@register.filter
def pnl_money(value: Decimal | None, unit: str = "") -> SafeString | str:
    """A profit or loss to the cent, coloured by its sign: +120.50 USD, a loss red."""
    if value is None:
        return ""
    tone = "gain" if value > 0 else "loss" if value < 0 else "flat"
    sign = "+" if value > 0 else ""
    tail = f" {unit}" if unit else ""
    return format_html(
        '<span class="pnl pnl-{}" title="{}{}{}">{}{}{}</span>',
        tone, sign, plain(value), tail, sign, _grouped(value, CENT), tail,
    )  # fmt: skip


@register.filter
def share_of(value: Decimal, total: Decimal) -> Decimal:
    """`{{ value|share_of:total|percent }}`: value as a percentage of total."""
    return value / total * 100


@register.filter
def utc(value: datetime | None) -> str:
    """A time in UTC as the pages write it: 2026-03-11 12:30. (strftime: the date filter
    costs ten times as much, on pages of hundreds of rows.)"""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""

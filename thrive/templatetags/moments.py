"""Moments on a page: in words ("3 minutes ago", "due now"), with the exact time in the
person's own time zone, and its abbreviation, on hover."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timeuntil

from .when import ago

register = template.Library()

EXACT = "j M Y, H:i T"


@register.filter
def zoned(moment: datetime | None) -> str:
    """ "9 Jun 2025, 14:03 CEST": in the active time zone (the person's), saying which."""
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), EXACT)


@register.filter
def due(moment: datetime | None, now: datetime | None = None) -> str:
    """A slot still to come: "in 12 minutes". One already passed was not missed, it is about
    to be taken up: "due now", never a time in the past."""
    if moment is None:
        return ""
    now = now or timezone.now()
    if moment <= now:
        return "due now"
    if moment - now < timedelta(minutes=1):
        return "in under a minute"
    return f"in {timeuntil(moment, now, depth=1)}"


@register.simple_tag
def moment(value: datetime | None, kind: str = "ago") -> SafeString:
    """<time> with the words, its machine-readable instant and the exact local time as title."""
    if value is None:
        return SafeString("")
    words = due(value) if kind == "due" else ago(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), zoned(value), words
    )

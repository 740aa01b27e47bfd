"""How long ago something happened, in the words a person reads on a page."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """Under a minute "just now" (never "0 minutes ago"), else "3 minutes ago", "2 hours ago".

    A moment slightly in the future (clocks of two machines) also reads "just now". None reads
    as nothing, so a template can write `{{ x|ago|default:"never" }}`.
    """
    if moment is None:
        return ""
    now = now or timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"

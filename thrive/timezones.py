"""Each person's time zone: chosen in their profile, UTC until they choose, and active for
every page they load, so every time the templates render is in it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

DEFAULT = "UTC"


@cache
def _known() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_validate(value: str) -> None:
    if value not in _known():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Choose one from the list, such as "
            "Europe/London or America/New_York.",
            code="unknown_time_zone",
            params={"value": value},
        )


class TimeZoneMiddleware:
    """Activate the signed-in person's time zone for this request, and only this one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = getattr(request.user, "time_zone", DEFAULT) or DEFAULT
        if name not in _known():
            name = DEFAULT
        with timezone.override(zoneinfo.ZoneInfo(name)):
            return self.get_response(request)

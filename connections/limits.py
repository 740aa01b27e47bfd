"""How often keys may be tested or connected, per person and per workspace.

Every check sends signed requests to an exchange from our addresses: unlimited, it is an
oracle for stolen keys, it walks our addresses toward the exchanges' bans, and it spends the
request budget other people's syncs live on. Counted in the shared cache, in fixed windows.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Window:
    seconds: int
    words: str

    @property
    def limit(self) -> int:
        name = (
            "THRIVE_KEY_CHECKS_PER_MINUTE" if self.seconds == 60 else "THRIVE_KEY_CHECKS_PER_HOUR"
        )
        return int(getattr(settings, name))


WINDOWS = (Window(60, "minute"), Window(3600, "hour"))


@dataclass(frozen=True)
class Refusal:
    """Which limit was reached, and how long until it lets a check through again."""

    whose: str  # "user" or "workspace"
    limit: int
    window: Window
    wait_seconds: int


def key_check_spend(*, user_id: int | None, workspace_id: int) -> Refusal | None:
    """Count one check against every limit, or none of them and say which limit refuses.

    A refused check is taken back off every count, so pressing on while refused does not
    stretch the wait.
    """
    now = time.time()
    scopes = [("workspace", workspace_id)]
    if user_id is not None:
        scopes.insert(0, ("user", user_id))
    counted: list[str] = []
    for whose, ident in scopes:
        for window in WINDOWS:
            bucket = int(now // window.seconds)
            key = f"keychecks:{whose}:{ident}:{window.seconds}:{bucket}"
            cache.add(key, 0, window.seconds + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window.seconds + 5)
                count = 1
            # The file and database caches write `incr` back with the default timeout (300 s):
            # an hour's count would vanish after five minutes.
            cache.touch(key, window.seconds + 5)
            counted.append(key)
            if count > window.limit:
                for spent in counted:
                    with contextlib.suppress(ValueError):
                        cache.decr(spent)
                wait = int(window.seconds - now % window.seconds) + 1
                return Refusal(whose, window.limit, window, wait)
    return None


def refusal_in_words(refusal: Refusal) -> str:
    who = "You have" if refusal.whose == "user" else "People in this workspace have"
    minutes, seconds = divmod(refusal.wait_seconds, 60)
    wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} seconds"
    return (
        f"{who} tested or connected keys {refusal.limit} times in the last "
        f"{refusal.window.words}, the most we allow: each test reaches the exchange. "
        f"Try again in {wait}."
    )

"""Which parts of an account a key can see, found out by asking and remembered per connection.

Real accounts are mostly a spot wallet and nothing else. Spot trades and balances are the
*core*: only they decide that a key is bad. Every other part (margin, futures, earn, lending,
sub-accounts, copy trading, the funding wallet) is *optional*: whatever it answers, even an
error code nobody has seen, is recorded here, shown on the connection page, and tried again at
the next cycle; it never fails a sync or changes the connection's state.

A balance sync and the connect-time check probe every part again; a trades-only sync obeys
what the last probe found and does not call parts the account does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Availability(StrEnum):
    AVAILABLE = "available"
    NOT_OPENED = "not_opened"  # the account never opened this part
    NO_ACCESS = "no_access"  # the account may have it, this key cannot see it
    FAILED = "failed"  # an error this time; tried again at the next sync


UNAVAILABLE = frozenset({Availability.NOT_OPENED, Availability.NO_ACCESS})


@dataclass(frozen=True)
class Part:
    """One optional part of an account, e.g. Part("usdm", "USDⓈ-M futures")."""

    key: str
    label: str


class PartLog:
    """What each optional part answered during one sync or check.

    `previous` is what the connection last knew; with `probing` off (trades-only syncs) a part
    known to be unavailable is skipped instead of being called again.
    """

    def __init__(self, previous: dict[str, Any] | None = None, *, probing: bool = True) -> None:
        self.previous = dict(previous or {})
        self.probing = probing
        self.entries: dict[str, dict[str, str]] = {}
        # Every failure's error code in the order recorded, so a caller can tell which of
        # its calls met one (balances and positions read several parts each).
        self.failure_codes: list[str] = []

    def skips(self, part: Part) -> bool:
        entry = self.entries.get(part.key)
        if entry is None and not self.probing:
            entry = self.previous.get(part.key)
        return entry is not None and entry.get("availability") in UNAVAILABLE

    def record(
        self,
        part: Part,
        availability: Availability,
        *,
        error_code: str = "",
        exchange_code: str = "",
    ) -> None:
        if error_code:
            self.failure_codes.append(error_code)
        current = self.entries.get(part.key)
        # A part that failed once in this sync stays failed for it, even if a later call to
        # the same part (positions after balances) went through.
        if current is not None and current["availability"] != Availability.AVAILABLE:
            return
        self.entries[part.key] = {
            "label": part.label,
            "availability": availability.value,
            "error_code": error_code,
            "exchange_code": exchange_code,
        }

    def as_json(self) -> dict[str, dict[str, str]]:
        return dict(self.entries)

    def merged(self) -> dict[str, dict[str, str]]:
        """What the connection knows after this sync: older entries for parts not tried."""
        return {**self.previous, **self.entries}

    def problems(self) -> list[dict[str, str]]:
        return [
            entry
            for entry in self.entries.values()
            if entry["availability"] != Availability.AVAILABLE
        ]


def part_log_of(client: Any) -> PartLog:
    """The log attached to a client for this sync (a fresh probing one if none was)."""
    log = getattr(client, "thrive_part_log", None)
    if log is None:
        log = PartLog()
        client.thrive_part_log = log
    return log


def attach_part_log(client: Any, log: PartLog) -> PartLog:
    client.thrive_part_log = log
    return log


def describe(entry: dict[str, str], exchange_name: str) -> str:
    """A part's state in words, e.g. "USDⓈ-M futures: not available to this key (Binance -2015)"."""
    label = entry.get("label", "")
    availability = entry.get("availability")
    code = entry.get("exchange_code") or ""
    cited = f" ({exchange_name} {code})" if code else ""
    if availability == Availability.AVAILABLE:
        return label
    if availability == Availability.NOT_OPENED:
        return f"{label}: not opened"
    if availability == Availability.NO_ACCESS:
        return f"{label}: not available to this key{cited}"
    return f"{label}: could not be read this time, tried again at the next sync{cited}"

"""What each exchange's simulator profiles must show once connected, one module per exchange.

A module ``tests/account_profiles/<exchange>.py`` defines
- ``PROFILES``: profile name -> {optional part key: availability it must end in}; a part not
  listed may say anything, but never fails the connection;
- ``OPTIONAL_STREAMS``: every request an optional part sends, as an ``Aim``: the
  "unknown_error" fault aims at each one alone, and at all at once, to prove that an error
  nobody has seen leaves the connection Connected, its core complete and the part recorded;
- ``UNSEEN_CODE``: the exchange's code in the simulator's answer to such a fault, as the part
  records it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

NOT_OPENED, NO_ACCESS, AVAILABLE, FAILED = "not_opened", "no_access", "available", "failed"


@dataclass(frozen=True)
class Aim:
    """The requests of one optional stream, as a fault finds them (sync/simulator/faults.py:
    path prefix, and the host and parameters where several streams share a path)."""

    path: str
    # The part then recorded with `recorded`; None for a list of markets the stream reads
    # without (its trades must then all arrive).
    part: str | None
    query: dict[str, str] = field(default_factory=dict)
    host: str | None = None
    # The seeded account that sends these requests: the rich demo, unless only another mode
    # has the stream (Bybit's classic CONTRACT wallet, KuCoin's low-frequency fills).
    label: str = "demo"
    recorded: str = FAILED
    # A list of markets: the part fails for want of its markets, not with the exchange's code.
    markets: bool = False

    def fault(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"path": self.path}
        if self.query:
            spec["query"] = self.query
        if self.host:
            spec["host"] = self.host
        return spec

    def name(self) -> str:
        query = ",".join(f"{key}={value}" for key, value in self.query.items())
        return "".join((self.host or "", self.path, f"?{query}" if query else "", f"@{self.label}"))


def load() -> dict[str, object]:
    return {
        info.name: importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    }

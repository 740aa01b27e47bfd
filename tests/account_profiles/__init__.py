"""What each exchange's simulator profiles must show once connected, one module per exchange.

A module ``tests/account_profiles/<exchange>.py`` defines
- ``PROFILES``: profile name -> {optional part key: availability it must end in}; a part not
  listed may say anything, but never fails the connection;
- ``OPTIONAL_PATHS``: API paths (prefixes) of optional parts, aimed at by the "unknown_error"
  fault to prove that an error nobody has seen leaves the connection Connected.
"""

from __future__ import annotations

import importlib
import pkgutil

NOT_OPENED, NO_ACCESS, AVAILABLE = "not_opened", "no_access", "available"


def load() -> dict[str, object]:
    return {
        info.name: importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    }

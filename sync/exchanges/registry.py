"""Our exchange id → its adapter.

Every module of this folder that defines an `ExchangeAdapter` subclass with an `exchange_id`
is found here, so adding an exchange is one new module and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from .base import ExchangeAdapter

_INFRASTRUCTURE = {"base", "client", "errors", "reference", "registry", "urls"}


def _discover() -> dict[str, ExchangeAdapter]:
    found: dict[str, ExchangeAdapter] = {}
    package = __name__.rsplit(".", 1)[0]
    for module_info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module_info.name in _INFRASTRUCTURE:
            continue
        module = importlib.import_module(f"{package}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ExchangeAdapter)
                and "exchange_id" in vars(value)
            ):
                found[value.exchange_id] = value()
    return dict(sorted(found.items()))


ADAPTERS: dict[str, ExchangeAdapter] = _discover()


def adapter_for(exchange_id: str) -> ExchangeAdapter:
    return ADAPTERS[exchange_id]

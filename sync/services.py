"""Sync business rules."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def dispatch_due() -> int:
    """Enqueue every connection whose trades or balances sync is due; returns how many.

    Connections arrive with the credential issue and their schedules with the sync engine, so
    for now there is nothing that can be due.
    """
    return 0

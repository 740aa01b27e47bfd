"""Fixtures of the sync tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def frozen_clock(routed_to_simulator, monkeypatch):
    """Stops the simulator's clock when called, so that the adapter, a plain client and the
    oracle all read one instant; returns it."""
    state = routed_to_simulator.running.state

    def freeze() -> int:
        now_ms = state.now_ms()
        monkeypatch.setattr(state, "now_ms", lambda: now_ms)
        return now_ms

    return freeze

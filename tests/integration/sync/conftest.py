from __future__ import annotations

import pytest

from connections.models import Exchange


@pytest.fixture
def routed_to_simulator(settings, simulator):
    """Send every exchange's traffic to the simulator, as THRIVE_EXCHANGE_URLS does in make dev."""
    settings.THRIVE_EXCHANGE_URLS = {exchange: simulator.base_url for exchange in Exchange.values}
    return simulator

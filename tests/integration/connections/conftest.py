from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from portfolio.services import portfolio_default_ensure
from tests.exchange_keys import secret_of


def form_data(account: dict, **overrides: str) -> dict[str, str]:
    return {
        "exchange": account["exchange"],
        "label": "Main account",
        "api_key": account["api_key"],
        "api_secret": account["secret"],
        "passphrase": account["passphrase"] or "",
        "action": "connect",
        **overrides,
    }


@pytest.fixture
def binance(routed_to_simulator):
    """The simulator's Binance accounts by label."""
    return {item["label"]: item for item in routed_to_simulator.accounts("binance")}


@pytest.fixture
def portfolio(workspace):
    return portfolio_default_ensure(workspace=workspace)


@pytest.fixture
def connected(workspace, owner, portfolio, binance) -> ExchangeConnection:
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main account",
        portfolio=portfolio,
        secret=secret_of(binance["read-only"]),
    )

"""The exchanges' own documented answers, fed to each adapter through the transport, end in
what we store. One suite for every exchange: each folder tests/fixtures/exchanges/<exchange>/
holds the answers (one file per endpoint and case, citing its source) and scenarios.json says
which answers make up an account and what must be stored for it.

No simulator here: nothing answers but the fixtures, and a request without one fails the test,
so the fixtures document every endpoint the adapter calls. A scenario whose `expect` names a
`refused` code is a key the exchange turns away: connecting fails with that code.

A balance is `[account type, asset, total]` in the key's own account, or `[account type, asset,
total, account]` in another one the key reads (a Binance master's sub-account, by its email).
Where `expect` names `prices` ({asset: US dollars}), those are exactly the prices the sync
stored, and each balance carries its asset's price (US dollars their own: 1; others none).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from connections.models import ExchangeConnection
from connections.services import connection_create
from connections.vault import CredentialSecret
from journal.models import Trade
from portfolio.models import AssetPrice, BalanceSnapshot, Position
from portfolio.prices import DOLLAR
from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.exchanges.recording import FIXTURES, FixtureTransport, load_fixtures
from sync.markets import markets_forget
from sync.services import sync_connection

# A scenario may name its "credential" (dummy values in the exchange's key shape; the fixtures
# never check them); GENERATED_PEM stands for a P-256 key made afresh, for exchanges that sign
# with one (Coinbase), so no key material sits in the repository.
DEFAULT_CREDENTIAL = {"api_key": "A" * 64, "secret": "B" * 64}
GENERATED_PEM = "<generated P-256 PEM>"
# The key's own account, as BalanceSnapshot and Position name it.
MAIN = "main"


def credential_of(spec: dict) -> CredentialSecret:
    values = dict(spec.get("credential", DEFAULT_CREDENTIAL))
    for name, value in values.items():
        if value == GENERATED_PEM:
            key = ec.generate_private_key(ec.SECP256R1())
            values[name] = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            ).decode()
    return CredentialSecret(**values)


SCENARIOS = {
    (folder.name, name): spec
    for folder in sorted(FIXTURES.iterdir())
    if (folder / "scenarios.json").exists()
    for name, spec in json.loads((folder / "scenarios.json").read_text()).items()
}
CASES = [case for case, spec in SCENARIOS.items() if "refused" not in spec["expect"]]
REFUSALS = [case for case, spec in SCENARIOS.items() if "refused" in spec["expect"]]


@pytest.fixture
def answered_by(monkeypatch):
    """Route every client of an exchange to a FixtureTransport of the named fixtures."""
    transports: list[FixtureTransport] = []

    def route(exchange: str, names: list[str]) -> list[FixtureTransport]:
        fixtures = load_fixtures(exchange, names)

        def transport_for(route_as: str) -> FixtureTransport:
            transport = FixtureTransport(fixtures)
            transports.append(transport)
            return transport

        monkeypatch.setattr("sync.exchanges.client.transport_for", transport_for)
        return transports

    markets_forget()
    yield route
    markets_forget()


@pytest.mark.parametrize(("exchange", "scenario"), CASES, ids=[f"{e}-{s}" for e, s in CASES])
def test_documented_answers_end_in_what_we_store(
    db, workspace, owner, answered_by, exchange, scenario
):
    spec = SCENARIOS[(exchange, scenario)]
    expect = spec["expect"]
    transports = answered_by(exchange, spec["fixtures"])

    with time_machine.travel(datetime.fromisoformat(spec["now"]), tick=True):
        connection = connection_create(
            workspace=workspace,
            actor=owner,
            exchange=exchange,
            label=scenario,
            portfolio=None,
            secret=credential_of(spec),
            # a key that can withdraw connects only when the person says so, here the scenario
            acknowledge_withdrawals=spec.get("acknowledge_withdrawals", False),
        )
        result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")

    served = [line for transport in transports for line in transport.served]
    unanswered = [line for transport in transports for line in transport.unanswered]
    assert unanswered == [], f"requests without a documented answer; answered: {served}"
    connection.refresh_from_db()
    assert result.status == "succeeded", f"{connection.status_message}; answered: {served}"
    assert connection.access == expect["access"]
    assert connection.status == ExchangeConnection.Status(expect["status"])
    found = {key: entry["availability"] for key, entry in connection.capabilities.items()}
    assert found == expect["capabilities"]
    balances = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    stored = {(row.account, row.account_type, row.asset): row.total for row in balances}
    assert stored == {
        (account, kind, asset): Decimal(total)
        for kind, asset, total, account in ((*row, MAIN)[:4] for row in expect["balances"])
    }
    trades = Trade.objects.filter(connection=connection).order_by("executed_at", "pk")
    assert len(trades) == len(expect["trades"])
    for trade, wanted in zip(trades, expect["trades"], strict=True):
        assert_fields(trade, wanted)
    if "positions" in expect:
        positions = Position.objects.filter(connection=connection, is_latest=True)
        assert len(positions) == len(expect["positions"])
        for position, wanted in zip(
            positions.order_by("account", "market_type", "symbol", "side"),
            expect["positions"],
            strict=True,
        ):
            assert_fields(position, wanted)
    if "prices" in expect:
        named = {asset: Decimal(price) for asset, price in expect["prices"].items()}
        assert dict(AssetPrice.objects.values_list("asset", "price_usd")) == named
        for row in balances:
            wanted = Decimal(1) if row.asset == DOLLAR else named.get(row.asset)
            assert row.price_usd == wanted, f"{row.account} {row.account_type} {row.asset}"


@pytest.mark.parametrize(("exchange", "scenario"), REFUSALS, ids=[f"{e}-{s}" for e, s in REFUSALS])
def test_documented_refusals_turn_the_key_away_with_their_reason(
    db, workspace, owner, answered_by, exchange, scenario
):
    spec = SCENARIOS[(exchange, scenario)]
    transports = answered_by(exchange, spec["fixtures"])

    with (
        time_machine.travel(datetime.fromisoformat(spec["now"]), tick=True),
        pytest.raises(ExchangeCallFailed) as refused,
    ):
        connection_create(
            workspace=workspace,
            actor=owner,
            exchange=exchange,
            label=scenario,
            portfolio=None,
            secret=credential_of(spec),
        )

    served = [line for transport in transports for line in transport.served]
    unanswered = [line for transport in transports for line in transport.unanswered]
    assert unanswered == [], f"requests without a documented answer; answered: {served}"
    assert refused.value.failure.code == ErrorCode(spec["expect"]["refused"])
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()


def assert_fields(row, wanted: dict) -> None:
    """Each field named in ``wanted`` as stored: Decimals to the last decimal place."""
    for name, value in wanted.items():
        got = getattr(row, name)
        if isinstance(got, Decimal):
            assert got == Decimal(value), name
        elif isinstance(got, datetime):
            assert got == datetime.fromisoformat(value), name
        else:
            assert got == value, name

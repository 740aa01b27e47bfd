"""Accounts as people really have them, on every exchange: connected through the form, synced,
and judged only by their core (spot). One suite, parameterized by exchange and profile.

Each exchange lists, in tests/account_profiles/<exchange>.py, the simulator profiles it has and
what the connection page must then say of the optional parts, and every request its optional
parts send, which the unseen-error cases aim a fault at.
"""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection
from connections.services import connection_create
from journal.models import Trade
from sync.exchanges.bitget import limits as bitget_limits
from sync.markets import markets_forget
from sync.models import SyncRun
from sync.selectors import account_parts_in_words
from sync.services import sync_connection
from tests import account_profiles
from tests.account_profiles import AVAILABLE, FAILED
from tests.exchange_keys import secret_of
from tests.factories import MembershipFactory
from tests.integration.connections.conftest import form_data
from thrive.models import Membership, Workspace

ADD = "/settings/connections/add/"
EXCHANGES = account_profiles.load()
PROFILES = {name: module.PROFILES for name, module in EXCHANGES.items()}
OPTIONAL_STREAMS = {name: module.OPTIONAL_STREAMS for name, module in EXCHANGES.items()}
UNSEEN_CODES = {name: module.UNSEEN_CODE for name, module in EXCHANGES.items()}
CASES = [(exchange, profile) for exchange, profiles in PROFILES.items() for profile in profiles]
AIMS = [(exchange, aim) for exchange, aims in OPTIONAL_STREAMS.items() for aim in aims]


def connect(client, simulator, exchange: str, label: str) -> ExchangeConnection:
    account = simulator.account(exchange, label)
    response = client.post(ADD, form_data(account, label=label))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ExchangeConnection.objects.get(label=label, exchange=exchange)


def spot_fills(simulator, account: dict) -> int:
    return sum(
        1 for fill in simulator.ground_truth(account["api_key"]) if fill["market_type"] == "spot"
    )


@pytest.mark.parametrize(("exchange", "profile"), CASES, ids=[f"{e}-{p}" for e, p in CASES])
def test_each_profile_connects_imports_its_spot_trades_and_names_what_is_missing(
    routed_to_simulator, owner_client, exchange, profile
):
    account = routed_to_simulator.account(exchange, profile)
    connection = connect(owner_client, routed_to_simulator, exchange, profile)
    assert connection.access in {"read_only", "unverifiable"}

    result = sync_connection(connection_id=connection.pk, kind="initial", trigger="initial")

    connection.refresh_from_db()
    assert result.status == "succeeded", SyncRun.objects.get(pk=result.run_id).message
    assert connection.status == ExchangeConnection.Status.CONNECTED
    spot = Trade.objects.filter(connection=connection, market_type="spot").count()
    assert spot == spot_fills(routed_to_simulator, account)
    found = {key: entry["availability"] for key, entry in connection.capabilities.items()}
    for part, availability in PROFILES[exchange][profile].items():
        assert found.get(part) == availability, (part, found)
    parts = account_parts_in_words(connection=connection)
    assert parts.readable[0] == "Spot"
    assert len(parts.missing) == sum(1 for a in found.values() if a != AVAILABLE)
    page = owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()
    for sentence in parts.sentences:
        assert sentence.replace("&", "&amp;") in page


# A trade as the journal keeps it: which market, and the exchange's own id.
TradeKey = tuple[str, str, str]
# What a sync without any fault imports, by (exchange, label, fills the account has): the
# accounts are the simulator's, the same in every test until fills are added to them.
_UNFAULTED: dict[tuple[str, str, int], frozenset[TradeKey]] = {}


def trades_of(connection: ExchangeConnection) -> frozenset[TradeKey]:
    rows = Trade.objects.filter(connection=connection)
    return frozenset(rows.values_list("market_type", "symbol", "exchange_trade_id"))


def trades_without_faults(simulator, exchange: str, label: str) -> frozenset[TradeKey]:
    """Every trade a sync of the account imports when nothing fails, read once through a
    connection of its own in another workspace."""
    account = simulator.account(exchange, label)
    key = (exchange, label, len(simulator.ground_truth(account["api_key"])))
    if key not in _UNFAULTED:
        owner = MembershipFactory(role=Membership.Role.OWNER, workspace__plan=Workspace.Plan.PRO)
        connection = connection_create(
            workspace=owner.workspace,
            actor=owner.user,
            exchange=exchange,
            label=f"{label} without faults",
            portfolio=None,
            secret=secret_of(account),
        )
        result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
        assert result.status == "succeeded"
        _UNFAULTED[key] = trades_of(connection)
    return _UNFAULTED[key]


def spot(trades: frozenset[TradeKey]) -> frozenset[TradeKey]:
    return frozenset(trade for trade in trades if trade[0] == "spot")


@pytest.fixture
def unthrottled(routed_to_simulator, monkeypatch):
    """Syncs send pages back to back: the faults alone are under test, not per-second limits
    (nor Bitget's pacing to them, tests/integration/sync/test_real_rate_limits.py)."""
    routed_to_simulator.ok("POST", "/config", {"rate_limit_scale": 0})
    monkeypatch.setattr(bitget_limits, "WINDOW_S", 0)
    return routed_to_simulator


def sync_under_faults(client, simulator, exchange: str, label: str, aims) -> SyncRun:
    """Connect through the form and run a full sync with every aimed request answering an
    error code nobody has seen, from the connect-time check on; markets are loaded afresh so
    that the faults reach the market lists too."""
    markets_forget()
    for aim in aims:
        simulator.add_fault("unknown_error", exchange=exchange, **aim.fault())
    connection = connect(client, simulator, exchange, label)
    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
    run = SyncRun.objects.get(pk=result.run_id)
    assert result.status == "succeeded", run.message
    connection.refresh_from_db()
    assert connection.status == ExchangeConnection.Status.CONNECTED
    return run


@pytest.mark.parametrize(("exchange", "aim"), AIMS, ids=[f"{e}-{a.name()}" for e, a in AIMS])
def test_an_unseen_error_on_each_optional_stream_leaves_the_core_whole_and_names_the_part(
    unthrottled, owner_client, exchange, aim
):
    expected = trades_without_faults(unthrottled, exchange, aim.label)

    run = sync_under_faults(owner_client, unthrottled, exchange, aim.label, [aim])

    (fault,) = unthrottled.ok("GET", "/faults")
    assert fault["matched_requests"], "the sync never sent these requests"
    imported = trades_of(run.connection)
    assert spot(imported) == spot(expected)
    # nothing stored as what it is not (a futures fill as a spot one)
    assert imported <= expected
    if aim.part is None:
        assert imported == expected
        assert all(entry["availability"] != FAILED for entry in run.parts.values()), run.parts
        return
    entry = run.parts[aim.part]
    assert entry["availability"] == aim.recorded, run.parts
    if not aim.markets:
        assert entry["exchange_code"] == UNSEEN_CODES[exchange], run.parts


@pytest.mark.parametrize("label", ["demo", "spot-only"])
@pytest.mark.parametrize("exchange", sorted(OPTIONAL_STREAMS))
def test_an_unseen_error_on_every_optional_stream_at_once_leaves_the_connection_connected(
    unthrottled, owner_client, exchange, label
):
    expected = trades_without_faults(unthrottled, exchange, label)
    aims = [aim for aim in OPTIONAL_STREAMS[exchange] if aim.label in {"demo", label}]

    run = sync_under_faults(owner_client, unthrottled, exchange, label, aims)

    imported = trades_of(run.connection)
    assert spot(imported) == spot(expected) and imported <= expected
    failed = [entry for entry in run.parts.values() if entry["availability"] != AVAILABLE]
    assert any(entry["exchange_code"] == UNSEEN_CODES[exchange] for entry in failed), run.parts

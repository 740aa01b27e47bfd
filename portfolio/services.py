"""Writes for portfolios, balances and positions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from connections.models import ExchangeConnection
from sync.exchanges.records import BalanceRecord, PositionRecord
from thrive.models import Workspace

from .models import BalanceSnapshot, Portfolio, Position

DEFAULT_NAME = "Main portfolio"


def portfolio_default_ensure(*, workspace: Workspace) -> Portfolio:
    """The workspace's default portfolio, created on first need."""
    portfolio, _ = Portfolio.objects.get_or_create(
        workspace=workspace, is_default=True, defaults={"name": DEFAULT_NAME}
    )
    return portfolio


@transaction.atomic
def snapshot_record(
    *,
    connection: ExchangeConnection,
    balances: Sequence[BalanceRecord] | None,
    positions: Sequence[PositionRecord] | None,
    as_of: datetime,
    prices: Mapping[str, Decimal] | None = None,
) -> None:
    """Replace the connection's latest balances and positions; the previous ones stay as
    history. None means "not read this time": the latest ones stay the latest. Each balance
    keeps its dollar price and value at `as_of` where `prices` has one."""
    common = {
        "workspace_id": connection.workspace_id,
        "portfolio_id": connection.portfolio_id,
        "connection": connection,
        "as_of": as_of,
        "is_latest": True,
    }
    if balances is not None:
        _balances_record(balances, common, prices or {})
    if positions is not None:
        _positions_record(positions, common)


def _balances_record(
    balances: Sequence[BalanceRecord], common: dict[str, Any], prices: Mapping[str, Decimal]
) -> None:
    connection = common["connection"]
    BalanceSnapshot.objects.filter(connection=connection, is_latest=True).update(is_latest=False)
    BalanceSnapshot.objects.bulk_create(
        BalanceSnapshot(
            account=b.account,
            account_type=b.account_type,
            asset=b.asset,
            free=b.free,
            used=b.used,
            total=b.total,
            price_usd=prices.get(b.asset),
            value_usd=None if b.asset not in prices else b.total * prices[b.asset],
            **common,
        )
        for b in balances
    )


def _positions_record(positions: Sequence[PositionRecord], common: dict[str, Any]) -> None:
    connection = common["connection"]
    Position.objects.filter(connection=connection, is_latest=True).update(is_latest=False)
    Position.objects.bulk_create(
        Position(
            account=p.account,
            market_type=p.market_type,
            symbol=p.symbol,
            side=p.side,
            contracts=p.contracts,
            contract_size=p.contract_size,
            entry_price=p.entry_price,
            mark_price=p.mark_price,
            notional=p.notional,
            unrealized_pnl=p.unrealized_pnl,
            leverage=p.leverage,
            liquidation_price=p.liquidation_price,
            margin_mode=p.margin_mode,
            **common,
        )
        for p in positions
    )

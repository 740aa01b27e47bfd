"""Writes for portfolios, balances and positions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from connections.models import ExchangeConnection
from sync.exchanges.records import BalanceRecord, PositionRecord
from thrive.models import Workspace

from .models import BalanceReading, BalanceSnapshot, Portfolio, Position

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
        values = [b.total * prices[b.asset] for b in balances if prices and b.asset in prices]
        BalanceReading.objects.create(
            workspace_id=connection.workspace_id,
            portfolio_id=connection.portfolio_id,
            connection=connection,
            as_of=as_of,
            value_usd=sum(values, Decimal(0)) if values else None,
        )
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


class PortfolioRefused(Exception):
    """A rule said no; the message is a sentence for the person, `field` the input it is about."""

    def __init__(self, message: str, *, field: str | None = "name") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


NAME_MAX_LENGTH = Portfolio._meta.get_field("name").max_length or 80


def _name_check(*, workspace: Workspace, name: str, exclude_pk: int | None = None) -> str:
    """The name as stored (inner runs of whitespace made one space), or PortfolioRefused.

    Compared without regard to case: “Long term” and “long term” side by side in a switcher
    would be two portfolios nobody can tell apart.
    """
    name = " ".join(name.split())
    if not name:
        raise PortfolioRefused("Give the portfolio a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise PortfolioRefused(
            f"A portfolio name has at most {NAME_MAX_LENGTH} characters; this one has "
            f"{len(name)}. Shorten it."
        )
    clash = (
        Portfolio.objects.for_workspace(workspace)
        .filter(name__iexact=name)
        .exclude(pk=exclude_pk)
        .first()
    )
    if clash is not None:
        raise _name_taken(clash)
    return name


def _name_taken(clash: Portfolio) -> PortfolioRefused:
    if clash.archived_at is not None:
        return PortfolioRefused(
            f"An archived portfolio is already called “{clash.name}”. Unarchive it, or choose "
            "another name."
        )
    return PortfolioRefused(
        f"There is already a portfolio called “{clash.name}” here. Choose another name."
    )


def portfolio_create(*, workspace: Workspace, name: str) -> Portfolio:
    name = _name_check(workspace=workspace, name=name)
    try:
        with transaction.atomic():
            return Portfolio.objects.create(workspace=workspace, name=name)
    except IntegrityError:
        # The same name was created meanwhile (two tabs, two people): the constraint held.
        raise _name_taken(Portfolio(name=name)) from None


def portfolio_rename(*, portfolio: Portfolio, name: str) -> Portfolio:
    name = _name_check(workspace=portfolio.workspace, name=name, exclude_pk=portfolio.pk)
    if name == portfolio.name:
        return portfolio
    portfolio.name = name
    try:
        with transaction.atomic():
            portfolio.save(update_fields=["name"])
    except IntegrityError:
        raise _name_taken(Portfolio(name=name)) from None
    return portfolio


@transaction.atomic
def portfolio_archive(*, portfolio: Portfolio) -> Portfolio:
    """Take the portfolio out of the switcher and the choices; its history stays.

    Refused for the default portfolio (connections and entries land there when no other is
    chosen) and for one that live connections still feed. The row is locked, and a move into
    it (connections.services.connection_portfolio_move) locks it too: a connection cannot
    slip in between the check and the archive.
    """
    locked = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
    if locked.is_default:
        raise PortfolioRefused(
            f"“{locked.name}” is the default portfolio: connections and entries go there when "
            "no other is chosen, so it cannot be archived.",
            field=None,
        )
    live = list(
        ExchangeConnection.objects.filter(portfolio=locked).exclude(
            status=ExchangeConnection.Status.DISCONNECTED
        )
    )
    if live:
        names = ", ".join(str(connection) for connection in live)
        several = len(live) != 1
        raise PortfolioRefused(
            f"“{locked.name}” still feeds {len(live)} live connection{'s' if several else ''}: "
            f"{names}. Move {'them' if several else 'it'} to another portfolio from the "
            "connection's page, or disconnect, then archive.",
            field=None,
        )
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
    return locked


def portfolio_unarchive(*, portfolio: Portfolio) -> Portfolio:
    if portfolio.archived_at is not None:
        portfolio.archived_at = None
        portfolio.save(update_fields=["archived_at"])
    return portfolio


def portfolio_discard(*, portfolio: Portfolio) -> bool:
    """Delete a portfolio nothing uses yet: the add form's new one, when the connect failed.

    One that anything already points to stays (connections, trades, entries and imports
    protect it; balances and positions are checked, as they would go with it). True if deleted.
    """
    if portfolio.is_default or any(
        model.objects.filter(portfolio=portfolio).exists() for model in (BalanceSnapshot, Position)
    ):
        return False
    try:
        with transaction.atomic():
            Portfolio.objects.filter(pk=portfolio.pk).delete()
    except ProtectedError:
        return False
    return True

"""Reads for portfolios, always within one workspace."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection as db
from django.db.models import Case, Count, DateTimeField, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Trunc

from connections.models import ExchangeConnection
from thrive.models import Workspace

from .holdings import Price
from .models import AssetPrice, BalanceReading, BalanceSnapshot, Portfolio, Position


def portfolio_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    return Portfolio.objects.for_workspace(workspace)


# -- the holdings page ---------------------------------------------------------------------------


def holdings_connections(*, workspace: Workspace | None) -> dict[int, ExchangeConnection]:
    """Every connection of the workspace, live or not, by id: what the page says of each."""
    connections = ExchangeConnection.objects.for_workspace(workspace).only(
        "workspace_id",
        "portfolio_id",
        "exchange",
        "label",
        "status",
        "last_balances_sync_at",
        "disconnected_at",
    )
    return {connection.pk: connection for connection in connections}


def _latest_balances(
    workspace: Workspace | None,
    portfolio: Portfolio | None,
    connections: Collection[int],
    orphans: bool,
) -> QuerySet[BalanceSnapshot]:
    """The latest rows of these connections (and, asked, of none). Naming the connections
    lets the (connection, is_latest) index find them: the history beside them grows hourly."""
    where = Q(connection_id__in=connections)
    if orphans:
        where |= Q(connection__isnull=True)
    rows = BalanceSnapshot.objects.for_workspace(workspace).filter(where, is_latest=True)
    return rows if portfolio is None else rows.filter(portfolio=portfolio)


def holdings_totals(
    *,
    workspace: Workspace | None,
    portfolio: Portfolio | None,
    connections: Collection[int],
    orphans: bool,
    marked: Collection[int],
) -> list[dict[str, Any]]:
    """The latest balances summed per asset in the database: quantity, the borrowed part, the
    oldest read, and how many rows come from a `marked` connection (or none)."""
    from_marked = Q(connection_id__in=marked) | Q(connection__isnull=True)
    return list(
        _latest_balances(workspace, portfolio, connections, orphans)
        .order_by()
        .values("asset")
        .annotate(
            quantity=Sum("total"),
            borrowed=Sum("total", filter=Q(total__lt=0)),
            oldest=Min("as_of"),
            marked=Count("pk", filter=from_marked),
        )
    )


def holdings_exchange_quantities(
    *,
    workspace: Workspace | None,
    portfolio: Portfolio | None,
    connections: Collection[int],
    orphans: bool,
) -> list[tuple[str | None, str, Decimal]]:
    """(exchange, asset, quantity) of the latest balances: the allocation by exchange."""
    return list(
        _latest_balances(workspace, portfolio, connections, orphans)
        .order_by()
        .values_list("connection__exchange", "asset")
        .annotate(quantity=Sum("total"))
    )


_ROW = ("connection_id", "account", "account_type", "asset", "total", "as_of")


def holdings_placement_rows(
    *,
    workspace: Workspace | None,
    portfolio: Portfolio | None,
    asset: str,
    connections: Collection[int],
    orphans: bool,
) -> list[dict[str, Any]]:
    """Where an asset sits: its latest rows of these connections (and, asked, of none)."""
    rows = _latest_balances(workspace, portfolio, connections, orphans)
    return list(rows.filter(asset=asset).order_by().values(*_ROW))


def holdings_left_out_rows(
    *, workspace: Workspace | None, portfolio: Portfolio | None, connections: Collection[int]
) -> list[dict[str, Any]]:
    """The latest rows of connections that are not up to date, and of none."""
    rows = _latest_balances(workspace, portfolio, connections, orphans=True)
    return list(rows.order_by("connection_id", "account_type", "asset").values(*_ROW))


def holdings_position_list(
    *, workspace: Workspace | None, portfolio: Portfolio | None
) -> list[Position]:
    positions = Position.objects.for_workspace(workspace).filter(is_latest=True)
    if portfolio is not None:
        positions = positions.filter(portfolio=portfolio)
    return list(positions.order_by("symbol", "pk"))


def asset_prices(assets: Iterable[str]) -> dict[str, Price]:
    """Today's dollar price of each asset that has one (market data, shared by workspaces)."""
    return {
        asset: Price(price, change, as_of, source)
        for asset, price, change, as_of, source in AssetPrice.objects.filter(
            asset__in=set(assets)
        ).values_list("asset", "price_usd", "change_24h_pct", "as_of", "source")
    }


# Readings before the range all fall in one bucket; the last of them carries into the range.
_BEFORE = datetime(1970, 1, 1, tzinfo=UTC)


def net_value_first_read(
    *, workspace: Workspace | None, portfolio: Portfolio | None
) -> datetime | None:
    rows = BalanceReading.objects.for_workspace(workspace)
    if portfolio is not None:
        rows = rows.filter(portfolio=portfolio)
    return rows.aggregate(first=Min("as_of"))["first"]


def net_value_readings(
    *,
    workspace: Workspace | None,
    portfolio: Portfolio | None,
    since: datetime,
    until: datetime,
    kind: str,
) -> list[tuple[int, datetime, Any]]:
    """(connection id, bucket start, dollar value) of each connection's last reading in each
    bucket (a Trunc kind) from `since`, and of its last reading before it (bucket _BEFORE).

    A reading is one balance sync of one connection (BalanceReading): its balances read with
    a price, summed when written. One query: the last reading of each bucket picked by a
    window, over readings (a few per connection a day), never over every balance row.
    """
    rows = BalanceReading.objects.for_workspace(workspace).filter(as_of__lte=until)
    if portfolio is not None:
        rows = rows.filter(portfolio=portfolio)
    bucket = Case(
        When(as_of__lt=since, then=Value(_BEFORE)),
        default=Trunc("as_of", kind, tzinfo=UTC),
        output_field=DateTimeField(),
    )
    grouped = (
        rows.order_by()
        .values("connection_id", "as_of")
        .annotate(value=F("value_usd"), bucket=bucket)
    )
    # The ORM puts a window over an aggregate into the GROUP BY, which the databases refuse:
    # the window runs over the ORM's own grouped query instead (its SQL and parameters).
    sql, params = grouped.query.sql_with_params()
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT connection_id, bucket, value FROM ("  # noqa: S608 - the ORM's SQL
            " SELECT connection_id, bucket, value, as_of,"
            " MAX(as_of) OVER (PARTITION BY connection_id, bucket) AS last_read"
            f" FROM ({sql}) readings) windowed WHERE as_of = last_read",
            params,
        )
        return [(cid, _moment(at), _decimal(value)) for cid, at, value in cursor.fetchall()]


def _moment(value: datetime | str) -> datetime:
    """SQLite answers a computed time as text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _decimal(value: Any) -> Decimal | None:
    """PostgreSQL answers a Decimal, SQLite a float or text."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def portfolio_active_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    """The portfolios a connection may feed and the switcher offers: not the archived ones."""
    return portfolio_list(workspace=workspace).filter(archived_at__isnull=True)


def portfolio_overview_list(*, workspace: Workspace | None) -> QuerySet[Portfolio]:
    """Every portfolio with how many live connections feed it (`live_connections`), one query."""
    live = ~Q(connections__status=ExchangeConnection.Status.DISCONNECTED)
    return portfolio_list(workspace=workspace).annotate(
        live_connections=Count("connections", filter=live)
    )


def portfolio_switcher(
    *, workspace: Workspace | None, current_public_id: uuid.UUID | str | None
) -> dict[str, Any]:
    """The context of templates/_portfolio_switcher.html.

    `switcher_portfolios`: all of them, in order (the template leaves out the archived ones but
    the current); `switcher_current`: the one `?portfolio=` names, or None for "All portfolios"
    (also when the id is not one of this workspace's).
    """
    portfolios = list(portfolio_list(workspace=workspace))
    try:
        wanted = uuid.UUID(str(current_public_id)) if current_public_id else None
    except ValueError:
        wanted = None
    current = next((p for p in portfolios if p.public_id == wanted), None)
    return {"switcher_portfolios": portfolios, "switcher_current": current}

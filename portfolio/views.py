from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from thrive.decorators import workspace_required

from .charts import bar_chart, donut_chart, line_chart
from .holdings import (
    CURRENCY,
    DEFAULT_RANGE,
    DISCONNECTED,
    RANGES,
    Placement,
    all_time_bucket,
    bucket_starts,
    holdings_value,
    placements_of,
    positions_summary,
    series_points,
    settle_of,
    standings_of,
)
from .models import Portfolio
from .selectors import (
    asset_prices,
    holdings_connections,
    holdings_exchange_quantities,
    holdings_left_out_rows,
    holdings_placement_rows,
    holdings_position_list,
    holdings_totals,
    net_value_first_read,
    net_value_readings,
    portfolio_switcher,
)

INCLUDE_STALE = "stale"


@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    """Holdings per asset at today's prices, open positions, and net value over time.

    ?portfolio=<public_id> narrows it to one portfolio (all of them by default, archived ones
    too: their history is still the workspace's money); ?include=stale counts the figures of
    connections that are not up to date; ?range= picks the net-value chart's span; ?open=<asset>
    shows where an asset sits without JavaScript (htmx asks ?asset=<asset> for just its rows).
    """
    workspace = request.workspace
    now = timezone.now()
    wanted = request.GET.get("portfolio", "")
    switcher = portfolio_switcher(workspace=workspace, current_public_id=wanted)
    portfolio = switcher["switcher_current"]
    if wanted and portfolio is None:
        raise Http404("No such portfolio.")  # another workspace's, or no id at all
    include_stale = request.GET.get("include") == INCLUDE_STALE
    connections = holdings_connections(workspace=workspace)
    standings = standings_of(connections, now=now)
    scope = {"workspace": workspace, "portfolio": portfolio}
    stale = set(standings)
    counted = {
        "connections": set(connections) if include_stale else set(connections) - stale,
        "orphans": include_stale,  # rows whose connection was deleted
    }
    if request.htmx and request.GET.get("asset"):
        return render(
            request,
            "portfolio/_placements.html",
            {
                "placements": _placements(
                    request.GET["asset"], scope, counted, connections, standings
                ),
                "currency": CURRENCY,
            },
        )
    range_key = request.GET.get("range", DEFAULT_RANGE)
    range_unknown = range_key not in RANGES
    chosen_range = RANGES[DEFAULT_RANGE if range_unknown else range_key]

    totals = holdings_totals(**scope, **counted, marked=stale)
    positions = holdings_position_list(**scope)
    left_rows = [] if include_stale else holdings_left_out_rows(**scope, connections=stale)
    assets = {row["asset"] for row in totals} | {row["asset"] for row in left_rows}
    prices = asset_prices(assets | {settle_of(p.symbol) for p in positions})
    holdings = holdings_value(
        totals=totals,
        exchange_quantities=holdings_exchange_quantities(**scope, **counted),
        prices=prices,
    )
    open_positions = positions_summary(
        positions=positions,
        connections=connections,
        standings=standings,
        prices=prices,
        include_stale=include_stale,
    )
    opened = request.GET.get("open", "")
    for holding in holdings.assets:
        holding.is_open = holding.asset == opened
    query = _with(request.GET, "range", None) if range_unknown else request.GET.copy()
    series = _series(workspace, portfolio, chosen_range, connections, now)
    left_out = (
        placements_of(left_rows, connections=connections, standings=standings, prices=prices)
        + open_positions.left_out
    )
    context = {
        **switcher,
        "portfolio": portfolio,
        "currency": CURRENCY,
        "holdings": holdings,
        "opened": opened,
        "opened_placements": (
            _placements(opened, scope, counted, connections, standings, prices) if opened else []
        ),
        "close_url": _url(request.path, _with(query, "open", None)),
        "open_prefix": _prefix(request.path, _with(query, "open", None), "open"),
        "rows_prefix": _prefix(
            request.path, _with(_with(query, "open", None), "range", None), "asset"
        ),
        "positions": open_positions,
        "include_stale": include_stale,
        "marked": [
            (connections[pk], standing)
            for pk, standing in standings.items()
            if include_stale and (portfolio is None or connections[pk].portfolio_id == portfolio.pk)
        ],
        "failing": [row for row in left_out if row.standing.kind != DISCONNECTED],
        "disconnected": [row for row in left_out if row.standing.kind == DISCONNECTED],
        "stale_url": _url(
            request.path, _with(query, "include", None if include_stale else "stale")
        ),
        "range": chosen_range,
        "range_unknown": range_key if range_unknown else "",
        "ranges": [(r, _url(request.path, _with(query, "range", r.key))) for r in RANGES.values()],
        "series": series,
        "net_value_chart": line_chart(series, title="Net value", unit=CURRENCY),
        "asset_chart": donut_chart(
            [(h.asset, h.value) for h in holdings.assets if h.value is not None],
            title="By asset",
        ),
        "exchange_chart": bar_chart(holdings.by_exchange, title="By exchange", unit=CURRENCY),
        "has_anything": bool(totals or left_rows or positions or series),
    }
    return render(request, "portfolio/index.html", context)


def _placements(asset: str, scope, counted, connections, standings, prices=None) -> list[Placement]:
    """Where an asset sits: its counted balance rows."""
    rows = holdings_placement_rows(**scope, asset=asset, **counted)
    return placements_of(
        rows,
        connections=connections,
        standings=standings,
        prices=prices if prices is not None else asset_prices({asset}),
    )


def _series(workspace, portfolio: Portfolio | None, chosen, connections, now):
    """Net value at the end of each bucket of the range, from the stored snapshot values."""
    kind = chosen.bucket
    if chosen.span is None:
        first = net_value_first_read(workspace=workspace, portfolio=portfolio)
        if first is None:
            return []
        kind = all_time_bucket(first, now)
    else:
        first = now - chosen.span
    starts = bucket_starts(first, now, kind)
    readings = net_value_readings(
        workspace=workspace, portfolio=portfolio, since=starts[0], until=now, kind=kind
    )
    stops = {
        pk: c.disconnected_at
        for pk, c in connections.items()
        if c.is_disconnected and c.disconnected_at is not None
    }
    return series_points(readings=readings, starts=starts, kind=kind, now=now, stops=stops)


def _with(query: QueryDict, name: str, value: str | None) -> QueryDict:
    changed = query.copy()
    changed.pop(name, None)
    if value is not None:
        changed[name] = value
    return changed


def _url(path: str, query: QueryDict) -> str:
    return f"{path}?{query.urlencode()}" if query else path


def _prefix(path: str, query: QueryDict, name: str) -> str:
    """A URL that a value completes: /portfolio/?range=day&open= ."""
    return f"{path}?{query.urlencode()}&{name}=" if query else f"{path}?{name}="

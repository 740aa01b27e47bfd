"""Analytics (issue 12): /analytics/?portfolio=<public_id>&from=YYYY-MM-DD&to=YYYY-MM-DD."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from journal.selectors import portfolio_get
from thrive.decorators import workspace_required

from .analytics.figures import page_build
from .analytics.forms import DEFAULT_DAYS, AnalyticsForm
from .analytics.selectors import analytics_get
from .selectors import portfolio_switcher

PRESETS = ((30, "30 days"), (90, "90 days"), (DEFAULT_DAYS, "365 days"))


@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.now().date()  # UTC: the page's days are UTC days
    form = AnalyticsForm(request.GET, today=today)
    values = form.values()
    portfolio = None
    if values["portfolio"]:
        try:
            uuid.UUID(values["portfolio"])
        except ValueError:
            raise Http404("No such portfolio.") from None
        # Another workspace's portfolio answers exactly like a missing one.
        portfolio = portfolio_get(workspace=request.workspace, public_id=values["portfolio"])
    analytics = analytics_get(
        workspace=request.workspace,
        portfolio=portfolio,
        date_from=values["from"],
        date_to=values["to"],
    )
    presets = []
    for days, label in PRESETS:
        start = today - timedelta(days=days - 1)
        query = request.GET.copy()
        query["from"], query["to"] = start.isoformat(), today.isoformat()
        chosen = (values["from"], values["to"]) == (start, today)
        presets.append((label, f"?{query.urlencode()}", chosen))
    return render(
        request,
        "analytics/index.html",
        {
            "page": page_build(analytics),
            "behind": analytics.behind,
            "behind_since": analytics.behind_since,
            "portfolio": portfolio,
            "date_from": values["from"],
            "date_to": values["to"],
            "problems": form.problems(),
            "presets": presets,
            **portfolio_switcher(
                workspace=request.workspace,
                current_public_id=portfolio.public_id if portfolio else None,
            ),
        },
    )

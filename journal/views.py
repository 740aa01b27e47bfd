from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from thrive.decorators import workspace_required

from .selectors import trade_list

PAGE_SIZE = 50


@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    trades = trade_list(workspace=request.workspace)
    page = Paginator(trades, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "journal/index.html", {"page": page, "trade_count": page.paginator.count}
    )

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from thrive.decorators import workspace_required

from .selectors import balance_list, position_list


@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portfolio/index.html",
        {
            "balances": list(balance_list(workspace=request.workspace)),
            "positions": list(position_list(workspace=request.workspace)),
            "earlier_balances": list(balance_list(workspace=request.workspace, disconnected=True)),
            "earlier_positions": list(
                position_list(workspace=request.workspace, disconnected=True)
            ),
        },
    )

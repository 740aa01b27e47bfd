from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from thrive.decorators import workspace_required


@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/index.html")

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from thrive.decorators import workspace_required


@never_cache
@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "connections/index.html")

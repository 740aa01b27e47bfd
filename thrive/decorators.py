"""View decorators for pages that live inside a workspace."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def workspace_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and inside a workspace; someone with none is told so instead of seeing a 500."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "workspace", None) is None:
            return render(request, "thrive/no_workspace.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper

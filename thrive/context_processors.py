from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .tenancy import workspaces_of


def workspaces(request: HttpRequest) -> dict[str, Any]:
    """The current workspace and, for the switcher, the others this person belongs to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "workspace": getattr(request, "workspace", None),
        "user_workspaces": list(workspaces_of(user)),
    }

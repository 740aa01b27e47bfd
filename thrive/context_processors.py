from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest

from .roles import is_manager_role
from .tenancy import workspaces_of


def workspaces(request: HttpRequest) -> dict[str, Any]:
    """The current workspace, the others this person belongs to (for the switcher), and
    `can_manage`: whether they are an owner or admin here, so pages hide what they may not do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    workspace = getattr(request, "workspace", None)
    # The role rides along on the switcher's query (the join on this user's memberships is
    # the one workspaces_of filters on): no extra query on every page.
    user_workspaces = list(workspaces_of(user).annotate(my_role=F("memberships__role")))
    role = next((ws.my_role for ws in user_workspaces if ws == workspace), None)
    return {
        "workspace": workspace,
        "user_workspaces": user_workspaces,
        "can_manage": is_manager_role(role),
    }

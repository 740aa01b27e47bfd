"""Who may do what inside a workspace.

Owners and admins add, replace and disconnect connections, invite people, change roles and the
plan; members see everything and may press Sync now. Owners differ from admins only in that
they alone make or unmake owners (thrive/services.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Membership, User, Workspace
from .selectors import membership_role, owner_emails

MANAGER_ROLES = frozenset({Membership.Role.OWNER, Membership.Role.ADMIN})


def is_manager_role(role: str | None) -> bool:
    return role in MANAGER_ROLES


def can_manage_connections(user: User, workspace: Workspace) -> bool:
    """Add, replace and disconnect connections: owners and admins."""
    return is_manager_role(membership_role(user=user, workspace=workspace))


def can_manage_workspace(user: User, workspace: Workspace) -> bool:
    """Invite people, change roles, change the plan: owners and admins."""
    return is_manager_role(membership_role(user=user, workspace=workspace))


def _can_manage(request: HttpRequest) -> bool:
    # Today both permissions are the same pair of roles; one check guards both kinds of view.
    workspace = request.workspace  # type: ignore[attr-defined]
    return can_manage_connections(request.user, workspace)  # type: ignore[arg-type]


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """403 with a page that says whom to ask; goes inside `workspace_required`, which has
    already made sure there is a signed-in user and a `request.workspace`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _can_manage(request):
            workspace = request.workspace  # type: ignore[attr-defined]
            context = {"owner_emails": owner_emails(workspace=workspace)}
            return render(request, "thrive/not_allowed.html", context, status=403)
        return view(request, *args, **kwargs)

    return wrapper

"""Tenancy primitives: every tenant-owned row carries a workspace, and every read names one.

`request.workspace` is resolved here from the signed-in user's memberships and the workspace
they last chose (kept in the session). A later step adds PostgreSQL row-level security: that
would set a transaction-local `app.workspace_id` where `request.workspace` is set below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .models import Workspace

SESSION_KEY = "workspace_id"


class TenantQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace | None) -> TenantQuerySet:
        """Rows of this workspace only; no workspace means no rows, never all of them."""
        if workspace is None:
            return self.none()
        return self.filter(workspace=workspace)


def workspaces_of(user: Any) -> models.QuerySet[Workspace]:
    from .models import Workspace

    if not getattr(user, "is_authenticated", False):
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).order_by("name", "pk")


def resolve_workspace(request: HttpRequest) -> Workspace | None:
    """The workspace chosen in this session if the user still belongs to it, else their first."""
    workspaces = workspaces_of(request.user)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen is not None:
        workspace = workspaces.filter(pk=chosen).first()
        if workspace is not None:
            return workspace
    return workspaces.first()


def choose_workspace(request: HttpRequest, workspace: Workspace) -> None:
    request.session[SESSION_KEY] = workspace.pk
    request.workspace = workspace  # type: ignore[attr-defined]


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = resolve_workspace(request)  # type: ignore[attr-defined]
        return self.get_response(request)

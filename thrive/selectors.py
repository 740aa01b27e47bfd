"""Reads for accounts and workspaces."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Membership, User, Workspace
from .tenancy import workspaces_of


def workspace_list(*, user: User) -> QuerySet[Workspace]:
    return workspaces_of(user)


def workspace_get(*, user: User, slug: str) -> Workspace:
    """A workspace the user belongs to; any other answers the same 404 as a missing one."""
    workspace = workspaces_of(user).filter(slug=slug).first()
    if workspace is None:
        raise Http404("No such workspace.")
    return workspace


def membership_role(*, user: User, workspace: Workspace) -> str | None:
    return (
        Membership.objects.for_workspace(workspace)
        .filter(user=user)
        .values_list("role", flat=True)
        .first()
    )

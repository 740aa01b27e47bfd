"""Reads for accounts and workspaces."""

from __future__ import annotations

from django.db.models import Case, QuerySet, Value, When
from django.http import Http404

from .models import Invitation, Membership, User, Workspace
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


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    """Everyone in the workspace, owners first, then admins, then members."""
    rank = Case(
        When(role=Membership.Role.OWNER, then=Value(0)),
        When(role=Membership.Role.ADMIN, then=Value(1)),
        default=Value(2),
    )
    return (
        Membership.objects.for_workspace(workspace)
        .select_related("user")
        .order_by(rank, "user__email")
    )


def membership_get(*, workspace: Workspace, public_id: str) -> Membership:
    """A membership of this workspace; another workspace's answers the same 404 as a missing one."""
    membership = membership_list(workspace=workspace).filter(public_id=public_id).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


def member_user_ids(*, workspace: Workspace) -> frozenset[int]:
    return frozenset(Membership.objects.for_workspace(workspace).values_list("user_id", flat=True))


def owner_emails(*, workspace: Workspace) -> list[str]:
    return list(
        Membership.objects.for_workspace(workspace)
        .filter(role=Membership.Role.OWNER)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def invitation_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked; expired ones stay listed so they can be resent."""
    return (
        Invitation.objects.for_workspace(workspace)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
    )


def invitation_get(*, workspace: Workspace, public_id: str) -> Invitation:
    invitation = invitation_list(workspace=workspace).filter(public_id=public_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def invitation_for_user(*, user: User, token: str) -> Invitation | None:
    """The invitation this link names if it was sent to this person's address, in any state.

    Found by token rather than by workspace: the invitee is not in the workspace yet, and the
    token is the capability. Limiting it to the user's own address means a forwarded or guessed
    link reveals nothing to anyone else.
    """
    return (
        Invitation.objects.filter(token_hash=Invitation.hash_token(token), email__iexact=user.email)
        .select_related("workspace", "invited_by")
        .first()
    )

"""How people are named on pages that other people read."""

from __future__ import annotations

from django import template

from thrive.models import User, Workspace
from thrive.selectors import member_user_ids

register = template.Library()


@register.filter
def actor_name(actor: User | None, workspace: Workspace) -> str:
    """The person's e-mail, or "Thrive support" for staff who are not in the workspace.

    Customers see that support looked, not which employee. Member ids are read once per
    workspace object and kept on it, so a history of twenty events costs at most one query,
    and none when no staff appear in it.
    """
    if actor is None:
        return ""
    if not actor.is_staff:
        return actor.email
    member_ids = getattr(workspace, "_member_user_ids", None)
    if member_ids is None:
        member_ids = member_user_ids(workspace=workspace)
        workspace._member_user_ids = member_ids  # type: ignore[attr-defined]
    return actor.email if actor.pk in member_ids else "Thrive support"

"""Writes for accounts and workspaces."""

from __future__ import annotations

from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from portfolio.services import portfolio_default_ensure

from .models import Membership, User, Workspace


@transaction.atomic
def workspace_create(*, name: str, owner: User, plan: str = Workspace.Plan.STARTER) -> Workspace:
    """A workspace with `owner` as its owner; the slug is unique and says nothing of others."""
    base = slugify(name)[:100] or "workspace"
    slug = base
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
    workspace = Workspace.objects.create(name=name, slug=slug, plan=plan)
    Membership.objects.create(user=owner, workspace=workspace, role=Membership.Role.OWNER)
    portfolio_default_ensure(workspace=workspace)
    return workspace


@transaction.atomic
def user_signup(*, email: str, password: str) -> User:
    """A new person with their personal workspace, which they own."""
    user = User.objects.create_user(email=email, password=password)
    workspace_create(name=f"{user.email.split('@')[0]}'s workspace", owner=user)
    return user


def membership_add(
    *, workspace: Workspace, user: User, role: str = Membership.Role.MEMBER
) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    return membership

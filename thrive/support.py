"""Thrive's own support staff: the "Support" group and the accounts in it.

Support works in the Django admin with exactly the permissions below: it reads connections,
their syncs and audit trail, workspaces and people, and changes a connection only through
the console's actions (sync, re-check, pause, re-import). It adds, edits and deletes nothing,
and cannot change users or groups, so it cannot give itself more.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .models import User

SUPPORT_GROUP = "Support"
SUPPORT_PERMISSIONS = (
    ("connections", "view_exchangeconnection"),
    ("connections", "run_support_actions"),
    ("connections", "view_auditevent"),
    ("sync", "view_syncrun"),
    ("sync", "view_synccursor"),
    ("thrive", "view_workspace"),
    ("thrive", "view_membership"),
    ("thrive", "view_invitation"),
    ("thrive", "view_user"),
)


class SupportUserRefused(Exception):
    """The e-mail or the account cannot become a support user; the message says why.

    `existing` says the e-mail has an account already, which only an explicit promotion
    (support_user_promote) turns into a support user."""

    def __init__(self, message: str, *, existing: bool = False) -> None:
        super().__init__(message)
        self.existing = existing


def support_group_ensure() -> Group:
    """The Support group with exactly SUPPORT_PERMISSIONS: created, or put back if edited.

    Creates missing permissions first: on a fresh database Django adds them only after the
    last migration, and this runs right after `migrate` (see ThriveConfig.ready).
    """
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    group, _ = Group.objects.get_or_create(name=SUPPORT_GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in SUPPORT_PERMISSIONS
    ]
    group.permissions.set(wanted)
    return group


def support_group_after_migrate(**kwargs: Any) -> None:
    """post_migrate receiver: the group exists after every `migrate` (and test flush)."""
    support_group_ensure()


def _valid_email(email: str) -> str:
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise SupportUserRefused(f"“{email}” is not an e-mail address.") from None
    return email


def support_email_check(*, email: str) -> str:
    """The e-mail, normalised, if a new support account can have it (asked before a prompt
    for the password, so nobody types one in vain)."""
    email = _valid_email(email)
    if User.objects.filter(email=email).exists():
        raise SupportUserRefused(f"{email} already has an account.", existing=True)
    return email


@transaction.atomic
def support_user_create(*, email: str, password: str) -> User:
    """A new staff account in the Support group (never a superuser). Refuses an e-mail that
    already has an account: that one is promoted explicitly (support_user_promote)."""
    from django.contrib.auth.password_validation import validate_password

    email = support_email_check(email=email)
    user = User(email=email, is_staff=True)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise SupportUserRefused(" ".join(error.messages)) from None
    user.set_password(password)
    user.save()
    user.groups.add(support_group_ensure())
    return user


@transaction.atomic
def support_user_promote(*, email: str) -> User:
    """Make an existing account staff in the Support group; its password stays as it is."""
    email = _valid_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        raise SupportUserRefused(f"{email} has no account.")
    if not user.is_active:
        raise SupportUserRefused(f"{email} is deactivated; reactivate it first.")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(support_group_ensure())
    return user

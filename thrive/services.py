"""Writes for accounts and workspaces."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.formats import date_format
from django.utils.text import slugify

from portfolio.services import portfolio_default_ensure

from .models import Invitation, Membership, User, Workspace
from .selectors import membership_role
from .throttle import mail_recipient_allow, mail_request_allow


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


def user_signup(*, email: str, password: str, client: str, domain: str, use_https: bool) -> None:
    """Start a sign-up: mail a confirmation link, or tell the owner if the address has an account.

    The person sees the same page either way, so the form never says whether an address has an
    account; the password is hashed on both paths so that the answer takes as long too. Nothing
    is created until the link is followed (user_signup_confirm): a sign-up pending under
    someone else's address never blocks or touches that person's own sign-up.
    Raises Throttled when `client` has asked too often.
    """
    email = email.strip().lower()
    mail_request_allow(action="signup", address=client)
    if not mail_recipient_allow(email=email):
        return
    site = f"{'https' if use_https else 'http'}://{domain}"
    password_hash = make_password(password)
    if User.objects.filter(email__iexact=email).exists():
        context = {
            "email": email,
            "login_link": site + reverse("login"),
            "reset_link": site + reverse("password_reset"),
        }
        subject = "Someone tried to sign up to Thrive with your address"
        template = "registration/signup_existing_email.txt"
    else:
        nonce = secrets.token_urlsafe(32)
        cache.set(
            _signup_pending_key(nonce),
            {"email": email, "password": password_hash},
            int(SIGNUP_LINK_LIFETIME.total_seconds()),
        )
        token = signing.TimestampSigner(salt=_SIGNUP_SALT).sign(nonce)
        context = {
            "email": email,
            "link": site + reverse("signup-confirm", args=[token]),
            "days": SIGNUP_LINK_LIFETIME.days,
        }
        subject = "Confirm your address to finish signing up to Thrive"
        template = "registration/signup_confirm_email.txt"
    send_mail(subject, render_to_string(template, context), None, [email])


def membership_add(
    *, workspace: Workspace, user: User, role: str = Membership.Role.MEMBER
) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    return membership


INVITATION_LIFETIME = timedelta(days=7)


class WorkspaceRefused(Exception):
    """A workspace rule said no; the message is a sentence for the person, saying what to do."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@transaction.atomic
def workspace_plan_change(*, workspace: Workspace, plan: str) -> Workspace:
    """Move to another plan; never below the connections the workspace already has live."""
    # Imported here: connections' services import this app's models at load time.
    from connections.selectors import live_connection_count
    from connections.services import PLAN_LIMITS

    # Lock the row so two plan changes (or a change and a connect) decide on one count.
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    limit = PLAN_LIMITS.get(plan)
    live = live_connection_count(workspace=workspace)
    if limit is not None and live > limit:
        label = Workspace.Plan(plan).label
        raise WorkspaceRefused(
            f"{workspace.name} has {live} live connections and the {label} plan allows "
            f"{limit}. Disconnect {live - limit} first, or choose a plan that fits them.",
            field="plan",
        )
    workspace.plan = plan
    workspace.save(update_fields=["plan"])
    return workspace


@transaction.atomic
def invitation_send(
    *, workspace: Workspace, invited_by: User, email: str, role: str, site_url: str
) -> Invitation:
    """Invite an address by e-mail; a new invitation to the same address replaces the open one.

    The raw token exists only in the e-mail; the row keeps its SHA-256. The mail is sent inside
    the transaction, so a mail server that refuses it leaves no invitation behind.
    """
    email = email.strip().lower()
    if Membership.objects.for_workspace(workspace).filter(user__email__iexact=email).exists():
        raise WorkspaceRefused(f"{email} is already a member of {workspace.name}.", field="email")
    now = timezone.now()
    Invitation.objects.for_workspace(workspace).filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        expires_at=now + INVITATION_LIFETIME,
    )
    link = site_url.rstrip("/") + reverse("invitation-accept", args=[token])
    context = {"invitation": invitation, "link": link, "days": INVITATION_LIFETIME.days}
    # One line, whatever the workspace is called: a newline would be a header injection.
    subject = " ".join(f"{invited_by.email} invited you to {workspace.name} on Thrive".split())
    send_mail(
        subject,
        render_to_string("thrive/invitation_email.txt", context),
        None,
        [email],
    )
    return invitation


def invitation_revoke(*, invitation: Invitation) -> None:
    """The link stops working at once and says it was withdrawn."""
    Invitation.objects.for_workspace(invitation.workspace).filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def invitation_problem(*, invitation: Invitation, user: User) -> str | None:
    """Why this person cannot accept this invitation now, as a sentence; None if they can."""
    who = invitation.invited_by.email if invitation.invited_by else "the workspace's owner"
    state = invitation.state_at(timezone.now())
    if state == Invitation.State.ACCEPTED:
        return (
            f"This invitation has already been used. Ask {who} to invite you again if you "
            f"still need to join {invitation.workspace.name}."
        )
    if state == Invitation.State.REVOKED:
        return (
            "This invitation was withdrawn or replaced by a newer one. Use the link in the "
            f"latest invitation e-mail, or ask {who} to invite you again."
        )
    if state == Invitation.State.EXPIRED:
        expired_on = date_format(timezone.localtime(invitation.expires_at), "j F Y")
        return (
            f"This invitation expired on {expired_on}: invitations last "
            f"{INVITATION_LIFETIME.days} days. Ask {who} to send you a new one."
        )
    if invitation.email.lower() != user.email.lower():
        return f"This invitation was sent to another address. Sign in as {invitation.email}."
    return None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the workspace with the invited role; a link works once."""
    # Locked so that two clicks on the same link cannot both count.
    invitation = (
        Invitation.objects.select_for_update().select_related("workspace").get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation=invitation, user=user)
    if problem is not None:
        raise WorkspaceRefused(problem)
    # Someone who joined another way keeps the role they have.
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def _owners_locked(workspace: Workspace) -> list[Membership]:
    # select_for_update: two owners demoting each other at once must not leave none.
    return list(
        Membership.objects.for_workspace(workspace)
        .filter(role=Membership.Role.OWNER)
        .select_for_update()
    )


def _owner_rule_check(*, membership: Membership, actor: User, new_role: str | None) -> None:
    """Only owners make or unmake owners, and the last owner always stays one."""
    touches_owner = Membership.Role.OWNER in (membership.role, new_role)
    if touches_owner and membership_role(user=actor, workspace=membership.workspace) != (
        Membership.Role.OWNER
    ):
        raise WorkspaceRefused(
            "Only an owner can make someone an owner, or change or remove an owner."
        )
    if membership.role != Membership.Role.OWNER or new_role == Membership.Role.OWNER:
        return
    owners = _owners_locked(membership.workspace)
    if [owner.pk for owner in owners] == [membership.pk]:
        raise WorkspaceRefused(
            f"{membership.workspace.name} needs at least one owner, and "
            f"{membership.user.email} is the only one. Make someone else an owner first."
        )


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, actor: User) -> Membership:
    _owner_rule_check(membership=membership, actor=actor, new_role=role)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Out of the workspace at once; their past actions stay in the audit trail."""
    _owner_rule_check(membership=membership, actor=actor, new_role=None)
    membership.delete()


# Sign-up and password reset. A pending sign-up lives in the shared cache, not in the users
# table, until its link is followed: each attempt keeps its own password, so a stranger's sign-up
# under your address neither replaces yours nor leaves a half-made account behind.
SIGNUP_LINK_LIFETIME = timedelta(days=2)
_SIGNUP_SALT = "thrive.signup.confirm"


def _signup_pending_key(nonce: str) -> str:
    return "signup-pending:" + hashlib.sha256(nonce.encode()).hexdigest()


def _signup_pending(token: str) -> tuple[str, dict[str, str]] | None:
    """(cache key, pending sign-up) for a confirmation link still good to use, else None."""
    try:
        nonce = signing.TimestampSigner(salt=_SIGNUP_SALT).unsign(
            token, max_age=SIGNUP_LINK_LIFETIME
        )
    except signing.BadSignature:
        return None
    key = _signup_pending_key(nonce)
    pending = cache.get(key)
    if pending is None or User.objects.filter(email__iexact=pending["email"]).exists():
        return None
    return key, pending


def signup_pending_email(*, token: str) -> str | None:
    """The address a confirmation link would create an account for; None if the link is dead."""
    pending = _signup_pending(token)
    return pending[1]["email"] if pending else None


def user_signup_confirm(*, token: str) -> User | None:
    """Create the account of a confirmed sign-up, with its personal workspace, which it owns.

    None when the link is expired, forged, already used, or the address got an account since
    (another link of the same address was followed first).
    """
    pending = _signup_pending(token)
    if pending is None:
        return None
    key, data = pending
    try:
        with transaction.atomic():
            # The password was hashed when the person chose it; it is never kept in clear.
            user = User.objects.create(email=data["email"], password=data["password"])
            workspace_create(name=f"{user.email.split('@')[0]}'s workspace", owner=user)
    except IntegrityError:  # two clicks at once: the other one made the account
        cache.delete(key)
        return None
    cache.delete(key)
    return user


def password_reset_request(*, email: str, client: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to the account at `email`, unless that inbox had its share already.

    Says nothing either way (no account, or over the inbox's limit: nothing is sent), so the
    caller shows the same page. Raises Throttled when `client` has asked too often.
    """
    mail_request_allow(action="password-reset", address=client)
    if not mail_recipient_allow(email=email):
        return
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)

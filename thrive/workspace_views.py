"""Settings → Workspace (plan, people, invitations) and accepting an invitation.

Everyone in the workspace sees the page; owners and admins change things (thrive/roles.py).
Thin views: forms parse, thrive/services.py decides, thrive/selectors.py reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from connections.selectors import live_connection_count

from .decorators import workspace_required
from .forms import InvitationForm, MembershipRoleForm, WorkspacePlanForm
from .models import Membership, Workspace
from .roles import manager_required
from .selectors import (
    invitation_for_user,
    invitation_get,
    invitation_list,
    membership_get,
    membership_list,
)
from .services import (
    WorkspaceRefused,
    invitation_accept,
    invitation_problem,
    invitation_revoke,
    invitation_send,
    membership_remove,
    membership_role_change,
    workspace_plan_change,
)
from .tenancy import choose_workspace


def _settings_page(
    request: HttpRequest,
    *,
    plan_form: WorkspacePlanForm | None = None,
    invite_form: InvitationForm | None = None,
) -> HttpResponse:
    # Invalid forms re-render the whole page with status 200, like every form in the app.
    workspace = request.workspace  # type: ignore[attr-defined]
    memberships = list(membership_list(workspace=workspace))
    my_role = next((m.role for m in memberships if m.user_id == request.user.pk), None)
    context = {
        "plan_form": plan_form or WorkspacePlanForm(initial={"plan": workspace.plan}),
        "invite_form": invite_form or InvitationForm(),
        "memberships": memberships,
        "my_role": my_role,
        "role_choices": Membership.Role.choices,
        "invitations": invitation_list(workspace=workspace),
        "live_connections": live_connection_count(workspace=workspace),
        "now": timezone.now(),
    }
    return render(request, "thrive/workspace_settings.html", context)


@never_cache
@workspace_required
def workspace_settings(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@require_POST
@workspace_required
@manager_required
def workspace_plan(request: HttpRequest) -> HttpResponse:
    form = WorkspacePlanForm(request.POST)
    if form.is_valid():
        try:
            workspace = workspace_plan_change(
                workspace=request.workspace,  # type: ignore[attr-defined]
                plan=form.cleaned_data["plan"],
            )
        except WorkspaceRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request, f"{workspace.name} is now on the {workspace.get_plan_display()} plan."
            )
            return redirect("workspace-settings")
    return _settings_page(request, plan_form=form)


@require_POST
@workspace_required
@manager_required
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_send(
                workspace=request.workspace,  # type: ignore[attr-defined]
                invited_by=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                site_url=request.build_absolute_uri("/"),
            )
        except WorkspaceRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link in it works for 7 days; "
                "sending again replaces it.",
            )
            return redirect("workspace-settings")
    return _settings_page(request, invite_form=form)


@require_POST
@workspace_required
@manager_required
def invitation_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    invitation = invitation_get(workspace=request.workspace, public_id=public_id)  # type: ignore[attr-defined]
    invitation_revoke(invitation=invitation)
    messages.success(
        request, f"The invitation to {invitation.email} is revoked; its link no longer works."
    )
    return redirect("workspace-settings")


@require_POST
@workspace_required
@manager_required
def membership_role(request: HttpRequest, public_id: str) -> HttpResponse:
    membership = membership_get(workspace=request.workspace, public_id=public_id)  # type: ignore[attr-defined]
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Owner, Admin or Member.")
        return _settings_page(request)
    try:
        membership_role_change(
            membership=membership,
            role=form.cleaned_data["role"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except WorkspaceRefused as refused:
        messages.error(request, refused.message)
        return _settings_page(request)
    messages.success(request, f"{membership.user.email} is now {membership.get_role_display()}.")
    return redirect("workspace-settings")


@require_POST
@workspace_required
@manager_required
def membership_remove_view(request: HttpRequest, public_id: str) -> HttpResponse:
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    membership = membership_get(workspace=workspace, public_id=public_id)
    try:
        membership_remove(membership=membership, actor=request.user)  # type: ignore[arg-type]
    except WorkspaceRefused as refused:
        messages.error(request, refused.message)
        return _settings_page(request)
    if membership.user_id == request.user.pk:
        messages.success(request, f"You left {workspace.name}.")
        return redirect("home")
    messages.success(request, f"{membership.user.email} is no longer in {workspace.name}.")
    return redirect("workspace-settings")


@never_cache
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation, POST accepts it: a link opened by a mail scanner joins no one."""
    if not request.user.is_authenticated:
        # Nothing is looked up for an anonymous visitor; signing in brings them back here.
        context = {"next": request.get_full_path()}
        return render(request, "thrive/invitation_sign_in.html", context)
    invitation = invitation_for_user(user=request.user, token=token)  # type: ignore[arg-type]
    if invitation is None:
        return render(request, "thrive/invitation.html", {"invitation": None}, status=404)
    problem = invitation_problem(invitation=invitation, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and problem is None:
        try:
            membership = invitation_accept(invitation=invitation, user=request.user)  # type: ignore[arg-type]
        except WorkspaceRefused as refused:
            problem = refused.message
        else:
            choose_workspace(request, invitation.workspace)
            messages.success(
                request,
                f"Welcome to {invitation.workspace.name}. "
                f"You are in as {membership.get_role_display().lower()}.",
            )
            return redirect("home")
    return render(request, "thrive/invitation.html", {"invitation": invitation, "problem": problem})

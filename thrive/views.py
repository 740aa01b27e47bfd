"""Sign-up, password reset, workspace switching and the health check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from .forms import SignupForm
from .health import health_report
from .selectors import workspace_get
from .services import (
    password_reset_request,
    signup_pending_email,
    user_signup,
    user_signup_confirm,
)
from .tenancy import choose_workspace
from .throttle import Throttled, client_address


@sensitive_post_parameters("password")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    """Every accepted sign-up answers "check your inbox", whether or not the address has an
    account: the confirmation link, not this page, signs the person in."""
    if request.user.is_authenticated:
        return redirect("journal:index")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                client=client_address(request),
                domain=request.get_host(),
                use_https=request.is_secure(),
            )
        except Throttled as throttled:
            form.add_error(None, _too_many_requests(throttled))
        else:
            return redirect("signup-done")
    return render(request, "registration/signup.html", {"form": form})


@never_cache
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_done.html")


@never_cache
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link shows a button and the POST creates the account: mail scanners that open links
    must not use up the person's link (or sign themselves in with it)."""
    if request.method == "POST":
        user = user_signup_confirm(token=token)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, "Welcome to Thrive. Connect an exchange to fill your journal."
            )
            return redirect("connections:index")
        email = None
    else:
        email = signup_pending_email(token=token)
    return render(request, "registration/signup_confirm.html", {"email": email})


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Django's reset form, throttled per client address and per recipient (services)."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_request(
                email=form.cleaned_data["email"],
                client=client_address(request),
                domain=request.get_host(),
                use_https=request.is_secure(),
            )
        except Throttled as throttled:
            form.add_error(None, _too_many_requests(throttled))
        else:
            return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})


def _too_many_requests(throttled: Throttled) -> str:
    return f"Too many requests from your network. Wait {throttled.minutes} minutes and try again."


@login_required
@require_POST
def workspace_switch(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    choose_workspace(request, workspace)
    messages.info(request, f"Now working in {workspace.name}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/journal/"
    return redirect(next_url)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report, down = health_report()
    return JsonResponse(report, status=503 if down else 200)

"""Sign-up, workspace switching and the health check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from .forms import SignupForm
from .health import health_report
from .selectors import workspace_get
from .services import user_signup
from .tenancy import choose_workspace


@sensitive_post_parameters("password")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("journal:index")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_signup(email=form.cleaned_data["email"], password=form.cleaned_data["password"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Thrive. Connect an exchange to fill your journal.")
        return redirect("connections:index")
    return render(request, "registration/signup.html", {"form": form})


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

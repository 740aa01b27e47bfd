"""Settings → Profile: what a person chooses for themselves, whatever the workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .forms import ProfileForm


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Times now show in {form.cleaned_data['time_zone']}.")
        return redirect("profile")
    return render(request, "thrive/profile.html", {"form": form})

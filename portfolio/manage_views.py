"""Portfolios: the list, a new one, rename, archive. Everyone in the workspace sees the list;
owners and admins change it, as they do the other workspace settings (thrive/roles.py).
Thin views: forms parse, portfolio/services.py decides, the selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from connections.selectors import connection_list
from journal.selectors import portfolio_get
from thrive.decorators import workspace_required
from thrive.roles import manager_required

from .forms import PortfolioNameForm
from .models import Portfolio
from .selectors import portfolio_overview_list
from .services import (
    PortfolioRefused,
    portfolio_archive,
    portfolio_create,
    portfolio_rename,
    portfolio_unarchive,
)


@workspace_required
def manage(request: HttpRequest) -> HttpResponse:
    portfolios = list(portfolio_overview_list(workspace=request.workspace))
    return render(
        request,
        "portfolio/manage.html",
        {
            "portfolios": [p for p in portfolios if p.archived_at is None],
            "archived": [p for p in portfolios if p.archived_at is not None],
        },
    )


@workspace_required
@manager_required
def new(request: HttpRequest) -> HttpResponse:
    form = PortfolioNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portfolio = portfolio_create(
                workspace=request.workspace,
                name=form.cleaned_data["name"],
            )
        except PortfolioRefused as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(
                request,
                f"“{portfolio.name}” is created. Choose it when you connect an exchange, or "
                "move a connection into it from the connection's page.",
            )
            return redirect("portfolio:manage")
    # Invalid forms answer 200 with what was typed, like every form in the app.
    return render(request, "portfolio/new.html", {"form": form})


def _edit_page(request: HttpRequest, portfolio: Portfolio, form: PortfolioNameForm) -> HttpResponse:
    connections = connection_list(workspace=request.workspace).filter(portfolio=portfolio)
    return render(
        request,
        "portfolio/edit.html",
        {"portfolio": portfolio, "form": form, "connections": list(connections)},
    )


@workspace_required
@manager_required
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    portfolio = portfolio_get(workspace=request.workspace, public_id=public_id)
    form = PortfolioNameForm(request.POST or None, initial={"name": portfolio.name})
    if request.method == "POST" and form.is_valid():
        before = portfolio.name
        try:
            portfolio_rename(portfolio=portfolio, name=form.cleaned_data["name"])
        except PortfolioRefused as refused:
            form.add_error("name", refused.message)
        else:
            if portfolio.name != before:
                messages.success(request, f"“{before}” is now called “{portfolio.name}”.")
            return redirect("portfolio:manage")
    return _edit_page(request, portfolio, form)


@require_POST
@workspace_required
@manager_required
def archive(request: HttpRequest, public_id: str) -> HttpResponse:
    portfolio = portfolio_get(workspace=request.workspace, public_id=public_id)
    try:
        portfolio_archive(portfolio=portfolio)
    except PortfolioRefused as refused:
        messages.error(request, refused.message)
        return redirect("portfolio:edit", public_id=portfolio.public_id)
    messages.success(
        request,
        f"“{portfolio.name}” is archived: its history stays, and it leaves the switcher and the "
        "choices for connections.",
    )
    return redirect("portfolio:manage")


@require_POST
@workspace_required
@manager_required
def unarchive(request: HttpRequest, public_id: str) -> HttpResponse:
    portfolio = portfolio_get(workspace=request.workspace, public_id=public_id)
    portfolio_unarchive(portfolio=portfolio)
    messages.success(request, f"“{portfolio.name}” is back in the switcher and the choices.")
    return redirect("portfolio:manage")

"""Settings → Connections. Thin views: forms parse, services decide, selectors read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from portfolio.selectors import portfolio_active_list
from portfolio.services import PortfolioRefused, portfolio_create, portfolio_discard
from sync.exchanges.errors import ExchangeCallFailed
from sync.exchanges.registry import ADAPTERS
from sync.models import SyncRun
from sync.names import stream_in_words
from sync.selectors import account_parts_in_words, stream_reach_list, sync_run_list
from sync.services import sync_now_request
from thrive.decorators import workspace_required
from thrive.roles import can_manage_workspace, manager_required

from .forms import ConnectionAddForm, ConnectionMoveForm, ConnectionReplaceForm, exchange_choices
from .models import Exchange, ExchangeConnection
from .selectors import (
    audit_list,
    connection_access_badge,
    connection_card_get,
    connection_card_list,
    connection_get,
    connection_progress,
    connection_syncing,
    reconnected_note,
    trade_coverage_map,
)
from .services import (
    ACCESS_NOTES,
    ConnectionRefused,
    connection_create,
    connection_disconnect,
    connection_portfolio_move,
    connection_replace_credentials,
    credential_check,
    plan_usage,
)
from .wording import key_failure_in_words

SECRET_FIELDS = ("api_key", "api_secret", "passphrase", "futures_api_key", "futures_api_secret")


def _guide(exchange: str) -> dict[str, object]:
    adapter = ADAPTERS[exchange]
    return {
        "exchange": exchange,
        "exchange_name": dict(Exchange.choices)[exchange],
        "steps": adapter.key_steps(fixed_ips=bool(settings.THRIVE_EGRESS_IPS)),
        "shape": adapter.shape,
        "egress_ips": settings.THRIVE_EGRESS_IPS,
    }


def _render_form(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    # Invalid forms answer 200 so htmx swaps them in; the partial alone for htmx requests, of
    # which the page takes only the result area and the error slots, never the fields.
    name = f"{template}#form" if request.htmx else template
    return render(request, name, context)


def _failure_words(failure: ExchangeCallFailed, guide: dict[str, object]) -> str:
    return key_failure_in_words(
        failure.failure,
        exchange_name=str(guide["exchange_name"]),
        egress_ips=settings.THRIVE_EGRESS_IPS,
    )


@never_cache
@workspace_required
def index(request: HttpRequest) -> HttpResponse:
    cards = connection_card_list(workspace=request.workspace)
    context = {
        "cards": [card for card in cards if not card.connection.is_disconnected],
        "disconnected": [card for card in cards if card.connection.is_disconnected],
        "usage": plan_usage(workspace=request.workspace),
    }
    return render(request, "connections/index.html", context)


@never_cache
@require_GET
@workspace_required
def card(request: HttpRequest, public_id: str) -> HttpResponse:
    """One card alone: what a syncing card polls for, every two seconds, until the sync ends."""
    connection = connection_get(workspace=request.workspace, public_id=public_id)
    found = connection_card_get(workspace=request.workspace, connection=connection)
    return render(request, "connections/_card.html", {"card": found})


@never_cache
@sensitive_post_parameters(*SECRET_FIELDS)
@workspace_required
@manager_required
@sensitive_variables(*SECRET_FIELDS, "secret")
def add(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # At the limit the page says so before anyone pastes a secret; Connect still checks.
        usage = plan_usage(workspace=request.workspace)
        if usage.reached:
            context = {
                "usage": usage,
                "can_change_plan": can_manage_workspace(request.user, request.workspace),
            }
            return render(request, "connections/limit.html", context)
    exchange = request.POST.get("exchange") or request.GET.get("exchange")
    if exchange not in ADAPTERS:
        return render(request, "connections/choose.html", {"choices": exchange_choices()})
    portfolios = portfolio_active_list(workspace=request.workspace)
    form = ConnectionAddForm(
        request.POST or None, portfolios=portfolios, initial={"exchange": exchange}
    )
    context: dict[str, object] = {"form": form, **_guide(exchange)}
    if request.method != "POST":
        return render(request, "connections/add.html", context)
    if form.is_valid():
        action = request.POST.get("action", "connect")
        try:
            if action == "test":
                result = credential_check(
                    workspace=request.workspace,
                    actor=request.user,
                    exchange=exchange,
                    secret=form.secret(),
                )
                context["tested"] = result
            else:
                portfolio = form.cleaned_data["portfolio"]
                new_name = form.cleaned_data["new_portfolio_name"]
                if new_name:
                    portfolio = portfolio_create(workspace=request.workspace, name=new_name)
                try:
                    connection = connection_create(
                        workspace=request.workspace,
                        actor=request.user,
                        exchange=exchange,
                        label=form.cleaned_data["label"],
                        portfolio=portfolio,
                        secret=form.secret(),
                        acknowledge_withdrawals=form.cleaned_data["acknowledge_withdrawals"],
                    )
                except BaseException:
                    # The connect checks the key with the exchange, so it cannot share one
                    # transaction with the new portfolio: a failed one takes it away again.
                    if new_name:
                        portfolio_discard(portfolio=portfolio)
                    raise
                messages.success(
                    request,
                    reconnected_note(connection=connection)
                    or f"{connection} is connected. The first sync has started.",
                )
                url = connection_url(connection)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        except ExchangeCallFailed as failed:
            context["failure"] = _failure_words(failed, context)
        except ConnectionRefused as refused:
            form.add_error(refused.field, refused.message)
        except PortfolioRefused as refused:
            form.add_error("new_portfolio_name", refused.message)
    return _render_form(request, "connections/add.html", context)


def connection_url(connection: ExchangeConnection) -> str:
    from django.urls import reverse

    return reverse("connections:detail", args=[connection.public_id])


def _detail_context(request: HttpRequest, connection: ExchangeConnection) -> dict[str, object]:
    syncing = connection_syncing(connection=connection)
    runs = list(sync_run_list(connection=connection)[:10])
    running = next((run for run in runs if run.status == SyncRun.Status.RUNNING), None)
    return {
        "connection": connection,
        "syncing": syncing,
        "access_badge": connection_access_badge(connection=connection),
        "progress": connection_progress(connection=connection, run=running) if syncing else "",
        # Counted again only once a sync has ended, not at every poll while it runs.
        "coverage": None
        if syncing
        else trade_coverage_map(workspace=request.workspace, connections=[connection])[
            connection.pk
        ],
        "runs": runs,
        "reaches": [
            {
                "name": stream_in_words(connection.exchange, cursor.stream),
                "since": cursor.reaches_back_to,
            }
            for cursor in stream_reach_list(connection=connection)
        ],
        "account_parts": account_parts_in_words(connection=connection),
    }


@never_cache
@require_GET
@workspace_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = connection_get(workspace=request.workspace, public_id=public_id)
    context = _detail_context(request, connection)
    context["events"] = audit_list(connection=connection)[:20]
    context["access_note"] = ACCESS_NOTES.get(connection.access, "")
    context["move_form"] = ConnectionMoveForm(
        portfolios=portfolio_active_list(workspace=request.workspace),
        initial={"portfolio": str(connection.portfolio.public_id)},
    )
    return render(request, "connections/detail.html", context)


@never_cache
@require_GET
@workspace_required
def status(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = connection_get(workspace=request.workspace, public_id=public_id)
    return render(request, "connections/detail.html#status", _detail_context(request, connection))


@require_POST
@workspace_required
def sync_now(request: HttpRequest, public_id: str) -> HttpResponse:
    """Queue a sync. Pressed on a card or the connection's page through htmx, the answer is that
    card or status area already in its syncing state (it then polls for itself); without
    JavaScript, the page again with a message."""
    connection = connection_get(workspace=request.workspace, public_id=public_id)
    if sync_now_request(connection=connection):
        level, note = messages.SUCCESS, ""
    elif connection.is_disconnected:
        level, note = (
            messages.ERROR,
            "This connection is disconnected; add the exchange again to sync.",
        )
    else:
        level, note = (
            messages.INFO,
            "A sync is already running for this connection; it will finish soon.",
        )
    if request.htmx:
        # Read again: the request just marked the row, and the answer shows it syncing.
        connection = connection_get(workspace=request.workspace, public_id=public_id)
        if request.POST.get("view") == "card":
            found = connection_card_get(workspace=request.workspace, connection=connection)
            return render(request, "connections/_card.html", {"card": found, "note": note})
        context = {**_detail_context(request, connection), "note": note}
        return render(request, "connections/detail.html#status", context)
    messages.add_message(
        request,
        level,
        note or "Sync started. New trades appear in your journal as they arrive.",
    )
    return redirect(connection_url(connection))


@never_cache
@sensitive_post_parameters(*SECRET_FIELDS)
@workspace_required
@manager_required
@sensitive_variables(*SECRET_FIELDS, "secret")
def replace(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = connection_get(workspace=request.workspace, public_id=public_id)
    if connection.is_disconnected:
        raise Http404("This connection is disconnected.")
    form = ConnectionReplaceForm(request.POST or None, exchange=connection.exchange)
    context: dict[str, object] = {
        "form": form,
        "connection": connection,
        **_guide(connection.exchange),
    }
    if request.method == "POST" and form.is_valid():
        try:
            connection_replace_credentials(
                connection=connection,
                actor=request.user,
                secret=form.secret(),
                acknowledge_withdrawals=form.cleaned_data["acknowledge_withdrawals"],
            )
        except ExchangeCallFailed as failed:
            context["failure"] = _failure_words(failed, context)
        except ConnectionRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, "The key is replaced. A sync has started with the new key.")
            url = connection_url(connection)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _render_form(request, "connections/replace.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@workspace_required
@manager_required
def disconnect(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET asks on a page of ours what disconnecting does; POST does it."""
    connection = connection_get(workspace=request.workspace, public_id=public_id)
    if request.method == "GET":
        if connection.is_disconnected:
            return redirect(connection_url(connection))
        return render(request, "connections/disconnect.html", {"connection": connection})
    connection_disconnect(connection=connection, actor=request.user)
    messages.success(
        request,
        f"{connection} is disconnected and its key deleted. Imported trades and balances stay.",
    )
    return redirect("connections:index")


@require_POST
@workspace_required
@manager_required
def move(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = connection_get(workspace=request.workspace, public_id=public_id)
    form = ConnectionMoveForm(
        request.POST, portfolios=portfolio_active_list(workspace=request.workspace)
    )
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("portfolio", [])))
        return redirect(connection_url(connection))
    portfolio = form.cleaned_data["portfolio"]
    try:
        moved = connection_portfolio_move(
            connection=connection, portfolio=portfolio, actor=request.user
        )
    except ConnectionRefused as refused:
        messages.error(request, refused.message)
    else:
        trades = moved["trades"]
        if trades:
            subject = f"{connection} and its {trades:,} trade{'s' if trades != 1 else ''} now feed"
        else:
            subject = f"{connection} now feeds"
        messages.success(request, f"{subject} “{portfolio.name}”.")
    return redirect(connection_url(connection))

"""Manual entries, and the person's edits and deletions of any journal row. Thin views: the
forms parse, entry_services decides; every row is reached through the workspace's own access
functions (another workspace's id answers 404, like a missing one)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from connections.selectors import connection_list
from portfolio.selectors import portfolio_list
from thrive.decorators import workspace_required

from . import entry_services as services
from .entry_forms import (
    EntryCorrectionForm,
    LedgerEntryForm,
    SwapForm,
    TradeCorrectionForm,
    TradeForm,
    TransferForm,
    entry_initial,
    plain,
    trade_initial,
)
from .models import LedgerEntry, Source, Trade

Kind = LedgerEntry.Kind
# What can be recorded, in the order the chooser shows it: (title, what it is for).
KINDS: dict[str, tuple[str, str]] = {
    "trade": ("Trade", "A buy or sell on a market, like BTC/USDT."),
    "swap": ("Crypto-to-crypto trade", "You gave some of one asset and got another: ETH → SOL."),
    Kind.DEPOSIT: ("Deposit", "Funds arriving in an account from outside your accounts."),
    Kind.WITHDRAWAL: ("Withdrawal", "Funds leaving your accounts."),
    Kind.TRANSFER: (
        "Transfer between own accounts",
        "From one of your accounts or wallets to another: it leaves one and reaches the other.",
    ),
    Kind.REWARD: ("Staking / earn reward", "What staking, savings or earn products paid you."),
    Kind.AIRDROP: ("Airdrop", "Tokens you received for free."),
    Kind.FEE: ("Fee", "A fee not tied to a trade (a network or account fee)."),
    Kind.INTEREST: ("Interest", "Interest received, or paid on a loan or margin."),
    Kind.FUNDING: ("Funding fee", "A perpetual's funding payment, received or paid."),
}
EDITED = "Saved. A later sync leaves your correction alone."


def _places(request: HttpRequest) -> dict[str, Any]:
    return {
        "portfolios": portfolio_list(workspace=request.workspace),
        "connections": connection_list(workspace=request.workspace),
    }


def _render_form(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    # Invalid forms answer 200 so htmx swaps them in; the partial alone for htmx requests.
    template = "journal/entries/form.html"
    return render(request, f"{template}#form" if request.htmx else template, context)


def _go(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _trade_url(trade: Trade) -> str:
    return reverse("journal:trade-detail", args=[trade.public_id])


def _entry_url(entry: LedgerEntry) -> str:
    return reverse("journal:entry-detail", args=[entry.public_id])


@workspace_required
def new(request: HttpRequest) -> HttpResponse:
    return render(request, "journal/entries/choose.html", {"kinds": KINDS})


@workspace_required
@require_http_methods(["GET", "POST"])
def new_entry(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("No such kind of entry.")
    data = request.POST if request.method == "POST" else None
    if kind == "trade":
        form: Any = TradeForm(data, **_places(request))
    elif kind == "swap":
        form = SwapForm(data, **_places(request))
    elif kind == Kind.TRANSFER:
        form = TransferForm(data, **_places(request))
    else:
        form = LedgerEntryForm(data, kind=kind, **_places(request))
    if data is not None and form.is_valid():
        values = {"workspace": request.workspace, "public_id": form.cleaned_data["token"]}
        try:
            if kind == "trade":
                url = _trade_url(services.manual_trade_create(**values, **form.values()))
            elif kind == "swap":
                url = _trade_url(services.swap_create(**values, **form.values()))
            elif kind == Kind.TRANSFER:
                leaving, _ = services.transfer_create(**values, **form.values())
                url = _entry_url(leaving)
            else:
                entry = services.ledger_entry_create(**values, kind=kind, **form.values())
                url = _entry_url(entry)
        except services.EntryRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, f"{KINDS[kind][0]} recorded.")
            return _go(request, url)
    title, about = KINDS[kind]
    return _render_form(
        request,
        {
            "form": form,
            "title": f"Record: {title}",
            "about": about,
            "action": reverse("journal:new-entry", args=[kind]),
            "back": reverse("journal:new"),
            "submit": "Record",
        },
    )


# -- trades -----------------------------------------------------------------------------------


@workspace_required
def trade_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    trade = services.trade_get(workspace=request.workspace, public_id=public_id)
    numbers = {name: plain(getattr(trade, name)) for name in ("price", "amount", "cost", "fee")} | {
        "realized_pnl": plain(trade.realized_pnl)
    }
    return render(
        request,
        "journal/entries/trade_detail.html",
        {"trade": trade, "numbers": numbers, "place": services.Place.of_trade(trade)},
    )


@workspace_required
@require_http_methods(["GET", "POST"])
def trade_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    trade = services.trade_get(workspace=request.workspace, public_id=public_id)
    data = request.POST if request.method == "POST" else None
    manual = trade.source == Source.MANUAL
    kwargs = {"initial": trade_initial(trade), "original_time": trade.executed_at}
    if manual:
        form: Any = TradeForm(data, **kwargs, **_places(request))
    else:
        form = TradeCorrectionForm(data, **kwargs)
    if data is not None and form.is_valid():
        try:
            changed = services.trade_update(trade=trade, **form.values())
        except services.EntryRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, EDITED if changed and not manual else _saved(changed))
            return _go(request, _trade_url(trade))
    return _render_form(
        request,
        {
            "form": form,
            "title": f"Edit trade · {trade.symbol}",
            "about": None if manual else _correction_note(trade.get_source_display()),
            "action": reverse("journal:trade-edit", args=[trade.public_id]),
            "back": _trade_url(trade),
            "submit": "Save",
        },
    )


@workspace_required
@require_http_methods(["GET", "POST"])
def trade_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    trade = services.trade_get(workspace=request.workspace, public_id=public_id)
    if request.method == "POST":
        services.trade_delete(trade=trade)
        messages.success(request, _deleted(trade.source, "trade"))
        return _go(request, reverse("journal:index"))
    return render(
        request,
        "journal/entries/confirm_delete.html",
        {
            "what": f"{trade.get_side_display()} {plain(trade.amount)} {trade.symbol}",
            "when": trade.executed_at,
            "source": trade.source,
            "action": reverse("journal:trade-delete", args=[trade.public_id]),
            "back": _trade_url(trade),
        },
    )


# -- ledger entries ---------------------------------------------------------------------------


@workspace_required
def entry_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = services.entry_get(workspace=request.workspace, public_id=public_id)
    pair = services.transfer_pair(entry=entry)
    return render(
        request,
        "journal/entries/entry_detail.html",
        {
            "entry": entry,
            "amount": plain(entry.amount),
            "fee": plain(entry.fee),
            "place": services.Place.of_entry(entry),
            "pair": pair,
            "pair_places": pair and [services.Place.of_entry(side) for side in pair],
        },
    )


@workspace_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = services.entry_get(workspace=request.workspace, public_id=public_id)
    data = request.POST if request.method == "POST" else None
    manual = entry.source == Source.MANUAL
    pair = services.transfer_pair(entry=entry)
    leaving = pair[0] if pair else entry
    kwargs = {
        "initial": entry_initial(leaving, pair[1] if pair else None),
        "original_time": entry.occurred_at,
    }
    if pair is not None:
        form: Any = TransferForm(data, **kwargs, **_places(request))
    elif manual and entry.kind != Kind.TRANSFER:
        form = LedgerEntryForm(data, kind=entry.kind, **kwargs, **_places(request))
    else:
        form = EntryCorrectionForm(data, **kwargs)
    if data is not None and form.is_valid():
        try:
            changed = services.entry_update(entry=entry, **form.values())
        except services.EntryRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, EDITED if changed and not manual else _saved(changed))
            return _go(request, _entry_url(entry))
    return _render_form(
        request,
        {
            "form": form,
            "title": f"Edit {entry.get_kind_display().lower()} · {entry.asset}",
            "about": None if manual else _correction_note(entry.get_source_display()),
            "action": reverse("journal:entry-edit", args=[entry.public_id]),
            "back": _entry_url(entry),
            "submit": "Save",
        },
    )


@workspace_required
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = services.entry_get(workspace=request.workspace, public_id=public_id)
    if request.method == "POST":
        services.entry_delete(entry=entry)
        messages.success(request, _deleted(entry.source, entry.get_kind_display().lower()))
        return _go(request, reverse("journal:index"))
    pair = services.transfer_pair(entry=entry)
    return render(
        request,
        "journal/entries/confirm_delete.html",
        {
            "what": f"{entry.get_kind_display()} {plain(entry.amount)} {entry.asset}",
            "when": entry.occurred_at,
            "source": entry.source,
            "both_sides": pair is not None,
            "action": reverse("journal:entry-delete", args=[entry.public_id]),
            "back": _entry_url(entry),
        },
    )


def _saved(changed: list[str]) -> str:
    return "Saved." if changed else "Nothing changed."


def _correction_note(source: str) -> str:
    return (
        f"This came in by {source}. You can correct its time, amount, price, fee and note; "
        "what it is stays as the exchange reported it, and a later sync never overwrites "
        "your correction."
    )


def _deleted(source: str, what: str) -> str:
    if source == Source.MANUAL:
        return f"The {what} is deleted."
    return f"The {what} is deleted. A later sync or import will not bring it back."

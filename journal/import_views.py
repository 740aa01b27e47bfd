"""Journal → Import: upload, preview, confirm, undo. Thin: journal.imports decides."""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connections.selectors import connection_list
from portfolio.selectors import portfolio_list
from thrive.decorators import workspace_required

from .csv_formats import FORMATS
from .import_forms import ImportForm
from .imports import (
    ImportOptions,
    ImportRefused,
    counted,
    import_cancel,
    import_confirm,
    import_pending,
    import_prepare,
    import_undo,
)
from .models import ImportBatch

TEMPLATE = Path(__file__).parent / "csv_formats" / "template.csv"


def _form(request: HttpRequest) -> ImportForm:
    return ImportForm(
        request.POST or None,
        request.FILES or None,
        connections=connection_list(workspace=request.workspace),
        portfolios=portfolio_list(workspace=request.workspace),
        exchange=request.GET.get("exchange"),
    )


def _page(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    batches = ImportBatch.objects.for_workspace(request.workspace).select_related(
        "connection", "created_by"
    )[:20]
    context = {
        "form": form,
        "batches": batches,
        "formats": FORMATS.values(),
        "max_mb": settings.THRIVE_IMPORT_MAX_MB,
    }
    return render(request, "journal/import/start.html", context, status=status)


@never_cache
@workspace_required
def start(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if request.method != "POST" or not form.is_valid():
        return _page(request, form)
    upload = form.cleaned_data["file"]
    if upload.size > settings.THRIVE_IMPORT_MAX_BYTES:
        form.add_error(
            "file",
            f"The file is {upload.size / 1_000_000:.1f} MB; the most we take is "
            f"{settings.THRIVE_IMPORT_MAX_MB} MB. Export a shorter period, or zip the CSV.",
        )
        return _page(request, form)
    connection = form.cleaned_data["connection"]
    options = ImportOptions(
        file_format=form.cleaned_data["file_format"] or None,
        timezone=form.cleaned_data["timezone"],
        exchange=form.cleaned_data["exchange"],
        connection_id=connection.pk if connection else None,
        portfolio_id=form.cleaned_data["portfolio"].pk,
    )
    try:
        preview = import_prepare(
            workspace=request.workspace,
            actor=request.user,
            data=upload.read(),
            file_name=upload.name,
            options=options,
        )
    except ImportRefused as refused:
        form.add_error("file", refused.message)
        return _page(request, form)
    return redirect("journal:import-preview", token=preview.token)


@never_cache
@workspace_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            batch = import_confirm(
                workspace=request.workspace,
                actor=request.user,
                token=token,
                skip_rejected=request.POST.get("skip_rejected") == "on",
            )
        except ImportRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                f"Imported {counted(batch.trades_imported, 'trade')} and "
                f"{counted(batch.entries_imported, 'other entry', 'other entries')} from "
                f"{batch.file_name}"
                + (
                    f"; {batch.rows_already_there:,} were in your journal already"
                    if batch.rows_already_there
                    else ""
                )
                + ". You can undo this import below.",
            )
            return redirect("journal:import")
    try:
        pending = import_pending(workspace=request.workspace, actor=request.user, token=token)
    except ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect("journal:import")
    return render(request, "journal/import/preview.html", {"preview": pending})


@require_POST
@workspace_required
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    # An upload that is no longer waiting has nothing left to cancel.
    with contextlib.suppress(ImportRefused):
        import_cancel(workspace=request.workspace, actor=request.user, token=token)
    messages.info(request, "Nothing was imported.")
    return redirect("journal:import")


@require_POST
@workspace_required
def undo(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = ImportBatch.objects.for_workspace(request.workspace).filter(public_id=public_id).first()
    if batch is None:
        raise Http404("No such import.")
    try:
        trades, entries = import_undo(batch=batch, actor=request.user)
    except ImportRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"Undone: {counted(trades, 'trade')} and "
            f"{counted(entries, 'other entry', 'other entries')} of {batch.file_name} "
            "are gone from your journal.",
        )
    return redirect("journal:import")


@require_GET
@workspace_required
def template(request: HttpRequest) -> FileResponse:
    return FileResponse(
        TEMPLATE.open("rb"),
        as_attachment=True,
        filename="thrive-journal-template.csv",
        content_type="text/csv",
    )

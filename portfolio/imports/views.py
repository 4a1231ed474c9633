"""The import page (upload, preview, confirm) and the ledger exports of a fund, for its managers.

Between the preview and the confirmation the uploaded file waits in the uploader's own session under a
random token, for half an hour, tied to the fund and the kind of file: the confirmation runs exactly the file
that was previewed, and nobody else's session can name it. The confirmation runs the whole import again
(the fund may have changed meanwhile) and keeps it only if every row passes again.
"""

import base64
import datetime
import secrets
import time

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from portfolio.workspace.access import fund_view

from .columns import KINDS
from .export import ledger_csv, ledger_xlsx
from .forms import ImportUploadForm
from .importing import ImportReport, import_file
from .reading import read_table

SESSION_KEY = "portfolio_imports"
STASH_MINUTES = 30


def _stashes(request) -> dict:
    """The uploads waiting in this session, without the expired ones."""
    cutoff = time.time() - STASH_MINUTES * 60
    stashes = request.session.get(SESSION_KEY, {})
    return {token: stash for token, stash in stashes.items() if stash["at"] > cutoff}


def _stash(request, fund, kind: str, name: str, content: bytes) -> str:
    token = secrets.token_urlsafe(24)
    # One waiting upload per fund: a new preview replaces the last one, so the session stays small.
    stashes = {key: value for key, value in _stashes(request).items() if value["fund"] != fund.pk}
    stashes[token] = {
        "fund": fund.pk,
        "kind": kind,
        "name": name,
        "content": base64.b64encode(content).decode("ascii"),
        "at": time.time(),
    }
    request.session[SESSION_KEY] = stashes
    return token


def _take(request, fund, token: str) -> dict | None:
    """The waiting upload of this token and fund, removed from the session (it is used once)."""
    stashes = _stashes(request)
    stash = stashes.pop(token, None)
    request.session[SESSION_KEY] = stashes
    if stash is None or stash["fund"] != fund.pk:
        return None
    return stash


def _preview_rows(kind, content: bytes, report: ImportReport) -> tuple[list[str], list[dict]]:
    """The file's columns (this kind's, in the file's order) and each row's cells with its errors."""
    table = read_table(content)
    columns = [name for name in table.header if name in kind.names]
    errors_by_row = {}
    for error in report.errors:
        errors_by_row.setdefault(error.row, []).append(error)
    rows = []
    for number, cells in table.rows:
        shown = []
        for name in columns:
            cell = cells.get(name)
            if isinstance(cell, datetime.date | datetime.datetime):
                cell = cell.isoformat(sep=" ") if isinstance(cell, datetime.datetime) else cell.isoformat()
            shown.append("" if cell is None or not isinstance(cell, str | int | float) else str(cell))
        rows.append({"number": number, "cells": shown, "errors": errors_by_row.get(number, [])})
    return columns, rows


def _render_preview(request, fund, *, kind, name, content, report, token=""):
    columns, rows = _preview_rows(kind, content, report)
    shown = {row["number"] for row in rows}
    general = [error for error in report.errors if error.row not in shown]
    return render(
        request,
        "manage/import_preview.html",
        {
            "fund": fund,
            "kind": kind,
            "name": name,
            "report": report,
            "columns": columns,
            "rows": rows,
            "general_errors": general,
            "token": token,
        },
    )


@fund_view
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request, fund):
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, fund)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        content = upload.read()
        report = import_file(user=request.user, fund=fund, kind=kind, content=content, commit=False)
        token = _stash(request, fund, kind, upload.name, content) if report.ok else ""
        return _render_preview(
            request, fund, kind=KINDS[kind], name=upload.name, content=content, report=report, token=token
        )
    return render(request, "manage/import.html", {"fund": fund, "form": form, "kinds": KINDS.values()})


def _confirm(request, fund):
    stash = _take(request, fund, request.POST["token"])
    if stash is None:
        messages.error(request, _("This upload has expired or was imported already: upload the file again."))
        return redirect("manage:import", slug=fund.slug)
    content = base64.b64decode(stash["content"])
    report = import_file(
        user=request.user,
        fund=fund,
        kind=stash["kind"],
        content=content,
        commit=True,
        token=request.POST["token"],
    )
    if not report.committed:
        # The fund changed since the preview (or the file was imported already): nothing was saved.
        return _render_preview(
            request, fund, kind=KINDS[stash["kind"]], name=stash["name"], content=content, report=report
        )
    messages.success(
        request,
        ngettext("%(count)s row of %(name)s imported.", "%(count)s rows of %(name)s imported.", report.rows)
        % {"count": report.rows, "name": stash["name"]},
    )
    return redirect("manage:import", slug=fund.slug)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(fund, extension: str) -> str:
    return f"{fund.slug}-ledger-{timezone.localdate().isoformat()}.{extension}"


@fund_view
@require_safe
def ledger_csv_export(request, fund):
    return _attachment(ledger_csv(fund), "text/csv; charset=utf-8", _filename(fund, "csv"))


@fund_view
@require_safe
def ledger_xlsx_export(request, fund):
    return _attachment(
        ledger_xlsx(fund),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(fund, "xlsx"),
    )

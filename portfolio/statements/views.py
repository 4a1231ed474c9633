"""The capital account page and its downloads. Thin: whose account (access.py), which date (forms.py), the
stored figures and the ledger lines (queries.py), then a template, a CSV or a PDF."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .access import account_owner
from .csvfile import statement_csv
from .forms import AsOfForm
from .pdf import statement_pdf
from .queries import statement


def _date_form(request) -> AsOfForm:
    # Unbound without the parameter: no "required" noise on the first visit.
    return AsOfForm(request.GET if "as_of" in request.GET else None)


@login_required
@never_cache
def account(request, slug):
    owner = account_owner(request, slug)
    form = _date_form(request)
    # A refused date is shown beside the field with a 400 (as on the fund page), and the page shows today's
    # account meanwhile.
    refused = form.is_bound and not form.is_valid()
    current = statement(owner.fund, owner.investor, form.date())
    query = urlencode({**owner.query, "as_of": current.requested.isoformat()})
    return render(
        request,
        "statements/account.html",
        {
            "fund": owner.fund,
            "owner": owner,
            "form": form,
            "statement": current,
            "download_query": query,
            "switch_to": [
                (investor, urlencode({"investor": investor.pk, "as_of": current.requested.isoformat()}))
                for investor in owner.own
            ]
            if len(owner.own) > 1
            else [],
        },
        status=400 if refused else 200,
    )


def _download(request, slug, extension: str, content_type: str, body):
    owner = account_owner(request, slug)
    form = _date_form(request)
    if form.is_bound and not form.is_valid():
        # A file has no field to show the message beside: the refusal is the answer, never a 500.
        messages = [str(message) for errors in form.errors.values() for message in errors]
        return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")
    current = statement(owner.fund, owner.investor, form.date())
    response = HttpResponse(body(current), content_type=content_type)
    filename = (
        f"{owner.fund.slug}-capital-account-{owner.investor.pk}-{current.as_of.isoformat()}.{extension}"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
def account_csv(request, slug):
    return _download(request, slug, "csv", "text/csv; charset=utf-8", statement_csv)


@login_required
@never_cache
def account_pdf(request, slug):
    return _download(
        request,
        slug,
        "pdf",
        "application/pdf",
        lambda current: statement_pdf(current, title=_("Capital account statement")),
    )

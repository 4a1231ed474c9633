"""Receipts and valuations in the workspace: the fund's lists, and each recorded by its own form under a
project."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portfolio.services.receipts import receipt_record
from portfolio.services.valuations import valuation_record

from . import money_reads as reads
from .access import fund_view
from .forms_money import ReceiptForm, ValuationForm
from .money_flow import FORM_TEMPLATE
from .once import submit


def _list(request, fund, rows, template):
    context = {"fund": fund, "page": reads.page_of(request, rows), "projects": reads.fund_projects(fund)}
    return render(request, template, context)


@fund_view
def receipt_list(request, fund):
    return _list(request, fund, reads.fund_receipts(fund), "manage/receipts.html")


@fund_view
def valuation_list(request, fund):
    return _list(request, fund, reads.fund_valuations(fund), "manage/valuations.html")


def _record(request, fund, project, *, form_class, service, heading, done, url_name, list_name, unkeyed=None):
    project = reads.fund_project(fund, project)
    form = form_class(request.POST or None)
    if request.method == "POST":

        def record():
            data = {key: value for key, value in form.cleaned_data.items() if key != "once"}
            try:
                service(user=request.user, project=project, **data)
            except ValidationError as error:
                # A rule over two columns (one valuation per project and date) comes unkeyed from the model;
                # it is about the field the person can change.
                if unkeyed and NON_FIELD_ERRORS in getattr(error, "error_dict", {}):
                    raise ValidationError({unkeyed: error.error_dict[NON_FIELD_ERRORS]}) from error
                raise
            return reverse(list_name, args=[fund.slug])

        response = submit(request, form, record, done)
        if response:
            return response
    context = {
        "fund": fund,
        "form": form,
        "heading": heading,
        "subheading": project.title,
        "action": reverse(url_name, args=[fund.slug, project.pk]),
    }
    return render(request, FORM_TEMPLATE, context)


@fund_view
def receipt_new(request, fund, project):
    return _record(
        request,
        fund,
        project,
        form_class=ReceiptForm,
        service=receipt_record,
        heading=_("Record a receipt"),
        done=_("The receipt is recorded."),
        url_name="manage:receipt-new",
        list_name="manage:receipts",
    )


@fund_view
def valuation_new(request, fund, project):
    return _record(
        request,
        fund,
        project,
        form_class=ValuationForm,
        service=valuation_record,
        heading=_("Record a valuation"),
        done=_("The valuation is recorded."),
        url_name="manage:valuation-new",
        list_name="manage:valuations",
        unkeyed="date",
    )

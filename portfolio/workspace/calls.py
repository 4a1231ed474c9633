"""Capital calls in the workspace: the fund's calls, a new call whose per-investor split is shown before it
is issued (the service's own split function), and investors' payments against their items, partial ones
included, with what is paid and outstanding per item."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portfolio.money import format_money
from portfolio.services.capital_calls import capital_call_issue, capital_call_payment_record

from . import money_reads as reads
from .access import fund_view
from .forms_money import CallPaymentForm, CapitalCallForm
from .money_flow import FORM_TEMPLATE, confirmed
from .once import submit


@fund_view
def call_list(request, fund):
    page = reads.page_of(request, reads.fund_calls(fund))
    return render(request, "manage/calls.html", {"fund": fund, "page": page})


@fund_view
def call_new(request, fund):
    def issue(data):
        call = capital_call_issue(user=request.user, fund=fund, **data)
        return reverse("manage:call", args=[fund.slug, call.pk])

    return confirmed(
        request,
        CapitalCallForm(request.POST or None),
        preview=lambda data: reads.split_preview(fund, data["amount"], data["call_date"]),
        act=lambda data: issue({key: value for key, value in data.items() if key != "once"}),
        done=_("The capital call is issued."),
        confirm_template="manage/call_confirm.html",
        context={
            "fund": fund,
            "heading": _("New capital call"),
            "action": reverse("manage:call-new", args=[fund.slug]),
        },
    )


@fund_view
def call_detail(request, fund, call):
    call = reads.fund_call(fund, call)
    page = reads.page_of(request, reads.call_items(call))
    return render(request, "manage/call.html", {"fund": fund, "call": call, "page": page})


@fund_view
def call_payment(request, fund, call, item):
    call = reads.fund_call(fund, call)
    item = reads.call_item(call, item)
    form = CallPaymentForm(request.POST or None)
    if request.method == "POST":

        def record():
            data = form.cleaned_data
            capital_call_payment_record(
                user=request.user,
                item=item,
                amount=data["amount"],
                date=data["date"],
                bank_reference=data["bank_reference"],
            )
            return reverse("manage:call", args=[fund.slug, call.pk])

        done = submit(request, form, record, _("The payment is recorded."))
        if done:
            return done
    return render(
        request,
        FORM_TEMPLATE,
        {
            "fund": fund,
            "form": form,
            "heading": _("Record an investor's payment"),
            "subheading": _("Capital call %(number)s") % {"number": call.number},
            "facts": [
                (_("Investor"), item.investor.name),
                (_("Amount called"), format_money(item.amount)),
                (_("Paid"), format_money(item.paid)),
                (_("Outstanding"), format_money(item.outstanding)),
            ],
            "action": reverse("manage:call-payment", args=[fund.slug, call.pk, item.pk]),
        },
    )

"""Distributions in the workspace: the fund's distributions, a new one whose per-investor split is shown
before it is issued (the service's own split function), and marking one paid."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portfolio.models import Distribution
from portfolio.services.distributions import distribution_issue, distribution_pay

from . import money_reads as reads
from .access import fund_view
from .forms_money import DistributionForm, DistributionPayForm
from .money_flow import confirmed
from .once import submit


@fund_view
def distribution_list(request, fund):
    page = reads.page_of(request, reads.fund_distributions(fund))
    return render(request, "manage/distributions.html", {"fund": fund, "page": page})


@fund_view
def distribution_new(request, fund):
    def issue(data):
        distribution = distribution_issue(
            user=request.user,
            fund=fund,
            date=data["date"],
            amount=data["amount"],
            kind=data["kind"],
            note=data["note"],
        )
        return reverse("manage:distribution", args=[fund.slug, distribution.pk])

    return confirmed(
        request,
        DistributionForm(request.POST or None),
        preview=lambda data: reads.split_preview(fund, data["amount"], data["date"]),
        act=issue,
        done=_("The distribution is planned; mark it paid once the money has gone out."),
        confirm_template="manage/distribution_confirm.html",
        context={
            "fund": fund,
            "heading": _("New distribution"),
            "action": reverse("manage:distribution-new", args=[fund.slug]),
        },
    )


def _page(request, fund, distribution, form=None):
    return render(
        request,
        "manage/distribution.html",
        {
            "fund": fund,
            "distribution": distribution,
            "page": reads.page_of(request, reads.distribution_items(distribution)),
            "form": form or DistributionPayForm(),
            "payable": distribution.status == Distribution.Status.PLANNED or form is not None,
        },
    )


@fund_view
def distribution_detail(request, fund, distribution):
    return _page(request, fund, reads.fund_distribution(fund, distribution))


@fund_view
def distribution_pay_view(request, fund, distribution):
    distribution = reads.fund_distribution(fund, distribution)
    if request.method != "POST":
        return _page(request, fund, distribution)
    form = DistributionPayForm(request.POST)

    def pay():
        distribution_pay(user=request.user, distribution=distribution)
        return reverse("manage:distribution", args=[fund.slug, distribution.pk])

    return submit(request, form, pay, _("The distribution is paid.")) or _page(
        request, fund, reads.fund_distribution(fund, distribution.pk), form
    )

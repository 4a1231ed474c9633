"""Disbursements in the workspace: the fund's list, a request against a tranche (confirmed with its amount,
and for another currency the FX rate of the day and the KZT equivalent), and on the disbursement's page the
four-eyes steps: approve, reject, pay, and reverse. Every step is the service's; its refusal (four eyes, a
limit, a date) shows beside the field it names."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import Disbursement
from portfolio.money import BASE_CURRENCY
from portfolio.services.disbursements import (
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    disbursement_reverse,
)

from . import money_reads as reads
from .access import fund_view
from .forms_money import ApproveForm, DisbursementRequestForm, PayForm, RejectForm, ReverseForm
from .money_flow import confirmed
from .once import submit

Status = Disbursement.Status


@fund_view
def disbursement_list(request, fund):
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""  # an unknown filter shows every disbursement rather than an error page
    return render(
        request,
        "manage/disbursements.html",
        {
            "fund": fund,
            "page": reads.page_of(request, reads.fund_disbursements(fund, status)),
            "status": status,
            "statuses": Status.choices,
            "projects": reads.fund_projects(fund),
        },
    )


def _conversion(data) -> reads.Conversion | None:
    if data["currency"] == BASE_CURRENCY:
        return None
    return reads.fx_conversion(data["currency"], data["amount"], timezone.localdate())


@fund_view
def disbursement_new(request, fund, project):
    project = reads.fund_project(fund, project)
    form = DisbursementRequestForm(
        request.POST or None,
        tranches=project.tranches.order_by("number"),
        currencies=reads.fx_currencies(),
        initial={"tranche": request.GET.get("tranche")},
    )

    def request_it(data):
        conversion = _conversion(data)
        if conversion and request.POST.get("shown_rate") != str(conversion.rate):
            # A rate published between the review and the confirmation: the person confirms what they saw.
            message = _("The FX rate has changed since you reviewed the request; review it again.")
            raise ValidationError({"currency": message})
        disbursement = disbursement_request(
            user=request.user,
            tranche=data["tranche"],
            amount=conversion.amount if conversion else data["amount"],
            note=data["note"],
            foreign=conversion.foreign() if conversion else None,
        )
        return reverse("manage:disbursement", args=[fund.slug, disbursement.pk])

    return confirmed(
        request,
        form,
        preview=lambda data: _conversion(data) or data["amount"],
        act=request_it,
        done=_("Requested. It waits for another manager's approval."),
        confirm_template="manage/disbursement_confirm.html",
        context={
            "fund": fund,
            "project": project,
            "heading": _("Request a disbursement"),
            "subheading": project.title,
            "action": reverse("manage:disbursement-new", args=[fund.slug, project.pk]),
        },
    )


ACTIONS = {"approve": ApproveForm, "reject": RejectForm, "pay": PayForm, "reverse": ReverseForm}


def _offered(disbursement: Disbursement, user) -> set[str]:
    """The steps the page offers in this status (the service decides whether one is allowed)."""
    if disbursement.status == Status.REQUESTED:
        # Four eyes: the requester is told approval waits for someone else instead of offered the button.
        return {"reject"} if disbursement.requested_by_id == user.pk else {"approve", "reject"}
    if disbursement.status == Status.APPROVED:
        return {"pay", "reject"}
    if disbursement.status == Status.PAID and not disbursement.is_reversal:
        return set() if getattr(disbursement, "reversal", None) else {"reverse"}
    return set()


def _page(request, fund, disbursement, bound: tuple[str, object] | None = None):
    forms = {name: form_class() for name, form_class in ACTIONS.items()}
    offered = _offered(disbursement, request.user)
    if bound:
        forms[bound[0]] = bound[1]
        offered.add(bound[0])  # a refused step stays on the page with its message
    history = disbursement.history.select_related("history_user").order_by("history_date", "history_id")
    return render(
        request,
        "manage/disbursement.html",
        {
            "fund": fund,
            "disbursement": disbursement,
            "reversal": getattr(disbursement, "reversal", None),
            "forms": forms,
            "offered": offered,
            "waits_for_approver": disbursement.status == Status.REQUESTED
            and disbursement.requested_by_id == request.user.pk,
            "history": history,
        },
    )


@fund_view
def disbursement_detail(request, fund, disbursement):
    return _page(request, fund, reads.fund_disbursement(fund, disbursement))


def _step(request, fund, pk, name: str, run, done_message: str):
    disbursement = reads.fund_disbursement(fund, pk)
    if request.method != "POST":
        return _page(request, fund, disbursement)
    form = ACTIONS[name](request.POST)

    def act():
        result = run(disbursement, form.cleaned_data)
        return reverse("manage:disbursement", args=[fund.slug, result.pk])

    return submit(request, form, act, done_message) or _page(
        request, fund, reads.fund_disbursement(fund, pk), bound=(name, form)
    )


@fund_view
def disbursement_approve_view(request, fund, disbursement):
    return _step(
        request,
        fund,
        disbursement,
        "approve",
        lambda record, data: disbursement_approve(user=request.user, disbursement=record),
        _("Approved. It can now be paid."),
    )


@fund_view
def disbursement_reject_view(request, fund, disbursement):
    return _step(
        request,
        fund,
        disbursement,
        "reject",
        lambda record, data: disbursement_reject(
            user=request.user, disbursement=record, reason=data["rejection_reason"]
        ),
        _("Rejected."),
    )


@fund_view
def disbursement_pay_view(request, fund, disbursement):
    return _step(
        request,
        fund,
        disbursement,
        "pay",
        lambda record, data: disbursement_pay(
            user=request.user,
            disbursement=record,
            paid_date=data["paid_date"],
            bank_reference=data["bank_reference"],
        ),
        _("The payment is recorded."),
    )


@fund_view
def disbursement_reverse_view(request, fund, disbursement):
    return _step(
        request,
        fund,
        disbursement,
        "reverse",
        lambda record, data: disbursement_reverse(
            user=request.user,
            disbursement=record,
            date=data["paid_date"],
            reason=data["note"],
            amount=data["amount"],
            bank_reference=data["bank_reference"],
        ),
        _("The reversal is recorded."),
    )

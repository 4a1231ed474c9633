"""Admin for disbursements, four eyes: a request is added here by the manager asking; approving, rejecting,
paying and reversing are steps on the record's own pages. Each step is one call of the disbursement services
with the acting user, who is recorded as requester, approver or rejecter with the time: nobody types who
asked, who approved or when, and the services refuse an approver who is not another manager of the fund.

A paid disbursement is never edited or deleted (for superusers too); only its note and bank reference may be
corrected. Money that comes back is a reversal: a new, linked, negative record.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField
from portfolio.models import Disbursement
from portfolio.money import MoneyFormField
from portfolio.services.disbursements import (
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    disbursement_reverse,
)

from .base import FOREIGN_AMOUNT_FIELDS, money_column
from .guards import stored
from .scoping import FundFilter
from .writes import RecordAction, ServiceAdmin, foreign_from, save_correction

Status = Disbursement.Status

THE_RECORD = (
    "project",
    "tranche",
    "amount",
    "status",
    "requested_by",
    "requested_at",
    "approved_by",
    "approved_at",
    "rejected_by",
    "rejected_at",
    "rejection_reason",
    "paid_date",
    "reverses",
    "reversal_link",
    *FOREIGN_AMOUNT_FIELDS,
)


def _reason(label):
    return forms.CharField(label=label, required=False, max_length=300, widget=forms.Textarea({"rows": 3}))


class RejectForm(forms.Form):
    reason = _reason(_("reason for rejecting"))


class PayForm(forms.Form):
    paid_date = BoundedDateFormField(label=_("payment date"), required=False, widget=AdminDateWidget)
    bank_reference = forms.CharField(label=_("bank reference"), required=False, max_length=100)


class ReverseForm(forms.Form):
    date = BoundedDateFormField(label=_("date the money came back"), required=False, widget=AdminDateWidget)
    amount = MoneyFormField(
        label=_("amount that came back"), required=False, help_text=_("Leave blank to reverse all of it.")
    )
    reason = _reason(_("reason"))
    bank_reference = forms.CharField(label=_("bank reference"), required=False, max_length=100)


def _approve(request, disbursement, data):
    disbursement_approve(user=request.user, disbursement=disbursement)


def _reject(request, disbursement, data):
    disbursement_reject(user=request.user, disbursement=disbursement, reason=data["reason"])


def _pay(request, disbursement, data):
    disbursement_pay(
        user=request.user,
        disbursement=disbursement,
        paid_date=data["paid_date"],
        bank_reference=data["bank_reference"],
    )


def _reverse(request, disbursement, data):
    disbursement_reverse(
        user=request.user,
        disbursement=disbursement,
        date=data["date"],
        amount=data["amount"],
        reason=data["reason"],
        bank_reference=data["bank_reference"],
    )


def _reversible(disbursement) -> bool:
    return (
        disbursement.status == Status.PAID
        and disbursement.reverses_id is None
        and not Disbursement.objects.filter(reverses=disbursement).exists()
    )


DISBURSEMENT_STEPS = (
    RecordAction(
        name="approve",
        label=_("Approve"),
        run=_approve,
        done=_("The disbursement is approved."),
        offered=lambda d: d.status == Status.REQUESTED,
    ),
    RecordAction(
        name="reject",
        label=_("Reject"),
        run=_reject,
        done=_("The disbursement is rejected."),
        form=RejectForm,
        offered=lambda d: d.status in (Status.REQUESTED, Status.APPROVED),
        renamed={"rejection_reason": "reason"},
    ),
    RecordAction(
        name="pay",
        label=_("Record the payment"),
        run=_pay,
        done=_("The payment is recorded."),
        form=PayForm,
        offered=lambda d: d.status == Status.APPROVED,
    ),
    RecordAction(
        name="reverse",
        label=_("Reverse"),
        run=_reverse,
        done=_("The reversal is recorded."),
        form=ReverseForm,
        offered=_reversible,
        renamed={"paid_date": "date", "note": "reason"},
    ),
)


@admin.register(Disbursement)
class DisbursementAdmin(ServiceAdmin):
    list_display = (
        "__str__",
        "project",
        "tranche",
        "amount_display",
        "status",
        "paid_date",
        "requested_by",
        "approved_by",
        "is_reversal",
        "is_reversed",
    )
    list_display_links = ("__str__",)
    list_select_related = ("project", "tranche__project", "requested_by", "approved_by", "reversal")
    list_filter = ("status", ("reverses", admin.EmptyFieldListFilter), ("project__fund", FundFilter))
    search_fields = ("project__title", "bank_reference", "note")
    date_hierarchy = "paid_date"
    autocomplete_fields = ("tranche",)
    record_actions = DISBURSEMENT_STEPS

    def get_fieldsets(self, request, obj=None):
        foreign = (_("Foreign currency"), {"fields": FOREIGN_AMOUNT_FIELDS, "classes": ("collapse",)})
        if obj is None:
            return ((None, {"fields": ("tranche", "amount", "note")}), foreign)
        return (
            (None, {"fields": ("project", "tranche", "amount", "status", "note")}),
            (
                _("Four eyes"),
                {
                    "fields": (
                        "requested_by",
                        "requested_at",
                        "approved_by",
                        "approved_at",
                        "rejected_by",
                        "rejected_at",
                        "rejection_reason",
                    )
                },
            ),
            (_("Payment"), {"fields": ("paid_date", "bank_reference")}),
            (_("Reversal"), {"fields": ("reverses", "reversal_link")}),
            foreign,
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A paid record keeps its bank reference open to correction; before payment there is none to fix.
        if stored(obj).status == Status.PAID:
            return THE_RECORD
        return (*THE_RECORD, "bank_reference")

    def save_through_service(self, request, obj, form, change):
        if change:
            return save_correction(request, obj, form)
        data = form.cleaned_data
        return disbursement_request(
            user=request.user,
            tranche=data["tranche"],
            amount=data["amount"],
            note=data["note"],
            foreign=foreign_from(data),
        )

    amount_display = money_column("amount", _("amount"))

    @admin.display(description=_("reversal"), boolean=True)
    def is_reversal(self, obj):
        return obj.reverses_id is not None

    @admin.display(description=_("reversed"), boolean=True)
    def is_reversed(self, obj):
        return hasattr(obj, "reversal")

    @admin.display(description=_("reversed by"))
    def reversal_link(self, obj):
        reversal = Disbursement.objects.filter(reverses=obj).first() if obj.pk else None
        if reversal is None:
            return None
        url = reverse("admin:portfolio_disbursement_change", args=[reversal.pk])
        return format_html('<a href="{}">{}</a>', url, reversal)

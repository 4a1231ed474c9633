"""The workspace's money forms. They read and normalise input only; every rule is the service's, whose
refusal `portfolio.forms.show_refusal` puts beside the field it names (field names here are the
services' own)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField
from portfolio.models import CapitalCall, Distribution, Receipt
from portfolio.money import BASE_CURRENCY, NOT_NEGATIVE, MoneyFormField, format_money

from .once import OnceForm


def helper(form_id: str, label, css_class: str = "btn-primary") -> FormHelper:
    result = FormHelper()
    result.form_id = form_id
    result.form_tag = False  # the template writes <form> with its action and the confirmation buttons
    # Named after the form, so two forms on one page never share a button id (submit-id-<form id>).
    result.add_input(Submit(form_id, label, css_class=css_class))
    return result


def _today():
    return timezone.localdate()


class DisbursementRequestForm(OnceForm):
    tranche = forms.ModelChoiceField(queryset=None, label=_("Tranche"), empty_label=None)
    amount = MoneyFormField(label=_("Amount"))
    currency = forms.ChoiceField(
        label=_("Currency"), help_text=_("Another currency is converted at the FX rate of today.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, tranches, currencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].queryset = tranches
        self.fields["tranche"].label_from_instance = self.tranche_label
        self.fields["currency"].choices = [(BASE_CURRENCY, BASE_CURRENCY)] + [(c, c) for c in currencies]
        self.initial.setdefault("currency", BASE_CURRENCY)
        self.helper = helper("disbursement-request-form", _("Review the request"))

    @staticmethod
    def tranche_label(tranche) -> str:
        return _("Tranche %(number)s: %(amount)s, %(status)s") % {
            "number": tranche.number,
            "amount": format_money(tranche.amount),
            "status": tranche.get_status_display().lower(),
        }


class ApproveForm(OnceForm):
    def __init__(self, *args, **kwargs):
        # The four steps share a page: their fields get ids of their own (id_approve_paid_date, ...).
        super().__init__(*args, auto_id="id_approve_%s", **kwargs)
        self.helper = helper("approve-form", _("Approve"), "btn-success")


class RejectForm(OnceForm):
    rejection_reason = forms.CharField(label=_("Reason for rejecting"), required=False)

    def __init__(self, *args, **kwargs):
        # The four steps share a page: their fields get ids of their own (id_reject_paid_date, ...).
        super().__init__(*args, auto_id="id_reject_%s", **kwargs)
        self.helper = helper("reject-form", _("Reject"), "btn-outline-danger")


class PayForm(OnceForm):
    paid_date = BoundedDateFormField(label=_("Payment date"), initial=_today)
    bank_reference = forms.CharField(label=_("Bank reference"), required=False)

    def __init__(self, *args, **kwargs):
        # The four steps share a page: their fields get ids of their own (id_pay_paid_date, ...).
        super().__init__(*args, auto_id="id_pay_%s", **kwargs)
        self.helper = helper("pay-form", _("Record the payment"), "btn-success")


class ReverseForm(OnceForm):
    paid_date = BoundedDateFormField(label=_("Date the money came back"), initial=_today)
    amount = MoneyFormField(
        label=_("Amount returned"), required=False, help_text=_("Leave blank for the whole amount.")
    )
    note = forms.CharField(label=_("Reason for the reversal"), required=False)
    bank_reference = forms.CharField(label=_("Bank reference"), required=False)

    def __init__(self, *args, **kwargs):
        # The four steps share a page: their fields get ids of their own (id_reverse_paid_date, ...).
        super().__init__(*args, auto_id="id_reverse_%s", **kwargs)
        self.helper = helper("reverse-form", _("Record the reversal"), "btn-outline-danger")


class CapitalCallForm(OnceForm):
    call_date = BoundedDateFormField(label=_("Call date"), initial=_today)
    due_date = BoundedDateFormField(
        label=_("Due date"), help_text=_("The ILPA norm is at least 10 business days after the notice.")
    )
    amount = MoneyFormField(label=_("Amount called"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=CapitalCall.Purpose.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("call-form", _("Preview the split"))


class CallPaymentForm(OnceForm):
    amount = MoneyFormField(label=_("Amount paid"))
    date = BoundedDateFormField(label=_("Payment date"), initial=_today)
    bank_reference = forms.CharField(label=_("Bank reference"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("call-payment-form", _("Record the payment"))


class DistributionForm(OnceForm):
    date = BoundedDateFormField(label=_("Date"), initial=_today)
    amount = MoneyFormField(label=_("Amount distributed"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Distribution.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("distribution-form", _("Preview the split"))


class DistributionPayForm(OnceForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("distribution-pay-form", _("Mark paid"), "btn-success")


class ReceiptForm(OnceForm):
    date = BoundedDateFormField(label=_("Date"), initial=_today)
    amount = MoneyFormField(label=_("Amount"))
    source = forms.ChoiceField(label=_("Source"), choices=Receipt.Source.choices)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("receipt-form", _("Record the receipt"))


class ValuationForm(OnceForm):
    date = BoundedDateFormField(label=_("Date"), initial=_today)
    amount = MoneyFormField(label=_("Carrying value"), sign=NOT_NEGATIVE)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("valuation-form", _("Record the valuation"))

"""Money between the fund and its investors: capital calls (paid in parts) and distributions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.dates import DateField, dates_in_range
from portfolio.money import MoneyField, format_money

from . import rules
from .base import ForeignAmount, choices_constraint, positive_amount_constraint
from .funds import Commitment, Fund, Investor


def _require_commitment(fund, investor) -> None:
    if fund and investor and not Commitment.objects.filter(fund=fund, investor=investor).exists():
        raise ValidationError({"investor": _("This investor has no commitment to this fund.")})


class CallPurpose(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    MANAGEMENT_FEE = "management_fee", _("Management fee")
    EXPENSES = "expenses", _("Expenses")


class CapitalCall(models.Model):
    Purpose = CallPurpose

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="capital_calls"
    )
    number = models.PositiveIntegerField(_("number"))
    call_date = DateField(_("call date"), help_text=_("The date the notice goes to investors."))
    due_date = DateField(
        _("due date"), help_text=_("The ILPA norm is at least 10 business days after the notice.")
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.INVESTMENT
    )
    amount = MoneyField(_("amount"), help_text=_("The total called; items split it pro rata to commitments."))
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capital call")
        verbose_name_plural = _("capital calls")
        ordering = ["fund", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "number"],
                name="capital_call_number_unique_per_fund",
                violation_error_message=_("This fund already has a capital call with this number."),
            ),
            positive_amount_constraint("capital_call"),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("call_date")),
                name="capital_call_due_not_before_call",
                violation_error_message=_("The due date cannot be before the call date."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="capital_call_number_from_one",
                violation_error_message=_("Capital calls are numbered from 1."),
            ),
            choices_constraint("capital_call", "purpose", CallPurpose),
            dates_in_range("capital_call", dates=("call_date", "due_date")),
        ]

    def __str__(self):
        return _("Capital call %(number)s of %(fund)s") % {"number": self.number, "fund": self.fund}

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("The amount must be greater than zero.")
        if self.call_date and self.due_date and self.due_date < self.call_date:
            errors["due_date"] = _("The due date cannot be before the call date.")
        if errors:
            raise ValidationError(errors)


class CapitalCallItem(models.Model):
    capital_call = models.ForeignKey(
        CapitalCall, verbose_name=_("capital call"), on_delete=models.CASCADE, related_name="items"
    )
    investor = models.ForeignKey(
        Investor, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="capital_call_items"
    )
    amount = MoneyField(_("amount called"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capital call item")
        verbose_name_plural = _("capital call items")
        ordering = ["capital_call", "investor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["capital_call", "investor"],
                name="capital_call_item_one_per_investor",
                violation_error_message=_("This investor already has an item in this capital call."),
            ),
            positive_amount_constraint("capital_call_item"),
        ]

    def __str__(self):
        return f"{self.capital_call} · {self.investor}"

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("The amount must be greater than zero.")})
        if self.capital_call_id and self.investor_id:
            _require_commitment(self.capital_call.fund, self.investor)
        if self.pk and self.amount is not None:
            paid = self.payments.aggregate(total=Sum("amount"))["total"] or 0
            if self.amount < paid:
                raise ValidationError(
                    {
                        "amount": _("The amount called cannot be less than what was already paid (%(paid)s).")
                        % {"paid": format_money(paid)}
                    }
                )


class CapitalCallPayment(ForeignAmount):
    """Money an investor paid against one call item; an item may be paid in several parts."""

    item = models.ForeignKey(
        CapitalCallItem,
        verbose_name=_("capital call item"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    date = DateField(_("payment date"))
    amount = MoneyField(_("amount"))
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capital call payment")
        verbose_name_plural = _("capital call payments")
        ordering = ["item", "date", "id"]
        constraints = [
            positive_amount_constraint("capital_call_payment"),
            *ForeignAmount.constraints_for("capital_call_payment"),
            dates_in_range("capital_call_payment", dates=("date", "fx_rate_date")),
        ]
        triggers = rules.received_money_permanent(
            "portfolio_capitalcallpayment", rules.CAPITAL_CALL_PAYMENT_OPEN
        )

    def __str__(self):
        return f"{self.item} · {self.date}"

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("The amount must be greater than zero.")})
        self.clean_foreign_amount()
        if not self.item_id:
            return
        if self.date and self.date < self.item.capital_call.call_date:
            raise ValidationError({"date": _("A payment cannot be dated before its capital call.")})
        if self.amount is not None:
            others = self.item.payments.exclude(pk=self.pk).aggregate(total=Sum("amount"))["total"] or 0
            if others + self.amount > self.item.amount:
                raise ValidationError(
                    {
                        "amount": _("Payments would exceed the amount called (%(called)s); %(left)s remains.")
                        % {
                            "called": format_money(self.item.amount),
                            "left": format_money(self.item.amount - others),
                        }
                    }
                )


class DistributionKind(models.TextChoices):
    RETURN_OF_CAPITAL = "return_of_capital", _("Return of capital")
    PROFIT = "profit", _("Profit")


class DistributionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PAID = "paid", _("Paid")


class Distribution(models.Model):
    Kind = DistributionKind

    Status = DistributionStatus

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="distributions"
    )
    number = models.PositiveIntegerField(_("number"))
    date = DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RETURN_OF_CAPITAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["fund", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "number"],
                name="distribution_number_unique_per_fund",
                violation_error_message=_("This fund already has a distribution with this number."),
            ),
            choices_constraint("distribution", "kind", DistributionKind),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="distribution_number_from_one",
                violation_error_message=_("Distributions are numbered from 1."),
            ),
            choices_constraint("distribution", "status", DistributionStatus),
            dates_in_range("distribution", dates=("date",)),
        ]
        # A paid distribution stays paid, and only its note may change.
        triggers = [
            rules.never_deleted(
                name="distribution_paid_not_deleted",
                when=rules.PAID,
                rule="distribution_paid_is_permanent",
                message="a paid distribution cannot be undone or deleted",
            ),
            rules.frozen(
                name="distribution_paid_frozen",
                when=rules.PAID,
                open_columns=rules.DISTRIBUTION_OPEN,
                rule="distribution_paid_is_permanent",
                message="a paid distribution cannot be undone or changed but for its note",
            ),
        ]

    def __str__(self):
        return _("Distribution %(number)s of %(fund)s") % {"number": self.number, "fund": self.fund}


class DistributionItem(ForeignAmount):
    distribution = models.ForeignKey(
        Distribution, verbose_name=_("distribution"), on_delete=models.PROTECT, related_name="items"
    )
    investor = models.ForeignKey(
        Investor, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="distribution_items"
    )
    amount = MoneyField(_("amount"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distribution item")
        verbose_name_plural = _("distribution items")
        ordering = ["distribution", "investor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "investor"],
                name="distribution_item_one_per_investor",
                violation_error_message=_("This investor already has an item in this distribution."),
            ),
            positive_amount_constraint("distribution_item"),
            *ForeignAmount.constraints_for("distribution_item"),
            dates_in_range("distribution_item", dates=("fx_rate_date",)),
        ]
        triggers = [rules.distribution_items_of_paid_frozen()]

    def __str__(self):
        return f"{self.distribution} · {self.investor}"

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("The amount must be greater than zero.")})
        self.clean_foreign_amount()
        if self.distribution_id and self.investor_id:
            _require_commitment(self.distribution.fund, self.investor)

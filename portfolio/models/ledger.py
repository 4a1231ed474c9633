"""Money between the fund and its projects: disbursements out, receipts back, and carrying values."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.dates import DateField, DateTimeField, dates_in_range
from portfolio.money import ANY_SIGN, NOT_NEGATIVE, MoneyField, format_money

from . import rules
from .base import ForeignAmount, choices_constraint, positive_amount_constraint
from .projects import Project
from .tranches import Tranche


class DisbursementStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Disbursement(ForeignAmount):
    """Money paid from the fund to a project: requested by one manager, approved by another, then paid.

    A request may be rejected instead (by whom, when and why are kept). A paid disbursement is never edited
    or deleted; a reversal is a new paid row with a negative amount that points at the row it reverses (at
    most one reversal per original, never larger than it), recorded by one manager with its reason in `note`.
    """

    Status = DisbursementStatus

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="disbursements"
    )
    tranche = models.ForeignKey(
        Tranche,
        verbose_name=_("tranche"),
        on_delete=models.PROTECT,
        related_name="disbursements",
        null=True,
        blank=True,
    )
    amount = MoneyField(_("amount"), sign=ANY_SIGN, help_text=_("Negative only for a reversal."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    requested_at = DateTimeField(_("requested at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = DateTimeField(_("approved at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rejected_at = DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    paid_date = DateField(_("payment date"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        related_name="reversal",
        null=True,
        blank=True,
        help_text=_("For a reversal: the paid disbursement it undoes."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # The OneToOneField already makes "reverses" unique: an original is reversed at most once.
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0) | Q(reverses__isnull=False, amount__lt=0),
                name="disbursement_amount_positive_unless_reversal",
                violation_error_message=_("A disbursement must be positive; only a reversal is negative."),
            ),
            models.CheckConstraint(
                condition=~Q(reverses=F("id")),
                name="disbursement_not_reversing_itself",
            ),
            choices_constraint("disbursement", "status", DisbursementStatus),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="disbursement_approved_by_another_manager",
                violation_error_message=_(
                    "A disbursement must be approved by someone other than its requester."
                ),
            ),
            # A reversal is recorded by one manager (it brings money back, it pays nothing out); every
            # other approved or paid row carries its four-eyes record.
            models.CheckConstraint(
                condition=Q(status__in=["requested", "rejected"])
                | Q(reverses__isnull=False, requested_by__isnull=False)
                | Q(requested_by__isnull=False, approved_by__isnull=False, approved_at__isnull=False),
                name="disbursement_approval_recorded",
                violation_error_message=_(
                    "An approved or paid disbursement needs its requester, approver and approval time."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="rejected", rejected_by__isnull=False, rejected_at__isnull=False)
                    & ~Q(rejection_reason="")
                )
                | (
                    ~Q(status="rejected")
                    & Q(rejected_by__isnull=True, rejected_at__isnull=True, rejection_reason="")
                ),
                name="disbursement_rejection_recorded",
                violation_error_message=_("A rejected disbursement needs who rejected it, when, and why."),
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(note=""),
                name="disbursement_reversal_has_reason",
                violation_error_message=_("A reversal needs its reason in the note."),
            ),
            # Its dates never run backwards: requested, then approved or rejected.
            models.CheckConstraint(
                condition=(Q(approved_at__isnull=True) | Q(approved_at__gte=F("requested_at")))
                & (Q(rejected_at__isnull=True) | Q(rejected_at__gte=F("requested_at"))),
                name="disbursement_decided_after_requested",
                violation_error_message=_(
                    "A disbursement cannot be approved or rejected before it was requested."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_date__isnull=False),
                name="disbursement_paid_has_date",
                violation_error_message=_("A paid disbursement needs its payment date."),
            ),
            *ForeignAmount.constraints_for("disbursement"),
            dates_in_range(
                "disbursement",
                dates=("paid_date", "fx_rate_date"),
                timestamps=("requested_at", "approved_at", "rejected_at"),
            ),
        ]
        indexes = [models.Index(fields=["project", "status"], name="disbursement_project_status")]
        # Rules across rows, and the paid row frozen but for its note and bank reference (models/rules.py).
        triggers = [
            rules.never_deleted(
                name="disbursement_paid_not_deleted",
                when=rules.PAID,
                rule="disbursement_paid_is_permanent",
                message="a paid disbursement cannot be deleted",
            ),
            rules.frozen(
                name="disbursement_paid_frozen",
                when=rules.PAID,
                open_columns=rules.DISBURSEMENT_OPEN,
                rule="disbursement_paid_is_permanent",
                message="a paid disbursement can only have its note and bank reference corrected",
            ),
            rules.paid_within_commitment(),
            rules.reversal_rules(),
        ]

    def __str__(self):
        return f"{self.project} · {self.amount} · {self.get_status_display()}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def clean(self):
        errors = {}
        if self.amount is not None:
            if self.reverses_id is None and self.amount <= 0:
                errors["amount"] = _("The amount must be greater than zero.")
            elif self.reverses_id is not None:
                errors.update(self._reversal_errors())
        if self.tranche_id and self.project_id and self.tranche.project_id != self.project_id:
            errors["tranche"] = _("This tranche belongs to another project.")
        if self.approved_by_id and self.approved_by_id == self.requested_by_id:
            errors["approved_by"] = _("A disbursement must be approved by someone other than its requester.")
        if self.status == self.Status.REJECTED and not (
            self.rejected_by_id and self.rejected_at and self.rejection_reason
        ):
            errors["rejection_reason"] = _("A rejected disbursement needs who rejected it, when, and why.")
        if self.reverses_id is not None and not self.note:
            errors["note"] = _("A reversal needs its reason in the note.")
        if self.status in (self.Status.APPROVED, self.Status.PAID):
            if not self.requested_by_id:
                errors["requested_by"] = _(
                    "An approved or paid disbursement needs the manager who requested it."
                )
            if not (self.approved_by_id and self.approved_at) and self.reverses_id is None:
                errors["approved_by"] = _(
                    "An approved or paid disbursement needs its approver and approval time."
                )
        if self.status == self.Status.PAID and not self.paid_date:
            errors["paid_date"] = _("A paid disbursement needs its payment date.")
        if not errors and self.status == self.Status.PAID and self.amount > 0 and self.project_id:
            errors.update(self._commitment_errors())
        if errors:
            raise ValidationError(errors)
        self.clean_foreign_amount()

    def _commitment_errors(self) -> dict:
        paid = (
            Disbursement.objects.filter(project_id=self.project_id, status=self.Status.PAID)
            .exclude(pk=self.pk)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        if paid + self.amount > self.project.commitment:
            return {
                "amount": _(
                    "This payment would take the project past its commitment of %(commitment)s: "
                    "%(left)s remains to be paid."
                )
                % {
                    "commitment": format_money(self.project.commitment),
                    "left": format_money(self.project.commitment - paid),
                }
            }
        return {}

    def _reversal_errors(self) -> dict:
        original = self.reverses
        if original.reverses_id is not None:
            return {"reverses": _("A reversal cannot itself be reversed.")}
        if original.status != self.Status.PAID:
            return {"reverses": _("Only a paid disbursement can be reversed.")}
        if self.project_id and original.project_id != self.project_id:
            return {"reverses": _("A reversal must belong to the same project as the original.")}
        if self.amount >= 0:
            return {"amount": _("A reversal must be a negative amount.")}
        if -self.amount > original.amount:
            return {
                "amount": _("A reversal cannot be larger than the original (%(original)s).")
                % {"original": format_money(original.amount)}
            }
        if Disbursement.objects.filter(reverses_id=original.pk).exclude(pk=self.pk).exists():
            return {"reverses": _("This disbursement has already been reversed.")}
        return {}


class ReceiptSource(models.TextChoices):
    BOX_OFFICE = "box_office", _("Box office")
    STREAMING = "streaming", _("Streaming")
    TV = "tv", _("TV")
    SALES = "sales", _("Sales")
    LOAN_REPAYMENT = "loan_repayment", _("Loan repayment")
    OTHER = "other", _("Other")


class Receipt(ForeignAmount):
    Source = ReceiptSource

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="receipts"
    )
    date = DateField(_("date"))
    amount = MoneyField(_("amount"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.BOX_OFFICE)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-date", "-id"]
        constraints = [
            positive_amount_constraint("receipt"),
            choices_constraint("receipt", "source", ReceiptSource),
            *ForeignAmount.constraints_for("receipt"),
            dates_in_range("receipt", dates=("date", "fx_rate_date")),
        ]
        triggers = rules.received_money_permanent("portfolio_receipt", rules.RECEIPT_OPEN)

    def __str__(self):
        return f"{self.project} · {self.date} · {self.amount}"

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("The amount must be greater than zero.")})
        self.clean_foreign_amount()


class Valuation(models.Model):
    """A manager's carrying value of a project at a date, for NAV."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="valuations"
    )
    date = DateField(_("date"))
    amount = MoneyField(_("carrying value"), sign=NOT_NEGATIVE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("valuation")
        verbose_name_plural = _("valuations")
        ordering = ["project", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "date"],
                name="valuation_one_per_project_and_date",
                violation_error_message=_("This project already has a valuation on this date."),
            ),
            # A written-off project is carried at zero; a negative carrying value means nothing.
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="valuation_amount_not_negative",
                violation_error_message=_("A carrying value cannot be negative."),
            ),
            dates_in_range("valuation", dates=("date",)),
        ]

    def __str__(self):
        return f"{self.project} · {self.date} · {self.amount}"

    def clean(self):
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("A carrying value cannot be negative.")})

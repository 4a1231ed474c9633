"""Tranche schedules: the steps a project's commitment is paid in, with the conditions each waits for."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.dates import DateField, DateTimeField, dates_in_range
from portfolio.money import MoneyField

from .base import choices_constraint, positive_amount_constraint
from .projects import Project, Stage


class TrancheTrigger(models.TextChoices):
    STAGE = "stage", _("A stage is reached")
    DATE = "date", _("A date")


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ELIGIBLE = "eligible", _("Eligible")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Tranche(models.Model):
    """One step of a project's payment schedule.

    `status` is the status as of today, computed from the records by `portfolio.tranche_status` and written
    only by the services; a cancellation is dated (`cancelled_on`) and kept with its reason."""

    Trigger = TrancheTrigger

    Status = TrancheStatus

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="tranches"
    )
    number = models.PositiveIntegerField(_("number"))
    amount = MoneyField(_("amount"))
    planned_date = DateField(_("planned date"), help_text=_("Feeds the cash forecast."))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.STAGE)
    trigger_stage = models.CharField(_("trigger stage"), max_length=20, choices=Stage.choices, blank=True)
    trigger_date = DateField(_("trigger date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancelled_on = DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="tranche_number_unique_per_project",
                violation_error_message=_("This project already has a tranche with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="tranche_number_from_one",
                violation_error_message=_("Tranches are numbered from 1."),
            ),
            positive_amount_constraint("tranche"),
            choices_constraint("tranche", "status", TrancheStatus),
            choices_constraint("tranche", "trigger", TrancheTrigger),
            models.CheckConstraint(
                condition=(
                    Q(trigger="stage", trigger_date__isnull=True)
                    & Q(trigger_stage__in=[value for value, _label in Stage.choices if value != "abandoned"])
                )
                | Q(trigger="date", trigger_stage="", trigger_date__isnull=False),
                name="tranche_trigger_complete",
                violation_error_message=_(
                    "A stage trigger needs a stage (not abandoned); a date trigger needs a date."
                ),
            ),
            # Cancelled, with its date and reason, or neither: a status nobody can explain is refused.
            models.CheckConstraint(
                condition=(Q(status="cancelled", cancelled_on__isnull=False) & ~Q(cancel_reason=""))
                | (~Q(status="cancelled") & Q(cancelled_on__isnull=True, cancel_reason="")),
                name="tranche_cancellation_recorded",
                violation_error_message=_(
                    "A cancelled tranche needs the date and the reason it was cancelled."
                ),
            ),
            dates_in_range("tranche", dates=("planned_date", "trigger_date", "cancelled_on")),
        ]

    def __str__(self):
        return _("%(project)s, tranche %(number)s") % {"project": self.project, "number": self.number}

    @property
    def share_of_commitment(self):
        if self.project_id and self.project.commitment:
            return self.amount / self.project.commitment
        return None

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("The amount must be greater than zero.")
        if self.number is not None and self.number < 1:
            errors["number"] = _("Tranches are numbered from 1.")
        if self.trigger == self.Trigger.STAGE:
            if not self.trigger_stage or self.trigger_stage == Stage.ABANDONED:
                errors["trigger_stage"] = _("Choose the stage that releases this tranche.")
            if self.trigger_date:
                errors["trigger_date"] = _("A stage trigger has no trigger date.")
        elif self.trigger == self.Trigger.DATE:
            if not self.trigger_date:
                errors["trigger_date"] = _("Choose the date that releases this tranche.")
            if self.trigger_stage:
                errors["trigger_stage"] = _("A date trigger has no trigger stage.")
        if errors:
            raise ValidationError(errors)


class TrancheCondition(models.Model):
    """One item of a tranche's checklist (chain of title, completion bond, ...), met on a date or not yet."""

    tranche = models.ForeignKey(
        Tranche, verbose_name=_("tranche"), on_delete=models.CASCADE, related_name="conditions"
    )
    position = models.PositiveIntegerField(_("position"))
    text = models.CharField(_("condition"), max_length=300)
    met_on = DateField(_("met on"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ticked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    met_recorded_at = DateTimeField(_("ticked at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tranche condition")
        verbose_name_plural = _("tranche conditions")
        ordering = ["tranche", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tranche", "position"],
                name="tranche_condition_position_unique",
                violation_error_message=_("This tranche already has a condition at this position."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="tranche_condition_position_from_one",
                violation_error_message=_("Conditions are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="tranche_condition_text_not_empty",
                violation_error_message=_("Say what the condition is."),
            ),
            # Who ticked it and when belong to a met condition only.
            models.CheckConstraint(
                condition=Q(met_on__isnull=False, met_recorded_at__isnull=False)
                | Q(met_on__isnull=True, met_by__isnull=True, met_recorded_at__isnull=True),
                name="tranche_condition_met_recorded",
                violation_error_message=_(
                    "A met condition needs the date it was met and when it was ticked."
                ),
            ),
            dates_in_range("tranche_condition", dates=("met_on",), timestamps=("met_recorded_at",)),
        ]

    def __str__(self):
        return self.text

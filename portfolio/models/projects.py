"""Film projects, their dated stage history and their tranche schedules."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.money import MoneyField, format_money

from .base import choices_constraint, positive_amount_constraint
from .funds import Fund


class Stage(models.TextChoices):
    DEVELOPMENT = "development", _("Development")
    PRE_PRODUCTION = "pre_production", _("Pre-production")
    PRODUCTION = "production", _("Production (principal photography)")
    POST_PRODUCTION = "post_production", _("Post-production")
    DELIVERY = "delivery", _("Delivery")
    RELEASED = "released", _("Released")
    ABANDONED = "abandoned", _("Abandoned")


class ProjectFormat(models.TextChoices):
    FEATURE = "feature", _("Feature film")
    DOCUMENTARY = "documentary", _("Documentary")
    ANIMATION = "animation", _("Animation")
    SERIES = "series", _("Series")


class Instrument(models.TextChoices):
    EQUITY = "equity", _("Equity")
    LOAN = "loan", _("Loan")
    GAP = "gap", _("Gap financing")


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other")


class Project(models.Model):
    Format = ProjectFormat

    Instrument = Instrument

    Language = Language

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    original_title = models.CharField(_("original title"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.FEATURE)
    genre = models.CharField(_("genre"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.KAZAKH
    )
    director = models.CharField(_("director"), max_length=200, blank=True)
    producer = models.CharField(_("producer"), max_length=200, blank=True)
    production_company = models.CharField(_("production company"), max_length=200, blank=True)
    total_budget = MoneyField(_("total budget"))
    commitment = MoneyField(_("fund commitment"), help_text=_("The investment the fund approved."))
    instrument = models.CharField(
        _("instrument"), max_length=10, choices=Instrument.choices, default=Instrument.EQUITY
    )
    approval_date = models.DateField(_("approval date"))
    expected_release = models.DateField(_("expected release"), null=True, blank=True)
    stage = models.CharField(
        _("current stage"),
        max_length=20,
        choices=Stage.choices,
        default=Stage.DEVELOPMENT,
        help_text=_("Kept in step with the latest entry of the stage history."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["fund", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "slug"],
                name="project_slug_unique_per_fund",
                violation_error_message=_("This fund already has a project with this slug."),
            ),
            positive_amount_constraint("project", "commitment"),
            positive_amount_constraint("project", "total_budget"),
            models.CheckConstraint(
                condition=Q(commitment__lte=F("total_budget")),
                name="project_commitment_within_budget",
                violation_error_message=_("The fund's commitment cannot exceed the project's total budget."),
            ),
            choices_constraint("project", "stage", Stage),
            choices_constraint("project", "format", ProjectFormat),
            choices_constraint("project", "instrument", Instrument),
            choices_constraint("project", "language", Language),
        ]

    def __str__(self):
        return self.title

    @property
    def is_abandoned(self) -> bool:
        return self.stage == Stage.ABANDONED

    def clean(self):
        errors = {}
        for field in ("commitment", "total_budget"):
            value = getattr(self, field)
            if value is not None and value <= 0:
                errors[field] = _("The amount must be greater than zero.")
        if (
            not errors
            and self.commitment is not None
            and self.total_budget is not None
            and self.commitment > self.total_budget
        ):
            errors["commitment"] = _("The fund's commitment cannot exceed the project's total budget.")
        if not errors and self.pk and self.commitment is not None:
            paid = (
                self.disbursements.filter(status="paid").aggregate(total=models.Sum("amount"))["total"] or 0
            )
            if self.commitment < paid:
                errors["commitment"] = _(
                    "The commitment cannot be less than what was already paid to the project (%(paid)s)."
                ) % {"paid": format_money(paid)}
        if not errors and self.fund_id and self.commitment is not None:
            cap = self.fund.concentration_cap_amount
            if self.commitment > cap:
                errors["commitment"] = _(
                    "The commitment exceeds the fund's concentration cap: %(pct)s%% of the target, %(cap)s."
                ) % {"pct": self.fund.concentration_cap_pct, "cap": format_money(cap)}
        if errors:
            raise ValidationError(errors)


class StageChange(models.Model):
    """One dated step of a project's stage history; the history is kept, never rewritten."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage history")
        ordering = ["project", "date", "id"]
        constraints = [choices_constraint("stage_change", "stage", Stage)]

    def __str__(self):
        return f"{self.project}: {self.get_stage_display()} ({self.date})"


class TrancheTrigger(models.TextChoices):
    STAGE = "stage", _("A stage is reached")
    DATE = "date", _("A date")


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ELIGIBLE = "eligible", _("Eligible")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Tranche(models.Model):
    Trigger = TrancheTrigger

    Status = TrancheStatus

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="tranches"
    )
    number = models.PositiveIntegerField(_("number"))
    amount = MoneyField(_("amount"))
    planned_date = models.DateField(_("planned date"), help_text=_("Feeds the cash forecast."))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.STAGE)
    trigger_stage = models.CharField(_("trigger stage"), max_length=20, choices=Stage.choices, blank=True)
    trigger_date = models.DateField(_("trigger date"), null=True, blank=True)
    conditions = models.TextField(
        _("conditions"),
        blank=True,
        help_text=_("What must be in place first, e.g. chain of title, completion bond, insurance."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

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

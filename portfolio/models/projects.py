"""Film projects with their dated stage history and their dated commitment history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.dates import DateField, DateTimeField, dates_in_range
from portfolio.money import MoneyField, format_money

from . import rules
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


# The production pipeline in order; abandoned is the side exit, outside it.
PIPELINE = (
    Stage.DEVELOPMENT,
    Stage.PRE_PRODUCTION,
    Stage.PRODUCTION,
    Stage.POST_PRODUCTION,
    Stage.DELIVERY,
    Stage.RELEASED,
)


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
    commitment = MoneyField(
        _("fund commitment"),
        help_text=_("The investment the fund approved; kept in step with the latest commitment change."),
    )
    instrument = models.CharField(
        _("instrument"), max_length=10, choices=Instrument.choices, default=Instrument.EQUITY
    )
    approval_date = DateField(_("approval date"))
    expected_release = DateField(_("expected release"), null=True, blank=True)
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
            dates_in_range("project", dates=("approval_date", "expected_release")),
        ]
        triggers = [rules.commitment_covers_paid()]

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
    date = DateField(_("date"))
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("Why, when the move skips a stage or goes back.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage history")
        ordering = ["project", "date", "id"]
        constraints = [
            choices_constraint("stage_change", "stage", Stage),
            dates_in_range("stage_change", dates=("date",), timestamps=("recorded_at",)),
        ]

    def __str__(self):
        return f"{self.project}: {self.get_stage_display()} ({self.date})"


class ProjectCommitmentChange(models.Model):
    """The fund's commitment to a project from a date on: the history of `Project.commitment`.

    The first record is dated the approval date; the commitment as of t is the latest record dated on or
    before t (ties by id), and a project with none dated by t is not approved yet at t. Records are kept,
    never rewritten; `Project.commitment` is the latest one, kept in step by the service."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="commitment_changes"
    )
    date = DateField(_("effective date"))
    amount = MoneyField(_("commitment"), help_text=_("The commitment from this date on."))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment change")
        verbose_name_plural = _("commitment history")
        ordering = ["project", "date", "id"]
        constraints = [
            positive_amount_constraint("project_commitment_change"),
            dates_in_range("project_commitment_change", dates=("date",), timestamps=("recorded_at",)),
        ]

    def __str__(self):
        return f"{self.project}: {format_money(self.amount)} ({self.date})"

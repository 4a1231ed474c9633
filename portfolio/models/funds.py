"""Funds, their investors and what each investor committed."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.dates import DateField, DateTimeField, dates_in_range
from portfolio.money import BASE_CURRENCY, MoneyField

from .base import ForeignAmount, choices_constraint, positive_amount_constraint


class FundStatus(models.TextChoices):
    FUNDRAISING = "fundraising", _("Fundraising")
    INVESTING = "investing", _("Investing")
    HARVESTING = "harvesting", _("Harvesting")
    CLOSED = "closed", _("Closed")


class Fund(models.Model):
    Status = FundStatus

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=200, blank=True)
    base_currency = models.CharField(_("base currency"), max_length=3, default=BASE_CURRENCY, editable=False)
    target_size = MoneyField(_("target size"))
    project_band_min = models.PositiveIntegerField(_("project band minimum"), default=15)
    project_band_max = models.PositiveIntegerField(_("project band maximum"), default=20)
    investment_period_start = DateField(_("investment period start"))
    investment_period_end = DateField(_("investment period end"))
    concentration_cap_pct = models.DecimalField(
        _("concentration cap (percent of target)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("15.00"),
        help_text=_("The largest share of the target size one project may receive."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FUNDRAISING)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fund managers"),
        related_name="managed_funds",
        blank=True,
    )
    created_at = DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["name"]
        constraints = [
            positive_amount_constraint("fund", "target_size"),
            models.CheckConstraint(
                condition=Q(project_band_min__lte=F("project_band_max")),
                name="fund_project_band_min_not_above_max",
                violation_error_message=_("The project band minimum cannot exceed its maximum."),
            ),
            models.CheckConstraint(
                condition=Q(investment_period_start__lt=F("investment_period_end")),
                name="fund_investment_period_start_before_end",
                violation_error_message=_("The investment period must start before it ends."),
            ),
            models.CheckConstraint(
                condition=Q(concentration_cap_pct__gt=0, concentration_cap_pct__lte=100),
                name="fund_concentration_cap_between_0_and_100",
                violation_error_message=_("The concentration cap must be above 0% and at most 100%."),
            ),
            choices_constraint("fund", "status", FundStatus),
            dates_in_range(
                "fund",
                dates=("investment_period_start", "investment_period_end"),
                timestamps=("created_at",),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("fund-detail", kwargs={"slug": self.slug})

    @property
    def concentration_cap_amount(self) -> Decimal:
        """The most one project may be committed, in KZT (unrounded)."""
        return self.target_size * self.concentration_cap_pct / Decimal(100)

    def clean(self):
        errors = {}
        if self.target_size is not None and self.target_size <= 0:
            errors["target_size"] = _("The target size must be greater than zero.")
        if (
            self.project_band_min is not None
            and self.project_band_max is not None
            and self.project_band_min > self.project_band_max
        ):
            errors["project_band_max"] = _("The project band maximum cannot be below its minimum.")
        if (
            self.investment_period_start
            and self.investment_period_end
            and self.investment_period_start >= self.investment_period_end
        ):
            errors["investment_period_end"] = _("The investment period must end after it starts.")
        if self.concentration_cap_pct is not None and not (0 < self.concentration_cap_pct <= 100):
            errors["concentration_cap_pct"] = _("The concentration cap must be above 0% and at most 100%.")
        if errors:
            raise ValidationError(errors)


class InvestorKind(models.TextChoices):
    INSTITUTIONAL = "institutional", _("Institutional")
    INDIVIDUAL = "individual", _("Individual")


class Investor(models.Model):
    Kind = InvestorKind

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.INSTITUTIONAL)
    country = models.CharField(_("country"), max_length=2, blank=True, default="KZ")
    email = models.EmailField(_("contact email"), blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal users"),
        related_name="investors",
        blank=True,
        help_text=_("People who may log in and see this investor's funds and capital account."),
    )
    created_at = DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("investor")
        verbose_name_plural = _("investors")
        ordering = ["name"]
        constraints = [
            choices_constraint("investor", "kind", InvestorKind),
            dates_in_range("investor", timestamps=("created_at",)),
        ]

    def __str__(self):
        return self.name


class Commitment(ForeignAmount):
    investor = models.ForeignKey(
        Investor, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="commitments"
    )
    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="commitments"
    )
    amount = MoneyField(_("amount"))
    date = DateField(_("date"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["fund", "-amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["investor", "fund"],
                name="commitment_one_per_investor_and_fund",
                violation_error_message=_("This investor already has a commitment to this fund."),
            ),
            positive_amount_constraint("commitment"),
            *ForeignAmount.constraints_for("commitment"),
            dates_in_range("commitment", dates=("date", "fx_rate_date")),
        ]

    def __str__(self):
        return f"{self.investor} → {self.fund}"

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("The amount must be greater than zero.")})
        self.clean_foreign_amount()

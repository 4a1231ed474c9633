"""Reference data (FX rates) and the precomputed progress snapshots pages read."""

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.dates import DateField, DateTimeField, dates_in_range
from portfolio.money import BASE_CURRENCY, RateField

from .funds import Fund


class FxRate(models.Model):
    """Official National Bank of Kazakhstan rate: KZT for one unit of `currency` on `date`."""

    currency = models.CharField(_("currency"), max_length=3)
    date = DateField(_("date"))
    rate = RateField(_("rate (KZT per unit)"))
    source = models.CharField(_("source"), max_length=50, default="NBK")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("FX rate")
        verbose_name_plural = _("FX rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"],
                name="fx_rate_one_per_currency_and_date",
                violation_error_message=_("There is already a rate for this currency and date."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="fx_rate_rate_positive",
                violation_error_message=_("The rate must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$") & ~Q(currency=BASE_CURRENCY),
                name="fx_rate_currency_iso_code",
                violation_error_message=_("The currency must be a three-letter ISO code other than KZT."),
            ),
            dates_in_range("fx_rate", dates=("date",)),
        ]

    def __str__(self):
        return f"{self.currency} {self.date}: {self.rate}"

    def clean(self):
        if self.currency:
            self.currency = self.currency.upper()
            if self.currency == BASE_CURRENCY:
                raise ValidationError({"currency": _("KZT is the base currency; rates are against it.")})
        if self.rate is not None and self.rate <= 0:
            raise ValidationError({"rate": _("The rate must be greater than zero.")})


class ProgressSnapshot(models.Model):
    """The metrics of one fund as of one date, computed by a background job; at most one per fund and date."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.CASCADE, related_name="progress_snapshots"
    )
    as_of = DateField(_("as of"))
    computed_at = DateTimeField(
        _("computed at"), default=timezone.now, help_text=_("When the data behind the metrics was read.")
    )
    metrics = models.JSONField(_("metrics"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        ordering = ["fund", "-as_of"]
        get_latest_by = "as_of"
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "as_of"],
                name="progress_snapshot_one_per_fund_and_date",
                violation_error_message=_("This fund already has a snapshot for this date."),
            ),
            dates_in_range("progress_snapshot", dates=("as_of",), timestamps=("computed_at",)),
        ]

    def __str__(self):
        return f"{self.fund} @ {self.as_of}"

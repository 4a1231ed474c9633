"""Pieces shared by the money records."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portfolio.dates import DateField
from portfolio.money import BASE_CURRENCY, MoneyField, RateField, format_money, quantize_money


class ForeignAmount(models.Model):
    """A record made in a currency other than KZT keeps what was really paid and the rate used.

    `amount` (on the concrete model) stays the KZT figure every metric sums; these fields only say where it
    came from, so a USD wire can be reconciled with the bank statement later.
    """

    original_currency = models.CharField(
        _("original currency"), max_length=3, blank=True, default="", help_text=_("Leave blank for KZT.")
    )
    original_amount = MoneyField(_("original amount"), null=True, blank=True)
    fx_rate = RateField(_("FX rate"), null=True, blank=True, help_text=_("KZT per one unit of the currency."))
    fx_rate_date = DateField(_("FX rate date"), null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def constraints_for(prefix: str) -> list:
        # Either all four foreign-currency fields are filled in, or none: a half-described conversion would
        # make the KZT amount unverifiable.
        return [
            models.CheckConstraint(
                condition=(
                    Q(
                        original_currency="",
                        original_amount__isnull=True,
                        fx_rate__isnull=True,
                        fx_rate_date__isnull=True,
                    )
                    | (
                        # isnull=False matters: a NULL rate makes "fx_rate > 0" NULL, which a CHECK accepts.
                        Q(original_currency__regex=r"^[A-Z]{3}$")
                        & ~Q(original_currency=BASE_CURRENCY)
                        & Q(original_amount__isnull=False, fx_rate__isnull=False, fx_rate__gt=0)
                        & Q(fx_rate_date__isnull=False)
                    )
                ),
                name=f"{prefix}_foreign_amount_complete",
                violation_error_message=_(
                    "A foreign-currency record needs its currency (not KZT), original amount, a positive "
                    "rate and the rate date; a KZT record needs none of them."
                ),
            )
        ]

    def clean_foreign_amount(self) -> None:
        fields = (self.original_amount, self.fx_rate, self.fx_rate_date)
        if not self.original_currency:
            if any(value is not None for value in fields):
                raise ValidationError(
                    {"original_currency": _("Give the original currency, or clear the FX fields.")}
                )
            return
        self.original_currency = self.original_currency.upper()
        if self.original_currency == BASE_CURRENCY:
            raise ValidationError(
                {"original_currency": _("KZT is the base currency: leave the original currency blank.")}
            )
        if any(value is None for value in fields):
            raise ValidationError(
                _("A foreign-currency record needs its original amount, FX rate and rate date.")
            )
        if self.fx_rate <= 0:
            raise ValidationError({"fx_rate": _("The FX rate must be positive.")})
        expected = quantize_money(self.original_amount * self.fx_rate)
        if getattr(self, "amount", None) is not None and self.amount != expected:
            raise ValidationError(
                {
                    "amount": _(
                        "The KZT amount must equal the original amount times the rate, rounded: %(expected)s."
                    )
                    % {"expected": format_money(expected)}
                }
            )


def positive_amount_constraint(prefix: str, field: str = "amount") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gt": 0}),
        name=f"{prefix}_{field}_positive",
        violation_error_message=_("The amount must be greater than zero."),
    )


def choices_constraint(prefix: str, field: str, choices) -> models.CheckConstraint:
    # Choices alone only constrain forms; this makes the database refuse a status nobody defined.
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [value for value, _label in choices.choices]}),
        name=f"{prefix}_{field}_valid",
    )

"""Pieces every portfolio admin shares: the form base, money display and per-row sums as subqueries."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from portfolio.money import MONEY_MAX_DIGITS, MONEY_PLACES, format_amount

# The fields of ForeignAmount: once the KZT amount is fixed, the figures it came from are fixed with it.
FOREIGN_AMOUNT_FIELDS = ("original_currency", "original_amount", "fx_rate", "fx_rate_date")


class AdminModelForm(forms.ModelForm):
    """A model form whose errors may name fields the admin shows read-only, or does not show at all.

    A service or `Model.clean()` reports errors against fields (say `amount`) that a paid record shows
    read-only; Django would raise ValueError for a field missing from the form, so those messages go to the
    top of the form instead of turning into a server error.
    """

    # Set per request by ServiceAdminMixin: a service's refusal of this very post, shown as the form's errors.
    service_refusal = None

    def clean(self):
        cleaned = super().clean()
        if self.service_refusal is not None:
            self.add_error(None, self.service_refusal)
        return cleaned

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error_dict = dict(error.error_dict)
            moved = []
            for name in list(error_dict):
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    moved.extend(error_dict.pop(name))
            if moved:
                error_dict[NON_FIELD_ERRORS] = [*error_dict.get(NON_FIELD_ERRORS, []), *moved]
                error = ValidationError(error_dict)
        super().add_error(field, error)


class ServiceForm(AdminModelForm):
    """The form of a record a service writes: it reads and parses the inputs, the service judges them.

    Model validation is skipped: the service validates the record it builds when it saves it, and judging
    the form's half of a record here would say the same thing twice, or the wrong thing. The instance stays
    as stored, so a refused save shows the record as it is.
    """

    def _post_clean(self):
        pass


def format_money(value) -> str | None:
    """1234567.891 → "1,234,567.89" in English, "1 234 567,89" in Russian and Kazakh; None stays None."""
    return None if value is None else format_amount(value)


def money_column(field: str, description):
    """A changelist column showing the money `field` (or annotation) formatted, sortable by it."""

    @admin.display(description=description, ordering=field)
    def column(self, obj):
        return format_money(getattr(obj, field, None))

    return column


def format_pct(part, whole) -> str | None:
    """The share part / whole as a percentage with one place, from the unrounded figures."""
    if part is None or not whole:
        return None
    pct = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{pct:,}%"


def sum_of(queryset: QuerySet, link: str, field: str = "amount") -> Coalesce:
    """Σ `field` of the rows of `queryset` whose `link` points at the outer row, as a correlated subquery.

    A subquery per figure (rather than Sum over joins) keeps two sums on one row from multiplying each
    other's joins, and the changelist stays one query whatever the number of rows.
    """
    money = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_PLACES)
    total = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=money), Value(Decimal(0)), output_field=money)


def count_of(queryset: QuerySet, link: str) -> Coalesce:
    """How many rows of `queryset` point at the outer row, as a correlated subquery."""
    total = (
        queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))

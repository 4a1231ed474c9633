"""The one place that bounds the dates and timestamps the ledger accepts: years 1900 to 2999.

A year-1 timestamp typed into a form used to be stored as a BC date, and every page that listed it then
failed. The model fields here refuse such values in validation (so every form says why beside the field),
and `dates_in_range` gives each model one CHECK constraint so that no other write path stores them either.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 1900, 2999
DATE_MIN, DATE_MAX = datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)
# Timestamps are bounded in UTC; a local time just inside 1900 may fall just outside it in UTC, and the
# validator below refuses that too, so the form never accepts what the database would refuse.
DATETIME_MIN = datetime.datetime(FIRST_YEAR, 1, 1, tzinfo=datetime.UTC)
DATETIME_MAX = datetime.datetime(LAST_YEAR + 1, 1, 1, tzinfo=datetime.UTC)

OUT_OF_RANGE = _("Enter a date between the years 1900 and 2999.")


def validate_date_in_range(value) -> None:
    """Refuse a date or timestamp outside the years 1900-2999."""
    if value is None:
        return
    # The year is checked first: comparing an aware year-1 timestamp with a UTC bound would overflow.
    in_range = FIRST_YEAR <= value.year <= LAST_YEAR
    if in_range and isinstance(value, datetime.datetime) and value.tzinfo is not None:
        in_range = DATETIME_MIN <= value < DATETIME_MAX
    if not in_range:
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


class BoundedDateFormField(forms.DateField):
    """A form date in the years 1900-2999 (malformed input such as "2026-02-30" gets Django's message)."""

    default_validators = [validate_date_in_range]


class _Bounded:
    default_validators = [validate_date_in_range]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        # Whatever form class a form asks for (admin's split date and time, say), the bound goes with it.
        if validate_date_in_range not in field.validators:
            field.validators.append(validate_date_in_range)
        return field


class DateField(_Bounded, models.DateField):
    """A date of the ledger, bounded to the years 1900-2999 in validation and in forms."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": BoundedDateFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Migrations point at Django's field: the bound is validation only, the CHECK is in Meta.
        return name, "django.db.models.DateField", args, kwargs


class DateTimeField(_Bounded, models.DateTimeField):
    """A timestamp of the ledger, bounded like DateField."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


def dates_in_range(prefix: str, *, dates: tuple = (), timestamps: tuple = ()) -> models.CheckConstraint:
    """One CHECK that keeps every listed date and timestamp column of a model within the bounds above.

    A NULL column passes, as in any CHECK; a filled one must be in range."""
    condition = Q()
    for name in dates:
        condition &= Q(**{f"{name}__gte": DATE_MIN, f"{name}__lte": DATE_MAX})
    for name in timestamps:
        condition &= Q(**{f"{name}__gte": DATETIME_MIN, f"{name}__lt": DATETIME_MAX})
    return models.CheckConstraint(
        condition=condition, name=f"{prefix}_dates_in_range", violation_error_message=OUT_OF_RANGE
    )

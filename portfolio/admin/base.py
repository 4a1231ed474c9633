"""Pieces every portfolio admin shares: the form base, money display and per-row sums as subqueries."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from portfolio.money import MONEY_MAX_DIGITS, MONEY_PLACES, format_amount

# The fields of ForeignAmount: once the KZT amount is fixed, the figures it came from are fixed with it.
FOREIGN_AMOUNT_FIELDS = ("original_currency", "original_amount", "fx_rate", "fx_rate_date")


class AdminModelForm(forms.ModelForm):
    """A model form whose model validation may name fields the admin shows read-only.

    `Model.clean()` reports errors against fields (say `amount`) that a paid record shows read-only;
    Django would raise ValueError for a field missing from the form, so those messages go to the top of
    the form instead of turning into a server error.
    """

    # The user saving the form, set by CurrentUserAdmin / CurrentUserInline on the per-request form class.
    current_user = None
    # User fields that a new record takes from the current user when left empty (e.g. "requested_by").
    current_user_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        # Set before model validation runs, so rules such as "approved by someone other than the requester"
        # see the user who will be stored.
        if self.instance.pk is None and self.current_user is not None:
            for name in self.current_user_fields:
                if cleaned.get(name) is None and getattr(self.instance, f"{name}_id") is None:
                    cleaned[name] = self.current_user
                    setattr(self.instance, name, self.current_user)
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


def format_money(value) -> str | None:
    """1234567.891 → "1,234,567.89" in English, "1 234 567,89" in Russian and Kazakh; None stays None."""
    return None if value is None else format_amount(value)


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


def lock_fields(form: forms.BaseForm, names) -> None:
    """Show `names` on one form (an inline row) but keep their stored values whatever is posted."""
    for name in names:
        if name in form.fields:
            form.fields[name].disabled = True


class CurrentUserAdmin:
    """ModelAdmin mixin: the form knows who is saving it (see AdminModelForm.current_user_fields)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # modelform_factory builds a new class on every call, so this never leaks between requests.
        form.current_user = request.user
        return form


class CurrentUserInline:
    """InlineModelAdmin mixin: each row's form knows who is saving it."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.current_user = request.user
        return formset

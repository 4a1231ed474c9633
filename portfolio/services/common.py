"""What every write service shares: reading its inputs, refusing with a field-keyed message, checking who
acts, and saving with the actor in the audit history."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio import roles
from portfolio.dates import validate_date_in_range
from portfolio.money import POSITIVE, parse_money

NOTE_MAX_LENGTH = 300


def refuse(field: str, message: str) -> NoReturn:
    """Stop the service with one message beside one field (a form shows it there, the API returns 400)."""
    raise ValidationError({field: [message]})


def money_input(value, *, field: str, sign: str = POSITIVE) -> Decimal:
    """`value` read by the one money parser; a refusal names the field."""
    try:
        return parse_money(value, sign=sign)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def date_input(value, *, field: str, not_future: bool = False) -> datetime.date:
    """A date (or an ISO date string) within 1900-2999; with `not_future`, not after today."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            refuse(field, _("Enter a valid date."))
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        refuse(field, _("Enter a valid date."))
    try:
        validate_date_in_range(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if not_future and value > timezone.localdate():
        refuse(field, _("This date is in the future."))
    return value


def moment_input(value, *, field: str) -> datetime.datetime:
    """A timestamp given by an import (the source's own request or approval time): aware, in range, past.

    A plain date means the start of that day in the site's time zone."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if not isinstance(value, datetime.datetime):
        refuse(field, _("Enter a valid date and time."))
    if timezone.is_naive(value):
        if not 1900 <= value.year <= 2999:
            refuse(field, _("Enter a date between the years 1900 and 2999."))
        value = timezone.make_aware(value)
    try:
        validate_date_in_range(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if value > timezone.now():
        refuse(field, _("This date is in the future."))
    return value


def text_input(value, *, field: str, required: bool = False, max_length: int = NOTE_MAX_LENGTH) -> str:
    """Free text, stripped; a required one says so, an overlong one says how long it may be."""
    text = (value or "").strip()
    if required and not text:
        refuse(field, _("Say why: a reason is required."))
    if len(text) > max_length:
        refuse(field, _("Keep it to %(limit)s characters.") % {"limit": max_length})
    return text


def only(fields, *, allowed: set, service: str) -> None:
    """A service that edits named fields refuses any other name: a typo or a money field is a bug."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"{service}() got unexpected fields: {', '.join(sorted(unknown))}")


def local_date(moment: datetime.datetime) -> datetime.date:
    """The calendar day of a timestamp in the site's time zone (the day a person would write down)."""
    return timezone.localdate(moment)


def require_manage(user, fund) -> None:
    """The acting user manages this fund (a superuser manages every fund)."""
    if not roles.can_manage_fund(user, fund):
        raise PermissionDenied(_("You do not manage this fund."))


def save(obj: models.Model, *, user, update_fields=None, clean: bool = True) -> models.Model:
    """Validate and save one record, naming `user` as the actor of its audit history row.

    `update_fields` writes those columns only, without validation (a status the service computed)."""
    obj._history_user = user
    if clean and update_fields is None:
        obj.full_clean()
    obj.save(update_fields=update_fields)
    return obj


def locked(model, pk):
    """The row `pk` of `model`, locked until the transaction ends (the parent row a limit depends on)."""
    return model.objects.select_for_update().get(pk=pk)


@dataclass(frozen=True)
class Foreign:
    """A record made in another currency: what was really paid and the rate used (KZT stays the amount)."""

    currency: str
    amount: Decimal
    rate: Decimal
    rate_date: datetime.date

    def fields(self) -> dict:
        return {
            "original_currency": self.currency,
            "original_amount": self.amount,
            "fx_rate": self.rate,
            "fx_rate_date": self.rate_date,
        }


def foreign_fields(foreign: Foreign | None) -> dict:
    return foreign.fields() if foreign is not None else {}

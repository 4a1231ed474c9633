"""Serializer fields that refuse what the schema does not promise, with a message the reader understands."""

import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portfolio.dates import validate_date_in_range

# The years of portfolio.dates (1900-2999), which the forms and the database CHECKs keep as well. The
# pattern says so in the schema, so a client, and Schemathesis, know 1285-10-05 is not a valid date here.
DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN})
class DateField(serializers.DateField):
    """A calendar date written YYYY-MM-DD with ASCII digits, in the years 1900-2999.

    DRF's own field goes through `date.fromisoformat` and a `\\d` pattern, which also take `20260101`,
    `2026-W01-1` and Arabic-Indic digits; a date field here takes one spelling only."""

    default_error_messages = {"invalid": _("Give the date as YYYY-MM-DD.")}

    def to_internal_value(self, value):
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            parsed = value
        elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                self.fail("invalid")
        else:
            self.fail("invalid")
        try:
            validate_date_in_range(parsed)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return parsed

"""Serializer fields that refuse what the schema does not promise, with a message the reader understands."""

import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portfolio.dates import validate_date_in_range
from portfolio.money import MESSAGES as MONEY_MESSAGES
from portfolio.money import NOT_NEGATIVE, POSITIVE, parse_money

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


# What parse_money accepts, written canonically (no sign, no leading zeros, at most 2 places), per sign
# rule: the schema says exactly which strings are amounts, so a schema-valid amount is never refused.
_CENTS = r"(\.[0-9]{1,2})?"
_LIMIT = r"1000000000000000(\.0{1,2})?"
MONEY_PATTERNS = {
    POSITIVE: rf"^([1-9][0-9]{{0,14}}{_CENTS}|0\.(0[1-9]|[1-9][0-9]?)|{_LIMIT})$",
    NOT_NEGATIVE: rf"^(([1-9][0-9]{{0,14}}|0){_CENTS}|{_LIMIT})$",
}


class MoneyField(serializers.Field):
    """A KZT amount sent as a string ("1500000.50") and read by `portfolio.money.parse_money`.

    JSON numbers are refused: a client's float cannot say 0.1 exactly. parse_money's own messages explain
    each refusal (`1e3`, `NaN`, `１２３`, `1_000`, three places, past 10^15, zero or negative); what it would
    accept but is not written canonically (`+5`, `007`, ` 5`) gets its plain "enter an amount" message."""

    default_error_messages = {"invalid": MONEY_MESSAGES["invalid"], "type": _("Send the amount as a string.")}

    def __init__(self, *, sign: str = POSITIVE, **kwargs):
        self.sign = sign
        self.pattern = re.compile(MONEY_PATTERNS[sign], re.ASCII)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("type")
        try:
            amount = parse_money(data, sign=self.sign)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        if not self.pattern.fullmatch(data):
            self.fail("invalid")
        return amount

    def to_representation(self, value):
        return f"{value:.2f}"


@extend_schema_field({"type": "string", "pattern": MONEY_PATTERNS[POSITIVE], "example": "1500000.50"})
class PositiveMoneyField(MoneyField):
    def __init__(self, **kwargs):
        super().__init__(sign=POSITIVE, **kwargs)


@extend_schema_field({"type": "string", "pattern": MONEY_PATTERNS[NOT_NEGATIVE], "example": "0.00"})
class NotNegativeMoneyField(MoneyField):
    def __init__(self, **kwargs):
        super().__init__(sign=NOT_NEGATIVE, **kwargs)

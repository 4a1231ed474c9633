"""Reading what people type: one money parser and one bounded date, with a clear message for every refusal.

The parser is `portfolio.money.parse_money`; every MoneyField's form field reads through it, and model
validation refuses the same input. Dates are bounded to the years 1900-2999 in forms, in model validation
and (see test_dated_records) in the database.
"""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from portfolio import dates
from portfolio.models import Commitment, Disbursement, Project, Valuation
from portfolio.money import (
    ANY_SIGN,
    NOT_NEGATIVE,
    POSITIVE,
    MoneyFormField,
    parse_money,
)
from tests.factories import CommitmentFactory, FundFactory, InvestorFactory

INVALID = "Enter an amount in digits, for example 1500000.50."
EXPONENT = "Write the amount out in full digits, without an exponent such as 1e3."
NOT_FINITE = "Enter a real amount: NaN and Infinity are not amounts."
DIGITS = "Use only the digits 0 to 9 in an amount."
SEPARATOR = (
    "Write the amount without underscores, spaces or thousands separators, with a point before the cents: "
    "1000000.50."
)
PLACES = "An amount has at most 2 decimal places."
TOO_LARGE = "An amount cannot be larger than 1,000,000,000,000,000.00."
NOT_POSITIVE = "The amount must be greater than zero."
NEGATIVE = "The amount cannot be negative."
OUT_OF_RANGE = "Enter a date between the years 1900 and 2999."


def refusal(value, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        parse_money(value, **kwargs)
    return excinfo.value.messages


# --- parse_money -------------------------------------------------------------------------------------------

ACCEPTED = [
    ("1500000.50", "1500000.50"),
    ("1500000.5", "1500000.50"),
    ("1500000", "1500000.00"),
    ("  42.10 ", "42.10"),
    ("+7", "7.00"),
    (".5", "0.50"),
    ("1.500", "1.50"),  # trailing zeros say nothing more precise
    ("1000000000000000", "1000000000000000.00"),
    ("1000000000000000.00", "1000000000000000.00"),
    (Decimal("12.3"), "12.30"),
    (Decimal("1E+3"), "1000.00"),  # a Decimal is a value, not typed text
    (12, "12.00"),
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED, ids=[repr(v) for v, _e in ACCEPTED])
def test_parse_money_reads_a_plain_amount_as_a_decimal_with_two_places(value, expected):
    result = parse_money(value)

    assert result == Decimal(expected)
    assert str(result) == expected


REFUSED = [
    ("1e3", EXPONENT),
    ("1E3", EXPONENT),
    ("1.5e-2", EXPONENT),
    ("NaN", NOT_FINITE),
    ("nan", NOT_FINITE),
    ("Infinity", NOT_FINITE),
    ("-Infinity", NOT_FINITE),
    ("inf", NOT_FINITE),
    (Decimal("NaN"), NOT_FINITE),
    (Decimal("Infinity"), NOT_FINITE),
    ("１２３", DIGITS),  # full-width digits
    ("٣", DIGITS),  # Arabic-Indic three
    ("१२३", DIGITS),  # Devanagari
    ("12²", DIGITS),
    ("1_000", SEPARATOR),
    ("1,000", SEPARATOR),
    ("1 000", SEPARATOR),
    ("1\u00a0000", SEPARATOR),
    ("12.345", PLACES),
    ("0.001", PLACES),
    (Decimal("1000.005"), PLACES),
    ("1000000000000000.01", TOO_LARGE),
    ("10000000000000000", TOO_LARGE),
    ("-1000000000000000.01", TOO_LARGE),
    (Decimal("1E+16"), TOO_LARGE),
    ("", INVALID),
    ("abc", INVALID),
    ("12.", INVALID),
    ("1.2.3", INVALID),
    ("0x10", INVALID),
    ("--5", INVALID),
    ("₸100", INVALID),
    (None, INVALID),
]


@pytest.mark.parametrize(("value", "message"), REFUSED, ids=[repr(v) for v, _m in REFUSED])
def test_parse_money_refuses_anything_but_a_plain_exact_amount_with_its_own_message(value, message):
    assert refusal(value, sign=ANY_SIGN) == [message]


@pytest.mark.parametrize(
    ("value", "sign", "message"),
    [
        ("0", POSITIVE, NOT_POSITIVE),
        ("0.00", POSITIVE, NOT_POSITIVE),
        ("-0.01", POSITIVE, NOT_POSITIVE),
        ("-5", NOT_NEGATIVE, NEGATIVE),
        ("-0.01", NOT_NEGATIVE, NEGATIVE),
    ],
)
def test_parse_money_refuses_zero_or_negatives_when_the_caller_says_so(value, sign, message):
    assert refusal(value, sign=sign) == [message]


@pytest.mark.parametrize(
    ("value", "sign", "expected"),
    [("0", NOT_NEGATIVE, "0.00"), ("-0", ANY_SIGN, "0.00"), ("-12.5", ANY_SIGN, "-12.50")],
)
def test_parse_money_accepts_zero_or_negatives_when_the_caller_allows_them(value, sign, expected):
    assert str(parse_money(value, sign=sign)) == expected


def test_parse_money_refuses_a_float_as_a_programming_error():
    with pytest.raises(TypeError):
        parse_money(0.1)


def test_parse_money_speaks_the_readers_language():
    with translation.override("ru"):
        russian = refusal("1e3")
    with translation.override("kk"):
        kazakh = refusal("1e3")

    assert russian != [EXPONENT] and kazakh != [EXPONENT] and russian != kazakh


# --- The form field every MoneyField gets ------------------------------------------------------------------


class _CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ("amount",)


class _ValuationForm(forms.ModelForm):
    class Meta:
        model = Valuation
        fields = ("amount",)


class _DisbursementForm(forms.ModelForm):
    class Meta:
        model = Disbursement
        fields = ("amount",)


def test_every_money_field_gets_the_money_form_field_as_a_text_box():
    field = _CommitmentForm().fields["amount"]

    assert isinstance(field, MoneyFormField)
    assert isinstance(field.widget, forms.TextInput)
    assert 'inputmode="decimal"' in str(_CommitmentForm()["amount"])


@pytest.mark.parametrize(("value", "message"), REFUSED[:24], ids=[repr(v) for v, _m in REFUSED[:24]])
def test_a_model_form_refuses_bad_money_beside_the_field(value, message):
    form = _DisbursementForm(data={"amount": str(value)})

    assert form.errors == {"amount": [message]}


@pytest.mark.parametrize(
    ("form_class", "value", "message"),
    [
        (_CommitmentForm, "0", NOT_POSITIVE),
        (_CommitmentForm, "-1", NOT_POSITIVE),
        (_ValuationForm, "-1", NEGATIVE),
    ],
)
def test_a_model_form_applies_the_fields_sign(form_class, value, message):
    assert form_class(data={"amount": value}).errors == {"amount": [message]}


def test_a_carrying_value_of_zero_and_a_negative_reversal_amount_pass_the_form_field():
    assert _ValuationForm(data={"amount": "0"}).fields["amount"].clean("0") == Decimal("0.00")
    assert _DisbursementForm().fields["amount"].clean("-100.00") == Decimal("-100.00")


def test_an_empty_optional_money_field_is_none():
    assert MoneyFormField(required=False).clean("") is None


# --- Model validation refuses the same -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [("1_000", SEPARATOR), ("１２３", DIGITS), ("1e3", EXPONENT), ("1000000000000000.01", TOO_LARGE)],
)
def test_model_validation_refuses_bad_money_beside_the_field(value, message):
    commitment = CommitmentFactory.build(fund=FundFactory(), investor=InvestorFactory(), amount=value)

    with pytest.raises(ValidationError) as excinfo:
        commitment.full_clean()

    assert excinfo.value.message_dict["amount"] == [message]


# --- Dates -------------------------------------------------------------------------------------------------


class _DateForm(forms.Form):
    date = dates.BoundedDateFormField()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "Enter a valid date."),
        ("2026-13-01", "Enter a valid date."),
        ("yesterday", "Enter a valid date."),
        ("2026-1-1x", "Enter a valid date."),
        ("0001-01-01", OUT_OF_RANGE),
        ("1899-12-31", OUT_OF_RANGE),
        ("9999-12-31", OUT_OF_RANGE),
        ("3000-01-01", OUT_OF_RANGE),
    ],
)
def test_the_bounded_date_field_refuses_malformed_and_far_dates(value, message):
    assert _DateForm(data={"date": value}).errors == {"date": [message]}


@pytest.mark.parametrize("value", ["1900-01-01", "2026-02-28", "2999-12-31"])
def test_the_bounded_date_field_accepts_the_range_and_its_edges(value):
    form = _DateForm(data={"date": value})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["date"] == datetime.date.fromisoformat(value)


class _ProjectDatesForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ("approval_date", "expected_release")


def test_model_date_fields_give_forms_the_bounded_date_field():
    form = _ProjectDatesForm(data={"approval_date": "0001-01-01", "expected_release": "9999-12-31"})

    assert isinstance(form.fields["approval_date"], dates.BoundedDateFormField)
    assert form.errors == {"approval_date": [OUT_OF_RANGE], "expected_release": [OUT_OF_RANGE]}


class _DisbursementTimesForm(forms.ModelForm):
    class Meta:
        model = Disbursement
        fields = ("requested_at",)
        field_classes = {"requested_at": forms.SplitDateTimeField}
        widgets = {"requested_at": forms.SplitDateTimeWidget}


def test_a_year_one_timestamp_is_refused_even_by_a_form_that_asks_for_another_field_class():
    form = _DisbursementTimesForm(data={"requested_at_0": "0001-01-01", "requested_at_1": "10:00"})

    assert form.errors == {"requested_at": [OUT_OF_RANGE]}


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(1899, 12, 31, 23, 0, tzinfo=datetime.UTC),
        datetime.datetime(3000, 1, 1, tzinfo=datetime.UTC),
        # Inside 1900 in Almaty, still 1899 in UTC: the database would refuse it, so validation does too.
        datetime.datetime(1900, 1, 1, 2, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=5))),
        datetime.date(1, 1, 1),
        datetime.date(9999, 12, 31),
    ],
    ids=str,
)
def test_validation_refuses_a_date_or_timestamp_outside_the_range(value):
    with pytest.raises(ValidationError) as excinfo:
        dates.validate_date_in_range(value)

    assert excinfo.value.messages == [OUT_OF_RANGE]


@pytest.mark.django_db
def test_model_validation_refuses_a_year_one_date_beside_the_field():
    commitment = CommitmentFactory.build(
        fund=FundFactory(), investor=InvestorFactory(), date=datetime.date(1, 1, 1)
    )

    with pytest.raises(ValidationError) as excinfo:
        commitment.full_clean()

    assert excinfo.value.message_dict["date"] == [OUT_OF_RANGE]

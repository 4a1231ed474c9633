"""The one place that owns money precision and rounding.

Amounts are stored in the fund's base currency (KZT) with two places, rounded half-up; 18 digits leave room
for 10^15 and more. Ratios are computed from unrounded sums and only rounded for display.
"""

import functools
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.formats import babel_locale

MONEY_MAX_DIGITS = 18
MONEY_PLACES = 2
CENT = Decimal("0.01")

RATE_MAX_DIGITS = 18
RATE_PLACES = 6

BASE_CURRENCY = "KZT"

# The largest amount any input may carry; the columns hold more, so sums of such amounts still fit.
MONEY_LIMIT = Decimal(10) ** 15

# What an input may say about its sign (see parse_money).
POSITIVE, NOT_NEGATIVE, ANY_SIGN = "positive", "not_negative", "any"


def quantize_money(value) -> Decimal:
    """Round a money value half-up (away from zero) to 0.01, as the ledger stores it.

    Floats are refused: 2.675 as a float is 2.67499999..., so it would round the wrong way."""
    if isinstance(value, float):
        raise TypeError("money must be a Decimal, an int or a string, never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# Ratios, multiples and rates keep 10 places (the capital accounts' columns and the snapshot alike).
RATIO_PLACES = Decimal("0.0000000001")


def quantize_ratio(value, places: Decimal = RATIO_PLACES) -> Decimal:
    """Round a ratio half-up (away from zero) to 10 places, the rule money follows; PostgreSQL's
    round(numeric, 10) does the same, so the set-based capital accounts agree with this to the last place."""
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


# Plain ASCII digits with at most one point: no sign (handled apart), exponent, separator or other script.
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+", re.ASCII)
_ASCII_DIGITS = frozenset("0123456789")

MESSAGES = {
    "invalid": _("Enter an amount in digits, for example 1500000.50."),
    "exponent": _("Write the amount out in full digits, without an exponent such as 1e3."),
    "not_finite": _("Enter a real amount: NaN and Infinity are not amounts."),
    "digits": _("Use only the digits 0 to 9 in an amount."),
    "separator": _(
        "Write the amount without underscores, spaces or thousands separators, with a point before the "
        "cents: 1000000.50."
    ),
    "places": _("An amount has at most 2 decimal places."),
    "too_large": _("An amount cannot be larger than 1,000,000,000,000,000.00."),
    "not_positive": _("The amount must be greater than zero."),
    "negative": _("The amount cannot be negative."),
}


def _refuse(code: str):
    raise ValidationError(MESSAGES[code], code=code)


def _parse_text(text: str) -> Decimal:
    text = text.strip()
    negative = text.startswith("-")
    body = text[1:] if negative or text.startswith("+") else text
    if not _PLAIN_NUMBER.fullmatch(body):
        lowered = body.lower()
        if lowered.lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
            _refuse("not_finite")
        if any(ch.isdigit() and ch not in _ASCII_DIGITS for ch in body):
            _refuse("digits")
        if any(ch in "_ ,'\u00a0\u202f" for ch in body):
            _refuse("separator")
        if "e" in lowered and any(ch in _ASCII_DIGITS for ch in body):
            _refuse("exponent")
        _refuse("invalid")
    value = Decimal(body)
    return -value if negative else value


def parse_money(value, *, sign: str = POSITIVE) -> Decimal:
    """Read an amount typed by a person or sent by a client, refusing anything but a plain, exact figure.

    Accepts a string of ASCII digits with an optional sign and point ("1500000.5"), a Decimal or an int;
    returns a Decimal with 2 places. Refuses, each with its own translated message: exponents ("1e3"), NaN and
    Infinity, digits of other scripts ("１２３", "٣"), underscores and thousands separators ("1_000"), more
    than 2 decimal places, and anything past 10^15. `sign` says what else is refused: POSITIVE (zero and
    negatives), NOT_NEGATIVE (negatives) or ANY_SIGN. Floats are a programming error (TypeError): they
    cannot say 0.1 exactly.
    """
    if isinstance(value, float | bool):
        raise TypeError("money must be a Decimal, an int or a string, never a float")
    if isinstance(value, str):
        amount = _parse_text(value)
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            _refuse("not_finite")
        amount = value
    else:
        _refuse("invalid")
    if abs(amount) > MONEY_LIMIT:
        _refuse("too_large")
    exact = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if exact != amount:
        _refuse("places")
    if sign == POSITIVE and exact <= 0:
        _refuse("not_positive")
    if sign == NOT_NEGATIVE and exact < 0:
        _refuse("negative")
    return exact if exact else Decimal("0.00")  # never "-0.00"


class MoneyFormField(forms.DecimalField):
    """The form field of every MoneyField: a text box read by parse_money, so each form refuses the same."""

    widget = forms.TextInput

    def __init__(self, *, sign: str = POSITIVE, **kwargs):
        self.sign = sign
        for name in ("max_digits", "decimal_places", "max_value", "min_value"):
            kwargs.pop(name, None)
        super().__init__(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_PLACES, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_money(value if isinstance(value, Decimal | int) else str(value), sign=self.sign)

    def widget_attrs(self, widget):
        # A text box, not type="number": browsers silently drop what a number box cannot parse ("1_000"
        # arrives empty), and the reader would see "required" instead of the real reason.
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}


class MoneyField(models.DecimalField):
    """A KZT amount: Decimal with 2 places and room for 10^15.

    `sign` says which amounts a person may type (see parse_money); model validation refuses the same
    malformed input (but leaves the sign to the model's own rules and constraints)."""

    def __init__(self, *args, sign: str = POSITIVE, **kwargs):
        self.sign = sign
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Keep migrations pointing at a plain DecimalField so they never depend on this module's path.
        return name, "django.db.models.DecimalField", args, kwargs

    def clean(self, value, model_instance):
        # Only validation reads the value this strictly; saves and lookups keep DecimalField's conversion.
        if value is not None:
            try:
                value = parse_money(value, sign=ANY_SIGN)
            except ValidationError:
                # Model.full_clean runs clean() after a field fails; the model's own rules compare amounts,
                # so they must see "no amount" rather than the unreadable text.
                if model_instance is not None:
                    setattr(model_instance, self.attname, None)
                raise
        return super().clean(value, model_instance)

    def formfield(self, **kwargs):
        # Every form (admin, crispy, import) reads money the one way, whatever form class it asks for.
        kwargs.pop("form_class", None)
        return models.Field.formfield(self, form_class=MoneyFormField, sign=self.sign, **kwargs)


class RateField(models.DecimalField):
    """An FX rate: KZT per one unit of a foreign currency, six places as the National Bank publishes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", RATE_MAX_DIGITS)
        kwargs.setdefault("decimal_places", RATE_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def format_money(value, currency: str = BASE_CURRENCY, language: str | None = None) -> str:
    """Display a Decimal amount for a reader: rounded half-up to 0.01, grouped as the reader's language
    groups digits, with the tenge sign ₸ (English locales would write "KZT"). Never goes through float."""
    # Keyed by the text of the amount, not the Decimal: -0.00 and 0.00 are equal Decimals.
    return _money_text(str(quantize_money(value)), currency, babel_locale(language))


@functools.lru_cache(maxsize=8192)
def _money_text(amount: str, currency: str, locale: str) -> str:
    # A page shows the same stored amounts on every request: Babel takes about 0.1 ms a call, a cache hit
    # a microsecond (measured on the fund page: about 60 amounts a request).
    from babel.numbers import format_currency

    text = format_currency(Decimal(amount), currency, locale=locale, currency_digits=False)
    return text.replace("KZT", "₸") if currency == BASE_CURRENCY else text


def format_amount(value, language: str | None = None) -> str:
    """An amount without its currency sign (for columns headed in KZT): "1,234,567.89" / "1 234 567,89"."""
    from babel.numbers import format_decimal

    return format_decimal(quantize_money(value), format="#,##0.00", locale=babel_locale(language))


def money_share(total: Decimal, share) -> Decimal:
    """`share` (a Decimal or Fraction such as 1/3) of `total`, rounded half-up to the cent from the exact
    product (never from a rounded share)."""
    exact = Fraction(total) * Fraction(share) * 100
    cents = exact.numerator // exact.denominator
    if (exact - cents) * 2 >= 1:
        cents += 1
    return Decimal(cents).scaleb(-2)


def split_pro_rata(total: Decimal, weights) -> dict:
    """Split `total` over `weights` (pairs of key and weight, in tie order) so the parts add up exactly.

    domain.md's rule: each part is its exact share cut down to the cent; the cents left over go one each to
    the largest cut-off remainders, ties going to the earlier pair. Callers list the pairs in the domain's tie
    order (for commitments: the larger commitment, then the earlier commitment date, then the lower investor
    id). Exact rational arithmetic throughout: no rounding context, no float.
    """
    pairs = [(key, Fraction(weight)) for key, weight in weights]
    whole = sum(weight for _key, weight in pairs)
    if total <= 0 or not pairs or whole <= 0 or any(weight < 0 for _key, weight in pairs):
        raise ValueError(
            "a pro-rata split needs a positive total and non-negative weights with a positive sum"
        )
    total_cents = int((total * 100).to_integral_value(rounding=ROUND_DOWN))
    if Decimal(total_cents) != total * 100:
        raise ValueError("the total of a pro-rata split must be a whole number of cents")
    cut, remainder = {}, {}
    for key, weight in pairs:
        exact = total_cents * weight / whole
        cut[key] = exact.numerator // exact.denominator
        remainder[key] = exact - cut[key]
    left = total_cents - sum(cut.values())
    # sorted() is stable, so equal remainders keep the callers' tie order.
    for key, _weight in sorted(pairs, key=lambda pair: remainder[pair[0]], reverse=True)[:left]:
        cut[key] += 1
    return {key: Decimal(cents).scaleb(-2) for key, cents in cut.items()}

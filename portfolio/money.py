"""The one place that owns money precision and rounding.

Amounts are stored in the fund's base currency (KZT) with two places, rounded half-up; 18 digits leave room
for 10^15 and more. Ratios are computed from unrounded sums and only rounded for display.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

MONEY_MAX_DIGITS = 18
MONEY_PLACES = 2
CENT = Decimal("0.01")

RATE_MAX_DIGITS = 18
RATE_PLACES = 6

BASE_CURRENCY = "KZT"


def quantize_money(value) -> Decimal:
    """Round a money value half-up (away from zero) to 0.01, as the ledger stores it.

    Floats are refused: 2.675 as a float is 2.67499999..., so it would round the wrong way."""
    if isinstance(value, float):
        raise TypeError("money must be a Decimal, an int or a string, never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """A KZT amount: Decimal with 2 places and room for 10^15."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Keep migrations pointing at a plain DecimalField so they never depend on this module's path.
        return name, "django.db.models.DecimalField", args, kwargs


class RateField(models.DecimalField):
    """An FX rate: KZT per one unit of a foreign currency, six places as the National Bank publishes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", RATE_MAX_DIGITS)
        kwargs.setdefault("decimal_places", RATE_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def _babel_locale(language: str | None) -> str:
    from django.utils import translation

    language = (language or translation.get_language() or "en").split("-")[0]
    return {"ru": "ru_KZ", "kk": "kk_KZ"}.get(language, "en_US")


def format_money(value, currency: str = BASE_CURRENCY, language: str | None = None) -> str:
    """Display a Decimal amount for a reader: rounded half-up to 0.01, grouped as the reader's language
    groups digits, with the tenge sign ₸ (English locales would write "KZT"). Never goes through float."""
    from babel.numbers import format_currency

    text = format_currency(
        quantize_money(value), currency, locale=_babel_locale(language), currency_digits=False
    )
    return text.replace("KZT", "₸") if currency == BASE_CURRENCY else text


def format_amount(value, language: str | None = None) -> str:
    """An amount without its currency sign (for columns headed in KZT): "1,234,567.89" / "1 234 567,89"."""
    from babel.numbers import format_decimal

    return format_decimal(quantize_money(value), format="#,##0.00", locale=_babel_locale(language))

"""How dates, percentages and multiples read in each language (money is portfolio/money.py's).

Babel's CLDR data does the work, so "15,2 %" in Russian, "15,2%" in Kazakh and "15.2%" in English come from
the same call. One exception: CLDR writes Kazakh dates year first ("2025 ж. 1 наурыз"), while Kazakh
documents and our readers write day, month, year ("1 наурыз 2025 ж."), so Kazakh dates use our patterns.
"""

import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal, format_percent
from django.utils import timezone, translation

LOCALES = {"en": "en_US", "ru": "ru_KZ", "kk": "kk_KZ"}
KAZAKH_DATES = {"long": "d MMMM y 'ж'.", "medium": "d MMM y 'ж'.", "short": "dd.MM.y"}
SHORT_DATES = {"en": "MM/dd/y", "ru": "dd.MM.y", "kk": "dd.MM.y"}


def language_of(language: str | None = None) -> str:
    """The reader's language as one of ours ("en", "ru", "kk")."""
    code = (language or translation.get_language() or "en").split("-")[0]
    return code if code in LOCALES else "en"


def babel_locale(language: str | None = None) -> str:
    return LOCALES[language_of(language)]


def format_day(value: datetime.date | None, style: str = "long", language: str | None = None) -> str:
    """A date for a reader: "1 March 2025" / "1 марта 2025 г." / "1 наурыз 2025 ж."; "short" is numeric."""
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        # The reader's day is the local one: 21:54 UTC is already tomorrow in Almaty.
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return _day_text(value, style, language_of(language))


# Pages show the same stored dates, ratios and multiples on every request; Babel takes 30-80 µs a call and
# these caches a microsecond. The keys are the values' text (or the date), the style and the language.
@functools.lru_cache(maxsize=8192)
def _day_text(value: datetime.date, style: str, lang: str) -> str:
    if style == "short":
        pattern = SHORT_DATES[lang]
    elif lang == "kk":
        pattern = KAZAKH_DATES[style]
    elif lang == "en" and style == "long":
        pattern = "d MMMM y"  # British order: the fund reports to readers on three continents
    else:
        pattern = style
    return babel_format_date(value, pattern, locale=babel_locale(lang))


def _half_up(value, places: int) -> Decimal:
    # Babel rounds half-even; the house rounds half-up (portfolio/money.py), for display as for storage.
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_pct(ratio, places: int = 1, language: str | None = None) -> str:
    """A ratio as a percentage: Decimal("0.15234") → "15.2%" / "15,2 %" / "15,2%"; None → "—"."""
    if ratio is None or ratio == "":
        return "—"
    return _pct_text(str(ratio), places, babel_locale(language))


@functools.lru_cache(maxsize=8192)
def _pct_text(ratio: str, places: int, locale: str) -> str:
    # The language's own pattern (Russian puts a no-break space before %), with the places asked for.
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if places:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * places, 1)
    return format_percent(_half_up(Decimal(str(ratio)) * 100, places) / 100, format=pattern, locale=locale)


def format_multiple(value, places: int = 2, language: str | None = None) -> str:
    """A multiple such as TVPI: Decimal("1.2345") → "1.23×" / "1,23×"; None → "—"."""
    if value is None or value == "":
        return "—"
    return _multiple_text(str(value), places, babel_locale(language))


@functools.lru_cache(maxsize=8192)
def _multiple_text(value: str, places: int, locale: str) -> str:
    pattern = "#,##0." + "0" * places
    return format_decimal(_half_up(value, places), format=pattern, locale=locale) + "×"

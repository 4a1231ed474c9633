"""The memoized formatters answer exactly what Babel answers, whatever was asked before them."""

import datetime
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from portfolio.formats import format_day, format_multiple, format_pct
from portfolio.money import format_money

LOCALES = {"en": "en_US", "ru": "ru_KZ", "kk": "kk_KZ"}


@pytest.mark.parametrize("first, second", [("-0.001", "0"), ("0", "-0.001"), ("1.005", "1.01")])
def test_equal_decimals_with_other_texts_do_not_share_a_cache_entry(first, second):
    for value in (first, second):
        for language, locale in LOCALES.items():
            expected = format_currency(
                Decimal(value).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"),
                "KZT",
                locale=locale,
                currency_digits=False,
            ).replace("KZT", "₸")
            assert format_money(Decimal(value), language=language) == expected


def test_each_language_gets_its_own_text():
    day = datetime.date(2025, 3, 1)
    texts = {language: format_money(Decimal("1234567.89"), language=language) for language in LOCALES}
    assert texts["en"] == "₸1,234,567.89" and texts["ru"] != texts["en"]
    assert format_day(day, language="kk") == "1 наурыз 2025 ж."
    assert format_day(day, language="ru") == format_date(day, "long", locale="ru_KZ")
    assert format_pct(Decimal("0.15234"), language="en") == "15.2%"
    assert format_pct(Decimal("0.15234"), places=0, language="en") == "15%"
    assert format_multiple(Decimal("1.235"), language="ru") == "1,24×"
    assert format_multiple(Decimal("1.235"), language="en") == "1.24×"

"""Dates, percentages and multiples read as each language writes them."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from portfolio.formats import format_day, format_multiple, format_pct

MARCH_1 = datetime.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("language", "long", "medium", "short"),
    [
        ("en", "1 March 2025", "Mar 1, 2025", "03/01/2025"),
        ("ru", "1 марта 2025\u202fг.", "1 мар. 2025\u202fг.", "01.03.2025"),
        # Day, month, year: CLDR would put the year first ("2025 ж. 1 наурыз").
        ("kk", "1 наурыз 2025 ж.", "1 нау. 2025 ж.", "01.03.2025"),
    ],
)
def test_dates_read_in_each_languages_own_order(language, long, medium, short):
    assert format_day(MARCH_1, "long", language) == long
    assert format_day(MARCH_1, "medium", language) == medium
    assert format_day(MARCH_1, "short", language) == short


def test_a_missing_date_is_a_dash_and_a_timestamp_shows_its_day():
    assert format_day(None) == "—"
    assert format_day(datetime.datetime(2025, 3, 1, 23, 0), "long", "en") == "1 March 2025"


@pytest.mark.parametrize(
    ("language", "pct", "whole", "tvpi"),
    [
        ("en", "15.2%", "15%", "1.23×"),
        ("ru", "15,2\xa0%", "15\xa0%", "1,23×"),
        ("kk", "15,2%", "15%", "1,23×"),
    ],
)
def test_percentages_and_multiples_follow_the_language(language, pct, whole, tvpi):
    assert format_pct(Decimal("0.15234"), 1, language) == pct
    assert format_pct(Decimal("0.15"), 0, language) == whole
    assert format_multiple(Decimal("1.2345"), 2, language) == tvpi


def test_ratios_arrive_as_strings_from_snapshots_and_none_is_a_dash():
    assert format_pct("0.5000000000", 1, "en") == "50.0%"
    assert format_pct(None) == "—"
    assert format_multiple(None) == "—"


def test_the_template_filters_use_the_active_language():
    template = Template(
        "{% load formats %}{{ d|day }} · {{ r|pct }} · {{ m|multiple }} · {{ d|day:'short' }}"
    )
    context = Context({"d": MARCH_1, "r": Decimal("0.0625"), "m": Decimal("2")})
    with translation.override("kk"):
        assert template.render(context) == "1 наурыз 2025 ж. · 6,3% · 2,00× · 01.03.2025"


def test_djangos_own_date_filter_writes_kazakh_dates_day_first():
    template = Template('{{ d|date:"DATE_FORMAT" }}')
    with translation.override("kk"):
        assert template.render(Context({"d": MARCH_1})).startswith("1 ")
        assert template.render(Context({"d": MARCH_1})).endswith("2025 ж.")


def test_a_timestamp_shows_the_local_day_not_the_utc_one(settings):
    settings.TIME_ZONE = "Asia/Almaty"  # UTC+5
    late_evening_utc = datetime.datetime(2026, 11, 29, 21, 54, tzinfo=datetime.UTC)
    assert format_day(late_evening_utc, language="en") == "30 November 2026"

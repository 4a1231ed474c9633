"""{% load formats %}: dates, percentages and multiples for the reader's language (portfolio/formats.py)."""

from django import template

from portfolio import formats
from portfolio.portal.figures import legal_form_label

register = template.Library()


@register.filter
def day(value, style="long"):
    """{{ date|day }} → "1 March 2025" / "1 марта 2025 г." / "1 наурыз 2025 ж."; {{ date|day:"short" }}."""
    return formats.format_day(value, style)


@register.filter
def pct(value, places=1):
    """{{ ratio|pct }} → "15.2%"; {{ ratio|pct:0 }} → "15%"."""
    return formats.format_pct(value, int(places))


@register.filter
def multiple(value, places=2):
    """{{ tvpi|multiple }} → "1.23×"."""
    return formats.format_multiple(value, int(places))


@register.filter
def legal_form(value):
    """{{ fund.legal_form|legal_form }} → the usual AIFC forms in the reader's language, others as typed."""
    return legal_form_label(value)

"""{% load workspace_money %}: what the workspace's money pages show beyond {% load money formats %}."""

from django import template

from portfolio import formats
from portfolio.money import format_money

register = template.Library()


@register.filter
def money_in(value, currency):
    """{{ amount|money_in:"USD" }} → "$120,000.00": an original amount in its own currency."""
    if value is None or value == "":
        return "—"
    return format_money(value, currency)


@register.filter(expects_localtime=True)
def moment(value):
    """A timestamp as the day and time the reader's clock showed: "1 March 2025, 14:05"."""
    if value is None:
        return "—"
    return f"{formats.format_day(value)}, {value:%H:%M}"


@register.filter(expects_localtime=True)
def local_day(value, style="short"):
    """The calendar day of a timestamp in the site's time zone."""
    return formats.format_day(value, style)


@register.filter
def fx_rate(value):
    """An FX rate as the National Bank writes it, grouped for the reader: "454.55" / "454,55"."""
    if value is None or value == "":
        return "—"
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.00####", locale=formats.babel_locale())

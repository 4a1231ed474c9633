from django import template

from portfolio.money import format_money

register = template.Library()


@register.filter
def kzt(value):
    """{{ amount|kzt }} → "₸5,500,000,000.00" (grouping and sign placement follow the active language)."""
    if value is None or value == "":
        return "—"
    return format_money(value)

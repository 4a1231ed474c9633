from django import template

from portfolio.models import Stage
from portfolio.money import format_money

register = template.Library()


@register.filter
def kzt(value):
    """{{ amount|kzt }} → "₸5,500,000,000.00" (grouping and sign placement follow the active language)."""
    if value is None or value == "":
        return "—"
    return format_money(value)


@register.filter
def stage_label(value):
    """A stored stage value ("post_production") as the reader's language names it."""
    return Stage(value).label if value in Stage.values else value

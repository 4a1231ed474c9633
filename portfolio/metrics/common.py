"""Pieces every metric module shares: the zero, ratios from unrounded sums, and the stage order."""

from decimal import Decimal

from portfolio.models import Stage
from portfolio.money import quantize_money, quantize_ratio

ZERO = Decimal("0.00")

# The order stages are reported in (the production pipeline, then the side exit).
STAGE_ORDER = [
    Stage.DEVELOPMENT,
    Stage.PRE_PRODUCTION,
    Stage.PRODUCTION,
    Stage.POST_PRODUCTION,
    Stage.DELIVERY,
    Stage.RELEASED,
    Stage.ABANDONED,
]


def ratio(numerator, denominator) -> Decimal | None:
    """numerator / denominator with 10 places, written plainly; None (JSON null) when the denominator is 0."""
    value = stored_ratio(numerator, denominator)
    return None if value is None else plain(value)


def stored_ratio(numerator, denominator) -> Decimal | None:
    """The same ratio as a database column keeps it (10 places; no need to strip zeros)."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return quantize_ratio(Decimal(numerator) / Decimal(denominator))


def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros and never in exponent form ("0", not "0E-10")."""
    if value == 0:
        return Decimal(0)
    normal = value.normalize()
    # normalize() writes 1E+2 for 100; quantizing to units brings back the plain digits.
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


def money(value) -> Decimal:
    # Sums of two-place amounts are exact: quantizing only normalises the exponent (SQLite adds places).
    return quantize_money(value or 0)


def total(values) -> Decimal:
    return sum(values, ZERO)

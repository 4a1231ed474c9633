"""XIRR and XNPV on actual/365, as spreadsheets define them, done so that it can never diverge.

The rate is a ratio, not money, so the root finding runs on floats; the cash flows come in as Decimals and
the answer goes out as a Decimal rounded to 10 places. `None` means "undefined": fewer than two flows, no
sign change among them, or no root in the searched range. We never return a made-up number.
"""

import datetime
import math
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

Flow = tuple[datetime.date, Decimal]

# Rates are searched in (-1, 10^6]: below -100% the discount factor is undefined, and a fund returning
# a million-fold a year is not a fund.
_LOWEST = -0.999999999
_HIGHEST = 1e6
_TOLERANCE = 1e-12


def _normalise(flows: Iterable[Flow]) -> list[tuple[float, float]]:
    flows = [(day, Decimal(amount)) for day, amount in flows if Decimal(amount) != 0]
    if not flows:
        return []
    first = min(day for day, _amount in flows)
    return [((day - first).days / 365.0, float(amount)) for day, amount in flows]


def _npv(rate: float, flows: list[tuple[float, float]]) -> float:
    base = 1.0 + rate
    return math.fsum(amount / base**years for years, amount in flows)


def xnpv(rate: Decimal | float, flows: Iterable[Flow]) -> Decimal:
    """Net present value at `rate` of dated flows, discounted to the earliest date (actual/365)."""
    return Decimal(repr(_npv(float(rate), _normalise(flows)))).quantize(Decimal("0.0001"))


def _brackets(flows) -> list[tuple[float, float]]:
    # A fixed grid, dense near zero where fund returns live, then geometric out to the extremes.
    grid = sorted(
        {_LOWEST, -0.99, -0.95, -0.9, -0.75, -0.5, -0.25, -0.1, 0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0}
        | {2.0**k for k in range(1, 21)}
    )
    values = []
    for rate in grid:
        try:
            values.append((rate, _npv(rate, flows)))
        except (OverflowError, ZeroDivisionError):
            continue
    return [
        (low, high)
        for (low, f_low), (high, f_high) in zip(values, values[1:], strict=False)
        if math.isfinite(f_low) and math.isfinite(f_high) and (f_low == 0 or f_low * f_high < 0)
    ]


def _bisect(low: float, high: float, flows) -> float:
    f_low = _npv(low, flows)
    if f_low == 0:
        return low
    # Bisection halves the bracket every step: 200 steps shrink any bracket below float resolution, so
    # it always ends, and always inside the bracket (Newton's method can leave it and diverge).
    for _step in range(200):
        middle = (low + high) / 2
        f_middle = _npv(middle, flows)
        if f_middle == 0 or (high - low) / 2 < _TOLERANCE:
            return middle
        if (f_middle < 0) == (f_low < 0):
            low, f_low = middle, f_middle
        else:
            high = middle
    return (low + high) / 2


def _newton(flows, guess: float = 0.1) -> float | None:
    """Newton's method from Excel's default guess; None when it misbehaves (the caller then brackets)."""
    rate = guess
    for _step in range(50):
        base = 1.0 + rate
        value = slope = 0.0
        for years, amount in flows:  # NPV and its derivative in one pass
            discounted = amount * base**-years
            value += discounted
            slope -= years * discounted / base
        if slope == 0 or not math.isfinite(value) or not math.isfinite(slope):
            return None
        step = value / slope
        rate -= step
        if not (_LOWEST < rate < _HIGHEST):
            return None
        if abs(step) < _TOLERANCE:
            return rate
    return None


@lru_cache(maxsize=4096)
def _solve(flows: tuple[tuple[float, float], ...]) -> float | None:
    scale = math.fsum(abs(amount) for _years, amount in flows)
    try:
        rate = _newton(flows)
        # Accept Newton's answer only if it really is a root; otherwise the bracketing search decides.
        if rate is not None and abs(_npv(rate, flows)) <= 1e-9 * scale:
            return rate
    except (OverflowError, ZeroDivisionError):  # decades of flows at extreme rates: bracket instead
        pass
    brackets = _brackets(flows)
    if not brackets:
        return None
    # With several sign changes there can be several roots; take the one nearest 10%, Excel's default guess.
    low, high = min(brackets, key=lambda bracket: abs((bracket[0] + bracket[1]) / 2 - 0.1))
    return _bisect(low, high, flows)


def xirr(flows: Iterable[Flow]) -> Decimal | None:
    """The annual rate that makes the flows' NPV zero (actual/365), or None when it is undefined."""
    normalised = _normalise(flows)
    if len(normalised) < 2:
        return None
    if not (any(amount < 0 for _y, amount in normalised) and any(amount > 0 for _y, amount in normalised)):
        return None
    # The rate does not change when every flow is scaled alike, so investors whose flows are pro rata to
    # each other (the usual case: calls and distributions split by commitment) share one cached solve.
    largest = max(abs(amount) for _years, amount in normalised)
    key = tuple(sorted((years, round(amount / largest, 12)) for years, amount in normalised))
    rate = _solve(key)
    return None if rate is None else Decimal(repr(rate)).quantize(Decimal("0.0000000001"))

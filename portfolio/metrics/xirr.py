"""XIRR and XNPV on actual/365, as spreadsheets define them, done so that it can never diverge.

The rate is a ratio, not money, so the root finding runs on floats; the cash flows come in as Decimals and
the answer goes out as a Decimal rounded to 10 places. `None` means "undefined": fewer than two flows, no
sign change among them, or no root in the searched range. We never return a made-up number.

Flows whose signs change once (money in, then money out: every ordinary investor) have exactly one root
(Descartes' rule of signs holds for real exponents), which pyxirr finds in a few microseconds. Flows whose
signs change several times can have several roots; for those our own search brackets every root on a fine
grid and returns the one nearest 10%, Excel's default guess.
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

import pyxirr

from portfolio.money import quantize_ratio

from .common import plain

Flow = tuple[datetime.date, Decimal]

# Rates are searched in (-1, 10^6]: below -100% the discount factor is undefined, and a fund returning
# a million-fold a year is not a fund.
_LOWEST = -0.999999999
_HIGHEST = 1e6
_TOLERANCE = 1e-12
# Newton's method stops once a step is this small relative to the rate: far below the 10 places stored.
_STEP = 1e-15
_GUESS = 0.1
_EPOCH = datetime.date(2000, 1, 1)

# Dense where fund returns live (every 2.5 points between -99% and +200%), then geometric out to 10^6.
_GRID = sorted(
    {_LOWEST, -0.9999, -0.999, -0.995}
    | {round(-0.99 + step * 0.025, 6) for step in range(int(2.99 / 0.025) + 1)}
    | {2.0**k for k in range(1, 21)}
)


def _normalise(flows: Iterable[Flow]) -> list[tuple[int, float]]:
    """(days after the first flow, amount), same-day flows netted, zero flows dropped, in date order."""
    by_day: dict[datetime.date, float] = {}
    for day, amount in flows:
        by_day[day] = by_day.get(day, 0.0) + float(amount)
    days = sorted(day for day, amount in by_day.items() if amount != 0)
    if not days:
        return []
    first = days[0]
    return [((day - first).days, by_day[day]) for day in days]


def _npv(rate: float, flows: Sequence[tuple[int, float]]) -> float:
    base = 1.0 + rate
    return math.fsum(amount / base ** (days / 365.0) for days, amount in flows)


def xnpv(rate: Decimal | float, flows: Iterable[Flow]) -> Decimal:
    """Net present value at `rate` of dated flows, discounted to the earliest date (actual/365)."""
    return quantize_ratio(Decimal(repr(_npv(float(rate), _normalise(flows)))), Decimal("0.0001"))


def _sign_changes(flows: Sequence[tuple[int, float]]) -> int:
    signs = [amount > 0 for _days, amount in flows]
    return sum(1 for before, after in zip(signs, signs[1:], strict=False) if before != after)


def _is_root(rate: float | None, flows) -> bool:
    if rate is None or not math.isfinite(rate) or not (_LOWEST < rate <= _HIGHEST):
        return False
    scale = math.fsum(abs(amount) for _days, amount in flows)
    try:
        return abs(_npv(rate, flows)) <= 1e-7 * scale
    except (OverflowError, ZeroDivisionError):
        return False


def _bisect(low: float, high: float, flows) -> float:
    f_low = _npv(low, flows)
    if f_low == 0:
        return low
    # Bisection halves the bracket every step: 200 steps shrink any bracket below float resolution, so
    # it always ends, and always inside the bracket.
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


def _roots(flows) -> list[float]:
    """Every root the grid brackets (a pair of roots closer than one grid step can hide from it)."""
    values = []
    for rate in _GRID:
        try:
            value = _npv(rate, flows)
        except (OverflowError, ZeroDivisionError):
            continue
        if math.isfinite(value):
            values.append((rate, value))
    roots = [rate for rate, value in values if value == 0]
    for (low, f_low), (high, f_high) in zip(values, values[1:], strict=False):
        if f_low * f_high < 0:
            roots.append(_bisect(low, high, flows))
    return roots


def _pyxirr(flows) -> float | None:
    dates = [_EPOCH + datetime.timedelta(days=days) for days, _amount in flows]
    try:
        return pyxirr.xirr(dates, [amount for _days, amount in flows], guess=_GUESS, silent=True)
    except (OverflowError, ValueError):  # pyxirr refuses some extreme inputs rather than answering None
        return None


def _polish(rate: float, flows) -> float:
    """Newton's steps from pyxirr's answer down to float resolution.

    pyxirr stops within about 1e-9 of the root, which leaves the 10th stored place to chance; polished, the
    rate is the root to the last bit, the one `xirr_batch` reaches for a whole batch at once."""
    for _step in range(8):
        base = 1.0 + rate
        try:
            terms = [(amount / base ** (days / 365.0), days / 365.0) for days, amount in flows]
        except (OverflowError, ZeroDivisionError):
            return rate
        value = math.fsum(term for term, _years in terms)
        slope = math.fsum(-years * term / base for term, years in terms)
        if not slope or not math.isfinite(value / slope):
            return rate
        step = value / slope
        if not _LOWEST < rate - step <= _HIGHEST:
            return rate
        rate -= step
        if abs(step) <= _STEP * max(1.0, abs(rate)):
            break
    return rate


@lru_cache(maxsize=65536)
def _solve(flows: tuple[tuple[int, float], ...]) -> float | None:
    fast = _pyxirr(flows)
    if _sign_changes(flows) == 1 and _is_root(fast, flows):
        polished = _polish(fast, flows)
        return polished if _is_root(polished, flows) else fast
    # Several sign changes: every root the grid brackets, and pyxirr's (which may lie between two grid
    # points), then the one nearest the guess.
    roots = [rate for rate in _roots(flows) if _is_root(rate, flows)]
    if _is_root(fast, flows) and all(abs(fast - root) > 1e-6 * max(1.0, abs(root)) for root in roots):
        roots.append(fast)
    if not roots:
        return None
    return min(roots, key=lambda rate: (abs(rate - _GUESS), rate))


def _key(normalised: list[tuple[int, float]]) -> tuple[tuple[int, float], ...] | None:
    if len(normalised) < 2:
        return None
    if not (any(amount < 0 for _d, amount in normalised) and any(amount > 0 for _d, amount in normalised)):
        return None
    # The rate does not change when every flow is scaled alike, so investors whose flows are pro rata to
    # each other (the usual case: calls and distributions split by commitment) share one cached solve.
    largest = max(abs(amount) for _days, amount in normalised)
    return tuple((days, round(amount / largest, 12)) for days, amount in normalised)


def _as_decimal(rate: float | None) -> Decimal | None:
    # plain(): a rate within 5e-11 of zero is "0", not "-0E-10".
    return None if rate is None else plain(quantize_ratio(Decimal(repr(rate))))


def xirr(flows: Iterable[Flow]) -> Decimal | None:
    """The annual rate that makes the flows' NPV zero (actual/365), or None when it is undefined."""
    key = _key(_normalise(flows))
    return None if key is None else _as_decimal(_solve(key))

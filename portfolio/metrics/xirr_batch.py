"""XIRR of many flow sets at once: the capital accounts of a whole batch in a few array operations.

The flow sets arrive flattened (which set, which day, what amount), netted per day exactly as `xirr.xirr`
nets them. Each set is normalised as `xirr._key` does (days from its first flow, amounts over the largest,
rounded to 12 places), so a set gets the rate the scalar function gives it:

- sets whose signs change once (every ordinary investor: money in, then money out) have one root, found by
  Newton's method on all of them together from 10%, and kept only where it is a root by `xirr`'s own test;
- sets with several sign changes, and the rare set Newton does not settle, go to the scalar solver
  (`xirr._solve`, cached), which brackets every root and returns the one nearest 10%.
"""

import numpy as np

from .xirr import _GUESS, _HIGHEST, _LOWEST, _STEP, _solve

_ITERATIONS = 60
_PLAIN_RATES = 100.0


def _segments(owner: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each set starts in the flattened arrays and how many flows it has."""
    sizes = np.bincount(owner, minlength=count)
    starts = np.zeros(count, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    return starts, sizes


def _newton(owner, years, amounts, active: np.ndarray, count: int) -> np.ndarray:
    """The root of each active set's NPV, NaN where Newton leaves the searched range or does not settle."""
    rate = np.full(count, _GUESS)
    settled = ~active
    for _iteration in range(_ITERATIONS):
        base = 1.0 + rate[owner]
        with np.errstate(all="ignore"):
            discounted = amounts * base ** (-years)
            value = np.bincount(owner, weights=discounted, minlength=count)
            slope = np.bincount(owner, weights=-years * discounted / base, minlength=count)
            step = np.where(settled, 0.0, value / slope)
        step[~np.isfinite(step)] = np.nan
        rate = rate - step
        lost = ~np.isfinite(rate) | (rate <= _LOWEST) | (rate > _HIGHEST)
        rate[lost] = np.nan
        settled |= lost | (np.abs(step) <= _STEP * np.maximum(1.0, np.abs(rate)))
        if settled.all():
            break
    rate[~settled] = np.nan
    return rate


def _is_root(owner, years, amounts, rate: np.ndarray, count: int) -> np.ndarray:
    """`xirr._is_root` for every set: the NPV at the rate within 1e-7 of the flows' size."""
    with np.errstate(all="ignore"):
        value = np.bincount(owner, weights=amounts * (1.0 + rate[owner]) ** (-years), minlength=count)
    scale = np.bincount(owner, weights=np.abs(amounts), minlength=count)
    return np.isfinite(rate) & (np.abs(value) <= 1e-7 * scale)


def solve_many(owner, days, amounts, count: int) -> np.ndarray:
    """The rate of each of `count` flow sets (NaN where it is undefined).

    owner: which set each flow belongs to, sorted, then by day within a set; days: whole days (any epoch);
    amounts: the day's net flow. Zero flows are dropped, as the scalar function drops them."""
    owner = np.asarray(owner, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    amounts = np.asarray(amounts, dtype=np.float64)
    keep = amounts != 0
    owner, days, amounts = owner[keep], days[keep], amounts[keep]
    rates = np.full(count, np.nan)
    if not len(owner):
        return rates
    starts, sizes = _segments(owner, count)
    present = sizes > 0
    first = np.zeros(count, dtype=np.int64)
    first[present] = days[starts[present]]
    relative = days - first[owner]
    largest = np.zeros(count)
    np.maximum.at(largest, owner, np.abs(amounts))
    # The rate does not change when every flow is scaled alike; _key scales by the largest and rounds.
    key = np.round(amounts / largest[owner], 12)
    negative = np.bincount(owner, weights=amounts < 0, minlength=count) > 0
    positive = np.bincount(owner, weights=amounts > 0, minlength=count) > 0
    defined = (sizes >= 2) & negative & positive
    above = key > 0
    same_set = owner[1:] == owner[:-1]
    changes = np.bincount(owner[1:][same_set & (above[1:] != above[:-1])], minlength=count)

    years = relative / 365.0
    simple = defined & (changes == 1)
    found = _newton(owner, years, key, simple, count)
    # Above 10,000% a float's last bit reaches the 10th place, where the two Newton's methods (summed in a
    # different order) may part: such sets take the scalar path, so both paths store the same digits.
    good = simple & _is_root(owner, years, key, found, count) & (np.abs(found) < _PLAIN_RATES)
    rates[good] = found[good]
    # Several sign changes, or Newton unsettled: the scalar search, one cached solve per distinct set.
    for index in np.flatnonzero(defined & ~good):
        start, size = starts[index], sizes[index]
        flows = tuple(
            zip(relative[start : start + size].tolist(), key[start : start + size].tolist(), strict=True)
        )
        rate = _solve(flows)
        rates[index] = np.nan if rate is None else rate
    return rates

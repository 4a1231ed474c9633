"""XIRR on actual/365: the public reference values, and None wherever the rate is undefined."""

import datetime
from decimal import Decimal as D

import pytest

from portfolio.metrics import xirr, xnpv


def flows(*pairs):
    return [(datetime.date.fromisoformat(day), D(amount)) for day, amount in pairs]


EXCEL = flows(
    ("2008-01-01", "-10000"),
    ("2008-03-01", "2750"),
    ("2008-10-30", "4250"),
    ("2009-02-15", "3250"),
    ("2009-04-01", "2750"),
)


def test_xirr_matches_excels_documented_example():
    assert abs(xirr(EXCEL) - D("0.373362535")) < D("1e-6")


def test_xnpv_matches_excels_documented_example():
    assert xnpv(D("0.09"), EXCEL) == D("2086.6476")


def test_xirr_does_not_depend_on_the_order_of_the_flows():
    assert xirr(list(reversed(EXCEL))) == xirr(EXCEL)


def test_one_year_at_ten_percent_uses_actual_over_365():
    # 2021 is not a leap year: 365 days, so exactly 10%.
    assert xirr(flows(("2021-01-01", "-100"), ("2022-01-01", "110"))) == D("0.1")


def test_a_total_loss_almost_is_close_to_minus_one_hundred_percent():
    rate = xirr(flows(("2021-01-01", "-100"), ("2022-01-01", "1")))
    assert D("-0.9901") < rate < D("-0.9899")


@pytest.mark.parametrize(
    "case",
    [
        [],
        flows(("2021-01-01", "-100")),
        flows(("2021-01-01", "-100"), ("2022-01-01", "-5")),
        flows(("2021-01-01", "100"), ("2022-01-01", "5")),
        flows(("2021-01-01", "0"), ("2022-01-01", "0")),
        flows(("2021-01-01", "-100"), ("2022-01-01", "0")),
    ],
    ids=["no flows", "one flow", "all negative", "all positive", "all zero", "only one non-zero"],
)
def test_xirr_is_none_when_undefined(case):
    assert xirr(case) is None


def test_xirr_is_none_rather_than_a_made_up_number_when_no_root_is_in_range():
    # A million-fold gain overnight: the root lies far beyond any plausible rate.
    assert xirr(flows(("2021-01-01", "-1"), ("2021-01-02", "1000000000"))) is None


def test_xirr_with_several_sign_changes_returns_a_real_root():
    case = flows(("2020-01-01", "-1000"), ("2021-01-01", "3000"), ("2022-01-01", "-2100"))
    rate = xirr(case)
    assert rate is not None
    assert abs(xnpv(rate, case)) < D("0.01")


def test_same_day_flows_are_netted_into_the_rate():
    split = flows(("2021-01-01", "-60"), ("2021-01-01", "-40"), ("2022-01-01", "110"))
    assert xirr(split) == D("0.1")


def test_with_several_roots_the_one_nearest_ten_percent_is_returned():
    """-100, +230, -132 a year apart: NPV = 0 at 10% and at 20% (1.1 and 1.2 solve x² - 2.3x + 1.32)."""
    case = flows(("2021-01-01", "-100"), ("2022-01-01", "230"), ("2023-01-01", "-132"))
    assert abs(xirr(case) - D("0.1")) < D("1e-9")
    shifted = flows(("2021-01-01", "-100"), ("2022-01-01", "250"), ("2023-01-01", "-156"))  # 20% and 30%
    assert abs(xirr(shifted) - D("0.2")) < D("1e-9")


def test_against_pyxirr_on_random_flow_sets():
    """Where the signs change once there is one root, and pyxirr's and ours agree to 1e-6 (relative for
    extreme rates); where they change several times, ours is a root at least as near 10% as pyxirr's."""
    import math
    import random

    import pyxirr

    rng = random.Random(20261129)
    conventional = several = 0
    for _case in range(2000):
        start = datetime.date(2020, 1, 1)
        case = [
            (start + datetime.timedelta(days=rng.randint(0, 2000)), D(rng.randint(-100000, 100000)) / 100)
            for _flow in range(rng.randint(2, 7))
        ]
        ours = xirr(case)
        theirs = pyxirr.xirr([day for day, _a in case], [float(a) for _d, a in case], silent=True)
        if theirs is None or not math.isfinite(theirs) or not -1 < theirs <= 1e6:
            continue
        if abs(xnpv(theirs, case)) > D("0.01") or theirs < -0.9:
            # pyxirr stopped short of a root; or the rate is so near -100% that the NPV swings by whole
            # tenge with the tenth decimal of the rate, and no rounded answer is checkable this way.
            continue
        assert ours is not None, case
        signs = [amount > 0 for _day, amount in sorted(case) if amount]
        if sum(1 for a, b in zip(signs, signs[1:], strict=False) if a != b) == 1:
            conventional += 1
            assert abs(float(ours) - theirs) <= 1e-6 * max(1.0, abs(theirs)), case
        else:
            several += 1
            assert ours < D("-0.9") or abs(xnpv(ours, case)) < D("0.01"), case
            assert abs(float(ours) - 0.1) <= abs(theirs - 0.1) + 1e-6 * max(1.0, abs(theirs)), case
    assert conventional > 300 and several > 300

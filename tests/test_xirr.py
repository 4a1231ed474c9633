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

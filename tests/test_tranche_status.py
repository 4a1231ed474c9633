"""A tranche's status as of a date follows only the records dated on or before it (a pure function)."""

import datetime
from decimal import Decimal

import pytest

from portfolio.models import Stage, Tranche
from portfolio.tranche_status import TrancheFacts, tranche_status

D = datetime.date
PLANNED, ELIGIBLE, PAID, CANCELLED = (
    Tranche.Status.PLANNED,
    Tranche.Status.ELIGIBLE,
    Tranche.Status.PAID,
    Tranche.Status.CANCELLED,
)
HISTORY = (
    (D(2025, 2, 1), Stage.DEVELOPMENT),
    (D(2025, 5, 1), Stage.PRE_PRODUCTION),
    (D(2025, 9, 1), Stage.PRODUCTION),
)


def facts(**values) -> TrancheFacts:
    defaults = {
        "amount": Decimal("100.00"),
        "trigger": Tranche.Trigger.STAGE,
        "trigger_stage": Stage.PRE_PRODUCTION,
        "stage_history": HISTORY,
    }
    return TrancheFacts(**{**defaults, **values})


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(D(2025, 4, 30), PLANNED), (D(2025, 5, 1), ELIGIBLE), (D(2026, 1, 1), ELIGIBLE)],
)
def test_a_stage_trigger_is_met_from_the_day_the_stage_was_reached(as_of, expected):
    assert tranche_status(facts(), as_of) == expected


def test_a_later_pipeline_stage_meets_an_earlier_stage_trigger():
    skipped = ((D(2025, 2, 1), Stage.DEVELOPMENT), (D(2025, 6, 1), Stage.POST_PRODUCTION))

    assert (
        tranche_status(facts(trigger_stage=Stage.PRODUCTION, stage_history=skipped), D(2025, 6, 1))
        == ELIGIBLE
    )


def test_a_stage_reached_once_stays_reached_when_the_project_moves_back():
    back = (*HISTORY, (D(2025, 10, 1), Stage.PRE_PRODUCTION))

    assert (
        tranche_status(facts(trigger_stage=Stage.PRODUCTION, stage_history=back), D(2025, 11, 1)) == ELIGIBLE
    )


@pytest.mark.parametrize(
    ("as_of", "expected"), [(D(2025, 6, 30), PLANNED), (D(2025, 7, 1), ELIGIBLE)], ids=["before", "on"]
)
def test_a_date_trigger_is_met_on_its_date(as_of, expected):
    tranche = facts(trigger=Tranche.Trigger.DATE, trigger_stage="", trigger_date=D(2025, 7, 1))

    assert tranche_status(tranche, as_of) == expected


@pytest.mark.parametrize(
    ("met_on", "as_of", "expected"),
    [
        ((D(2025, 5, 10), None), D(2026, 1, 1), PLANNED),
        ((D(2025, 5, 10), D(2025, 6, 1)), D(2025, 5, 31), PLANNED),
        ((D(2025, 5, 10), D(2025, 6, 1)), D(2025, 6, 1), ELIGIBLE),
    ],
    ids=["one-not-met", "met-later", "all-met"],
)
def test_every_condition_must_be_met_by_the_date(met_on, as_of, expected):
    assert tranche_status(facts(conditions_met_on=met_on), as_of) == expected


def test_an_abandoned_project_has_no_eligible_tranche_from_the_day_it_was_abandoned():
    abandoned = (*HISTORY, (D(2025, 10, 1), Stage.ABANDONED))

    assert tranche_status(facts(stage_history=abandoned), D(2025, 9, 30)) == ELIGIBLE
    assert tranche_status(facts(stage_history=abandoned), D(2025, 10, 1)) == PLANNED


@pytest.mark.parametrize(
    ("payments", "as_of", "expected"),
    [
        (((D(2025, 6, 1), Decimal("60.00")),), D(2025, 7, 1), ELIGIBLE),
        (((D(2025, 6, 1), Decimal("60.00")), (D(2025, 7, 1), Decimal("40.00"))), D(2025, 6, 30), ELIGIBLE),
        (((D(2025, 6, 1), Decimal("60.00")), (D(2025, 7, 1), Decimal("40.00"))), D(2025, 7, 1), PAID),
        (((D(2025, 6, 1), Decimal("100.00")), (D(2025, 6, 5), Decimal("-100.00"))), D(2025, 6, 4), PAID),
        (((D(2025, 6, 1), Decimal("100.00")), (D(2025, 6, 5), Decimal("-100.00"))), D(2025, 6, 5), ELIGIBLE),
    ],
    ids=["part-paid", "second-part-later", "fully-paid", "paid-before-the-reversal", "reversed"],
)
def test_a_tranche_is_paid_once_its_net_payments_dated_by_then_reach_its_amount(payments, as_of, expected):
    assert tranche_status(facts(payments=payments), as_of) == expected


def test_a_paid_tranche_of_a_project_abandoned_later_stays_paid():
    abandoned = (*HISTORY, (D(2025, 10, 1), Stage.ABANDONED))
    paid = facts(stage_history=abandoned, payments=((D(2025, 6, 1), Decimal("100.00")),))

    assert tranche_status(paid, D(2026, 1, 1)) == PAID


@pytest.mark.parametrize(
    ("as_of", "expected"), [(D(2025, 11, 30), ELIGIBLE), (D(2025, 12, 1), CANCELLED)], ids=["before", "on"]
)
def test_a_cancellation_counts_from_its_date_and_wins_over_everything(as_of, expected):
    cancelled = facts(cancelled_on=D(2025, 12, 1), payments=((D(2025, 6, 1), Decimal("40.00")),))

    assert tranche_status(cancelled, as_of) == expected


def test_a_project_with_no_stage_history_has_reached_no_stage():
    assert tranche_status(facts(stage_history=()), D(2030, 1, 1)) == PLANNED

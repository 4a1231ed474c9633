"""Tranche schedules through the services: amounts or shares of the commitment, triggers and checklists,
cancellations, and stored statuses that follow the records."""

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portfolio.models import Stage, Tranche, TrancheCondition
from portfolio.services.disbursements import disbursement_approve, disbursement_pay, disbursement_request
from portfolio.services.projects import project_stage_change
from portfolio.services.tranches import (
    TrancheInput,
    tranche_cancel,
    tranche_condition_mark,
    tranche_schedule_set,
)
from tests.builders import APPROVED_ON, D, M, eligible_tranche, last_actor, project, refused, team

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
PLANNED_ON = D(2025, 4, 1)


@pytest.fixture
def t():
    return team()


@pytest.fixture
def p(t):
    return project(t)  # commitment 300,000,000.00


def entry(number, *, amount=None, share=None, stage=Stage.PRODUCTION, on=None, conditions=()):
    return TrancheInput(
        number=number,
        amount=amount,
        share=share,
        planned_date=PLANNED_ON,
        trigger_stage="" if on else stage,
        trigger_date=on,
        conditions=tuple(conditions),
    )


def schedule(t, p, *entries, user=None):
    return tranche_schedule_set(user=user or t.manager, project=p, tranches=list(entries))


def amounts(p):
    return list(p.tranches.order_by("number").values_list("number", "amount"))


def test_an_rtr_schedule_in_sixths_adds_up_to_the_commitment(t, p):
    schedule(
        t,
        p,
        entry(1, share=Fraction(3, 6), on=APPROVED_ON, conditions=["Chain of title", "Signed agreement"]),
        entry(2, share=Fraction(2, 6), stage=Stage.PRODUCTION, conditions=["Completion bond"]),
        entry(3, share=Fraction(1, 6), stage=Stage.DELIVERY),
    )

    assert amounts(p) == [(1, M("150000000.00")), (2, M("100000000.00")), (3, M("50000000.00"))]
    first = p.tranches.get(number=1)
    assert list(first.conditions.values_list("position", "text", "met_on")) == [
        (1, "Chain of title", None),
        (2, "Signed agreement", None),
    ]
    assert (first.trigger, first.trigger_date) == ("date", APPROVED_ON)
    assert p.tranches.get(number=2).trigger_stage == "production"
    assert last_actor(first) == t.manager and last_actor(first.conditions.first()) == t.manager


def test_thirds_that_add_up_to_one_leave_no_cent_behind(t):
    p = project(t, commitment="100.00", budget="1000.00")

    schedule(t, p, *(entry(n, share=Fraction(1, 3)) for n in (1, 2, 3)))

    assert amounts(p) == [(1, M("33.34")), (2, M("33.33")), (3, M("33.33"))]


def test_amounts_and_shares_may_be_mixed(t, p):
    schedule(t, p, entry(1, amount="100000000.00"), entry(2, share="0.5"), entry(3, amount="50000000"))

    assert amounts(p) == [(1, M("1e8")), (2, M("1.5e8")), (3, M("5e7"))]


def test_before_the_first_disbursement_the_schedule_must_equal_the_commitment(t, p):
    errors = refused(
        tranche_schedule_set, user=t.manager, project=p, tranches=[entry(1, amount="299999999.99")]
    )

    assert errors == {
        "tranches": [
            "Until the first disbursement the schedule must add up to the commitment of ₸300,000,000.00 "
            "exactly; "
            "it adds up to ₸299,999,999.99."
        ]
    }
    assert not p.tranches.exists()


def test_a_schedule_never_adds_up_to_more_than_the_commitment(t, p):
    errors = refused(
        tranche_schedule_set,
        user=t.manager,
        project=p,
        tranches=[entry(1, amount="200000000"), entry(2, share="0.5")],
    )

    assert errors == {
        "tranches": ["The schedule adds up to ₸350,000,000.00, more than the commitment of ₸300,000,000.00."]
    }


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([entry(0, share=1)], "Tranches are numbered from 1."),
        ([entry(1, share="0.5"), entry(1, share="0.5")], "Each tranche number appears once."),
        ([entry(1)], "Tranche 1: give an amount or a share, not both."),
        ([TrancheInput(number=1, amount="3e8", planned_date=PLANNED_ON, trigger_stage="production")], None),
        ([entry(1, share="1.5")], "Tranche 1: a share is more than 0 and at most 1 of the commitment."),
        ([entry(1, share="abc")], "Tranche 1: the share must be a number."),
        ([entry(1, share=1, stage="abandoned")], "Tranche 1: choose a stage of the production."),
        (
            [TrancheInput(number=1, share=1, planned_date=PLANNED_ON)],
            "Tranche 1: give a trigger stage or a trigger date.",
        ),
        (
            [entry(1, share=1, conditions=["Bond", "Bond"])],
            "Tranche 1: each condition is said once, in words.",
        ),
        ([entry(1, share=1, conditions=["  "])], "Tranche 1: each condition is said once, in words."),
        (
            [TrancheInput(number=1, share=1, planned_date=D(1, 1, 1), trigger_stage="production")],
            "Enter a date between the years 1900 and 2999.",
        ),
    ],
    ids=[
        "number-0",
        "number-twice",
        "neither-amount-nor-share",
        "amount-with-exponent",
        "share-above-one",
        "share-not-a-number",
        "abandoned-trigger",
        "no-trigger",
        "condition-twice",
        "blank-condition",
        "year-1",
    ],
)
def test_a_bad_schedule_is_refused_with_a_message_and_nothing_is_saved(t, p, entries, message):
    errors = refused(tranche_schedule_set, user=t.manager, project=p, tranches=entries)

    if message is None:  # the money parser's own message, prefixed with the tranche
        message = "Tranche 1: Write the amount out in full digits, without an exponent such as 1e3."
    assert errors == {"tranches": [message]}
    assert not p.tranches.exists()


def test_replacing_the_schedule_keeps_ticks_of_unchanged_conditions_and_removes_unused_tranches(t, p):
    schedule(
        t,
        p,
        entry(1, share="0.5", on=APPROVED_ON, conditions=["Chain of title", "Bond"]),
        entry(2, share="0.5"),
    )
    bond = TrancheCondition.objects.get(text="Bond")
    tranche_condition_mark(user=t.approver, condition=bond, met_on=D(2025, 3, 10))

    schedule(t, p, entry(1, amount="300000000.00", on=APPROVED_ON, conditions=["Bond", "Insurance"]))

    first = p.tranches.get()
    assert list(first.conditions.values_list("position", "text", "met_on", "met_by")) == [
        (1, "Bond", D(2025, 3, 10), t.approver.pk),
        (2, "Insurance", None, None),
    ]
    assert amounts(p) == [(1, M("3e8"))]


def test_a_tranche_with_disbursements_cannot_be_removed_or_set_below_what_was_requested(t, p):
    first = eligible_tranche(t, p, shares=(M("0.5"), M("0.5")))
    disbursement_request(user=t.manager, tranche=first, amount="100000000.00")

    assert refused(tranche_schedule_set, user=t.manager, project=p, tranches=[entry(2, share="0.5")]) == {
        "tranches": ["Tranche 1 has disbursements and cannot be removed; cancel it instead."]
    }
    assert refused(
        tranche_schedule_set,
        user=t.manager,
        project=p,
        tranches=[entry(1, amount="99999999.99", on=APPROVED_ON), entry(2, share="0.5")],
    ) == {
        "tranches": ["Tranche 1 cannot be less than what was paid or requested against it (₸100,000,000.00)."]
    }


def test_after_the_first_request_the_schedule_may_add_up_to_less_than_the_commitment(t, p):
    first = eligible_tranche(t, p, shares=(M("0.5"), M("0.5")))
    disbursement_request(user=t.manager, tranche=first, amount="100000000.00")

    schedule(t, p, entry(1, amount="150000000.00", on=APPROVED_ON))

    assert amounts(p) == [(1, M("1.5e8"))]


def test_only_a_manager_of_the_fund_sets_a_schedule(t, p):
    with pytest.raises(PermissionDenied):
        schedule(t, p, entry(1, share=1), user=t.outsider)


# --- statuses follow the records ---------------------------------------------------------------------------


def test_a_stage_triggered_tranche_becomes_eligible_when_the_stage_is_reached_and_its_conditions_met(t, p):
    schedule(t, p, entry(1, share=1, stage=Stage.PRE_PRODUCTION, conditions=["Chain of title"]))
    tranche = p.tranches.get()
    assert tranche.status == Tranche.Status.PLANNED

    project_stage_change(project=p, stage=Stage.PRE_PRODUCTION, date=D(2025, 5, 1), user=t.manager)
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.PLANNED  # the condition is not met yet

    condition = tranche.conditions.get()
    tranche_condition_mark(user=t.approver, condition=condition, met_on=D(2025, 5, 2))
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.ELIGIBLE
    condition.refresh_from_db()
    assert (condition.met_by, condition.met_recorded_at is not None) == (t.approver, True)
    assert last_actor(condition) == t.approver and last_actor(tranche) == t.approver

    tranche_condition_mark(user=t.manager, condition=condition, met_on=None)
    tranche.refresh_from_db()
    condition.refresh_from_db()
    assert tranche.status == Tranche.Status.PLANNED
    assert (condition.met_on, condition.met_by, condition.met_recorded_at) == (None, None, None)


def test_abandoning_the_project_takes_an_eligible_tranche_back_to_planned(t, p):
    tranche = eligible_tranche(t, p)

    project_stage_change(project=p, stage=Stage.ABANDONED, date=TODAY(), user=t.manager, note="No bond")

    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.PLANNED


def test_a_condition_cannot_be_met_in_the_future(t, p):
    schedule(t, p, entry(1, share=1, conditions=["Bond"]))
    condition = TrancheCondition.objects.get()

    assert refused(
        tranche_condition_mark,
        user=t.manager,
        condition=condition,
        met_on=TODAY() + datetime.timedelta(days=1),
    ) == {"met_on": ["This date is in the future."]}


# --- cancellation ------------------------------------------------------------------------------------------


def test_a_cancelled_tranche_keeps_its_date_and_reason(t, p):
    eligible_tranche(t, p, shares=(M("0.5"), M("0.5")))
    second = p.tranches.get(number=2)

    tranche_cancel(user=t.approver, tranche=second, date=TODAY(), reason="Co-producer pays it")

    second.refresh_from_db()
    assert (second.status, second.cancelled_on, second.cancel_reason) == (
        "cancelled",
        TODAY(),
        "Co-producer pays it",
    )
    assert last_actor(second) == t.approver


def test_a_cancellation_needs_a_reason_and_a_date_not_in_the_future(t, p):
    tranche = eligible_tranche(t, p)

    assert refused(tranche_cancel, user=t.manager, tranche=tranche, date=TODAY(), reason="") == {
        "reason": ["Say why: a reason is required."]
    }
    assert refused(
        tranche_cancel, user=t.manager, tranche=tranche, date=TODAY() + datetime.timedelta(days=1), reason="x"
    ) == {"date": ["This date is in the future."]}


def test_a_tranche_with_pending_requests_or_fully_paid_cannot_be_cancelled(t, p):
    tranche = eligible_tranche(t, p)
    requested = disbursement_request(user=t.manager, tranche=tranche, amount="300000000.00")

    assert refused(tranche_cancel, user=t.manager, tranche=tranche, date=TODAY(), reason="x") == {
        "date": ["Reject or pay the disbursements requested against this tranche first."]
    }
    disbursement_pay(
        user=t.manager,
        disbursement=disbursement_approve(user=t.approver, disbursement=requested),
        paid_date=TODAY(),
        bank_reference="X",
    )
    assert refused(tranche_cancel, user=t.manager, tranche=tranche, date=TODAY(), reason="x") == {
        "date": ["This tranche is paid and cannot be cancelled."]
    }

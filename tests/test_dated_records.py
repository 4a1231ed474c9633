"""The dated records and their rules in the database: commitment history, tranche checklists and
cancellations, rejected disbursements, numbers from 1, and dates and timestamps kept within 1900-2999.

Rows are written with `create()`, factories or `QuerySet.update()` (no `full_clean()`), so what refuses them
is the database. `RULES_TESTED_HERE` feeds the "every constraint is tested" check of test_constraints.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models as db_models
from django.utils import timezone

from portfolio import dates, models
from tests.factories import (
    CapitalCallFactory,
    DisbursementFactory,
    DistributionFactory,
    ProjectCommitmentChangeFactory,
    ProjectFactory,
    TrancheConditionFactory,
    TrancheFactory,
    UserFactory,
)
from tests.test_constraints import refused_by

pytestmark = pytest.mark.django_db

YEAR_ONE = datetime.date(1, 1, 1)


def _date_columns():
    """(model, field) for every date and timestamp column of the portfolio's own tables."""
    return [
        (model, field)
        for model in apps.get_app_config("portfolio").get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, db_models.DateField)  # DateTimeField is a DateField too
    ]


DATE_COLUMNS = _date_columns()
DATE_RULES = {
    constraint.name
    for model in apps.get_app_config("portfolio").get_models()
    for constraint in model._meta.constraints
    if constraint.name.endswith("_dates_in_range")
}

RULES_TESTED_HERE = DATE_RULES | {
    "tranche_number_from_one",
    "capital_call_number_from_one",
    "distribution_number_from_one",
    "tranche_cancellation_recorded",
    "tranche_condition_position_unique",
    "tranche_condition_position_from_one",
    "tranche_condition_text_not_empty",
    "tranche_condition_met_recorded",
    "project_commitment_change_amount_positive",
    "disbursement_rejection_recorded",
    "disbursement_reversal_has_reason",
    "disbursement_decided_after_requested",
}


def _factory_of(model):
    from tests import factories

    return getattr(factories, f"{model.__name__}Factory")


# Columns that only make sense with others filled in: set those too, so the range rule is what refuses.
COMPANIONS = {
    "Tranche.cancelled_on": {"status": "cancelled", "cancel_reason": "Project abandoned"},
    "TrancheCondition.met_on": {"met_recorded_at": datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)},
}


# --- Dates and timestamps within 1900-2999 -----------------------------------------------------------------


def test_every_date_and_timestamp_field_is_a_bounded_field():
    loose = [
        f"{model.__name__}.{field.name}"
        for model, field in DATE_COLUMNS
        if not isinstance(field, dates.DateField | dates.DateTimeField)
    ]

    assert loose == []


@pytest.mark.parametrize(
    ("model", "field"), DATE_COLUMNS, ids=[f"{m.__name__}.{f.name}" for m, f in DATE_COLUMNS]
)
@pytest.mark.parametrize("bad", ["year-1", "year-3000"])
def test_database_refuses_a_date_outside_1900_to_2999_in_every_column(model, field, bad):
    if isinstance(field, db_models.DateTimeField):
        value = datetime.datetime(1 if bad == "year-1" else 3000, 1, 1, tzinfo=datetime.UTC)
    else:
        value = YEAR_ONE if bad == "year-1" else datetime.date(3000, 1, 1)
    values = {field.name: value, **COMPANIONS.get(f"{model.__name__}.{field.name}", {})}
    rule = next(c.name for c in model._meta.constraints if c.name.endswith("_dates_in_range"))

    with refused_by(rule):
        if getattr(field, "auto_now_add", False):  # set on insert whatever is given: rewrite it after
            model.objects.filter(pk=_factory_of(model)().pk).update(**values)
        else:
            _factory_of(model)(**values)

    assert not model.objects.filter(**{field.name: value}).exists()


def test_database_accepts_the_first_and_last_day_of_the_range():
    tranche = TrancheFactory(trigger="date", trigger_stage="", trigger_date=datetime.date(1900, 1, 1))

    models.Tranche.objects.filter(pk=tranche.pk).update(planned_date=datetime.date(2999, 12, 31))

    tranche.refresh_from_db()
    assert (tranche.trigger_date, tranche.planned_date) == (dates.DATE_MIN, dates.DATE_MAX)


# --- Numbers from 1 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "constraint"),
    [
        (TrancheFactory, "tranche_number_from_one"),
        (CapitalCallFactory, "capital_call_number_from_one"),
        (DistributionFactory, "distribution_number_from_one"),
    ],
    ids=["tranche", "capital-call", "distribution"],
)
def test_database_refuses_number_zero(factory, constraint):
    with refused_by(constraint):
        factory(number=0)

    assert not factory._meta.model.objects.exists()
    assert factory(number=1).pk


# --- Commitment history ------------------------------------------------------------------------------------


def test_a_project_made_by_the_factory_starts_with_its_first_commitment_record():
    project = ProjectFactory(commitment=Decimal("120000000.00"), approval_date=datetime.date(2025, 4, 1))

    assert list(project.commitment_changes.values_list("date", "amount")) == [
        (datetime.date(2025, 4, 1), Decimal("120000000.00"))
    ]


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-1.00")], ids=["zero", "negative"])
def test_database_refuses_a_commitment_record_that_is_not_positive(amount):
    project = ProjectFactory()

    with refused_by("project_commitment_change_amount_positive"):
        ProjectCommitmentChangeFactory(project=project, amount=amount)

    assert project.commitment_changes.count() == 1


# --- Tranche checklist and cancellation --------------------------------------------------------------------


def test_database_refuses_a_second_condition_at_the_same_position():
    condition = TrancheConditionFactory(position=1)

    with refused_by("tranche_condition_position_unique"):
        TrancheConditionFactory(tranche=condition.tranche, position=1)

    assert condition.tranche.conditions.count() == 1


def test_database_refuses_a_condition_at_position_zero_or_without_text():
    tranche = TrancheFactory()

    with refused_by("tranche_condition_position_from_one"):
        TrancheConditionFactory(tranche=tranche, position=0)
    with refused_by("tranche_condition_text_not_empty"):
        TrancheConditionFactory(tranche=tranche, text="")

    assert not tranche.conditions.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"met_on": datetime.date(2025, 3, 1)},
        {"met_by": "user"},
        {"met_recorded_at": "now"},
        {"met_by": "user", "met_recorded_at": "now"},
    ],
    ids=["date-without-time", "ticker-without-date", "time-without-date", "ticker-and-time-without-date"],
)
def test_database_refuses_a_half_recorded_tick(values):
    values = {
        key: UserFactory() if value == "user" else timezone.now() if value == "now" else value
        for key, value in values.items()
    }

    with refused_by("tranche_condition_met_recorded"):
        TrancheConditionFactory(**values)

    assert not models.TrancheCondition.objects.exists()


def test_database_accepts_a_met_condition_and_one_not_yet_met():
    met = TrancheConditionFactory(met_on=datetime.date(2025, 3, 1), met_recorded_at=timezone.now())
    open_ = TrancheConditionFactory(tranche=met.tranche)

    assert met.tranche.conditions.count() == 2
    assert open_.met_on is None


@pytest.mark.parametrize(
    "values",
    [
        {"status": "cancelled"},
        {"status": "cancelled", "cancelled_on": datetime.date(2025, 6, 1)},
        {"status": "cancelled", "cancel_reason": "Project abandoned"},
        {
            "status": "planned",
            "cancelled_on": datetime.date(2025, 6, 1),
            "cancel_reason": "Project abandoned",
        },
        {"status": "planned", "cancel_reason": "Project abandoned"},
    ],
    ids=["no-date-no-reason", "no-reason", "no-date", "date-but-not-cancelled", "reason-but-not-cancelled"],
)
def test_database_refuses_a_cancellation_that_is_not_fully_recorded(values):
    with refused_by("tranche_cancellation_recorded"):
        TrancheFactory(**values)

    assert not models.Tranche.objects.exists()


def test_database_accepts_a_recorded_cancellation():
    tranche = TrancheFactory(
        status="cancelled", cancelled_on=datetime.date(2025, 6, 1), cancel_reason="Project abandoned"
    )

    assert tranche.pk


# --- Rejected disbursements, reversal reasons, dates in order ----------------------------------------------


def _rejected(**values):
    return {
        "status": "rejected",
        "rejected_by": UserFactory(),
        "rejected_at": timezone.now(),
        "rejection_reason": "No signed agreement yet",
        **values,
    }


@pytest.mark.parametrize(
    "values",
    [{"rejected_by": None}, {"rejected_at": None}, {"rejection_reason": ""}, {"status": "requested"}],
    ids=["no-rejecter", "no-time", "no-reason", "recorded-but-not-rejected"],
)
def test_database_refuses_a_rejection_that_is_not_fully_recorded(values):
    with refused_by("disbursement_rejection_recorded"):
        DisbursementFactory(**_rejected(**values))

    assert not models.Disbursement.objects.exists()


def test_database_accepts_a_recorded_rejection_of_a_request():
    assert DisbursementFactory(**_rejected()).status == "rejected"


def test_database_refuses_a_reversal_without_a_reason():
    original = DisbursementFactory(paid=True)

    with refused_by("disbursement_reversal_has_reason"):
        DisbursementFactory(project=original.project, reverses=original, amount=Decimal("-1.00"), note="")

    assert not models.Disbursement.objects.filter(reverses=original).exists()


def test_a_reversal_is_recorded_by_one_manager_without_an_approver():
    original = DisbursementFactory(paid=True)

    reversal = DisbursementFactory(
        project=original.project,
        reverses=original,
        amount=Decimal("-1.00"),
        status="paid",
        paid_date=original.paid_date,
        note="Returned by the bank",
    )

    assert reversal.approved_by is None


@pytest.mark.parametrize("field", ["approved_at", "rejected_at"])
def test_database_refuses_a_decision_timestamped_before_the_request(field):
    requested_at = timezone.now()
    values = {"approved": True} if field == "approved_at" else _rejected()
    values.update(requested_at=requested_at, **{field: requested_at - datetime.timedelta(seconds=1)})

    with refused_by("disbursement_decided_after_requested"):
        DisbursementFactory(**values)

    assert not models.Disbursement.objects.exists()

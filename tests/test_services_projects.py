"""Projects through the services: approval within the fund's limits, edits, and the dated commitment
history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portfolio.models import Project, ProjectCommitmentChange, StageChange
from portfolio.services.disbursements import disbursement_request
from portfolio.services.projects import project_commitment_change, project_create, project_update
from portfolio.services.tranches import TrancheInput, tranche_schedule_set
from tests.builders import APPROVED_ON, D, M, eligible_tranche, last_actor, project, refused, team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def t():
    return team()


def create(t, **values):
    values = {
        "title": "Дала әні",
        "slug": "dala-ani",
        "total_budget": "900000000.00",
        "commitment": "300000000.00",
        "approval_date": APPROVED_ON,
        **values,
    }
    return project_create(user=t.manager, fund=t.fund, **values)


def change(t, p, amount, date=None, reason="Budget revised"):
    return project_commitment_change(
        user=t.manager, project=p, amount=amount, date=date or TODAY(), reason=reason
    )


# --- create ------------------------------------------------------------------------------------------------


def test_a_project_is_approved_with_its_first_commitment_record_and_first_stage(t):
    p = create(t, genre="Drama", director="A. Director")

    assert (p.fund, p.title, p.commitment, p.stage, p.genre) == (
        t.fund,
        "Дала әні",
        M("3e8"),
        "development",
        "Drama",
    )
    assert list(p.commitment_changes.values_list("date", "amount", "recorded_by")) == [
        (APPROVED_ON, M("300000000.00"), t.manager.pk)
    ]
    assert list(p.stage_changes.values_list("date", "stage", "recorded_by")) == [
        (APPROVED_ON, "development", t.manager.pk)
    ]
    assert last_actor(p) == t.manager
    assert last_actor(p.commitment_changes.get()) == t.manager
    assert last_actor(p.stage_changes.get()) == t.manager


def test_a_project_may_start_at_a_later_stage_of_the_production(t):
    assert create(t, stage="pre_production").stage == "pre_production"


def test_a_project_commitment_at_the_concentration_cap_is_accepted_and_a_cent_more_is_refused(t):
    create(t, slug="at-cap", commitment="825000000.00")  # 15% of 5,500,000,000

    assert refused(create, t=t, commitment="825000000.01") == {
        "commitment": [
            "The commitment exceeds the fund's concentration cap: 15.00% of the target, ₸825,000,000.00."
        ]
    }
    assert Project.objects.count() == 1


def test_allocations_may_reach_the_committed_capital_but_not_pass_it(t):
    for index in range(5):
        create(t, slug=f"film-{index}", commitment="800000000.00", total_budget="2000000000.00")
    # 4,000,000,000 allocated of 4,400,000,000 committed.
    create(t, slug="last", commitment="400000000.00")

    assert refused(create, t=t, slug="one-more", commitment="0.01") == {
        "commitment": [
            "The fund's allocations would exceed its committed capital of ₸4,400,000,000.00: ₸0.00 is left "
            "to allocate."
        ]
    }
    assert Project.objects.count() == 6


def test_an_abandoned_project_counts_in_allocations_with_what_it_was_paid_only(t):
    from portfolio.services.projects import project_stage_change

    dropped = create(t, slug="dropped", commitment="800000000.00", total_budget="2000000000.00")
    project_stage_change(project=dropped, stage="abandoned", date=TODAY(), user=t.manager, note="No bond")
    for index in range(5):
        create(t, slug=f"film-{index}", commitment="800000000.00", total_budget="2000000000.00")

    assert Project.objects.count() == 6


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"commitment": "0"}, {"commitment": ["The amount must be greater than zero."]}),
        (
            {"commitment": "1e6"},
            {"commitment": ["Write the amount out in full digits, without an exponent such as 1e3."]},
        ),
        (
            {"total_budget": "1_000"},
            {
                "total_budget": [
                    "Write the amount without underscores, spaces or thousands separators, with a point "
                    "before the cents: "
                    "1000000.50."
                ]
            },
        ),
        (
            {"approval_date": datetime.date(1, 1, 1)},
            {"approval_date": ["Enter a date between the years 1900 and 2999."]},
        ),
        ({"approval_date": "2026-02-30"}, {"approval_date": ["Enter a valid date."]}),
        ({"stage": "abandoned"}, {"stage": ["A new project starts at a stage of the production."]}),
        (
            {"total_budget": "100.00"},
            {"commitment": ["The fund's commitment cannot exceed the project's total budget."]},
        ),
    ],
    ids=["zero", "exponent", "underscore", "year-1", "feb-30", "abandoned", "above-budget"],
)
def test_a_project_with_bad_input_is_refused_and_nothing_is_saved(t, values, errors):
    assert refused(create, t=t, **values) == errors
    assert not Project.objects.exists()
    assert not ProjectCommitmentChange.objects.exists() and not StageChange.objects.exists()


def test_an_approval_dated_in_the_future_is_refused(t):
    tomorrow = TODAY() + datetime.timedelta(days=1)

    assert refused(create, t=t, approval_date=tomorrow) == {"approval_date": ["This date is in the future."]}


def test_a_second_project_with_the_same_slug_in_the_fund_is_refused(t):
    create(t)

    assert refused(create, t=t, title="Another") == {
        "__all__": ["This fund already has a project with this slug."]
    }


@pytest.mark.parametrize("who", ["outsider", "investor"])
def test_only_a_manager_of_the_fund_or_a_superuser_may_approve_a_project(t, who):
    user = t.outsider if who == "outsider" else UserFactory()

    with pytest.raises(PermissionDenied):
        project_create(
            user=user,
            fund=t.fund,
            title="X",
            slug="x",
            total_budget="9.00",
            commitment="1.00",
            approval_date=APPROVED_ON,
        )
    assert not Project.objects.exists()


def test_a_superuser_may_approve_a_project(t):
    p = project_create(
        user=UserFactory(is_superuser=True),
        fund=t.fund,
        title="X",
        slug="x",
        total_budget="9.00",
        commitment="1.00",
        approval_date=APPROVED_ON,
    )
    assert p.pk


# --- edit --------------------------------------------------------------------------------------------------


def test_editing_a_project_changes_its_description_and_names_the_editor(t):
    p = project(t)

    project_update(user=t.approver, project=p, title="New title", genre="Comedy", total_budget="950000000.00")

    p.refresh_from_db()
    assert (p.title, p.genre, p.total_budget) == ("New title", "Comedy", M("950000000.00"))
    assert last_actor(p) == t.approver


def test_an_edit_cannot_touch_money_or_history_fields(t):
    with pytest.raises(TypeError):
        project_update(user=t.manager, project=project(t), commitment="1.00")


def test_an_edit_cannot_lower_the_budget_below_the_commitment(t):
    p = project(t)

    assert refused(project_update, user=t.manager, project=p, total_budget="299999999.99") == {
        "total_budget": ["The fund's commitment cannot exceed the project's total budget."]
    }


# --- commitment changes ------------------------------------------------------------------------------------


def test_a_commitment_change_is_a_dated_record_and_moves_the_current_commitment(t):
    p = project(t)
    eligible_tranche(t, p, shares=(M("0.5"), M("0.5")))

    record = change(t, p, "360000000.00", date=D(2025, 6, 1), reason="Co-producer withdrew")

    p.refresh_from_db()
    assert p.commitment == M("360000000.00")
    assert (record.date, record.amount, record.reason, record.recorded_by) == (
        D(2025, 6, 1),
        M("360000000.00"),
        "Co-producer withdrew",
        t.manager,
    )
    assert list(p.commitment_changes.values_list("amount", flat=True)) == [M("3e8"), M("3.6e8")]
    assert last_actor(record) == t.manager
    # Before the first disbursement the schedule follows the commitment, in proportion.
    assert list(p.tranches.values_list("amount", flat=True)) == [M("180000000.00"), M("180000000.00")]


def test_a_commitment_change_needs_a_reason_and_a_date_neither_future_nor_before_the_latest(t):
    p = project(t)

    assert refused(change, t=t, p=p, amount="1.00", reason="") == {
        "reason": ["Say why: a reason is required."]
    }
    assert refused(change, t=t, p=p, amount="1.00", date=TODAY() + datetime.timedelta(days=1)) == {
        "date": ["This date is in the future."]
    }
    assert refused(change, t=t, p=p, amount="1.00", date=APPROVED_ON - datetime.timedelta(days=1)) == {
        "date": [f"A commitment change cannot be dated before the latest one ({APPROVED_ON})."]
    }
    assert p.commitment_changes.count() == 1


def test_a_commitment_increase_is_held_to_the_cap_and_the_committed_capital(t):
    p = project(t)

    assert refused(change, t=t, p=p, amount="825000000.01")["amount"] == [
        "The commitment exceeds the fund's concentration cap: 15.00% of the target, ₸825,000,000.00."
    ]
    p.refresh_from_db()
    assert p.commitment == M("300000000.00")


def test_a_commitment_cannot_go_below_what_was_paid_or_requested(t):
    p = project(t)
    tranche = eligible_tranche(t, p)
    disbursement_request(user=t.manager, tranche=tranche, amount="120000000.00")

    assert refused(change, t=t, p=p, amount="119999999.99") == {
        "amount": [
            "The commitment cannot be less than what was paid or requested for the project (₸120,000,000.00)."
        ]
    }


def test_after_the_first_request_a_lower_commitment_must_not_leave_the_schedule_above_it(t):
    p = project(t)
    tranche = eligible_tranche(t, p)
    disbursement_request(user=t.manager, tranche=tranche, amount="100000000.00")

    assert refused(change, t=t, p=p, amount="200000000.00") == {
        "amount": [
            "The tranche schedule adds up to ₸300,000,000.00: lower it before lowering the commitment."
        ]
    }
    tranche_schedule_set(
        user=t.manager,
        project=p,
        tranches=[
            TrancheInput(
                number=1, amount="200000000.00", planned_date=D(2025, 4, 1), trigger_date=APPROVED_ON
            )
        ],
    )
    assert change(t, p, "200000000.00").amount == M("200000000.00")


def test_an_unchanged_commitment_is_refused(t):
    assert refused(change, t=t, p=project(t), amount="300000000.00") == {
        "amount": ["The commitment is already ₸300,000,000.00."]
    }

"""project_stage_change keeps a project's dated stage history and its current stage in step.

One step forward needs no word; skipping a stage, going back or abandoning needs a reason, kept in the note.
A change is never dated in the future nor before the latest one, and an abandoned project never moves again.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portfolio.models import Project, Stage, StageChange
from portfolio.services.projects import project_stage_change
from tests.builders import last_actor
from tests.factories import FundFactory, ProjectFactory, StageChangeFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH_1 = datetime.date(2025, 3, 1)
REASON = "Say why the project skips a stage, goes back or is abandoned."


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def make_project(manager):
    fund = FundFactory()
    fund.managers.add(manager)
    return lambda **values: ProjectFactory(fund=fund, **values)


@pytest.fixture
def move(manager):
    def move_(project, stage, date, note="", user=None):
        return project_stage_change(project=project, stage=stage, date=date, user=user or manager, note=note)

    return move_


@pytest.fixture
def refused(move):
    def refused_(*args, **kwargs) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as excinfo:
            move(*args, **kwargs)
        return excinfo.value.message_dict

    return refused_


def history(project) -> list[tuple[str, datetime.date]]:
    return list(
        StageChange.objects.filter(project=project).order_by("date", "id").values_list("stage", "date")
    )


def test_a_stage_change_is_recorded_and_becomes_the_projects_current_stage(make_project, move, manager):
    project = make_project()

    change = move(project, Stage.PRE_PRODUCTION, MARCH_1, note="Chain of title signed")

    change.refresh_from_db()
    assert (change.project, change.stage, change.date) == (project, "pre_production", MARCH_1)
    assert (change.recorded_by, change.note) == (manager, "Chain of title signed")
    assert change.recorded_at is not None
    assert Project.objects.get(pk=project.pk).stage == "pre_production"
    assert project.stage == "pre_production"
    assert last_actor(change) == manager
    assert last_actor(Project.objects.get(pk=project.pk)) == manager


def test_every_stage_change_is_kept_in_the_history(make_project, move):
    project = make_project()
    steps = [
        (Stage.PRE_PRODUCTION, datetime.date(2025, 3, 1)),
        (Stage.PRODUCTION, datetime.date(2025, 6, 1)),
        (Stage.POST_PRODUCTION, datetime.date(2025, 9, 1)),
        (Stage.DELIVERY, datetime.date(2026, 1, 15)),
        (Stage.RELEASED, datetime.date(2026, 4, 1)),
    ]

    for stage, date in steps:
        move(project, stage, date)

    assert history(project) == [(stage.value, date) for stage, date in steps]
    assert Project.objects.get(pk=project.pk).stage == "released"


def test_two_changes_may_share_a_date(make_project, move):
    project = make_project()
    move(project, Stage.PRE_PRODUCTION, MARCH_1)

    move(project, Stage.PRODUCTION, MARCH_1)

    assert history(project) == [("pre_production", MARCH_1), ("production", MARCH_1)]
    assert Project.objects.get(pk=project.pk).stage == "production"


@pytest.mark.parametrize(
    ("stage", "why"),
    [
        (Stage.ABANDONED, "No completion bond"),
        (Stage.RELEASED, "Straight to streaming"),
        (Stage.DEVELOPMENT, "Script rewrite"),
    ],
    ids=["abandon", "skip", "back"],
)
def test_a_project_may_skip_go_back_or_be_abandoned_with_a_reason_which_is_kept(
    make_project, move, stage, why
):
    project = make_project()
    move(project, Stage.PRE_PRODUCTION, MARCH_1)

    change = move(project, stage, datetime.date(2025, 4, 1), note=why)

    assert Project.objects.get(pk=project.pk).stage == stage
    assert change.note == why


@pytest.mark.parametrize(
    "stage", [Stage.ABANDONED, Stage.RELEASED, Stage.DEVELOPMENT], ids=["abandon", "skip", "back"]
)
def test_skipping_going_back_or_abandoning_without_a_reason_is_refused(make_project, move, refused, stage):
    project = make_project()
    move(project, Stage.PRE_PRODUCTION, MARCH_1)

    assert refused(project, stage, datetime.date(2025, 4, 1), note="  ") == {"note": [REASON]}
    assert history(project) == [("pre_production", MARCH_1)]
    assert Project.objects.get(pk=project.pk).stage == "pre_production"


def test_a_change_dated_before_the_latest_one_is_refused(make_project, move, refused):
    project = make_project()
    move(project, Stage.PRE_PRODUCTION, MARCH_1)

    errors = refused(project, Stage.PRODUCTION, datetime.date(2025, 2, 28))

    assert errors == {"date": ["A stage change cannot be dated before the latest one (2025-03-01)."]}
    assert history(project) == [("pre_production", MARCH_1)]
    assert Project.objects.get(pk=project.pk).stage == "pre_production"


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (lambda: timezone.localdate() + datetime.timedelta(days=1), "This date is in the future."),
        (lambda: datetime.date(9999, 12, 31), "Enter a date between the years 1900 and 2999."),
        (lambda: datetime.date(1, 1, 1), "Enter a date between the years 1900 and 2999."),
        (lambda: "2026-02-30", "Enter a valid date."),
    ],
    ids=["tomorrow", "year-9999", "year-1", "feb-30"],
)
def test_a_change_dated_in_the_future_or_outside_the_calendar_is_refused(
    make_project, refused, date, message
):
    project = make_project()

    assert refused(project, Stage.PRE_PRODUCTION, date()) == {"date": [message]}
    assert history(project) == []


def test_a_change_dated_9999_cannot_block_every_later_change(make_project, move, refused):
    project = make_project()
    refused(project, Stage.PRE_PRODUCTION, datetime.date(9999, 12, 31))

    move(project, Stage.PRE_PRODUCTION, MARCH_1)

    assert history(project) == [("pre_production", MARCH_1)]


def test_the_latest_change_is_the_latest_by_date_not_by_entry(make_project, refused):
    project = make_project()
    StageChangeFactory(project=project, stage=Stage.PRE_PRODUCTION, date=datetime.date(2025, 5, 1))
    StageChangeFactory(project=project, stage=Stage.DEVELOPMENT, date=datetime.date(2025, 2, 1))

    errors = refused(project, Stage.PRODUCTION, datetime.date(2025, 4, 30))

    assert errors == {"date": ["A stage change cannot be dated before the latest one (2025-05-01)."]}


def test_the_same_stage_twice_in_a_row_is_refused(make_project, move, refused):
    project = make_project()
    move(project, Stage.PRE_PRODUCTION, MARCH_1)

    errors = refused(project, Stage.PRE_PRODUCTION, datetime.date(2025, 4, 1))

    assert errors == {"stage": ["The project is already at this stage."]}
    assert history(project) == [("pre_production", MARCH_1)]


@pytest.mark.parametrize("stage", ["bogus", "", "Production", "abandon"])
def test_an_unknown_stage_is_refused(make_project, refused, stage):
    project = make_project()

    errors = refused(project, stage, MARCH_1)

    assert errors == {"stage": ["Unknown stage."]}
    assert history(project) == []
    assert Project.objects.get(pk=project.pk).stage == "development"


@pytest.mark.parametrize("stage", [stage for stage in Stage if stage != Stage.ABANDONED])
def test_an_abandoned_project_cannot_change_stage_again(make_project, move, refused, stage):
    project = make_project()
    move(project, Stage.PRE_PRODUCTION, MARCH_1)
    move(project, Stage.ABANDONED, datetime.date(2025, 4, 1), note="No bond")

    errors = refused(project, stage, datetime.date(2025, 5, 1), note="Trying again")

    assert errors == {"stage": ["An abandoned project cannot change stage."]}
    assert history(project) == [("pre_production", MARCH_1), ("abandoned", datetime.date(2025, 4, 1))]
    assert Project.objects.get(pk=project.pk).stage == "abandoned"


def test_abandoning_an_abandoned_project_again_is_refused(make_project, move, refused):
    project = make_project()
    move(project, Stage.ABANDONED, MARCH_1, note="No bond")

    errors = refused(project, Stage.ABANDONED, datetime.date(2025, 4, 1), note="Again")

    assert errors == {"stage": ["An abandoned project cannot change stage."]}
    assert len(history(project)) == 1


def test_a_project_abandoned_without_a_recorded_history_cannot_change_stage(make_project, refused):
    project = make_project(stage=Stage.ABANDONED)

    errors = refused(project, Stage.PRODUCTION, MARCH_1, note="Revived")

    assert errors == {"stage": ["An abandoned project cannot change stage."]}


def test_the_service_reads_the_stored_history_not_a_stale_instance(make_project, move, refused):
    project = make_project()
    stale = Project.objects.get(pk=project.pk)
    move(project, Stage.ABANDONED, MARCH_1, note="No bond")

    errors = refused(stale, Stage.PRODUCTION, datetime.date(2025, 4, 1), note="Revived")

    assert errors == {"stage": ["An abandoned project cannot change stage."]}


def test_only_a_manager_of_the_fund_or_a_superuser_moves_a_project(make_project, move):
    project = make_project()

    with pytest.raises(PermissionDenied):
        move(project, Stage.PRE_PRODUCTION, MARCH_1, user=UserFactory())
    move(project, Stage.PRE_PRODUCTION, MARCH_1, user=UserFactory(is_superuser=True))

    assert history(project) == [("pre_production", MARCH_1)]


def test_the_service_locks_the_project_row_before_reading_its_history(make_project, move):
    project = make_project()

    with CaptureQueriesContext(connection) as queries:
        move(project, Stage.PRE_PRODUCTION, MARCH_1)

    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1
    assert 'FROM "portfolio_project"' in locking[0]
    first_history_read = next(
        i for i, q in enumerate(queries.captured_queries) if 'FROM "portfolio_stagechange"' in q["sql"]
    )
    assert (
        queries.captured_queries.index(next(q for q in queries.captured_queries if "FOR UPDATE" in q["sql"]))
        < first_history_read
    )


def test_a_form_can_ask_for_the_refusals_before_saving_and_nothing_is_saved(make_project, move):
    from portfolio.services.projects import project_stage_change_refusals

    project = make_project()
    move(project, Stage.PRE_PRODUCTION, MARCH_1)

    assert project_stage_change_refusals(project=project, stage=Stage.RELEASED, date=MARCH_1) == {
        "note": [REASON]
    }
    assert project_stage_change_refusals(project=project, stage=Stage.PRODUCTION, date=MARCH_1) == {}
    assert history(project) == [("pre_production", MARCH_1)]

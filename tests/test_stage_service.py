"""project_stage_change keeps a project's dated stage history and its current stage in step."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portfolio.models import Project, Stage, StageChange
from portfolio.services.projects import project_stage_change
from tests.factories import ProjectFactory, StageChangeFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH_1 = datetime.date(2025, 3, 1)


def refused(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        project_stage_change(**kwargs)
    return excinfo.value.message_dict


def history(project) -> list[tuple[str, datetime.date]]:
    return list(
        StageChange.objects.filter(project=project).order_by("date", "id").values_list("stage", "date")
    )


def test_a_stage_change_is_recorded_and_becomes_the_projects_current_stage():
    project = ProjectFactory()
    manager = UserFactory()

    change = project_stage_change(
        project=project, stage=Stage.PRE_PRODUCTION, date=MARCH_1, user=manager, note="Chain of title signed"
    )

    change.refresh_from_db()
    assert (change.project, change.stage, change.date) == (project, "pre_production", MARCH_1)
    assert (change.recorded_by, change.note) == (manager, "Chain of title signed")
    assert change.recorded_at is not None
    assert Project.objects.get(pk=project.pk).stage == "pre_production"
    assert project.stage == "pre_production"


def test_every_stage_change_is_kept_in_the_history():
    project = ProjectFactory()
    steps = [
        (Stage.PRE_PRODUCTION, datetime.date(2025, 3, 1)),
        (Stage.PRODUCTION, datetime.date(2025, 6, 1)),
        (Stage.POST_PRODUCTION, datetime.date(2025, 9, 1)),
        (Stage.DELIVERY, datetime.date(2026, 1, 15)),
        (Stage.RELEASED, datetime.date(2026, 4, 1)),
    ]

    for stage, date in steps:
        project_stage_change(project=project, stage=stage, date=date)

    assert history(project) == [(stage.value, date) for stage, date in steps]
    assert Project.objects.get(pk=project.pk).stage == "released"


def test_two_changes_may_share_a_date():
    project = ProjectFactory()
    project_stage_change(project=project, stage=Stage.PRE_PRODUCTION, date=MARCH_1)

    project_stage_change(project=project, stage=Stage.PRODUCTION, date=MARCH_1)

    assert history(project) == [("pre_production", MARCH_1), ("production", MARCH_1)]
    assert Project.objects.get(pk=project.pk).stage == "production"


@pytest.mark.parametrize("stage", [Stage.ABANDONED, Stage.RELEASED])
def test_a_project_may_leave_the_usual_order_for_a_side_exit_or_a_jump(stage):
    project = ProjectFactory()
    project_stage_change(project=project, stage=Stage.PRE_PRODUCTION, date=MARCH_1)

    project_stage_change(project=project, stage=stage, date=datetime.date(2025, 4, 1))

    assert Project.objects.get(pk=project.pk).stage == stage


def test_a_change_dated_before_the_latest_one_is_refused():
    project = ProjectFactory()
    project_stage_change(project=project, stage=Stage.PRE_PRODUCTION, date=MARCH_1)

    errors = refused(project=project, stage=Stage.PRODUCTION, date=datetime.date(2025, 2, 28))

    assert errors == {"date": ["A stage change cannot be dated before the latest one (2025-03-01)."]}
    assert history(project) == [("pre_production", MARCH_1)]
    assert Project.objects.get(pk=project.pk).stage == "pre_production"


def test_the_latest_change_is_the_latest_by_date_not_by_entry():
    project = ProjectFactory()
    StageChangeFactory(project=project, stage=Stage.PRE_PRODUCTION, date=datetime.date(2025, 5, 1))
    StageChangeFactory(project=project, stage=Stage.DEVELOPMENT, date=datetime.date(2025, 2, 1))

    errors = refused(project=project, stage=Stage.PRODUCTION, date=datetime.date(2025, 4, 30))

    assert errors == {"date": ["A stage change cannot be dated before the latest one (2025-05-01)."]}


def test_the_same_stage_twice_in_a_row_is_refused():
    project = ProjectFactory()
    project_stage_change(project=project, stage=Stage.PRODUCTION, date=MARCH_1)

    errors = refused(project=project, stage=Stage.PRODUCTION, date=datetime.date(2025, 4, 1))

    assert errors == {"stage": ["The project is already at this stage."]}
    assert history(project) == [("production", MARCH_1)]


@pytest.mark.parametrize("stage", ["bogus", "", "Production", "abandon"])
def test_an_unknown_stage_is_refused(stage):
    project = ProjectFactory()

    errors = refused(project=project, stage=stage, date=MARCH_1)

    assert errors == {"stage": ["Unknown stage."]}
    assert history(project) == []
    assert Project.objects.get(pk=project.pk).stage == "development"


@pytest.mark.parametrize("stage", [stage for stage in Stage if stage != Stage.ABANDONED])
def test_an_abandoned_project_cannot_change_stage_again(stage):
    project = ProjectFactory()
    project_stage_change(project=project, stage=Stage.PRODUCTION, date=MARCH_1)
    project_stage_change(project=project, stage=Stage.ABANDONED, date=datetime.date(2025, 4, 1))

    errors = refused(project=project, stage=stage, date=datetime.date(2025, 5, 1))

    assert errors == {"stage": ["An abandoned project cannot change stage."]}
    assert history(project) == [("production", MARCH_1), ("abandoned", datetime.date(2025, 4, 1))]
    assert Project.objects.get(pk=project.pk).stage == "abandoned"


def test_abandoning_an_abandoned_project_again_is_refused():
    project = ProjectFactory()
    project_stage_change(project=project, stage=Stage.ABANDONED, date=MARCH_1)

    errors = refused(project=project, stage=Stage.ABANDONED, date=datetime.date(2025, 4, 1))

    assert errors == {"stage": ["The project is already at this stage."]}
    assert len(history(project)) == 1


def test_a_project_abandoned_without_a_recorded_history_cannot_change_stage():
    project = ProjectFactory(stage=Stage.ABANDONED)

    errors = refused(project=project, stage=Stage.PRODUCTION, date=MARCH_1)

    assert errors == {"stage": ["An abandoned project cannot change stage."]}


def test_the_service_reads_the_stored_history_not_a_stale_instance():
    project = ProjectFactory()
    stale = Project.objects.get(pk=project.pk)
    project_stage_change(project=project, stage=Stage.ABANDONED, date=MARCH_1)

    errors = refused(project=stale, stage=Stage.PRODUCTION, date=datetime.date(2025, 4, 1))

    assert errors == {"stage": ["An abandoned project cannot change stage."]}


def test_the_service_locks_the_project_row_before_reading_its_history():
    project = ProjectFactory()

    with CaptureQueriesContext(connection) as queries:
        project_stage_change(project=project, stage=Stage.PRE_PRODUCTION, date=MARCH_1)

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

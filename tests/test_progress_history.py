"""History that stays true: a snapshot for a past date depends only on records dated on or before it, so a
backfill run today rebuilds last month's snapshot unchanged whatever happened since."""

import datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from portfolio.metrics import compute_fund_progress
from portfolio.models import ProgressSnapshot, ProjectCommitmentChange, Stage, Tranche
from tests import factories as f

pytestmark = pytest.mark.django_db

LAST_MONTH = datetime.date(2026, 6, 30)
THIS_MONTH = datetime.date(2026, 7, 31)


@pytest.fixture
def fund():
    """One project, committed 300M from 2025-02-01, in production since 2025-06-01, 100M paid; two tranches
    planned in July 2026 (inside last month's 90-day cash window): 100M on a date, 50M at delivery."""
    fund = f.FundFactory(slug="history")
    f.CommitmentFactory(fund=fund, amount=D("1000000000.00"), date=datetime.date(2025, 1, 15))
    project = f.ProjectFactory(fund=fund, slug="steppe", approval_date=datetime.date(2025, 2, 1))
    f.StageChangeFactory(project=project, stage=Stage.DEVELOPMENT, date=datetime.date(2025, 2, 1))
    f.StageChangeFactory(project=project, stage=Stage.PRODUCTION, date=datetime.date(2025, 6, 1))
    f.DisbursementFactory(
        project=project, paid=True, amount=D("100000000.00"), paid_date=datetime.date(2025, 7, 1)
    )
    f.TrancheFactory(
        project=project,
        number=2,
        amount=D("100000000.00"),
        planned_date=datetime.date(2026, 7, 15),
        trigger=Tranche.Trigger.DATE,
        trigger_stage="",
        trigger_date=datetime.date(2026, 7, 1),
    )
    f.TrancheFactory(
        project=project,
        number=3,
        amount=D("50000000.00"),
        planned_date=datetime.date(2026, 7, 20),
        trigger_stage=Stage.DELIVERY,
    )
    return fund


def backfill(*days: datetime.date) -> None:
    for day in days:
        call_command(
            "backfill_snapshots",
            "history",
            "--from",
            day.isoformat(),
            "--to",
            day.isoformat(),
            stdout=StringIO(),
        )


def stored(fund, day):
    return ProgressSnapshot.objects.get(fund=fund, as_of=day).metrics


def test_a_backfill_today_rebuilds_last_months_snapshot_unchanged_after_later_changes(fund):
    backfill(LAST_MONTH)
    before = stored(fund, LAST_MONTH)
    assert before["allocated"] == "300000000.00"
    assert before["cash_needed_next_90_days"] == "150000000.00"
    assert before["projects"][0]["next_tranche"]["number"] == 2

    # In July: the commitment is cut to 250M and tranche 2 is cancelled.
    project = fund.projects.get()
    ProjectCommitmentChange.objects.create(
        project=project, date=datetime.date(2026, 7, 5), amount=D("250000000.00"), reason="Budget cut"
    )
    project.commitment = D("250000000.00")
    project.save()
    Tranche.objects.filter(project=project, number=2).update(
        status=Tranche.Status.CANCELLED, cancelled_on=datetime.date(2026, 7, 10), cancel_reason="Merged"
    )

    backfill(LAST_MONTH, THIS_MONTH)
    after = stored(fund, LAST_MONTH)
    assert after == before
    now = stored(fund, THIS_MONTH)
    assert now["allocated"] == "250000000.00"
    assert now["projects"][0]["next_tranche"]["number"] == 3


def test_a_tranche_is_eligible_from_the_day_its_last_condition_was_met(fund):
    tranche = Tranche.objects.get(number=2)
    f.TrancheConditionFactory(
        tranche=tranche,
        text="Chain of title",
        met_on=datetime.date(2026, 7, 3),
        met_recorded_at=timezone.now(),
    )
    statuses = {
        day: compute_fund_progress(fund, day)["projects"][0]["next_tranche"]["status"]
        for day in (datetime.date(2026, 6, 30), datetime.date(2026, 7, 2), datetime.date(2026, 7, 3))
    }
    # Before its trigger date: planned; trigger met but condition open: planned; both: eligible.
    assert list(statuses.values()) == ["planned", "planned", "eligible"]


def test_a_project_counts_from_its_first_commitment_record_at_the_amount_of_each_date(fund):
    project = fund.projects.get()
    ProjectCommitmentChange.objects.create(
        project=project, date=datetime.date(2026, 1, 1), amount=D("280000000.00")
    )
    assert compute_fund_progress(fund, datetime.date(2025, 12, 31))["allocated"] == D("300000000.00")
    assert compute_fund_progress(fund, datetime.date(2026, 1, 1))["allocated"] == D("280000000.00")
    assert compute_fund_progress(fund, datetime.date(2025, 1, 31))["projects_active"] == 0


def test_a_commitment_change_marks_the_fund_stale_from_its_date(fund):
    from portfolio.models import ProgressStaleMark
    from portfolio.services.recompute import forget_pending_marks

    ProgressStaleMark.objects.all().delete()
    forget_pending_marks()
    ProjectCommitmentChange.objects.create(
        project=fund.projects.get(), date=datetime.date(2026, 3, 1), amount=D("290000000.00")
    )
    assert ProgressStaleMark.objects.get(fund=fund).stale_from == datetime.date(2026, 3, 1)

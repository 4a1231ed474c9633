"""The fund dashboard: figures from the latest snapshot, projects by stage, and what needs the manager's
action (requests awaiting their approval, eligible and overdue tranches, guardrail breaches), at a fixed
number of queries whatever the fund's size; and the demo managers land on it after logging in."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Stage, Tranche
from portfolio.services.disbursements import disbursement_request
from portfolio.services.progress import progress_snapshot_refresh
from portfolio.services.projects import project_stage_change
from portfolio.services.tranches import TrancheInput, tranche_schedule_set
from tests import builders as b
from tests.factories import CommitmentFactory, FundFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def t():
    return b.team(slug="tolqyn")


def _dashboard(client, user, fund):
    client.force_login(user)
    response = client.get(reverse("manage:dashboard", args=[fund.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def test_headline_figures_come_from_the_latest_snapshot_with_its_date(client, t):
    b.project(t, commitment="300000000.00")
    snapshot = progress_snapshot_refresh(fund_id=t.fund.pk, as_of=timezone.localdate())
    page = _dashboard(client, t.manager, t.fund).content.decode()
    assert snapshot.metrics["committed_capital"] == "4400000000.00"
    assert "₸4,400,000,000.00" in page  # committed capital
    assert "₸300,000,000.00" in page  # allocated
    assert f"Figures as of {timezone.localdate():%-d %B %Y}" in page
    # Projects by stage: one at development, from the same snapshot.
    assert 'href="/manage/funds/tolqyn/projects/?stage=development"' in page


def test_without_a_snapshot_the_dashboard_says_so(client, t):
    page = _dashboard(client, t.manager, t.fund).content.decode()
    assert "No progress figures have been computed for this fund yet." in page
    assert "Nothing needs your action." in page


def test_a_request_awaits_the_other_managers_approval_not_the_requesters(client, t):
    project = b.project(t, title="Steppe Wind")
    tranche = b.eligible_tranche(t, project, shares=(Decimal("0.5"), Decimal("0.5")))
    disbursement_request(user=t.approver, tranche=tranche, amount="1000000.00")
    manager_page = _dashboard(client, t.manager, t.fund).content.decode()
    assert 'id="awaiting-approval"' in manager_page
    assert "Steppe Wind" in manager_page and "₸1,000,000.00" in manager_page
    assert f"requested by {t.approver.username}" in manager_page
    requester_page = _dashboard(client, t.approver, t.fund).content.decode()
    assert 'id="awaiting-approval"' not in requester_page


def test_eligible_and_overdue_tranches_need_action(client, t):
    project = b.project(t, title="Eligible Film")
    b.eligible_tranche(t, project)  # due on signing: eligible now, planned 2025-04-01 (past)
    late = b.project(t, title="Late Film")
    tranche_schedule_set(
        user=t.manager,
        project=late,
        tranches=[
            TrancheInput(
                number=1, share=1, planned_date=datetime.date(2025, 5, 1), trigger_stage=Stage.PRODUCTION
            )
        ],
    )
    page = _dashboard(client, t.manager, t.fund).content.decode()
    eligible = page.split('id="eligible-tranches"')[1].split("</ul>")[0]
    overdue = page.split('id="overdue-tranches"')[1].split("</ul>")[0]
    assert "Eligible Film, tranche 1" in eligible and "Late Film" not in eligible
    assert "Late Film, tranche 1" in overdue and "Eligible Film, tranche 1" in overdue


def test_an_abandoned_projects_late_tranche_is_not_overdue_here_nor_in_the_daily_mail(client, t):
    from portfolio.notifications import overdue_tranches

    late = b.project(t, title="Late Film")
    tranche_schedule_set(
        user=t.manager,
        project=late,
        tranches=[
            TrancheInput(
                number=1, share=1, planned_date=datetime.date(2025, 5, 1), trigger_stage=Stage.PRODUCTION
            )
        ],
    )
    project_stage_change(
        user=t.manager,
        project=late,
        stage=Stage.ABANDONED,
        date=datetime.date(2025, 6, 1),
        note="Rights lost",
    )
    page = _dashboard(client, t.manager, t.fund).content.decode()
    assert "Late Film, tranche 1" not in page
    assert not overdue_tranches(timezone.localdate()).filter(project=late).exists()


def test_a_cancelled_or_future_tranche_needs_no_action(client, t):
    project = b.project(t, title="Future Film")
    tranche_schedule_set(
        user=t.manager,
        project=project,
        tranches=[
            TrancheInput(
                number=1,
                share=1,
                planned_date=timezone.localdate() + datetime.timedelta(days=30),
                trigger_stage=Stage.PRODUCTION,
            )
        ],
    )
    assert project.tranches.get().status == Tranche.Status.PLANNED
    page = _dashboard(client, t.manager, t.fund).content.decode()
    assert "Future Film" not in page


def test_guardrail_breaches_band_concentration_and_allocation(client):
    # Built around the services on purpose: the breaches are what the services prevent, yet data imported
    # or a fund's smaller target can still produce them, and the dashboard must say so.
    fund = FundFactory(slug="thin", project_band_min=3, project_band_max=5)
    manager = UserFactory()
    fund.managers.add(manager)
    CommitmentFactory(fund=fund, amount=Decimal("500000000.00"))
    ProjectFactory(fund=fund, title="Big Film", commitment=Decimal("900000000.00"))
    snapshot = progress_snapshot_refresh(fund_id=fund.pk, as_of=timezone.localdate())
    assert snapshot.metrics["projects_band"]["status"] == "below"
    page = _dashboard(client, manager, fund).content.decode()
    guardrails = page.split('id="guardrails"')[1].split("</ul>")[0]
    assert "Active projects: 1, below the fund’s band of 3–5." in guardrails
    assert "Big Film: a commitment of ₸900,000,000.00 is above the concentration cap." in guardrails
    assert "Allocations of ₸900,000,000.00 are above the committed capital of ₸500,000,000.00." in guardrails


def test_a_healthy_fund_shows_no_guardrail(client, t):
    for _ in range(15):
        b.project(t, commitment="100000000.00")
    progress_snapshot_refresh(fund_id=t.fund.pk, as_of=timezone.localdate())
    page = _dashboard(client, t.manager, t.fund).content.decode()
    assert 'id="guardrails"' not in page


def _fill(t, count):
    for _ in range(count):
        project = b.project(t, commitment="10000000.00", budget="20000000.00")
        tranche = b.eligible_tranche(t, project, shares=(Decimal("0.5"), Decimal("0.5")))
        disbursement_request(user=t.approver, tranche=tranche, amount="1000000.00")
    progress_snapshot_refresh(fund_id=t.fund.pk, as_of=timezone.localdate())


@pytest.mark.parametrize("projects", [3, 60])
def test_the_dashboard_costs_the_same_queries_for_3_and_60_projects(
    client, t, projects, django_assert_num_queries
):
    _fill(t, projects)
    client.force_login(t.manager)
    url = reverse("manage:dashboard", args=[t.fund.slug])
    client.get(url)  # the first request of a session records its activity
    # session, user, fund, snapshot, requests awaiting approval, open tranches
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["board"].awaiting_approval) == projects
    assert len(response.context["board"].eligible) == projects


def test_a_manager_of_one_fund_goes_from_the_workspace_to_its_dashboard(client, t):
    client.force_login(t.manager)
    response = client.get(reverse("manage:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:dashboard", args=["tolqyn"])


def test_a_manager_of_two_funds_lands_on_the_larger_then_on_the_last_opened(client, t):
    small = FundFactory(name="A Small Fund", slug="small", target_size=Decimal("100000000.00"))
    small.managers.add(t.manager)
    client.force_login(t.manager)
    home = reverse("manage:home")
    assert client.get(home)["Location"] == reverse("manage:dashboard", args=["tolqyn"])
    client.get(reverse("manage:dashboard", args=["small"]))
    assert client.get(home)["Location"] == reverse("manage:dashboard", args=["small"])
    page = client.get(home + "?choose").content.decode()
    assert "A Small Fund" in page and "/manage/funds/tolqyn/" in page


def test_the_workspace_navigation_links_the_funds_pages(client, t):
    page = _dashboard(client, t.manager, t.fund).content.decode()
    nav = page.split('id="workspace-nav"')[1].split("</nav>")[0]
    assert 'href="/manage/funds/tolqyn/projects/"' in nav
    assert 'href="/manage/funds/tolqyn/"' in nav
    assert "<<<<" not in nav and "====" not in nav


def test_the_demo_managers_land_on_their_funds_dashboard_after_logging_in(client, t):
    response = client.post(
        reverse("login"),
        {"username": t.manager.username, "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("manage:dashboard", args=["tolqyn"])
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("language", "heading", "needs_action"),
    [("ru", "Сводка", "Требует действий"), ("kk", "Жиынтық", "Әрекет қажет")],
)
def test_the_dashboard_speaks_the_readers_language(client, t, language, heading, needs_action):
    b.project(t)
    progress_snapshot_refresh(fund_id=t.fund.pk, as_of=timezone.localdate())
    client.force_login(t.manager)
    page = client.get(reverse("manage:dashboard", args=["tolqyn"]), HTTP_ACCEPT_LANGUAGE=language)
    body = page.content.decode()
    assert heading in body and needs_action in body
    assert "4 400 000 000,00 ₸" in body.replace("\xa0", " ")  # committed capital, formatted for the reader

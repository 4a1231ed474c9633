"""A project's steps in the workspace: stage changes (a reason when a stage is skipped or the project goes
back), commitment changes, the tranche schedule editor, condition ticks and cancellations. Each calls its
service; a refusal shows beside its field with the form still filled in; a form posted twice acts once."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Stage, Tranche
from portfolio.services.disbursements import disbursement_request
from tests import builders as b
from tests.factories import TrancheConditionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def t(client):
    team = b.team(slug="tolqyn")
    client.force_login(team.manager)
    return team


@pytest.fixture
def p(t):
    return b.project(t, title="Steppe Wind", commitment="300000000.00")


def post(client, name, data, **ids):
    data = {"once": uuid.uuid4().hex, **data}
    url = reverse(f"manage:{name}", kwargs={"slug": "tolqyn", **ids})
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


# --- stages ------------------------------------------------------------------------------------------------


def test_one_step_forward_needs_no_reason(client, t, p):
    response = post(
        client, "project-stage", {"stage": "pre_production", "date": TODAY().isoformat()}, project=p.pk
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.PRE_PRODUCTION
    assert p.stage_changes.last().recorded_by == t.manager


def test_a_skip_without_a_reason_is_refused_beside_the_reason(client, t, p):
    response = post(
        client, "project-stage", {"stage": "production", "date": TODAY().isoformat()}, project=p.pk
    )
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        "Say why the project skips a stage, goes back or is abandoned."
    ]
    assert '<option value="production" selected>' in response.content.decode()  # still filled in
    p.refresh_from_db()
    assert p.stage == Stage.DEVELOPMENT


def test_a_skip_with_a_reason_is_recorded(client, t, p):
    data = {"stage": "production", "date": TODAY().isoformat(), "note": "Pre-production done abroad"}
    assert post(client, "project-stage", data, project=p.pk).status_code == 302
    assert p.stage_changes.last().note == "Pre-production done abroad"


def test_a_stage_change_posted_twice_is_recorded_once(client, t, p):
    data = {"once": uuid.uuid4().hex, "stage": "pre_production", "date": TODAY().isoformat()}
    url = reverse("manage:project-stage", args=["tolqyn", p.pk])
    client.post(url, data)
    second = client.post(url, data)
    assert second.status_code == 302
    assert p.stage_changes.count() == 2  # the approval's and this one


@pytest.mark.parametrize(
    "data", [{"stage": "nowhere", "date": "2026-01-01"}, {"stage": "production", "date": "x"}, {}]
)
def test_a_junk_stage_change_is_refused_never_a_500(client, t, p, data):
    response = post(client, "project-stage", data, project=p.pk)
    assert response.status_code == 200 and response.context["form"].errors


def test_the_project_page_shows_the_timeline_and_the_stage_form(client, t, p):
    b.move(t, p, (Stage.PRE_PRODUCTION, datetime.date(2025, 6, 1)))
    page = client.get(
        reverse("manage:project", args=["tolqyn", p.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    timeline = page.split('id="stage-timeline"')[1].split("</ol>")[0]
    assert timeline.index("Development") < timeline.index("Pre-production")
    assert 'id="stage-form"' in page and f'action="/manage/funds/tolqyn/projects/{p.pk}/stage/"' in page


# --- commitment --------------------------------------------------------------------------------------------


def test_a_commitment_change_is_recorded_with_its_reason(client, t, p):
    data = {"amount": "350000000.00", "date": TODAY().isoformat(), "reason": "Co-production added"}
    assert post(client, "project-commitment", data, project=p.pk).status_code == 302
    p.refresh_from_db()
    assert p.commitment == Decimal("350000000.00")
    assert p.commitment_changes.last().reason == "Co-production added"


def test_an_unchanged_commitment_is_refused_beside_the_amount(client, t, p):
    data = {"amount": "300000000.00", "date": TODAY().isoformat(), "reason": "No change"}
    response = post(client, "project-commitment", data, project=p.pk)
    assert response.context["form"].errors["amount"] == ["The commitment is already ₸300,000,000.00."]
    assert (
        'value="No change"' in response.content.decode()
        or "No change</textarea>" in response.content.decode()
    )


def test_a_commitment_above_the_budget_is_refused_beside_the_amount(client, t, p):
    data = {"amount": "950000000.00", "date": TODAY().isoformat(), "reason": "More"}
    response = post(client, "project-commitment", data, project=p.pk)
    assert response.context["form"].errors["amount"]
    p.refresh_from_db()
    assert p.commitment == Decimal("300000000.00")


# --- the schedule ------------------------------------------------------------------------------------------


def rows(*entries, initial=0):
    data = {"tranches-TOTAL_FORMS": str(len(entries)), "tranches-INITIAL_FORMS": str(initial)}
    for index, entry in enumerate(entries):
        data.update({f"tranches-{index}-{key}": value for key, value in entry.items()})
    return data


def test_a_schedule_in_amounts_and_shares_is_set_through_the_service(client, t, p):
    data = rows(
        {
            "number": "1",
            "amount": "150000000.00",
            "planned_date": "2025-04-01",
            "trigger_date": "2025-03-03",
            "conditions": "Chain of title\nCompletion bond",
        },
        {"number": "2", "share": "50", "planned_date": "2025-09-01", "trigger_stage": "production"},
    )
    response = post(client, "project-schedule", data, project=p.pk)
    assert response.status_code == 302, response.context["key_form"].errors if response.context else ""
    first, second = p.tranches.order_by("number")
    assert first.amount == Decimal("150000000.00") and first.trigger == "date"
    assert [c.text for c in first.conditions.order_by("position")] == ["Chain of title", "Completion bond"]
    assert second.amount == Decimal("150000000.00")
    assert second.trigger_stage == Stage.PRODUCTION


def test_a_schedule_short_of_the_commitment_is_refused_with_the_rows_kept(client, t, p):
    data = rows(
        {"number": "1", "amount": "100000000.00", "planned_date": "2025-04-01", "trigger_stage": "production"}
    )
    response = post(client, "project-schedule", data, project=p.pk)
    assert response.status_code == 200
    assert response.context["key_form"].non_field_errors() == [
        "Until the first disbursement the schedule must add up to the commitment of ₸300,000,000.00 exactly; "
        "it adds up to ₸100,000,000.00."
    ]
    assert 'value="100000000.00"' in response.content.decode()
    assert not p.tranches.exists()


def test_a_row_with_neither_trigger_is_refused_naming_the_tranche(client, t, p):
    data = rows({"number": "1", "share": "100", "planned_date": "2025-04-01"})
    response = post(client, "project-schedule", data, project=p.pk)
    assert response.context["key_form"].non_field_errors() == [
        "Tranche 1: give a trigger stage or a trigger date."
    ]


@pytest.mark.parametrize("share", ["0", "101", "abc", "1e400", "NaN"])
def test_a_junk_share_is_refused_beside_it(client, t, p, share):
    data = rows({"number": "1", "share": share, "planned_date": "2025-04-01", "trigger_stage": "production"})
    response = post(client, "project-schedule", data, project=p.pk)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["share"]


def test_a_junk_management_form_is_refused_not_a_500(client, t, p):
    response = post(client, "project-schedule", {"tranches-TOTAL_FORMS": "x"}, project=p.pk)
    assert response.status_code == 200
    assert not p.tranches.exists()


def test_the_schedule_editor_shows_the_tranches_and_the_running_total(client, t, p):
    b.eligible_tranche(t, p, shares=(Decimal("0.5"), Decimal("0.5")))
    page = client.get(reverse("manage:project-schedule", args=["tolqyn", p.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert body.count('value="150000000.00"') == 2
    assert '<span id="schedule-running-total" class="fw-semibold">₸300,000,000.00</span>' in body
    assert 'id="schedule-commitment" type="application/json">"300000000.00"' in body
    assert 'name="tranches-2-number" value="3"' in body  # a blank row numbered after the last


def test_the_schedule_posted_twice_sets_it_once(client, t, p):
    data = {
        "once": uuid.uuid4().hex,
        **rows({"number": "1", "share": "100", "planned_date": "2025-04-01", "trigger_stage": "production"}),
    }
    url = reverse("manage:project-schedule", args=["tolqyn", p.pk])
    client.post(url, data)
    first_history = Tranche.history.count()
    assert client.post(url, data).status_code == 302
    assert Tranche.history.count() == first_history


# --- a tranche: conditions and cancellation ----------------------------------------------------------------


@pytest.fixture
def tranche(t, p):
    b.eligible_tranche(t, p, shares=(Decimal("0.5"), Decimal("0.5")))
    return p.tranches.get(number=2)


def test_ticking_and_unticking_a_condition(client, t, tranche):
    condition = TrancheConditionFactory(tranche=tranche, position=1, text="Completion bond")
    data = {"condition": condition.pk, "met_on": TODAY().isoformat()}
    assert post(client, "tranche", data, tranche=tranche.pk).status_code == 302
    condition.refresh_from_db()
    assert condition.met_on == TODAY() and condition.met_by == t.manager
    assert (
        post(client, "tranche", {"condition": condition.pk, "untick": "on"}, tranche=tranche.pk).status_code
        == 302
    )
    condition.refresh_from_db()
    assert condition.met_on is None


def test_a_future_tick_is_refused_beside_its_date(client, t, tranche):
    condition = TrancheConditionFactory(tranche=tranche, position=1)
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()
    response = post(client, "tranche", {"condition": condition.pk, "met_on": future}, tranche=tranche.pk)
    assert response.context["form"].errors["met_on"] == ["This date is in the future."]
    assert "This date is in the future." in response.content.decode()
    condition.refresh_from_db()
    assert condition.met_on is None


@pytest.mark.parametrize("condition", ["junk", "999999", ""])
def test_a_junk_or_foreign_condition_is_refused_not_a_500(client, t, p, tranche, condition):
    other = TrancheConditionFactory(tranche=p.tranches.get(number=1), position=1)
    for value in (condition, other.pk):
        response = post(
            client, "tranche", {"condition": value, "met_on": TODAY().isoformat()}, tranche=tranche.pk
        )
        assert response.status_code == 200 and response.context["form"].errors["condition"]
    other.refresh_from_db()
    assert other.met_on is None


def test_cancelling_a_tranche_with_its_reason(client, t, tranche):
    data = {"date": TODAY().isoformat(), "reason": "Financing replaced"}
    assert post(client, "tranche-cancel", data, tranche=tranche.pk).status_code == 302
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.CANCELLED and tranche.cancel_reason == "Financing replaced"


def test_a_tranche_with_a_pending_request_is_not_cancelled(client, t, p):
    first = (
        p.tranches.get(number=1)
        if p.tranches.exists()
        else b.eligible_tranche(t, p, shares=(Decimal("0.5"), Decimal("0.5")))
    )
    disbursement_request(user=t.approver, tranche=first, amount="1000000.00")
    data = {"date": TODAY().isoformat(), "reason": "Changed plans"}
    response = post(client, "tranche-cancel", data, tranche=first.pk)
    assert response.context["form"].errors["date"] == [
        "Reject or pay the disbursements requested against this tranche first."
    ]
    assert "Changed plans" in response.content.decode()
    first.refresh_from_db()
    assert first.status != Tranche.Status.CANCELLED


def test_a_cancellation_without_a_reason_is_refused_beside_the_reason(client, t, tranche):
    response = post(
        client, "tranche-cancel", {"date": TODAY().isoformat(), "reason": "  "}, tranche=tranche.pk
    )
    assert response.context["form"].errors["reason"]


@pytest.mark.parametrize("size", [3, 60])
def test_the_tranche_and_schedule_pages_cost_the_same_queries_for_3_and_60_rows(
    client, t, size, django_assert_num_queries
):
    project = b.project(t, commitment="300000000.00")
    shares = [Decimal(1) / size] * size
    shares[-1] = 1 - sum(shares[:-1])
    b.eligible_tranche(t, project, shares=tuple(shares))
    first = project.tranches.get(number=1)
    for _ in range(size):
        disbursement_request(user=t.approver, tranche=first, amount="1000.00")
    for position in range(1, size + 1):
        TrancheConditionFactory(tranche=first, position=position)
    tranche_url = reverse("manage:tranche", args=["tolqyn", first.pk])
    schedule_url = reverse("manage:project-schedule", args=["tolqyn", project.pk])
    client.get(tranche_url)  # the first request of a session records its activity
    # session, user, fund, tranche, its conditions (with who ticked them), its disbursements
    with django_assert_num_queries(6):
        response = client.get(tranche_url)
    assert len(response.context["rows"]) == size and len(response.context["disbursements"]) == size
    # session, user, fund, project, tranches, their conditions
    with django_assert_num_queries(6):
        response = client.get(schedule_url)
    assert len(response.context["formset"].forms) == size + 2


def test_an_eligible_tranche_links_to_its_disbursement_request(client, t, p):
    first = b.eligible_tranche(t, p, shares=(Decimal("0.5"), Decimal("0.5")))
    page = client.get(reverse("manage:tranche", args=["tolqyn", first.pk])).content.decode()
    assert f'href="/manage/funds/tolqyn/projects/{p.pk}/disbursements/new/?tranche={first.pk}"' in page
    dashboard = client.get(reverse("manage:dashboard", args=["tolqyn"])).content.decode()
    assert f"disbursements/new/?tranche={first.pk}" in dashboard

"""Project pages of the workspace: the list, approving and editing a project, its page and change
history. Every refusal of a service shows beside its field with the form still filled in, a form posted
twice makes one record, junk input never gives a 500, and each page costs the same queries for 3 rows and
for 60."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import IdempotencyKey, Project
from portfolio.services.disbursements import disbursement_approve, disbursement_pay, disbursement_request
from portfolio.services.receipts import receipt_record
from portfolio.services.valuations import valuation_record
from tests import builders as b

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def t(client):
    team = b.team(slug="tolqyn")
    client.force_login(team.manager)
    return team


def new_project_data(**values):
    return {
        "once": uuid.uuid4().hex,
        "title": "Steppe Wind",
        "slug": "steppe-wind",
        "format": "feature",
        "language": "kk",
        "instrument": "equity",
        "total_budget": "900000000.00",
        "commitment": "300000000.00",
        "approval_date": "2025-03-03",
        "stage": "development",
        **values,
    }


def post(client, name, data, **ids):
    return client.post(
        reverse(f"manage:{name}", kwargs={"slug": "tolqyn", **ids}), data, HTTP_ACCEPT_LANGUAGE="en"
    )


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


# --- approving a project -----------------------------------------------------------------------------------


def test_a_new_project_is_approved_through_the_service_and_opens_its_page(client, t):
    response = post(client, "project-new", new_project_data())
    project = Project.objects.get(fund=t.fund, slug="steppe-wind")
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:project", args=["tolqyn", project.pk])
    # The service's work: the first commitment record and the first stage, dated the approval date.
    assert project.commitment_changes.get().amount == Decimal("300000000.00")
    assert project.stage_changes.get().date == datetime.date(2025, 3, 3)
    assert b.last_actor(project) == t.manager


def test_a_commitment_above_the_concentration_cap_shows_beside_the_commitment(client, t):
    response = post(client, "project-new", new_project_data(commitment="900000000.00"))
    assert response.status_code == 200
    assert any("concentration cap" in message for message in errors_of(response, "commitment"))
    assert 'value="Steppe Wind"' in response.content.decode()  # the form is still filled in
    assert not Project.objects.filter(fund=t.fund).exists()


@pytest.mark.parametrize(
    ("field", "junk"),
    [
        ("commitment", "1e3"),
        ("commitment", "NaN"),
        ("total_budget", "１２３"),
        ("approval_date", "2026-02-30"),
        ("approval_date", "0001-01-01"),
        ("stage", "abandoned"),
        ("slug", "not a slug"),
        ("once", "not-a-key"),
    ],
)
def test_junk_input_is_refused_beside_its_field_never_a_500(client, t, field, junk):
    response = post(client, "project-new", new_project_data(**{field: junk}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Project.objects.filter(fund=t.fund).exists()


def test_a_future_approval_date_is_the_services_refusal_beside_the_date(client, t):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = post(client, "project-new", new_project_data(approval_date=tomorrow))
    assert errors_of(response, "approval_date") == ["This date is in the future."]


def test_a_taken_slug_is_refused_on_top_of_the_form(client, t):
    # The model names no field for a rule on two columns (fund and slug): the message goes on top.
    b.project(t, slug="steppe-wind")
    response = post(client, "project-new", new_project_data())
    assert response.context["form"].non_field_errors() == ["This fund already has a project with this slug."]
    assert "This fund already has a project with this slug." in response.content.decode()


def test_a_new_project_posted_twice_is_approved_once(client, t):
    data = new_project_data()
    first = post(client, "project-new", data)
    second = post(client, "project-new", data)
    assert Project.objects.filter(fund=t.fund).count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_a_refused_post_leaves_its_key_free_for_the_corrected_form(client, t):
    data = new_project_data(commitment="900000000.00")
    post(client, "project-new", data)
    assert not IdempotencyKey.objects.exists()
    response = post(client, "project-new", {**data, "commitment": "300000000.00"})
    assert response.status_code == 302
    assert Project.objects.filter(fund=t.fund).count() == 1


def test_the_new_project_form_is_crispy_with_csrf_and_a_fresh_key(client, t):
    page = client.get(reverse("manage:project-new", args=["tolqyn"])).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and 'name="once"' in page
    again = client.get(reverse("manage:project-new", args=["tolqyn"])).content.decode()
    key = page.split('name="once" value="')[1].split('"')[0]
    assert key not in again


# --- editing -----------------------------------------------------------------------------------------------


def test_editing_changes_the_description_only(client, t):
    project = b.project(t, title="Old Title")
    data = {
        "once": uuid.uuid4().hex,
        "title": "New Title",
        "slug": project.slug,
        "format": "documentary",
        "language": "ru",
        "instrument": "loan",
        "total_budget": "950000000.00",
    }
    response = post(client, "project-edit", data, project=project.pk)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.format, project.total_budget) == (
        "New Title",
        "documentary",
        Decimal("950000000.00"),
    )
    assert project.commitment == Decimal("300000000.00")


def test_a_budget_below_the_commitment_is_refused_beside_the_budget(client, t):
    project = b.project(t)
    data = {
        "once": uuid.uuid4().hex,
        "title": "X",
        "slug": project.slug,
        "format": "feature",
        "language": "kk",
        "instrument": "equity",
        "total_budget": "100000000.00",
    }
    response = post(client, "project-edit", data, project=project.pk)
    assert errors_of(response, "total_budget") == [
        "The fund's commitment cannot exceed the project's total budget."
    ]
    project.refresh_from_db()
    assert project.title != "X"


def test_the_edit_form_is_filled_in_with_the_project(client, t):
    project = b.project(t, title="Kept Title", director="A. Director")
    page = client.get(reverse("manage:project-edit", args=["tolqyn", project.pk])).content.decode()
    assert 'value="Kept Title"' in page and 'value="A. Director"' in page


# --- lists and pages at a fixed cost -----------------------------------------------------------------------


def _money_on(t, project):
    tranche = b.eligible_tranche(t, project, shares=(Decimal("0.5"), Decimal("0.5")))
    disbursement = disbursement_request(user=t.manager, tranche=tranche, amount="1000000.00")
    disbursement_approve(user=t.approver, disbursement=disbursement)
    disbursement_pay(user=t.approver, disbursement=disbursement, paid_date=TODAY(), bank_reference="KZ-1")
    receipt_record(user=t.manager, project=project, date=TODAY(), amount="500000.00")
    valuation_record(user=t.manager, project=project, date=TODAY(), amount="1000000.00")


@pytest.mark.parametrize("rows", [3, 60])
def test_the_project_list_costs_the_same_queries_for_3_and_60_projects(
    client, t, rows, django_assert_num_queries
):
    for _ in range(rows):
        b.project(t, commitment="10000000.00", budget="20000000.00")
    url = reverse("manage:projects", args=["tolqyn"])
    client.get(url)  # the first request of a session records its activity
    with django_assert_num_queries(4):  # session, user, fund, projects
        response = client.get(url)
    assert len(response.context["projects"]) == rows


def test_the_project_list_filters_by_stage(client, t):
    b.project(t, title="At Development")
    b.project(t, title="Shooting Now", stage="production")
    page = client.get(reverse("manage:projects", args=["tolqyn"]) + "?stage=production").content.decode()
    assert "Shooting Now" in page and "At Development" not in page
    assert client.get(reverse("manage:projects", args=["tolqyn"]) + "?stage=%00junk").status_code == 200


@pytest.mark.parametrize("rows", [3, 60])
def test_the_project_page_and_its_history_cost_the_same_queries_for_3_and_60_records(
    client, t, rows, django_assert_num_queries
):
    project = b.project(t, commitment="300000000.00")
    _money_on(t, project)
    for day in range(1, rows):
        receipt_record(
            user=t.manager, project=project, date=TODAY() - datetime.timedelta(days=day), amount="1.00"
        )
        valuation_record(
            user=t.manager, project=project, date=TODAY() - datetime.timedelta(days=day), amount="1.00"
        )
    page_url = reverse("manage:project", args=["tolqyn", project.pk])
    history_url = reverse("manage:project-history", args=["tolqyn", project.pk])
    client.get(page_url)
    # session, user, fund, project, stage history, commitment history, tranches, conditions,
    # disbursements, receipts, valuations
    with django_assert_num_queries(11):
        response = client.get(page_url)
    assert len(response.context["receipts"]) == rows
    # session, user, fund, project, the history rows of disbursements, receipts and valuations
    with django_assert_num_queries(7):
        response = client.get(history_url)
    # the disbursement requested, approved and paid; each receipt and valuation created
    assert len(response.context["entries"]) == 3 + 2 * rows


def test_the_history_says_who_changed_what_and_when(client, t):
    project = b.project(t)
    _money_on(t, project)
    page = client.get(
        reverse("manage:project-history", args=["tolqyn", project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = page.content.decode()
    assert t.approver.username in body and t.manager.username in body
    assert "Status: Approved → Paid" in body
    assert "Bank reference: — → KZ-1" in body
    assert "Status: Requested → Approved" in body

"""The write API: each action goes through its service, with the acting user from authentication; a
refusal is a 400 with the service's field-keyed message and nothing saved; other people's objects are 404."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.models import CapitalCallPayment, Disbursement, Project, Receipt, Valuation
from portfolio.services.capital_calls import capital_call_issue
from portfolio.services.disbursements import disbursement_approve, disbursement_pay, disbursement_request
from tests.builders import eligible_tranche, project, team
from tests.test_api import token_client

pytestmark = pytest.mark.django_db

M = Decimal
D = datetime.date


@pytest.fixture
def t():
    return team(slug="tolqyn")


@pytest.fixture
def film(t):
    return project(t)


@pytest.fixture
def tranche(t, film):
    return eligible_tranche(t, film)


def requested(t, tranche, amount="10000000.00"):
    return disbursement_request(user=t.manager, tranche=tranche, amount=amount)


def approved(t, tranche, amount="10000000.00"):
    return disbursement_approve(user=t.approver, disbursement=requested(t, tranche, amount))


def paid(t, tranche, amount="10000000.00"):
    return disbursement_pay(
        user=t.manager,
        disbursement=approved(t, tranche, amount),
        paid_date=timezone.localdate(),
        bank_reference="KZ-1",
    )


PROJECT = {
    "title": "Дала әні",
    "slug": "dala-ani",
    "total_budget": "900000000.00",
    "commitment": "300000000.00",
    "approval_date": "2025-03-03",
}


# --- Happy paths ----------------------------------------------------------------------------------------


def test_a_manager_creates_a_project_through_the_service(t):
    response = token_client(t.manager).post("/api/v1/funds/tolqyn/projects/", PROJECT, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/projects/{body['id']}/"
    assert (body["fund"], body["commitment"], body["stage"]) == ("tolqyn", "300000000.00", "development")
    project = Project.objects.get(pk=body["id"])
    # The service's records: the first commitment record and stage, dated the approval date.
    assert list(project.commitment_changes.values_list("date", "amount")) == [
        (D(2025, 3, 3), M("300000000.00"))
    ]
    assert list(project.stage_changes.values_list("stage", "date")) == [("development", D(2025, 3, 3))]
    assert project.history.first().history_user == t.manager


def test_a_disbursement_goes_from_request_to_payment_with_two_managers(t, film, tranche):
    requester, approver = token_client(t.manager), token_client(t.approver)

    request = requester.post(
        f"/api/v1/projects/{film.pk}/disbursements/",
        {"tranche": tranche.pk, "amount": "10000000.00"},
        format="json",
    )
    assert request.status_code == 201, request.json()
    pk = request.json()["id"]
    assert request.json()["requested_by"] == t.manager.username
    assert request.json()["status"] == "requested"

    approval = approver.post(f"/api/v1/disbursements/{pk}/approve/")
    assert approval.status_code == 200, approval.json()
    assert (approval.json()["status"], approval.json()["approved_by"]) == ("approved", t.approver.username)

    payment = requester.post(
        f"/api/v1/disbursements/{pk}/pay/",
        {"paid_date": timezone.localdate().isoformat(), "bank_reference": "KZ-77"},
        format="json",
    )
    assert payment.status_code == 200, payment.json()
    assert (payment.json()["status"], payment.json()["paid_date"]) == (
        "paid",
        timezone.localdate().isoformat(),
    )

    reversal = requester.post(
        f"/api/v1/disbursements/{pk}/reverse/",
        {"date": timezone.localdate().isoformat(), "reason": "Wrong account", "amount": "4000000.00"},
        format="json",
    )
    assert reversal.status_code == 201, reversal.json()
    assert (reversal.json()["amount"], reversal.json()["reverses"]) == ("-4000000.00", pk)


def test_a_request_is_rejected_with_its_reason(t, tranche):
    pk = requested(t, tranche).pk
    response = token_client(t.approver).post(
        f"/api/v1/disbursements/{pk}/reject/", {"reason": "No bond"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "No bond")


def test_receipts_and_valuations_are_recorded(t, film):
    client = token_client(t.manager)
    receipt = client.post(
        f"/api/v1/projects/{film.pk}/receipts/",
        {"date": "2025-06-01", "amount": "1500000.50", "source": "box_office"},
        format="json",
    )
    valuation = client.post(
        f"/api/v1/projects/{film.pk}/valuations/", {"date": "2025-06-30", "amount": "0.00"}, format="json"
    )
    assert (receipt.status_code, valuation.status_code) == (201, 201), (receipt.json(), valuation.json())
    assert Receipt.objects.get(pk=receipt.json()["id"]).amount == M("1500000.50")
    assert Valuation.objects.get(pk=valuation.json()["id"]).amount == M("0.00")


def test_a_capital_call_payment_is_recorded_against_an_item(t):
    call = capital_call_issue(
        user=t.manager, fund=t.fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="44000000.00"
    )
    item = call.items.order_by("pk").first()
    response = token_client(t.manager).post(
        f"/api/v1/capital-call-items/{item.pk}/payments/",
        {"date": "2025-03-10", "amount": "1000.00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert CapitalCallPayment.objects.get(pk=response.json()["id"]).item == item


# --- Refusals of the services are 400s with their messages, and nothing is saved -------------------------


def test_a_manager_cannot_approve_their_own_request(t, tranche):
    pk = requested(t, tranche).pk
    response = token_client(t.manager).post(f"/api/v1/disbursements/{pk}/approve/")
    assert response.status_code == 400
    assert response.json() == {
        "approved_by": ["A disbursement must be approved by someone other than its requester."]
    }
    assert Disbursement.objects.get(pk=pk).status == "requested"


def test_paying_what_is_not_approved_is_refused(t, tranche):
    pk = requested(t, tranche).pk
    response = token_client(t.approver).post(
        f"/api/v1/disbursements/{pk}/pay/",
        {"paid_date": timezone.localdate().isoformat(), "bank_reference": "KZ"},
        format="json",
    )
    assert response.status_code == 400
    assert Disbursement.objects.get(pk=pk).status == "requested"


def test_reversing_twice_is_refused(t, tranche):
    pk = paid(t, tranche).pk
    client = token_client(t.manager)
    body = {"date": timezone.localdate().isoformat(), "reason": "Wrong account"}
    assert client.post(f"/api/v1/disbursements/{pk}/reverse/", body, format="json").status_code == 201
    second = client.post(f"/api/v1/disbursements/{pk}/reverse/", body, format="json")
    assert second.status_code == 400
    assert Disbursement.objects.filter(reverses_id=pk).count() == 1


def test_reversing_more_than_was_paid_is_refused(t, tranche):
    pk = paid(t, tranche).pk
    response = token_client(t.manager).post(
        f"/api/v1/disbursements/{pk}/reverse/",
        {"date": timezone.localdate().isoformat(), "reason": "Wrong", "amount": "10000000.01"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Disbursement.objects.filter(reverses_id=pk).exists()


def test_a_request_above_the_tranche_is_refused_with_its_message(t, film, tranche):
    response = token_client(t.manager).post(
        f"/api/v1/projects/{film.pk}/disbursements/",
        {"tranche": tranche.pk, "amount": "300000000.01"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Disbursement.objects.exists()


def test_a_tranche_of_another_project_is_refused(t, film, tranche):
    other = project(t)
    response = token_client(t.manager).post(
        f"/api/v1/projects/{other.pk}/disbursements/",
        {"tranche": tranche.pk, "amount": "1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"tranche": ["This tranche belongs to another project."]}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_refusal_is_in_the_readers_language(t, film, tranche, language):
    response = token_client(t.manager).post(
        f"/api/v1/projects/{film.pk}/receipts/",
        {"date": "2025-06-01", "amount": "1e3"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert "1e3" in response.json()["amount"][0]
    assert "exponent" not in response.json()["amount"][0]


@pytest.mark.parametrize(
    ("commitment", "why"),
    [("825000000.01", "above the concentration cap"), ("4400000000.00", "above what is left to allocate")],
)
def test_a_project_breaking_a_fund_limit_is_refused_and_not_created(t, commitment, why):
    body = {**PROJECT, "commitment": commitment, "total_budget": "9000000000.00"}
    response = token_client(t.manager).post("/api/v1/funds/tolqyn/projects/", body, format="json")
    assert response.status_code == 400, why
    assert list(response.json()) == ["commitment"]
    assert not Project.objects.filter(slug="dala-ani").exists()


def test_a_payment_date_before_the_approval_is_refused(t, tranche):
    pk = approved(t, tranche).pk
    response = token_client(t.manager).post(
        f"/api/v1/disbursements/{pk}/pay/", {"paid_date": "2025-04-02", "bank_reference": "KZ"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["paid_date"]
    assert Disbursement.objects.get(pk=pk).status == "approved"


def test_the_schema_links_each_created_object_to_what_can_be_done_with_it(client):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    created = schema["paths"]["/api/v1/funds/{slug}/projects/"]["post"]["responses"]["201"]["links"]
    assert set(created) == {"GetProject", "RequestDisbursement", "RecordReceipt", "RecordValuation"}
    assert created["RequestDisbursement"]["parameters"] == {"id": "$response.body#/id"}
    requested = schema["paths"]["/api/v1/projects/{id}/disbursements/"]["post"]["responses"]["201"]["links"]
    assert set(requested) == {"GetDisbursement", "Approve", "Reject"}

"""Who may read and write what through the API, and what each list and detail costs.

Roles: anonymous, an investor of the fund, an outsider (investor of another fund), a manager of another
fund (with and without staff status), the fund's manager, its approver (a second manager) and a superuser.
Anything of a fund the user does not manage is 404 for writes and write-side reads; anonymous is 401."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.models import CapitalCallPayment, Disbursement, Project, Receipt, Valuation
from portfolio.services.capital_calls import capital_call_issue
from portfolio.services.disbursements import disbursement_approve, disbursement_pay, disbursement_request
from tests.builders import eligible_tranche, project, team
from tests.factories import FundFactory, UserFactory
from tests.test_api import count_queries, investor_user_in, token_client

pytestmark = pytest.mark.django_db

D = datetime.date
ROLES = [
    "anonymous",
    "investor",
    "outsider",
    "other_manager",
    "other_staff_manager",
    "manager",
    "approver",
    "superuser",
]


@pytest.fixture
def world():
    t = team(slug="tolqyn")
    film = project(t)
    tranche = eligible_tranche(t, film)
    ask = lambda: disbursement_request(user=t.manager, tranche=tranche, amount="1000000.00")  # noqa: E731
    requested = ask()
    approved = disbursement_approve(user=t.approver, disbursement=ask())
    paid = disbursement_pay(
        user=t.manager,
        disbursement=disbursement_approve(user=t.approver, disbursement=ask()),
        paid_date=timezone.localdate(),
        bank_reference="KZ-1",
    )
    call = capital_call_issue(
        user=t.manager, fund=t.fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="44000000.00"
    )
    other = FundFactory(slug="steppe-docs")
    other_manager, other_staff = UserFactory(), UserFactory(is_staff=True)
    other.managers.add(other_manager, other_staff)
    users = {
        "anonymous": None,
        "investor": investor_user_in(t.fund, "lp", "LP of Tolqyn")[0],
        "outsider": investor_user_in(other, "outsider", "LP of Steppe")[0],
        "other_manager": other_manager,
        "other_staff_manager": other_staff,
        "manager": t.manager,
        "approver": t.approver,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }
    ids = {
        "film": film.pk,
        "tranche": tranche.pk,
        "requested": requested.pk,
        "approved": approved.pk,
        "paid": paid.pk,
        "item": call.items.order_by("pk").first().pk,
    }
    return t, users, ids


def client_for(user):
    return APIClient() if user is None else token_client(user)


READS = {
    "fund projects": lambda ids: "/api/v1/funds/tolqyn/projects/",
    "fund capital calls": lambda ids: "/api/v1/funds/tolqyn/capital-calls/",
    "project": lambda ids: f"/api/v1/projects/{ids['film']}/",
    "disbursement": lambda ids: f"/api/v1/disbursements/{ids['paid']}/",
}

WRITES = {
    "create project": (
        lambda ids: "/api/v1/funds/tolqyn/projects/",
        lambda ids: {
            "title": "New",
            "slug": "new-film",
            "total_budget": "10000000.00",
            "commitment": "1000000.00",
            "approval_date": "2025-03-03",
        },
    ),
    "request": (
        lambda ids: f"/api/v1/projects/{ids['film']}/disbursements/",
        lambda ids: {"tranche": ids["tranche"], "amount": "1000.00"},
    ),
    "approve": (lambda ids: f"/api/v1/disbursements/{ids['requested']}/approve/", lambda ids: {}),
    "reject": (lambda ids: f"/api/v1/disbursements/{ids['requested']}/reject/", lambda ids: {"reason": "No"}),
    "pay": (
        lambda ids: f"/api/v1/disbursements/{ids['approved']}/pay/",
        lambda ids: {"paid_date": timezone.localdate().isoformat(), "bank_reference": "KZ-2"},
    ),
    "reverse": (
        lambda ids: f"/api/v1/disbursements/{ids['paid']}/reverse/",
        lambda ids: {"date": timezone.localdate().isoformat(), "reason": "Wrong account"},
    ),
    "receipt": (
        lambda ids: f"/api/v1/projects/{ids['film']}/receipts/",
        lambda ids: {"date": "2025-06-01", "amount": "100.00"},
    ),
    "valuation": (
        lambda ids: f"/api/v1/projects/{ids['film']}/valuations/",
        lambda ids: {"date": "2025-06-30", "amount": "100.00"},
    ),
    "capital call payment": (
        lambda ids: f"/api/v1/capital-call-items/{ids['item']}/payments/",
        lambda ids: {"date": "2025-03-10", "amount": "100.00"},
    ),
}

# What the service itself answers a manager, approver or superuser (the acting user decides: four eyes).
WRITE_OUTCOME = {
    "manager": {"approve": 400},  # the requester of that disbursement
    "approver": {},
    # Not a named manager of the fund: may approve a project, but never be one of the four eyes.
    "superuser": {"request": 400, "approve": 400, "reject": 400, "pay": 400},
}


def _ledger_size():
    return (
        Project.objects.count(),
        Disbursement.objects.count(),
        Receipt.objects.count(),
        Valuation.objects.count(),
        CapitalCallPayment.objects.count(),
        list(Disbursement.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(READS))
def test_write_side_reads_are_for_the_funds_managers_only(world, role, endpoint):
    _t, users, ids = world
    response = client_for(users[role]).get(READS[endpoint](ids))
    expected = {"anonymous": 401, "manager": 200, "approver": 200, "superuser": 200}.get(role, 404)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(WRITES))
def test_only_the_funds_managers_write_and_the_service_decides_the_rest(world, role, endpoint):
    _t, users, ids = world
    url, body = WRITES[endpoint]
    before = _ledger_size()

    response = client_for(users[role]).post(url(ids), body(ids), format="json")

    if role in WRITE_OUTCOME:
        expected = WRITE_OUTCOME[role].get(
            endpoint, 201 if endpoint not in ("approve", "reject", "pay") else 200
        )
        assert response.status_code == expected, response.content
    else:
        assert response.status_code == (401 if role == "anonymous" else 404), response.content
        assert response.json()["detail"]
    if response.status_code >= 400:
        assert _ledger_size() == before


# --- Query counts: exact, and the same for 3 projects and 60 -------------------------------------------


def _fund_with(projects: int):
    t = team(slug=f"fund-{projects}")
    films = [project(t, commitment="1000000.00", budget="2000000.00") for _ in range(projects)]
    tranche = eligible_tranche(t, films[0])
    disbursement = disbursement_request(user=t.manager, tranche=tranche, amount="1000.00")
    capital_call_issue(
        user=t.manager, fund=t.fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="1000.00"
    )
    return t, films[0], disbursement


QUERIES = {
    "fund projects": (lambda slug, film, d: f"/api/v1/funds/{slug}/projects/", 5),
    "fund capital calls": (lambda slug, film, d: f"/api/v1/funds/{slug}/capital-calls/", 7),
    "project": (lambda slug, film, d: f"/api/v1/projects/{film.pk}/", 3),
    "disbursement": (lambda slug, film, d: f"/api/v1/disbursements/{d.pk}/", 2),
}


@pytest.mark.parametrize("endpoint", list(QUERIES))
def test_each_list_and_detail_costs_a_pinned_number_of_queries(endpoint):
    url_of, expected = QUERIES[endpoint]
    counts = []
    for size in (3, 60):
        t, film, disbursement = _fund_with(size)
        client = token_client(t.manager)
        url = url_of(t.fund.slug, film, disbursement)
        client.get(url)
        counts.append(count_queries(client, url))
    assert counts == [expected, expected], counts

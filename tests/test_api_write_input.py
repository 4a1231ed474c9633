"""Bad input through the write API: each amount and date the issue lists is a 400 with its message, and
nothing is saved; the same key retried or sent 20 times at once creates one record."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from portfolio.models import Disbursement, Project, Receipt
from tests.builders import eligible_tranche, project, team
from tests.test_api import token_client

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = {
    "0": "The amount must be greater than zero.",
    "-5.00": "The amount must be greater than zero.",
    "1e3": "Write the amount out in full digits, without an exponent such as 1e3.",
    "NaN": "Enter a real amount: NaN and Infinity are not amounts.",
    "Infinity": "Enter a real amount: NaN and Infinity are not amounts.",
    "１２３": "Use only the digits 0 to 9 in an amount.",
    "٣": "Use only the digits 0 to 9 in an amount.",
    "1_000": "Write the amount without underscores, spaces or thousands separators, with a point before the "
    "cents: 1000000.50.",
    "1.001": "An amount has at most 2 decimal places.",
    "1000000000000000.01": "An amount cannot be larger than 1,000,000,000,000,000.00.",
    "+5": "Enter an amount in digits, for example 1500000.50.",
}

BAD_DATES = {
    "2026-02-30": "Give the date as YYYY-MM-DD.",
    "30.01.2026": "Give the date as YYYY-MM-DD.",
    "20260101": "Give the date as YYYY-MM-DD.",
    "0001-01-01": "Enter a date between the years 1900 and 2999.",
    "9999-12-31": "Enter a date between the years 1900 and 2999.",
}


@pytest.fixture
def t():
    return team(slug="tolqyn")


@pytest.fixture
def film(t):
    return project(t)


def _project_body(**values):
    return {
        "title": "Film",
        "slug": "film-x",
        "total_budget": "900000000.00",
        "commitment": "300000000.00",
        "approval_date": "2025-03-03",
        **values,
    }


@pytest.mark.parametrize("amount", list(BAD_AMOUNTS))
def test_a_bad_amount_is_refused_with_its_message_and_nothing_is_saved(t, film, amount):
    client = token_client(t.manager)
    receipt = client.post(
        f"/api/v1/projects/{film.pk}/receipts/", {"date": "2025-06-01", "amount": amount}, format="json"
    )
    created = client.post("/api/v1/funds/tolqyn/projects/", _project_body(commitment=amount), format="json")

    assert (receipt.status_code, created.status_code) == (400, 400)
    assert receipt.json() == {"amount": [BAD_AMOUNTS[amount]]}
    assert created.json() == {"commitment": [BAD_AMOUNTS[amount]]}
    assert not Receipt.objects.exists()
    assert list(Project.objects.values_list("pk", flat=True)) == [film.pk]


@pytest.mark.parametrize("amount", [1000, 1000.5, None, True, [], {}])
def test_an_amount_that_is_not_a_string_is_refused(t, film, amount):
    response = token_client(t.manager).post(
        f"/api/v1/projects/{film.pk}/receipts/", {"date": "2025-06-01", "amount": amount}, format="json"
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("date", list(BAD_DATES))
def test_a_bad_date_is_refused_with_its_message_and_nothing_is_saved(t, film, date):
    response = token_client(t.manager).post(
        f"/api/v1/projects/{film.pk}/receipts/", {"date": date, "amount": "100.00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"date": [BAD_DATES[date]]}
    assert not Receipt.objects.exists()


def test_a_payment_dated_in_the_future_is_refused(t, film):
    response = token_client(t.manager).post(
        f"/api/v1/projects/{film.pk}/receipts/", {"date": "2999-01-01", "amount": "100.00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"date": ["This date is in the future."]}
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("text", ["nul\\u0000byte", "\\ud800"])
def test_text_a_database_cannot_store_is_a_400_not_a_500(t, film, text):
    # Written as JSON escapes: a NUL byte and a lone surrogate reach the server as the client sent them.
    client = token_client(t.manager)
    client.raise_request_exception = False
    body = '{"date": "2025-06-01", "amount": "1.00", "note": "' + text + '"}'
    response = client.post(f"/api/v1/projects/{film.pk}/receipts/", body, content_type="application/json")
    assert response.status_code == 400
    assert "note" in response.json()
    assert not Receipt.objects.exists()


def test_a_malformed_body_is_a_400(t, film):
    response = token_client(t.manager).post(
        f"/api/v1/projects/{film.pk}/receipts/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


# --- Idempotency-Key on a real endpoint -------------------------------------------------------------------


def test_a_retried_project_creation_creates_one_project(t):
    client = token_client(t.manager)
    first = client.post(
        "/api/v1/funds/tolqyn/projects/", _project_body(), format="json", HTTP_IDEMPOTENCY_KEY="p-1"
    )
    again = client.post(
        "/api/v1/funds/tolqyn/projects/", _project_body(), format="json", HTTP_IDEMPOTENCY_KEY="p-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Project.objects.filter(slug="film-x").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_disbursement_request_sent_20_times_at_once_is_one_request():
    t = team(slug="tolqyn")
    film = project(t)
    tranche = eligible_tranche(t, film)
    start = threading.Barrier(20)

    def send(_number):
        try:
            client = token_client(t.manager)
            start.wait()
            response = client.post(
                f"/api/v1/projects/{film.pk}/disbursements/",
                {"tranche": tranche.pk, "amount": "1000000.00"},
                format="json",
                HTTP_IDEMPOTENCY_KEY="twenty",
            )
            return response.status_code, response.json()["id"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = set(pool.map(send, range(20)))

    (only,) = Disbursement.objects.all()
    assert answers == {(201, only.pk)}

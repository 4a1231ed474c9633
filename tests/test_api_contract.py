"""The read API's contract: every parameter validated with a JSON 400, malformed slugs a JSON 404 after
authentication, the history paginated, and every error answer documented in the schema."""

import datetime
import json

import pytest
from rest_framework.test import APIClient

from portfolio.models import ProgressSnapshot
from tests.factories import ProgressSnapshotFactory
from tests.test_api import history_url, progress_url, token_client

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- Malformed slugs and unknown URLs -----------------------------------------------------------------

BAD_SLUGS = ["tolqyn.json", "a.b", "%00", "tol%00qyn", "фонд", "..", "a%2Fb", "%20"]


@pytest.mark.parametrize("slug", BAD_SLUGS)
@pytest.mark.parametrize("suffix", ["", "progress/", "progress/history/"])
def test_a_malformed_slug_is_a_json_404_after_authentication(manager, fund, slug, suffix):
    url = f"/api/v1/funds/{slug}/{suffix}"
    assert_json_error(APIClient().get(url), 401)
    body = assert_json_error(token_client(manager).get(url), 404)
    assert body == {"detail": "Not found."}


@pytest.mark.parametrize("url", ["/api/v1/nothing/", "/api/v1/funds/tolqyn/nothing/", "/api/v1/a/b/c/"])
def test_an_unknown_api_url_is_a_json_404_after_authentication(manager, fund, url):
    assert_json_error(APIClient().get(url), 401)
    assert_json_error(token_client(manager).post(url), 404)


def test_a_fund_url_without_its_slash_still_redirects_to_it(manager, fund):
    response = token_client(manager).get("/api/v1/funds/tolqyn")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/funds/tolqyn/")


# --- Query parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["True", "yes", "junk", "", "2", "on", "TRUE"])
def test_live_takes_only_its_documented_values(manager, fund, value):
    response = token_client(manager).get(progress_url("tolqyn"), {"live": value})
    body = assert_json_error(response, 400)
    assert body == {"live": ["Give live as true, false, 1 or 0."]}


@pytest.mark.parametrize(
    ("value", "source"), [("true", "live"), ("1", "live"), ("false", "snapshot"), ("0", "snapshot")]
)
def test_live_true_computes_and_false_reads_the_snapshot(manager, fund, value, source):
    ProgressSnapshotFactory(fund=fund, as_of=D(2026, 1, 31))
    response = token_client(manager).get(progress_url("tolqyn"), {"as_of": "2026-02-01", "live": value})
    assert response.json()["source"] == source


MALFORMED_DATES = [
    "",
    "20260101",
    "2026-W01-1",
    "٢٠٢٦-01-01",
    "２０２６-01-01",
    "2026-1-5",
    "2026-01-01\n",
    " 2026-01-01",
]


@pytest.mark.parametrize("value", MALFORMED_DATES)
@pytest.mark.parametrize(
    ("url_of", "name"), [(progress_url, "as_of"), (history_url, "from"), (history_url, "to")]
)
def test_a_date_in_any_other_spelling_is_a_400_naming_the_parameter(manager, fund, url_of, name, value):
    body = assert_json_error(token_client(manager).get(url_of("tolqyn"), {name: value}), 400)
    assert body == {name: ["Give the date as YYYY-MM-DD."]}


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_a_date_outside_the_years_a_fund_can_have_is_a_400(manager, fund, value):
    body = assert_json_error(token_client(manager).get(progress_url("tolqyn"), {"as_of": value}), 400)
    assert body == {"as_of": ["Enter a date between the years 1900 and 2999."]}


@pytest.mark.parametrize("value", ["1900-01-01", "2999-12-31"])
def test_the_first_and_last_dates_of_the_range_are_accepted(manager, fund, value):
    response = token_client(manager).get(progress_url("tolqyn"), {"as_of": value, "live": "1"})
    assert response.status_code == 200
    assert response.json()["as_of"] == value


@pytest.mark.parametrize(
    ("language", "message"),
    [("ru", "Укажите дату в формате ГГГГ-ММ-ДД."), ("kk", "Күнді ЖЖЖЖ-АА-КК пішімінде көрсетіңіз.")],
)
def test_the_message_of_a_refused_parameter_is_in_the_readers_language(manager, fund, language, message):
    client = token_client(manager)
    response = client.get(progress_url("tolqyn"), {"as_of": "junk"}, HTTP_ACCEPT_LANGUAGE=language)
    assert assert_json_error(response, 400) == {"as_of": [message]}


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.0", "١", "+1", "", " 1", "1e2"])
@pytest.mark.parametrize("url_of", [lambda slug: "/api/v1/funds/", history_url])
def test_a_malformed_page_is_a_400_naming_it(manager, fund, url_of, value):
    body = assert_json_error(token_client(manager).get(url_of("tolqyn"), {"page": value}), 400)
    assert body == {"page": ["Give the page as a whole number from 1."]}


@pytest.mark.parametrize("value", ["2", "99", "9" * 5000])
def test_a_page_past_the_last_is_a_json_404(manager, fund, value):
    body = assert_json_error(token_client(manager).get(history_url("tolqyn"), {"page": value}), 404)
    assert body == {"detail": "There is no such page."}


# --- The history is a paginated object ----------------------------------------------------------------


def test_history_comes_a_page_of_100_at_a_time_with_links(manager, fund):
    ProgressSnapshot.objects.bulk_create(
        [
            ProgressSnapshot(fund=fund, as_of=D(2026, 1, 1) + datetime.timedelta(days=n), metrics={})
            for n in range(150)
        ]
    )
    client = token_client(manager)

    first = client.get(history_url("tolqyn")).json()
    second = client.get(history_url("tolqyn"), {"page": "2"}).json()

    assert (first["count"], len(first["results"]), first["previous"]) == (150, 100, None)
    assert first["next"].endswith("/api/v1/funds/tolqyn/progress/history/?page=2")
    assert (len(second["results"]), second["next"]) == (50, None)
    assert first["results"][0]["as_of"] == "2026-01-01"
    assert second["results"][-1]["as_of"] == "2026-05-30"


# --- The schema documents every answer ----------------------------------------------------------------


@pytest.fixture
def schema(client):
    return json.loads(client.get("/api/schema/", {"format": "json"}).content)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_401_with_the_token_challenge_and_404(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert responses["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert "WWW-Authenticate" in responses["401"]["headers"], (path, method)
        assert "404" in responses, (path, method)
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_operations_with_query_parameters_or_a_body_document_the_400_body(schema):
    for path, method, operation in _operations(schema):
        has_query = any(p["in"] == "query" for p in operation.get("parameters", []))
        assert ("400" in operation["responses"]) == (has_query or method == "post"), (path, method)
        if "400" in operation["responses"]:
            fields, detail = operation["responses"]["400"]["content"]["application/json"]["schema"]["oneOf"]
            assert fields["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
            assert detail["required"] == ["detail"]


def test_the_schema_states_each_parameters_values(schema):
    progress = schema["paths"]["/api/v1/funds/{slug}/progress/"]["get"]
    parameters = {p["name"]: p["schema"] for p in progress["parameters"]}
    assert parameters["live"]["enum"] == ["true", "1", "false", "0"]
    assert parameters["as_of"]["format"] == "date"
    assert parameters["as_of"]["pattern"] == "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
    assert parameters["slug"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    history = schema["paths"]["/api/v1/funds/{slug}/progress/history/"]["get"]
    assert {p["name"]: p["schema"] for p in history["parameters"]}["page"] == {
        "type": "integer",
        "minimum": 1,
    }


def test_the_history_is_documented_as_the_paginated_object_it_returns(schema):
    history = schema["paths"]["/api/v1/funds/{slug}/progress/history/"]["get"]
    ref = history["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(component["properties"]) == {"count", "next", "previous", "results"}
    assert component["properties"]["results"]["type"] == "array"

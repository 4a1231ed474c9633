"""No admin URL answers 500: each malformed path or query string that used to (a NUL byte, a date drill-down
at the end of the calendar, an id that is not an id, junk initial values of an add page) answers 400, 404 or
the changelist's own "invalid lookup" redirect, and shows nothing of a fund the user does not manage."""

import pytest
from django.contrib import admin
from django.db import models as db_models
from django.urls import reverse

from portfolio import models
from tests.test_admin import ENGINE_WRITES, MAKERS, REGISTERED, WITHOUT_ADD_PAGE, _label, _url

pytestmark = pytest.mark.django_db

NUL = "\x00"
PORTFOLIO = [model for model in REGISTERED if model._meta.app_label == "portfolio"]
# What the progress engine writes (snapshots, capital accounts, stale marks) keeps no history.
WITH_HISTORY = [model for model in PORTFOLIO if model not in ENGINE_WRITES]
DATED = [model for model in REGISTERED if admin.site._registry[model].date_hierarchy]


def _filter_parameters(model) -> list[str]:
    """The query parameters a changelist's filters read, plus a plain field lookup and the search."""
    names = ["q", "o", "p", "id"]
    for entry in admin.site._registry[model].list_filter:
        path = entry if isinstance(entry, str) else entry[0]
        names += [path, f"{path}__exact", f"{path}__id__exact", f"{path}__isnull", f"{path}__in"]
    return names


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_a_nul_byte_in_any_changelist_parameter_is_a_bad_request(admin_client, model):
    MAKERS[model]()
    for name in _filter_parameters(model):
        response = admin_client.get(_url(model, "changelist"), {name: f"a{NUL}b"})
        assert response.status_code == 400, name


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_a_nul_byte_in_an_id_is_a_bad_request(admin_client, model):
    for view in ("change", "history", "delete"):
        assert admin_client.get(_url(model, view, NUL)).status_code == 400, view


@pytest.mark.parametrize("model", [models.Receipt, models.Commitment], ids=_label)
def test_a_nul_byte_in_an_autocomplete_term_is_a_bad_request(admin_client, model):
    field = admin.site._registry[model].autocomplete_fields[0]
    params = {"app_label": "portfolio", "model_name": model._meta.model_name, "field_name": field}
    params["term"] = NUL
    assert admin_client.get(reverse("admin:autocomplete"), params).status_code == 400


@pytest.mark.parametrize(
    "drill_down",
    [("9999",), ("9999", "12"), ("9999", "12", "31"), ("99999999999999999999",), ("2025", "13"), ("0",)],
    ids="-".join,
)
@pytest.mark.parametrize("model", DATED, ids=_label)
def test_a_date_drill_down_off_the_calendar_is_an_invalid_lookup(admin_client, model, drill_down):
    field = admin.site._registry[model].date_hierarchy
    params = dict(zip((f"{field}__year", f"{field}__month", f"{field}__day"), drill_down, strict=False))
    response = admin_client.get(_url(model, "changelist"), params)
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_junk_in_a_field_lookup_is_an_invalid_lookup(admin_client, model):
    MAKERS[model]()
    for field in model._meta.concrete_fields:
        response = admin_client.get(_url(model, "changelist"), {field.name: "abc"})
        # 400: a lookup admin does not allow (a user's password), refused as a suspicious operation.
        assert response.status_code in (200, 302, 400), field.name
        if response.status_code == 302:
            assert response.url.endswith("?e=1")


@pytest.mark.parametrize("object_id", ["abc", "99999999999999999999999", "-1"])
@pytest.mark.parametrize("model", PORTFOLIO, ids=_label)
def test_an_id_that_names_no_record_is_404(admin_client, model, object_id):
    for view in ("change", "history", "delete"):
        assert admin_client.get(_url(model, view, object_id)).status_code == 404, view


@pytest.mark.parametrize("model", WITH_HISTORY, ids=_label)
def test_a_past_version_id_that_is_not_an_id_is_404(admin_client, model):
    record = MAKERS[model]()
    version = model.history.filter(**{model._meta.pk.attname: record.pk}).first().history_id
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history"
    assert admin_client.get(reverse(name, args=[record.pk, version])).status_code == 200
    for object_id, version_id in (
        (record.pk, "abc"),
        ("abc", version),
        ("abc", "abc"),
        (record.pk, "99999999999999999999999"),
    ):
        assert admin_client.get(reverse(name, args=[object_id, version_id])).status_code == 404


def _initial_fields(model):
    """Fields whose widget reads a typed initial value (`?project=abc`) on the add page."""
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, db_models.ForeignKey | db_models.ManyToManyField | db_models.DateTimeField)
        and not field.auto_created
    ]


@pytest.mark.parametrize("model", [m for m in REGISTERED if m not in WITHOUT_ADD_PAGE], ids=_label)
def test_junk_initial_values_of_an_add_page_are_dropped(admin_client, model):
    for name in _initial_fields(model):
        for junk in ("abc", "999999999", "2026-02-30"):
            response = admin_client.get(_url(model, "add"), {name: junk})
            assert response.status_code == 200, name
            form = response.context["adminform"].form
            assert name not in form.initial, name


def test_a_valid_initial_value_of_an_add_page_is_kept(admin_client):
    project = MAKERS[models.Project]()
    response = admin_client.get(_url(models.Receipt, "add"), {"project": project.pk, "note": "box office"})
    assert response.context["adminform"].form.initial == {"project": str(project.pk), "note": "box office"}


@pytest.mark.parametrize("step", ["approve", "reject", "pay", "reverse"])
def test_a_step_page_for_an_id_that_is_not_an_id_is_404_and_a_nul_is_400(admin_client, step):
    name = f"admin:portfolio_disbursement_{step}"
    assert admin_client.get(reverse(name, args=["abc"])).status_code == 404
    assert admin_client.post(reverse(name, args=["99999999999999999999999"])).status_code == 404
    assert admin_client.get(reverse(name, args=[NUL])).status_code == 400

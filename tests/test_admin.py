"""Django admin: every page opens, changelists cost a fixed number of queries, paid money stays put,
bad input is refused with a message, and stage changes go through the stage history."""

import datetime
import itertools
from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse

from portfolio import models
from portfolio.admin.reference import FxRateResource
from tests import factories as f

pytestmark = pytest.mark.django_db

User = get_user_model()
PAID = models.Disbursement.Status.PAID
_group_names = itertools.count()
_days = itertools.count()


def _next_day() -> datetime.date:
    # One snapshot per fund and date: each made snapshot takes the day before the last one.
    return datetime.date(2026, 6, 30) - datetime.timedelta(days=next(_days))


# --- one realistic object per registered model, with the children its computed columns sum ------------------
# Each maker takes the fund the record belongs to (a new fund when None).


def _fund(fund=None):
    fund = fund or f.FundFactory()
    f.CommitmentFactory(fund=fund)
    f.ProjectFactory(fund=fund)
    return fund


def _project(fund=None):
    project = f.ProjectFactory(**_in(fund))
    f.StageChangeFactory(project=project)
    tranche = f.TrancheFactory(project=project)
    f.DisbursementFactory(project=project, tranche=tranche, paid=True)
    f.DisbursementFactory(project=project)
    f.ValuationFactory(project=project)
    f.ReceiptFactory(project=project)
    return project


def _tranche(fund=None):
    tranche = f.TrancheFactory(**_in(fund, "project__"))
    f.DisbursementFactory(project=tranche.project, tranche=tranche, paid=True)
    return tranche


def _reversed_disbursement(fund=None):
    original = f.DisbursementFactory(paid=True, **_in(fund, "project__"))
    f.DisbursementFactory(project=original.project, reverses=original, amount=Decimal("-1000.00"))
    return original


def _distribution_item(fund=None):
    commitment = f.CommitmentFactory(**_in(fund))
    distribution = f.DistributionFactory(fund=commitment.fund)
    return f.DistributionItemFactory(distribution=distribution, investor=commitment.investor)


def _payment(fund=None):
    commitment = f.CommitmentFactory(**_in(fund))
    call = f.CapitalCallFactory(fund=commitment.fund)
    item = f.CapitalCallItemFactory(capital_call=call, investor=commitment.investor)
    return f.CapitalCallPaymentFactory(item=item)


def _in(fund, prefix=""):
    """Factory keyword arguments that put a record (through `prefix`) into `fund`, if one is given."""
    return {f"{prefix}fund": fund} if fund is not None else {}


def _stale_mark(fund=None):
    # Saving a fund marks it stale (the progress engine's outbox): its mark is the row to look at.
    return models.ProgressStaleMark.objects.get(fund=fund or f.FundFactory())


def _group(fund=None):
    return Group.objects.create(name=f"Group {next(_group_names)}")


MAKERS = {
    models.Fund: _fund,
    models.Investor: lambda fund=None: f.CommitmentFactory(**_in(fund)).investor,
    models.Commitment: lambda fund=None: f.CommitmentFactory(**_in(fund)),
    models.CapitalCall: lambda fund=None: _payment(fund).item.capital_call,
    models.CapitalCallItem: lambda fund=None: _payment(fund).item,
    models.CapitalCallPayment: _payment,
    models.Distribution: lambda fund=None: _distribution_item(fund).distribution,
    models.DistributionItem: _distribution_item,
    models.Project: _project,
    models.StageChange: lambda fund=None: f.StageChangeFactory(**_in(fund, "project__")),
    models.ProjectCommitmentChange: lambda fund=None: f.ProjectCommitmentChangeFactory(
        **_in(fund, "project__")
    ),
    models.TrancheCondition: lambda fund=None: f.TrancheConditionFactory(**_in(fund, "tranche__project__")),
    models.Tranche: _tranche,
    models.Disbursement: _reversed_disbursement,
    models.Receipt: lambda fund=None: f.ReceiptFactory(**_in(fund, "project__")),
    models.Valuation: lambda fund=None: f.ValuationFactory(**_in(fund, "project__")),
    models.FxRate: lambda fund=None: f.FxRateFactory(),
    models.ProgressSnapshot: lambda fund=None: f.ProgressSnapshotFactory(as_of=_next_day(), **_in(fund)),
    models.CapitalAccount: lambda fund=None: f.CapitalAccountFactory(as_of=_next_day(), **_in(fund)),
    models.ProgressStaleMark: lambda fund=None: models.ProgressStaleMark.objects.get(
        fund=fund or f.FundFactory()
    ),
    User: lambda fund=None: f.UserFactory(),
    Group: _group,
}

REGISTERED = [model for model in admin.site._registry if model._meta.app_label in {"portfolio", "auth"}]
# Written by the progress engine only: no add page, and no history of their own.
ENGINE_WRITES = {models.ProgressSnapshot, models.CapitalAccount, models.ProgressStaleMark}
# Commitment changes, call and distribution items, tranches and their conditions are written by their services
# from their parent's page.
WITHOUT_ADD_PAGE = ENGINE_WRITES | {
    models.ProjectCommitmentChange,
    models.CapitalCallItem,
    models.DistributionItem,
    models.Tranche,
    models.TrancheCondition,
}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _label(model):
    return model._meta.label


# --- posting a change form as the browser would -------------------------------------------------------------


def _field_values(form) -> dict:
    data = {}
    for bound in form:
        widget = getattr(bound.field.widget, "widget", bound.field.widget)
        value = bound.value()
        if isinstance(widget, MultiWidget):
            for suffix, sub_widget, part in zip(
                widget.widgets_names, widget.widgets, widget.decompress(value), strict=True
            ):
                data[bound.html_name + suffix] = sub_widget.format_value(part) or ""
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def changeform_data(response, **overrides) -> dict:
    """What the admin add or change form in `response` would post unchanged, with `overrides` applied."""
    data = _field_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_values(formset.management_form))
        for form in formset.forms:
            data.update(_field_values(form))
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def form_errors(response) -> list[str]:
    """Every error message the re-rendered admin form shows, fields, top of the form and inlines."""
    messages = [
        str(error) for errors in response.context["adminform"].form.errors.values() for error in errors
    ]
    for inline in response.context["inline_admin_formsets"]:
        messages.extend(str(error) for error in inline.formset.non_form_errors())
        for form_errors_ in inline.formset.errors:
            messages.extend(str(error) for errors in form_errors_.values() for error in errors)
    return messages


@pytest.fixture
def superuser_request(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    return request


# --- every page opens ---------------------------------------------------------------------------------------


def test_every_portfolio_model_has_an_admin():
    portfolio_models = {
        model
        for name in models.__all__
        if isinstance(model := getattr(models, name), type) and hasattr(model, "_meta")
    }
    assert portfolio_models <= set(admin.site._registry)


def test_admin_site_is_titled_fundtracker_administration(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "fundtracker administration" in response.content.decode()


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_changelist_opens_and_searches_for_a_superuser(admin_client, model):
    MAKERS[model]()
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    assert admin_client.get(_url(model, "changelist"), {"q": "Film"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_add_page_opens_for_a_superuser(admin_client, model):
    expected = 403 if model in WITHOUT_ADD_PAGE else 200
    assert admin_client.get(_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_change_page_opens_for_a_superuser(admin_client, model):
    obj = MAKERS[model]()
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", [m for m in REGISTERED if m._meta.app_label == "portfolio"], ids=_label)
def test_history_page_opens_for_a_superuser(admin_client, model):
    obj = MAKERS[model]()
    assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    ("model", "field"),
    [(models.Commitment, "investor"), (models.Disbursement, "tranche"), (models.Receipt, "project")],
)
def test_autocomplete_answers_for_big_tables(admin_client, model, field):
    Related = model._meta.get_field(field).related_model
    MAKERS[Related]()
    params = {"app_label": "portfolio", "model_name": model._meta.model_name, "field_name": field, "term": ""}
    response = admin_client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    assert response.json()["results"]


# --- computed columns (their query counts are pinned in test_admin_access.py) ----------------------------


def test_project_changelist_shows_disbursed_net_of_reversals_with_separators(admin_client):
    project = f.ProjectFactory(commitment=Decimal("300000000.00"))
    original = f.DisbursementFactory(project=project, amount=Decimal("100000000.00"), paid=True)
    f.DisbursementFactory(project=project, amount=Decimal("20000000.00"))  # requested, not paid
    f.DisbursementFactory(project=project, reverses=original, amount=Decimal("-25000000.00"), paid=True)
    body = admin_client.get(_url(models.Project, "changelist")).content.decode()
    assert "75,000,000.00" in body
    assert "25.0%" in body


def test_fund_changelist_shows_committed_capital_and_active_projects(admin_client):
    fund = f.FundFactory(target_size=Decimal("1000000000.00"))
    f.CommitmentFactory(fund=fund, amount=Decimal("300000000.00"))
    f.CommitmentFactory(fund=fund, amount=Decimal("200000000.50"))
    f.ProjectFactory(fund=fund, commitment=Decimal("100000000.00"))
    f.ProjectFactory(fund=fund, commitment=Decimal("100000000.00"), stage=models.Stage.ABANDONED)
    response = admin_client.get(_url(models.Fund, "changelist"))
    fund_row = response.context["cl"].result_list.get(pk=fund.pk)
    assert fund_row.committed_total == Decimal("500000000.50")
    assert fund_row.projects_active_total == 1
    assert "500,000,000.50" in response.content.decode()


def test_capital_call_item_shows_paid_so_far_and_outstanding(admin_client):
    item = f.CapitalCallItemFactory(amount=Decimal("10000000.00"))
    f.CapitalCallPaymentFactory(item=item, amount=Decimal("4000000.00"))
    f.CapitalCallPaymentFactory(item=item, amount=Decimal("1500000.00"))
    body = admin_client.get(_url(models.CapitalCallItem, "changelist")).content.decode()
    assert "5,500,000.00" in body
    assert "4,500,000.00" in body


# --- paid money stays put, for superusers too ---------------------------------------------------------------


PERMANENT_RECORDS = {
    "paid disbursement": (
        lambda: f.DisbursementFactory(paid=True),
        {"bank_reference": "KZ-FIXED-1", "note": "corrected"},
    ),
    "receipt": (
        f.ReceiptFactory,
        {"source": "streaming", "note": "corrected"},
    ),
    "capital call payment": (
        f.CapitalCallPaymentFactory,
        {"bank_reference": "KZ-FIXED-2"},
    ),
}


@pytest.mark.parametrize("kind", PERMANENT_RECORDS)
def test_a_superuser_has_no_delete_permission_on_paid_money(superuser_request, kind):
    record = PERMANENT_RECORDS[kind][0]()
    model_admin = admin.site._registry[type(record)]
    assert model_admin.has_delete_permission(superuser_request, record) is False
    assert "delete_selected" not in model_admin.get_actions(superuser_request)


@pytest.mark.parametrize("kind", PERMANENT_RECORDS)
def test_posting_to_the_delete_page_of_paid_money_deletes_nothing(admin_client, kind):
    record = PERMANENT_RECORDS[kind][0]()
    response = admin_client.post(_url(type(record), "delete", record.pk), {"post": "yes"})
    assert response.status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("kind", PERMANENT_RECORDS)
def test_posting_another_amount_for_paid_money_changes_only_the_editable_fields(admin_client, kind):
    make, editable = PERMANENT_RECORDS[kind]
    record = make()
    amount = record.amount
    url = _url(type(record), "change", record.pk)
    form = admin_client.get(url).context["adminform"].form
    assert set(form.fields) == set(editable)
    response = admin_client.post(url, {**editable, "amount": "1.00", "date": "2020-01-01"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.amount == amount
    field, value = next(iter(editable.items()))
    assert str(getattr(record, field)) == value


def test_a_paid_distribution_and_its_items_cannot_be_deleted_or_changed(admin_client, superuser_request):
    item = _distribution_item()
    distribution = item.distribution
    distribution.status = models.Distribution.Status.PAID
    distribution.save()
    distribution_admin = admin.site._registry[models.Distribution]
    item_admin = admin.site._registry[models.DistributionItem]
    assert distribution_admin.has_delete_permission(superuser_request, distribution) is False
    assert item_admin.has_delete_permission(superuser_request, item) is False
    assert item_admin.has_change_permission(superuser_request, item) is False
    assert "status" in distribution_admin.get_readonly_fields(superuser_request, distribution)
    response = admin_client.post(_url(models.Distribution, "delete", distribution.pk), {"post": "yes"})
    assert response.status_code == 403
    assert admin_client.get(_url(models.Distribution, "change", distribution.pk)).status_code == 200


def test_a_paid_disbursement_inside_its_project_cannot_be_deleted_or_changed(admin_client):
    paid = f.DisbursementFactory(paid=True, amount=Decimal("50000000.00"))
    project = paid.project
    url = _url(models.Project, "change", project.pk)
    data = changeform_data(
        admin_client.get(url), **{"disbursements-0-amount": "1.00", "disbursements-0-DELETE": "on"}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    paid.refresh_from_db()
    assert paid.amount == Decimal("50000000.00")


# --- bad input: a clear message and nothing saved -----------------------------------------------------------


def _fund_data(**overrides):
    data = {
        "name": "Tolqyn",
        "slug": "tolqyn",
        "legal_form": "OEIC Ltd.",
        "status": "fundraising",
        "target_size": "5500000000.00",
        "concentration_cap_pct": "15.00",
        "project_band_min": "15",
        "project_band_max": "20",
        "investment_period_start": "2025-01-01",
        "investment_period_end": "2028-01-01",
    }
    return {**data, **overrides}


def _receipt_data(**overrides):
    project = f.ProjectFactory()
    return {
        "project": project.pk,
        "date": "2026-05-01",
        "amount": "100.00",
        "source": "box_office",
        **overrides,
    }


def _second_commitment_data():
    commitment = f.CommitmentFactory()
    return {
        "investor": commitment.investor_id,
        "fund": commitment.fund_id,
        "amount": "1.00",
        "date": "2025-02-01",
    }


BAD_INPUT = {
    "zero amount": (
        models.Receipt,
        lambda: _receipt_data(amount="0"),
        "The amount must be greater than zero.",
    ),
    "negative amount": (
        models.Receipt,
        lambda: _receipt_data(amount="-5.00"),
        "The amount must be greater than zero.",
    ),
    "amount with three decimals": (
        models.Receipt,
        lambda: _receipt_data(amount="10.001"),
        "An amount has at most 2 decimal places.",
    ),
    "fund period ending before it starts": (
        models.Fund,
        lambda: _fund_data(investment_period_end="2024-12-31"),
        "The investment period must end after it starts.",
    ),
    "project band minimum above maximum": (
        models.Fund,
        lambda: _fund_data(project_band_min="21"),
        "The project band maximum cannot be below its minimum.",
    ),
    "second commitment of an investor to a fund": (
        models.Commitment,
        _second_commitment_data,
        "This investor already has a commitment to this fund.",
    ),
}


# Amounts and dates as a person may type them, each refused by the one money parser and the bounded dates.
AMOUNT_MESSAGES = {
    "1e3": "Write the amount out in full digits, without an exponent such as 1e3.",
    "NaN": "Enter a real amount: NaN and Infinity are not amounts.",
    "Infinity": "Enter a real amount: NaN and Infinity are not amounts.",
    "１２３": "Use only the digits 0 to 9 in an amount.",
    "٣": "Use only the digits 0 to 9 in an amount.",
    "1_000": (
        "Write the amount without underscores, spaces or thousands separators, with a point before the "
        "cents: 1000000.50."
    ),
    "12.345": "An amount has at most 2 decimal places.",
    "1000000000000000.01": "An amount cannot be larger than 1,000,000,000,000,000.00.",
    "0.00": "The amount must be greater than zero.",
    "-1.00": "The amount must be greater than zero.",
    "abc": "Enter an amount in digits, for example 1500000.50.",
}
DATE_MESSAGES = {
    "0001-01-01": "Enter a date between the years 1900 and 2999.",
    "9999-12-31": "Enter a date between the years 1900 and 2999.",
    "2026-02-30": "Enter a valid date.",
    "30.02.2026x": "Enter a valid date.",
}
BAD_INPUT |= {
    f"amount {text}": (models.Receipt, lambda text=text: _receipt_data(amount=text), message)
    for text, message in AMOUNT_MESSAGES.items()
}
BAD_INPUT |= {
    f"date {text}": (models.Receipt, lambda text=text: _receipt_data(date=text), message)
    for text, message in DATE_MESSAGES.items()
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_shows_a_clear_message_and_saves_nothing(admin_client, case):
    model, make_data, message = BAD_INPUT[case]
    data = make_data()
    before = model.objects.count()
    response = admin_client.post(_url(model, "add"), data)
    assert response.status_code == 200
    assert message in form_errors(response)
    assert model.objects.count() == before


# --- FX rates come in from CSV ------------------------------------------------------------------------------


def test_fx_rates_import_from_csv_and_a_second_import_updates_the_same_date():
    f.FxRateFactory(currency="USD", date=datetime.date(2025, 1, 2), rate=Decimal("500.000000"))
    csv = "currency,date,rate,source\nUSD,2025-01-02,454.55,NBK\nEUR,2025-01-02,470.1,NBK\n"
    result = FxRateResource().import_data(tablib.Dataset().load(csv, format="csv"), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert dict(models.FxRate.objects.values_list("currency", "rate")) == {
        "USD": Decimal("454.550000"),
        "EUR": Decimal("470.100000"),
    }


def _upload_fx_rates(client, csv: str):
    import_page = client.get(_url(models.FxRate, "import"))
    assert import_page.status_code == 200
    csv_format = next(
        value for value, label in import_page.context["form"].fields["format"].choices if label == "csv"
    )
    upload = SimpleUploadedFile("rates.csv", csv.encode(), content_type="text/csv")
    return client.post(
        _url(models.FxRate, "import"), {"resource": "0", "format": csv_format, "import_file": upload}
    )


def test_fx_rates_are_imported_from_a_csv_file_in_admin(admin_client):
    preview = _upload_fx_rates(admin_client, "currency,date,rate,source\nUSD,2025-01-02,454.55,NBK\n")
    assert preview.status_code == 200
    assert not models.FxRate.objects.exists()  # the first step is a dry run to preview
    response = admin_client.post(
        _url(models.FxRate, "process_import"), preview.context["confirm_form"].initial
    )
    assert response.status_code == 302
    assert models.FxRate.objects.get().rate == Decimal("454.550000")


def test_an_fx_rate_csv_with_a_bad_row_is_reported_and_cannot_be_confirmed(admin_client):
    csv = "currency,date,rate,source\nUSD,2025-01-02,454.55,NBK\nKZT,2025-01-02,1,NBK\n"
    response = _upload_fx_rates(admin_client, csv)
    assert response.status_code == 200
    assert response.context["result"].has_validation_errors()
    assert "KZT is the base currency; rates are against it." in response.content.decode()
    assert "confirm_form" not in response.context
    assert not models.FxRate.objects.exists()

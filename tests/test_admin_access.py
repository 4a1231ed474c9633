"""Who opens which admin page: fund boundaries on every list, page, filter, choice and autocomplete answer,
and the exact number of queries each changelist costs, the same for 3 rows and for 60."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio import models
from tests import factories as f
from tests.test_admin import MAKERS, WITHOUT_ADD_PAGE, User, _label, _url

pytestmark = pytest.mark.django_db

FUND_BOUND = [m for m in MAKERS if m._meta.app_label == "portfolio" and m is not models.FxRate]

# What a fund manager may add in admin (admin's add page answers 403 to the rest): call and distribution
# items come from their pro-rata split, tranches and their conditions from the schedule on the project's page.
MANAGER_ADDS = {
    models.Commitment,
    models.CapitalCall,
    models.CapitalCallPayment,
    models.Distribution,
    models.Project,
    models.StageChange,
    models.Disbursement,
    models.Receipt,
    models.Valuation,
}
# Ledger records are never deleted in admin, by superusers either (a request is rejected, a tranche
# cancelled, money reversed); a superuser may delete a fund, an investor or a snapshot made by mistake.
DELETABLE = {models.Fund, models.Investor, models.ProgressSnapshot}

LOGIN = "login"  # the admin sends this person to its login page
HIDDEN = "hidden"  # 404, or a changelist without the record


def _user(username, *, staff=False, manages=None, superuser=False):
    user = f.UserFactory(username=username, is_staff=staff or superuser, is_superuser=superuser)
    if staff and not superuser:
        user.groups.add(Group.objects.get(name="Fund managers"))
    if manages is not None:
        manages.managers.add(user)
    return user


@pytest.fixture
def tolqyn():
    return f.FundFactory(name="Tolqyn", slug="tolqyn")


@pytest.fixture
def steppe():
    return f.FundFactory(name="Steppe Docs", slug="steppe-docs")


def _investor_user(fund):
    user = f.UserFactory(username="investor")
    f.CommitmentFactory(fund=fund).investor.users.add(user)
    return user


# who → how to make them, given Tolqyn (the fund whose records are asked for) and Steppe (another fund)
PEOPLE = {
    "anonymous": lambda tolqyn, steppe: None,
    "investor of tolqyn": lambda tolqyn, steppe: _investor_user(tolqyn),
    "manager of steppe without staff": lambda tolqyn, steppe: _user("steppe-plain", manages=steppe),
    "manager of steppe with staff": lambda tolqyn, steppe: _user("steppe-staff", staff=True, manages=steppe),
    "staff managing no fund": lambda tolqyn, steppe: _user("clerk", staff=True),
    "manager of tolqyn": lambda tolqyn, steppe: _user("manager", staff=True, manages=tolqyn),
    "approver of tolqyn": lambda tolqyn, steppe: _user("approver", staff=True, manages=tolqyn),
    "superuser": lambda tolqyn, steppe: _user("root", superuser=True),
}
SEES_TOLQYN = {"manager of tolqyn", "approver of tolqyn", "superuser"}
OUTSIDE_ADMIN = {"anonymous", "investor of tolqyn", "manager of steppe without staff"}


def _expected(who, model, page):
    if who in OUTSIDE_ADMIN:
        return LOGIN
    if page == "add":
        if who == "superuser":
            return 403 if model in WITHOUT_ADD_PAGE else 200
        return 200 if model in MANAGER_ADDS else 403
    if who not in SEES_TOLQYN:
        return 200 if page == "changelist" else 404
    if page == "delete":
        return 200 if who == "superuser" and model in DELETABLE else 403
    return 200


def _login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("model", FUND_BOUND, ids=_label)
def test_every_page_of_a_funds_record_answers_by_role(client, tolqyn, steppe, model, who):
    record = MAKERS[model](tolqyn)
    _login(client, PEOPLE[who](tolqyn, steppe))
    pages = {
        "changelist": _url(model, "changelist"),
        "change": _url(model, "change", record.pk),
        "history": _url(model, "history", record.pk),
        "delete": _url(model, "delete", record.pk),
        "add": _url(model, "add"),
    }
    for page, url in pages.items():
        response = client.get(url)
        expected = _expected(who, model, page)
        if expected == LOGIN:
            assert response.status_code == 302, (page, response.status_code)
            assert response.url.startswith(reverse("admin:login")), page
            continue
        assert response.status_code == expected, (page, response.status_code)
        if page == "changelist":
            listed = record.pk in {row.pk for row in response.context["cl"].result_list}
            assert listed is (who in SEES_TOLQYN)


@pytest.mark.parametrize("who", ["manager of steppe with staff", "staff managing no fund"])
@pytest.mark.parametrize("model", FUND_BOUND, ids=_label)
def test_posting_to_another_funds_record_changes_nothing(client, tolqyn, steppe, model, who):
    record = MAKERS[model](tolqyn)
    _login(client, PEOPLE[who](tolqyn, steppe))
    before = model.objects.filter(pk=record.pk).values().get()
    assert client.post(_url(model, "change", record.pk), {}).status_code == 404
    assert client.post(_url(model, "delete", record.pk), {"post": "yes"}).status_code == 404
    assert model.objects.filter(pk=record.pk).values().get() == before


# --- choices: filters, foreign keys, autocomplete, inlines, actions ---------------------------------------


@pytest.fixture
def steppe_manager(client, tolqyn, steppe):
    return _login(client, _user("steppe-staff", staff=True, manages=steppe))


def test_the_fund_filter_lists_only_the_managers_funds(steppe_manager, tolqyn, steppe):
    third = f.FundFactory(name="Third")
    third.managers.add(f.UserFactory(username="steppe-staff"))
    response = steppe_manager.get(_url(models.Project, "changelist"))
    fund_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "fund")
    assert [name for _pk, name in fund_filter.lookup_choices] == ["Steppe Docs", "Third"]


def test_an_add_form_offers_only_the_managers_funds_projects_and_investors(steppe_manager, tolqyn, steppe):
    f.ProjectFactory(fund=tolqyn, title="Tolqyn film")
    own = f.ProjectFactory(fund=steppe, title="Steppe film")
    f.CommitmentFactory(fund=tolqyn)
    own_investor = f.CommitmentFactory(fund=steppe).investor
    project_form = steppe_manager.get(_url(models.Project, "add")).context["adminform"].form
    assert list(project_form.fields["fund"].queryset) == [steppe]
    receipt_form = steppe_manager.get(_url(models.Receipt, "add")).context["adminform"].form
    assert list(receipt_form.fields["project"].queryset) == [own]
    commitment_form = steppe_manager.get(_url(models.Commitment, "add")).context["adminform"].form
    assert list(commitment_form.fields["investor"].queryset) == [own_investor]
    assert list(commitment_form.fields["fund"].queryset) == [steppe]


def test_posting_another_funds_project_in_an_add_form_is_refused(steppe_manager, tolqyn):
    project = f.ProjectFactory(fund=tolqyn)
    response = steppe_manager.post(
        _url(models.Receipt, "add"),
        {"project": project.pk, "date": "2026-05-01", "amount": "100.00", "source": "box_office"},
    )
    assert response.status_code == 200
    assert "project" in response.context["adminform"].form.errors
    assert not models.Receipt.objects.exists()


@pytest.mark.parametrize(
    ("model", "field", "related"),
    [
        (models.Receipt, "project", models.Project),
        (models.Commitment, "investor", models.Investor),
        (models.DistributionItem, "investor", models.Investor),
    ],
)
def test_autocomplete_answers_only_with_the_managers_records(
    steppe_manager, tolqyn, steppe, model, field, related
):
    MAKERS[related](tolqyn)
    own = MAKERS[related](steppe)
    params = {"app_label": "portfolio", "model_name": model._meta.model_name, "field_name": field, "term": ""}
    response = steppe_manager.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(own.pk)]


def test_an_investor_in_two_funds_shows_a_manager_only_their_funds_commitment(steppe_manager, tolqyn, steppe):
    investor = f.InvestorFactory()
    f.CommitmentFactory(investor=investor, fund=tolqyn, amount="700000000.00")
    own = f.CommitmentFactory(investor=investor, fund=steppe, amount="200000000.00")
    response = steppe_manager.get(_url(models.Investor, "change", investor.pk))
    (commitments,) = response.context["inline_admin_formsets"]
    assert [form.instance for form in commitments.formset.forms] == [own]
    row = steppe_manager.get(_url(models.Investor, "changelist")).context["cl"].result_list.get()
    assert (row.commitment_total, str(row.committed_total)) == (1, "200000000.00")


@pytest.mark.parametrize("step", ["approve", "reject", "pay", "reverse"])
def test_a_step_of_another_funds_disbursement_is_404_and_changes_nothing(steppe_manager, tolqyn, step):
    disbursement = f.DisbursementFactory(project__fund=tolqyn, approved=True)
    url = reverse(f"admin:portfolio_disbursement_{step}", args=[disbursement.pk])
    assert steppe_manager.get(url).status_code == 404
    data = {"reason": "No", "paid_date": "2026-01-05", "bank_reference": "KZ-1", "date": "2026-01-05"}
    assert steppe_manager.post(url, data).status_code == 404
    disbursement.refresh_from_db()
    assert disbursement.status == models.Disbursement.Status.APPROVED


def test_history_pages_of_another_fund_are_404_even_for_a_past_version(steppe_manager, tolqyn):
    project = f.ProjectFactory(fund=tolqyn)
    version = project.history.get()
    url = reverse("admin:portfolio_project_simple_history", args=[project.pk, version.history_id])
    assert steppe_manager.get(url).status_code == 404


def test_a_past_version_is_shown_but_cannot_be_reverted(admin_client):
    project = f.ProjectFactory(title="Before")
    project.title = "After"
    project.save()
    first = project.history.order_by("history_id").first()
    url = reverse("admin:portfolio_project_simple_history", args=[project.pk, first.history_id])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["revert_disabled"] is True
    assert admin_client.post(url, {"title": "Before"}).status_code == 403
    project.refresh_from_db()
    assert project.title == "After"


def test_a_manager_sees_the_fund_managers_but_does_not_pick_users(client, tolqyn, steppe):
    client.force_login(_user("manager", staff=True, manages=tolqyn))
    form = client.get(_url(models.Fund, "change", tolqyn.pk)).context["adminform"].form
    assert "managers" not in form.fields
    assert "target_size" in form.fields


def test_fx_rates_are_public_reference_data(steppe_manager):
    rate = f.FxRateFactory()
    response = steppe_manager.get(_url(models.FxRate, "changelist"))
    assert list(response.context["cl"].result_list) == [rate]
    assert steppe_manager.get(_url(models.FxRate, "change", rate.pk)).status_code == 200


def test_a_managers_index_lists_the_portfolio_but_not_users(steppe_manager):
    body = steppe_manager.get(reverse("admin:index")).content.decode()
    assert reverse("admin:portfolio_project_changelist") in body
    assert reverse("admin:auth_user_changelist") not in body


# --- changelists cost a fixed number of queries -------------------------------------------------------------

# The queries of one changelist, whatever the number of rows: session, user, the fund filter's choices, the
# count, the rows (their figures are subqueries of the same query), and the date hierarchy's range and
# dates. Funds have no fund filter nor date hierarchy; items and tranche conditions no date hierarchy; FX
# rates list their currencies and sources as filters instead of funds.
SUPERUSER_QUERIES = {
    models.Fund: 4,
    models.Investor: 5,
    models.CapitalCallItem: 5,
    models.DistributionItem: 5,
    models.TrancheCondition: 5,
    models.FxRate: 8,
}
MANAGER_EXTRA = 2  # the user's own permissions and their groups' permissions


def _pinned(model, who) -> int:
    return SUPERUSER_QUERIES.get(model, 7) + (MANAGER_EXTRA if who != "superuser" else 0)


def _changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


# A fund has at most one stale mark, so sixty of them in one fund cannot exist.
ONE_PER_FUND = {models.ProgressStaleMark}


@pytest.mark.parametrize("who", ["superuser", "manager of tolqyn"])
@pytest.mark.parametrize(
    "model", [model for model in FUND_BOUND if model not in ONE_PER_FUND] + [models.FxRate], ids=_label
)
def test_changelist_costs_the_same_queries_for_3_and_60_rows(client, tolqyn, steppe, model, who):
    user = PEOPLE[who](tolqyn, steppe)
    _login(client, user)

    def make(n):
        for _ in range(n):
            fund = tolqyn if model is not models.Fund else f.FundFactory()
            fund.managers.add(user) if model is models.Fund and who != "superuser" else None
            MAKERS[model](fund)

    make(3)
    _changelist_queries(client, model)  # warm the per-process caches (content types)
    few, few_rows = _changelist_queries(client, model)
    make(57)
    many, many_rows = _changelist_queries(client, model)
    assert many_rows >= 60 and few_rows >= 3
    assert few == many == _pinned(model, who)


# Users and groups: session, user, the count of all and of the filtered rows (Django's own admins count
# both), the rows, and for users the group filter's choices.
AUTH_QUERIES = {User: 6, Group: 5}


@pytest.mark.parametrize("model", AUTH_QUERIES, ids=_label)
def test_user_and_group_changelists_cost_the_same_queries_for_3_and_60_rows(admin_client, model):
    for _ in range(3):
        MAKERS[model]()
    _changelist_queries(admin_client, model)
    few, _rows = _changelist_queries(admin_client, model)
    for _ in range(57):
        MAKERS[model]()
    many, rows = _changelist_queries(admin_client, model)
    assert rows >= 60
    assert few == many == AUTH_QUERIES[model]

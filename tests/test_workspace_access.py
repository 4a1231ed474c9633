"""The access matrix of the manager workspace: every URL of the `manage` namespace, found by walking the
URLconf (so a page added later is covered without touching this file), for every kind of user.

Record ids in workspace URLs are named after the record (`project`, `tranche`, ...); each identity's
expectation is the same for every URL: anonymous users go to the log-in page, anyone who does not manage the
fund gets 404 (never a 403 that would tell the fund exists), and the fund's managers and superusers get the
page. A manager who puts another fund's record id into their own fund's URL gets 404 too.
"""

import pytest
from django.urls import URLPattern, URLResolver, reverse

from portfolio.workspace import urls as workspace_urls
from tests import factories as f

# URL names whose GET answers something else than 200 for a manager: name -> expected status.
MANAGER_GET_STATUS = {
    "home": 302,  # a manager of one fund goes straight to its dashboard
}
# URL names that take no fund (the list of the user's funds).
FUNDLESS = {"home"}


def _walk(patterns, prefix_kwargs=(), namespace="manage"):
    for entry in patterns:
        kwargs = (*prefix_kwargs, *entry.pattern.converters)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, kwargs, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}", tuple(kwargs)


URLS = sorted(set(_walk(workspace_urls.urlpatterns)))


def _records(fund):
    """One record of every kind a workspace URL can name, in `fund`."""
    project = f.ProjectFactory(fund=fund)
    investor = f.InvestorFactory()
    f.CommitmentFactory(fund=fund, investor=investor)
    call = f.CapitalCallFactory(fund=fund)
    distribution = f.DistributionFactory(fund=fund)
    return {
        "slug": fund.slug,
        "project": project.pk,
        "tranche": f.TrancheFactory(project=project).pk,
        "disbursement": f.DisbursementFactory(project=project).pk,
        "call": call.pk,
        "item": f.CapitalCallItemFactory(capital_call=call, investor=investor).pk,
        "distribution": distribution.pk,
        "receipt": f.ReceiptFactory(project=project).pk,
        "valuation": f.ValuationFactory(project=project).pk,
    }


@pytest.fixture
def world(db):
    fund = f.FundFactory(slug="tolqyn")
    other = f.FundFactory(slug="steppe")
    users = {
        "manager": f.UserFactory(),
        "approver": f.UserFactory(),
        "other_manager": f.UserFactory(),
        "other_manager_staff": f.UserFactory(is_staff=True),
        "investor": f.UserFactory(),
        "superuser": f.UserFactory(is_staff=True, is_superuser=True),
    }
    fund.managers.add(users["manager"], users["approver"])
    other.managers.add(users["other_manager"], users["other_manager_staff"])
    ids, other_ids = _records(fund), _records(other)
    investor = f.InvestorFactory()
    investor.users.add(users["investor"])
    f.CommitmentFactory(fund=fund, investor=investor)
    return users, ids, other_ids


def _url(name, kwarg_names, ids):
    return reverse(name, kwargs={key: ids[key] for key in kwarg_names})


def test_every_workspace_url_is_in_the_matrix():
    assert URLS, "no URL found in the manage namespace"
    known = {
        "slug",
        "project",
        "tranche",
        "disbursement",
        "call",
        "item",
        "distribution",
        "receipt",
        "valuation",
    }
    for name, kwarg_names in URLS:
        assert set(kwarg_names) <= known, f"{name} takes an id this matrix cannot fill: {kwarg_names}"


@pytest.mark.parametrize(("name", "kwarg_names"), URLS)
def test_anonymous_is_sent_to_log_in(client, world, name, kwarg_names):
    _, ids, _ = world
    url = _url(name, kwarg_names, ids)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwarg_names"), URLS)
@pytest.mark.parametrize("who", ["investor", "other_manager", "other_manager_staff"])
def test_who_does_not_manage_the_fund_gets_404(client, world, name, kwarg_names, who):
    users, ids, _ = world
    client.force_login(users[who])
    for method in (client.get, client.post):
        response = method(_url(name, kwarg_names, ids))
        if name.removeprefix("manage:") in FUNDLESS and who.startswith("other_manager"):
            continue  # they manage a fund of their own: /manage/ is theirs
        assert response.status_code == 404, (method.__name__, name)


@pytest.mark.parametrize(("name", "kwarg_names"), URLS)
@pytest.mark.parametrize("who", ["manager", "approver", "superuser"])
def test_the_funds_managers_and_superusers_get_the_page(client, world, name, kwarg_names, who):
    users, ids, _ = world
    client.force_login(users[who])
    response = client.get(_url(name, kwarg_names, ids))
    expected = MANAGER_GET_STATUS.get(name.removeprefix("manage:"), 200)
    if who == "superuser" and name == "manage:home":
        expected = 200  # a superuser sees every fund, so picks one from the list
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "kwarg_names"), [u for u in URLS if set(u[1]) - {"slug"}])
def test_another_funds_record_in_this_funds_url_is_404(client, world, name, kwarg_names):
    users, ids, other_ids = world
    client.force_login(users["manager"])
    mixed = {**other_ids, "slug": ids["slug"]}
    for method in (client.get, client.post):
        assert method(_url(name, kwarg_names, mixed)).status_code == 404, (method.__name__, name)

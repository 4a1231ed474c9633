"""Who may open which portal page, what junk in a URL or parameter gets, and what each page costs."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ProjectFactory, UserFactory
from tests.portal_data import build_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio():
    return build_portfolio()


def portal_urls(portfolio) -> dict[str, str]:
    return {
        "list": reverse("fund-list"),
        "fund": reverse("fund-detail", args=["tolqyn"]),
        "film": reverse("film-detail", args=["tolqyn", portfolio.projects[0].pk]),
    }


# Who gets what: the fund's pages are the fund's investors', managers' and superusers'; anyone else is told
# nothing (404, never 403), and being staff widens nothing.
EXPECTED = {
    "anonymous": {"list": 302, "fund": 302, "film": 302},
    "investor": {"list": 200, "fund": 200, "film": 200},
    "outsider": {"list": 200, "fund": 404, "film": 404},
    "manager": {"list": 200, "fund": 200, "film": 200},
    "staff": {"list": 200, "fund": 404, "film": 404},
    "superuser": {"list": 200, "fund": 200, "film": 200},
}


@pytest.mark.parametrize("who", EXPECTED)
def test_the_access_matrix_over_every_portal_url(client, portfolio, who):
    users = {
        "investor": portfolio.investor,
        "outsider": portfolio.outsider,
        "manager": portfolio.manager,
        "staff": portfolio.staff,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    if who != "anonymous":
        client.force_login(users[who])
    for name, url in portal_urls(portfolio).items():
        response = client.get(url)
        assert response.status_code == EXPECTED[who][name], (who, name)
        if response.status_code == 302:
            assert response.url.startswith(reverse("login"))
        if response.status_code == 404:
            assert "Tolqyn" not in response.content.decode()


def test_the_outsiders_list_names_only_their_own_fund(client, portfolio):
    client.force_login(portfolio.outsider)
    body = client.get(reverse("fund-list")).content.decode()
    assert "tolqyn-steppe" in body
    assert 'data-fund="tolqyn"' not in body


def test_a_film_of_another_fund_is_not_found_under_this_funds_address(client, portfolio):
    stranger = ProjectFactory()  # a film of a fund the investor is not in
    client.force_login(portfolio.investor)
    assert client.get(reverse("film-detail", args=["tolqyn", stranger.pk])).status_code == 404
    assert client.get(reverse("film-detail", args=[stranger.fund.slug, stranger.pk])).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/funds/tol%00qyn/",
        "/funds/tolqyn%00/",
        "/funds/tolqyn./",
        "/funds/%D1%82%D0%BE%D0%BB/",
        "/funds/" + "x" * 3000 + "/",
        "/funds/tolqyn/films/abc/",
        "/funds/tolqyn/films/-1/",
        "/funds/tolqyn/films/1%00/",
        "/funds/tolqyn/films/99999999999999999999999999/",
        "/funds/tolqyn/films/9223372036854775807/",
        "/funds/tolqyn/films/0/",
    ],
)
def test_junk_in_a_portal_url_is_a_404(client, portfolio, path):
    client.force_login(portfolio.investor)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"as_of": "\x00"}, 400),
        ({"as_of": "2026-13-01"}, 400),
        ({"as_of": "٢٠٢٦-01-01"}, 400),
        ({"as_of": "1899-12-31"}, 400),
        ({"as_of": "x" * 5000}, 400),
        ({"as_of": ""}, 200),
        ({"lang": "\x00"}, 200),
        ({"language": "xx", "format": "%00"}, 200),
        ({"page": "-1", "as_of[]": "1"}, 200),
    ],
)
def test_tampered_parameters_are_refused_or_ignored(client, portfolio, params, status):
    client.force_login(portfolio.investor)
    for url in portal_urls(portfolio).values():
        expected = status if url.endswith("/tolqyn/") else 200  # only the progress page reads as_of
        assert client.get(url, params).status_code == expected, url


def test_a_tampered_language_switch_is_ignored(client, portfolio):
    client.force_login(portfolio.investor)
    for language in ("xx", "\x00", "ru\x00", "k" * 500):
        response = client.post(reverse("set_language"), {"language": language, "next": "/funds/"})
        assert response.status_code == 302
    assert client.get("/funds/").content.decode().count('<html lang="en">') == 1
    response = client.post(reverse("set_language"), {"language": "kk", "next": "/funds/\x00"})
    assert response.status_code == 302
    assert client.get("/funds/").content.decode().count('<html lang="kk">') == 1


# Every page costs the same, exact number of queries whatever the fund's size: session and user (2), then
# list: funds with their snapshot figures, own capital accounts (2);
# fund: fund, snapshot, USD rate, project formats, the history's version (5), and the month-end history
#   when its rendering is not cached yet (1);
# film: film with its fund, snapshot, USD rate, tranches, stage history (5).
QUERIES = {"list": 4, "fund": 8, "film": 7}
CACHED_FUND_PAGE = 7


@pytest.mark.parametrize("projects", [3, 60])
def test_each_page_costs_a_pinned_number_of_queries(client, django_assert_num_queries, projects):
    portfolio = build_portfolio(projects)
    client.force_login(portfolio.investor)
    urls = portal_urls(portfolio)
    client.get(urls["list"])  # the session records its activity on its first request (one write)
    cache.clear()
    for name, url in urls.items():
        with django_assert_num_queries(QUERIES[name]):
            assert client.get(url).status_code == 200
    with django_assert_num_queries(CACHED_FUND_PAGE):
        assert client.get(urls["fund"]).status_code == 200
    assert portfolio.fund.progress_snapshots.latest().metrics["projects_active"] == projects - projects // 7

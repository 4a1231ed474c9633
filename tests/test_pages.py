"""Login, the home redirect and the fund pages: who lands where, and who may see what."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.services.progress import progress_snapshot_refresh
from tests.factories import CommitmentFactory, FundFactory, InvestorFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def investor_user(fund):
    user = UserFactory(username="investor")
    investor = InvestorFactory()
    investor.users.add(user)
    CommitmentFactory(investor=investor, fund=fund)
    return user


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_login_page_renders_a_crispy_form_with_csrf(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="login-form"' in body
    assert "csrfmiddlewaretoken" in body
    assert "vendor/bootstrap/css/bootstrap.min.css" in body


def test_login_page_is_served_with_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_staff_land_in_admin_after_login(client):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/").url == reverse("admin:index")


@pytest.mark.parametrize(("who", "home"), [("manager", "manage:home"), ("investor_user", "fund-list")])
def test_managers_land_on_their_workspace_and_investors_on_their_funds(client, request, who, home):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/").url == reverse(home)


def test_login_with_the_right_password_redirects_home(client, manager):
    response = client.post(
        reverse("login"), {"username": "manager", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_login_with_a_wrong_password_says_so_and_logs_nobody_in(client, manager):
    response = client.post(reverse("login"), {"username": "manager", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_lock_the_account_out(client, manager, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "manager", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "manager", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client, manager):
    client.force_login(manager)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_fund_list_shows_the_managers_funds_only(client, manager, fund):
    FundFactory(name="Someone Else's Fund")
    client.force_login(manager)
    body = client.get(reverse("fund-list")).content.decode()
    assert "Tolqyn Film Fund OEIC Ltd." in body
    assert "Someone Else&#x27;s Fund" not in body


def test_investor_sees_the_fund_they_committed_to(client, investor_user, fund):
    ProjectFactory(fund=fund, title="Дала әні")
    progress_snapshot_refresh(fund_id=fund.pk, as_of=timezone.localdate())  # the page reads the snapshot
    client.force_login(investor_user)
    response = client.get(reverse("fund-detail", args=["tolqyn"]))
    assert response.status_code == 200
    assert "Дала әні" in response.content.decode()


def test_investor_gets_404_for_a_fund_they_are_not_in(client, investor_user):
    FundFactory(slug="other")
    client.force_login(investor_user)
    assert client.get(reverse("fund-detail", args=["other"])).status_code == 404


def test_unknown_fund_is_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("fund-detail", args=["nope"])).status_code == 404


def test_fund_pages_need_login(client, fund):
    response = client.get(reverse("fund-detail", args=["tolqyn"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [reverse("fund-list"), reverse("fund-detail", args=["tolqyn"])])
def test_fund_pages_cost_the_same_queries_whatever_the_data_size(client, manager, fund, url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)

    def count():
        cache.clear()  # the fund page keeps its rendered figures: count a first rendering each time
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    ProjectFactory(fund=fund)
    CommitmentFactory(fund=fund)
    client.get(url)  # the first request of a session records its activity (one session write)
    small = count()
    for _ in range(12):
        ProjectFactory(fund=fund)
        CommitmentFactory(fund=fund)
        fund_extra = FundFactory()
        fund_extra.managers.add(manager)
    assert count() == small


def test_page_money_is_formatted_in_tenge_for_the_reader(client, manager, fund):
    client.force_login(manager)
    body = client.get(reverse("fund-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "₸5,500,000,000.00" in body


def test_the_browsers_favicon_request_finds_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("favicon.svg")

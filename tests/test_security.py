"""Security by default around signing in: the lockout sees the client behind our proxy, idle sessions end,
passwords are reset by e-mail, and the strict CSP holds on admin's history pages too."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from fundtracker.proxy import client_ip
from portfolio.middleware import LAST_ACTIVITY
from tests.factories import FundFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"
PROXY = "127.0.0.1"


# --- the client's address behind our proxies ------------------------------------------------------------


def _request(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No proxy of ours: whatever the client writes in the header is ignored.
        (0, "198.51.100.9", PROXY),
        (0, None, PROXY),
        # One proxy appends the peer it saw: the right-most entry, which no client can forge.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        # Two proxies: the second from the right.
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # A request that did not pass through all our proxies: the peer is all we know.
        (2, "203.0.113.7", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_address_is_the_one_our_own_proxies_recorded(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(PROXY, forwarded)) == expected


def _login(client, username, password, address):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1, AXES_FAILURE_LIMIT=5)
def test_bad_passwords_from_one_client_behind_the_proxy_do_not_lock_out_the_real_user(client):
    UserFactory(username="investor")
    for _attempt in range(5):
        _login(client, "investor", "guess", "198.51.100.66")
    # The attacker is locked out...
    assert _login(client, "investor", PASSWORD, "198.51.100.66").status_code == 429
    # ...the real user, behind the same proxy from their own address, is not.
    response = _login(client, "investor", PASSWORD, "203.0.113.7")
    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=0, AXES_FAILURE_LIMIT=5)
def test_without_a_trusted_proxy_count_everyone_behind_a_proxy_shares_one_lockout(client):
    """Why TRUSTED_PROXY_COUNT exists: the README tells deployments behind a proxy to set it."""
    UserFactory(username="investor")
    for _attempt in range(5):
        _login(client, "investor", "guess", "198.51.100.66")
    assert _login(client, "investor", PASSWORD, "203.0.113.7").status_code == 429


# --- sessions end when idle -------------------------------------------------------------------------------


def _age_activity(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


@pytest.mark.django_db
def test_an_idle_session_is_logged_out_on_the_next_request(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(UserFactory())
    assert client.get(reverse("fund-list")).status_code == 200
    _age_activity(client, 30 * 60 + 5)
    response = client.get(reverse("fund-list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "You were logged out after 30 minutes without activity." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_active_session_stays_and_its_activity_is_written_at_most_once_a_minute(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(UserFactory())
    client.get(reverse("fund-list"))
    _age_activity(client, 29 * 60)
    assert client.get(reverse("fund-list")).status_code == 200
    refreshed = client.session[LAST_ACTIVITY]
    assert refreshed >= int(time.time()) - 2
    client.get(reverse("fund-list"))
    # A second request within the minute does not touch the session again.
    assert client.session[LAST_ACTIVITY] == refreshed


@pytest.mark.django_db
def test_token_api_calls_carry_no_session_and_never_time_out(settings):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    settings.SESSION_IDLE_TIMEOUT = 1
    user = UserFactory()
    FundFactory().managers.add(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert api.get("/api/v1/funds/").status_code == 200
    time.sleep(1.1)
    assert api.get("/api/v1/funds/").status_code == 200


# --- password reset by e-mail -----------------------------------------------------------------------------


def _reset_link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_a_password_is_reset_through_a_one_time_link_sent_by_email(client):
    user = UserFactory(username="investor", email="askhat@altyndala.example")
    response = client.post(reverse("password_reset"), {"email": "ASKHAT@altyndala.example"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["askhat@altyndala.example"]
    assert message.subject == "Set a new fundtracker password"
    assert "Your username is investor." in message.body

    form_page = client.get(_reset_link(message), follow=True)
    assert 'id="set-password-form"' in form_page.content.decode()
    new_password = "steppe-wind-over-the-lake-2027"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)

    # The link works once.
    again = client.get(_reset_link(message), follow=True)
    assert 'id="reset-link-invalid"' in again.content.decode()


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    UserFactory(email="someone@example.kz")
    response = client.post(reverse("password_reset"), {"email": "nobody@example.kz"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_reset_email_speaks_the_readers_language(client):
    UserFactory(email="ruslan@example.kz")
    client.post(reverse("password_reset"), {"email": "ruslan@example.kz"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert mail.outbox[0].subject == "Новый пароль для fundtracker"


def test_the_login_page_links_to_the_password_reset(client, db):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


# --- the strict CSP on admin's history pages ----------------------------------------------------------------


def _fund_with_history():
    fund = FundFactory(name="Tolqyn Film Fund OEIC Ltd.")
    fund.name = "Tolqyn Film Fund"
    fund.save()
    return fund


@pytest.mark.django_db
def test_admin_history_pages_carry_no_inline_style(admin_client):
    fund = _fund_with_history()
    body = admin_client.get(reverse("admin:portfolio_fund_history", args=[fund.pk])).content.decode()
    assert "Tolqyn Film Fund" in body
    assert not re.search(r"\sstyle=", body)
    assert "<style" not in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_reports_no_csp_violation_on_an_admin_history_page(live_server, page: Page):
    fund = _fund_with_history()
    get_user_model().objects.create_superuser("root", "root@example.kz", PASSWORD)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")
    page.goto(f"{live_server.url}{reverse('admin:portfolio_fund_history', args=[fund.pk])}")
    expect(page.locator("#change-history")).to_contain_text("Tolqyn Film Fund")
    assert errors == []

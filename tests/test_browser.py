"""A real Chromium logs in through the login page, as a person would."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import FundFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_logs_in_with_a_real_browser_and_lands_in_their_workspace(live_server, page: Page):
    fund = FundFactory(name="Tolqyn Film Fund OEIC Ltd.", slug="tolqyn")
    fund.managers.add(UserFactory(username="manager"))
    errors = []
    page.on(
        "console", lambda message: message.type == "error" and errors.append((message.text, message.location))
    )

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "correct-horse-battery-staple")
    page.click("#login-form [type=submit]")

    # The manager of one fund lands on its workspace dashboard.
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("main")).to_contain_text("Tolqyn Film Fund OEIC Ltd.")
    # Bootstrap is served locally and the strict CSP blocks nothing the page needs.
    assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "flex"
    assert errors == []


def test_language_switch_translates_the_page(live_server, page: Page):
    UserFactory(username="manager")
    page.goto(f"{live_server.url}/accounts/login/")
    page.select_option("#language-select", "ru")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_api_docs_render_from_local_assets_under_the_strict_policy(live_server, page: Page):
    requested_hosts = set()
    errors = []
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/funds/{slug}/progress/")
    # Everything the page loaded came from our own server: no CDN.
    assert requested_hosts == {live_server.url.split("/")[2]}
    # No Content-Security-Policy violation (an inline style or script would be reported here).
    assert errors == []

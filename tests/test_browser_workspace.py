"""The manager workspace in a real Chromium: the dashboard loads under the strict CSP without a console
error and reads on a 390 px phone without sideways scrolling; the schedule's running total follows typing."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portfolio.services.disbursements import disbursement_request
from portfolio.services.progress import progress_snapshot_refresh
from tests import builders as b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery-staple")
    page.click("#login-form [type=submit]")


@pytest.fixture
def busy_fund():
    """A fund with something in every section of the dashboard."""
    t = b.team(slug="tolqyn", name="Tolqyn Film Fund OEIC Ltd.")
    project = b.project(t, title="A Film With A Rather Long Title For A Narrow Screen")
    tranche = b.eligible_tranche(t, project, shares=(Decimal("0.5"), Decimal("0.5")))
    disbursement_request(user=t.approver, tranche=tranche, amount="1000000.00")
    progress_snapshot_refresh(fund_id=t.fund.pk, as_of=timezone.localdate())
    return t, project


def _watch(page: Page) -> list:
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_dashboard_has_no_console_error_and_no_csp_violation(live_server, page: Page, busy_fund):
    t, _project = busy_fund
    errors = _watch(page)
    _log_in(page, live_server, t.manager.username)
    page.goto(f"{live_server.url}/manage/funds/tolqyn/")
    expect(page.locator("#awaiting-approval")).to_contain_text("₸1,000,000.00")
    expect(page.locator("#headline")).to_be_visible()
    # Bootstrap's stylesheet applied (a blocked stylesheet would leave the grid unstyled).
    assert page.evaluate("getComputedStyle(document.querySelector('#headline')).display") == "flex"
    assert errors == []


def test_the_dashboard_reads_at_390_px_without_sideways_scrolling(live_server, page: Page, busy_fund):
    t, _project = busy_fund
    page.set_viewport_size({"width": 390, "height": 844})
    errors = _watch(page)
    _log_in(page, live_server, t.manager.username)
    page.goto(f"{live_server.url}/manage/funds/tolqyn/")
    expect(page.locator("#needs-action")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Nor does any table scroll sideways inside its own box: every element ends within the screen.
    past_the_edge = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 390)"
        ".map(e => e.tagName + '#' + e.id)"
    )
    assert past_the_edge == []
    assert errors == []


def test_the_schedule_running_total_follows_typing(live_server, page: Page, busy_fund):
    t, project = busy_fund
    errors = _watch(page)
    _log_in(page, live_server, t.manager.username)
    page.goto(f"{live_server.url}/manage/funds/tolqyn/projects/{project.pk}/schedule/")
    total = page.locator("#schedule-running-total")
    expect(total).to_have_text("₸300,000,000.00")
    page.fill("#id_tranches-1-amount", "")
    page.fill("#id_tranches-1-share", "10")
    expect(total).to_have_text("₸180,000,000.00")
    assert errors == []

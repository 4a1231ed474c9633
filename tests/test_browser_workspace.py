"""The manager workspace in a real Chromium: the dashboard loads under the strict CSP without a console
error and reads on a 390 px phone without sideways scrolling; the schedule's running total follows typing;
and the manager's day end to end: a schedule set, a tranche requested, approved and paid by the second
manager, and the dashboard's figures move once the real worker has recomputed the snapshot."""

import time
from decimal import Decimal

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from fundtracker.celery import app as celery_application
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


@pytest.fixture(scope="session")
def celery_app():
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start-up check)

    return celery_application


@pytest.fixture(scope="session")
def celery_worker_parameters():
    return {"queues": (celery_application.conf.task_default_queue,), "perform_ping_check": True}


@pytest.fixture
def empty_queue():
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    client.delete(celery_application.conf.task_default_queue)
    yield
    client.delete(celery_application.conf.task_default_queue)


def _headline(page: Page, live_server, name: str) -> str:
    page.goto(f"{live_server.url}/manage/funds/tolqyn/")
    return page.locator(f"#headline-{name} .fw-semibold").inner_text()


def test_schedule_request_approve_pay_and_the_dashboard_moves(
    live_server, page: Page, settings, empty_queue, celery_worker
):
    settings.PROGRESS_RECOMPUTE_DELAY = 0
    t = b.team(slug="tolqyn", name="Tolqyn Film Fund OEIC Ltd.")
    project = b.project(t, title="Steppe Wind", commitment="300000000.00")
    progress_snapshot_refresh(fund_id=t.fund.pk, as_of=timezone.localdate())
    errors = _watch(page)

    # The manager lands on the dashboard, sets the schedule: one tranche due on signing.
    _log_in(page, live_server, t.manager.username)
    expect(page).to_have_url(f"{live_server.url}/manage/funds/tolqyn/")
    assert page.locator("#headline-disbursed .fw-semibold").inner_text() == "₸0.00"
    page.goto(f"{live_server.url}/manage/funds/tolqyn/projects/{project.pk}/")
    page.click("#edit-schedule")
    page.fill("#id_tranches-0-share", "100")
    page.fill("#id_tranches-0-planned_date", "2025-04-01")
    page.fill("#id_tranches-0-trigger_date", "2025-03-03")
    page.click("#schedule-submit")
    expect(page.locator("#tranche-table")).to_contain_text("Eligible")

    # From the dashboard's eligible tranche to a confirmed request.
    page.goto(f"{live_server.url}/manage/funds/tolqyn/")
    page.locator("#eligible-tranches a.btn").click()
    page.fill("#id_amount", "300000000.00")
    page.get_by_role("button", name="Review the request").click()
    expect(page.locator("#confirm-amount")).to_have_text("₸300,000,000.00")
    page.click("#confirm-button")
    page.click("#logout-button")

    # The approver finds it awaiting approval, approves and records the payment.
    _log_in(page, live_server, t.approver.username)
    expect(page.locator("#awaiting-approval")).to_contain_text("₸300,000,000.00")
    page.locator("#awaiting-approval a").first.click()
    page.get_by_role("button", name="Approve").click()
    page.fill("#id_pay_bank_reference", "KZ-0001")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator("#disbursement-status")).to_have_text("Paid")

    # The worker recomputes the snapshot after the commit; the dashboard shows the money out.
    deadline = time.monotonic() + 60
    while _headline(page, live_server, "disbursed") != "₸300,000,000.00" and time.monotonic() < deadline:
        time.sleep(1)
    assert _headline(page, live_server, "disbursed") == "₸300,000,000.00"
    expect(page.locator("#needs-action")).not_to_contain_text("Steppe Wind, tranche 1")
    assert errors == []

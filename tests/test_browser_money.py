"""Four eyes in a real Chromium: `manager` requests a tranche, `approver` (a browser of their own) approves
and pays it, and once the engine has recomputed the fund (the stale mark the payment left, then the
recompute service the task runs) the dashboard's disbursed figure moves. No console error and no CSP
violation on any page on the way."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from portfolio.models import Disbursement, ProgressStaleMark
from portfolio.money import format_money
from portfolio.services.recompute import progress_recompute
from tests import builders as b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"

# Recorded by the page itself (an init script is not subject to the page's CSP): every violation report.
RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class Watched:
    """A page whose console errors and CSP violations are collected across navigations."""

    def __init__(self, page: Page):
        self.page = page
        self.errors = []
        self.violations = []
        page.add_init_script(RECORD_CSP)
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def collect(self):
        self.violations += self.page.evaluate("window.__cspViolations || []")

    def goto(self, url: str):
        self.page.goto(url)
        self.collect()

    def log_in(self, base: str, username: str):
        self.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("#login-form [type=submit]")
        self.page.wait_for_load_state()


@pytest.fixture
def world():
    team = b.team(slug="tolqyn", name="Tolqyn Film Fund OEIC Ltd.")
    for user, name in ((team.manager, "manager"), (team.approver, "approver")):
        user.username = name
        user.save()
    project = b.project(team, title="Steppe Wind")
    tranche = b.eligible_tranche(team, project, shares=(Decimal("0.5"), Decimal("0.5")))
    # The fund's figures as the engine stored them before anything was requested.
    progress_recompute(fund_ids=[team.fund.pk])
    return team, project, tranche


def disbursed_on_dashboard(page: Watched, base: str, slug: str) -> str:
    page.goto(f"{base}/manage/funds/{slug}/")
    return page.page.locator("#headline-disbursed").inner_text()


def test_manager_requests_approver_approves_and_pays_and_the_dashboard_moves(
    live_server, browser: Browser, world
):
    team, project, tranche = world
    base, slug = live_server.url, team.fund.slug
    manager = Watched(browser.new_context().new_page())
    approver = Watched(browser.new_context().new_page())

    manager.log_in(base, "manager")
    before = disbursed_on_dashboard(manager, base, slug)
    assert format_money(Decimal("0")) in before

    # The manager asks for 120,000,000.00 of the first tranche and confirms it on the second page.
    manager.goto(f"{base}/manage/funds/{slug}/projects/{project.pk}/disbursements/new/")
    manager.page.select_option("#id_tranche", str(tranche.pk))
    manager.page.fill("#id_amount", "120000000.00")
    manager.page.click("#submit-id-disbursement-request-form")
    expect(manager.page.locator("#confirm-amount")).to_have_text("₸120,000,000.00")
    manager.collect()
    manager.page.click("#confirm-button")
    expect(manager.page.locator("#waits-for-approver")).to_be_visible()
    expect(manager.page.locator("#disbursement-status")).to_have_text("Requested")
    manager.collect()
    disbursement = Disbursement.objects.get()

    # The approver, in a browser of their own, finds it among the requests and approves it with one click.
    approver.log_in(base, "approver")
    approver.goto(f"{base}/manage/funds/{slug}/disbursements/?status=requested")
    approver.page.click(f"#disbursement-table a[href$='/disbursements/{disbursement.pk}/']")
    approver.page.wait_for_load_state()
    approver.collect()
    expect(approver.page.locator("#disbursement-amount")).to_have_text("₸120,000,000.00")
    approver.page.click("#submit-id-approve-form")
    expect(approver.page.locator("#disbursement-status")).to_have_text("Approved")
    approver.collect()

    # Then records the bank's payment.
    expect(approver.page.locator("#id_pay_paid_date")).to_have_value(timezone.localdate().isoformat())
    approver.page.fill("#id_pay_bank_reference", "KZ-PAY-000777")
    approver.page.click("#submit-id-pay-form")
    expect(approver.page.locator("#disbursement-status")).to_have_text("Paid")
    approver.collect()
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.approved_by, disbursement.bank_reference) == (
        Disbursement.Status.PAID,
        team.approver,
        "KZ-PAY-000777",
    )

    # The payment marked the fund stale in its own transaction; the recompute the task runs picks it up.
    assert ProgressStaleMark.objects.filter(fund=team.fund).exists()
    assert progress_recompute(fund_ids=[team.fund.pk]) >= 1
    after = disbursed_on_dashboard(manager, base, slug)
    assert format_money(Decimal("120000000.00")) in after
    assert after != before

    assert manager.errors == [] and approver.errors == []
    assert manager.violations == [] and approver.violations == []

"""My capital account in a real Chromium: reached from My funds, a date picked, both statements downloaded,
under the strict CSP; at a phone's width nothing is off-screen and axe-core finds nothing serious."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.statements_data import AS_OF, history
from tests.test_browser_portal import AXE, RESULTS, log_in, no_horizontal_overflow, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_investor_reads_their_account_and_downloads_both_statements(
    live_server, page: Page, fund, manager
):
    h = history(fund, manager)
    problems = watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, h.user.username)
    page.goto(f"{live_server.url}/funds/")
    page.click(f"a[href='/funds/{fund.slug}/account/']")
    expect(page.locator("h1")).to_have_text("My capital account")
    page.fill("#id_as_of", AS_OF.isoformat())
    page.click("#as-of-form [type=submit]")
    expect(page.locator("#account-as-of")).to_contain_text("Figures as of 30 June 2026.")
    expect(page.locator("#account-lines tbody tr")).to_have_count(7)

    with page.expect_download() as pdf:
        page.click("#download-pdf")
    assert pdf.value.suggested_filename == f"tolqyn-capital-account-{h.investor.pk}-{AS_OF.isoformat()}.pdf"
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF-")
    with page.expect_download() as csv:
        page.click("#download-csv")
    assert csv.value.suggested_filename.endswith(f"-{AS_OF.isoformat()}.csv")
    assert Path(csv.value.path()).read_bytes().startswith(b"\xef\xbb\xbfsection,key,label")
    assert problems == []
    assert page.evaluate("window.__csp") == []


@pytest.mark.parametrize(("width", "language"), [(1280, "ru"), (390, "kk")])
def test_the_account_fits_the_screen_and_passes_axe(live_server, browser, fund, manager, width, language):
    h = history(fund, manager)
    # axe-core is injected as a script of its own, which the strict policy would block: only this context
    # bypasses the CSP.
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        bypass_csp=True,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    log_in(page, live_server.url, h.user.username)
    page.goto(f"{live_server.url}/funds/{fund.slug}/account/?as_of={AS_OF.isoformat()}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.screenshot(path=RESULTS / f"account-{width}-{language}.png", full_page=True)
    if width == 390:
        no_horizontal_overflow(page, width)
    page.add_script_tag(path=AXE)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
    )
    assert violations == []
    context.close()

"""The investor portal in a real Chromium: login, charts drawn under the strict CSP, languages, a phone's
width, the keyboard, and axe-core's audit."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.portal_data import build_portfolio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = Path(settings.BASE_DIR) / "test-results"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct-horse-battery-staple"
# Records every CSP violation the page reports (an init script runs before the page's own code).
RECORD_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
# How many pixels of a canvas hold something drawn (not fully transparent).
DRAWN_PIXELS = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { drawn += 1; } }
  return drawn;
}"""
CHARTS = ("chart-deployment", "chart-stages", "chart-films")


def watch(page: Page) -> list:
    problems = []
    page.add_init_script(RECORD_CSP)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")


def charts_ready(page: Page, count: int = 3) -> None:
    """Wait for the page's charts from Python: Playwright's in-page polling would eval a string, which the
    strict policy (rightly) refuses."""
    for _attempt in range(100):
        if page.evaluate("() => window.fundCharts ? Object.keys(window.fundCharts).length : 0") == count:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the charts were never drawn")


def no_horizontal_overflow(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def portfolio():
    return build_portfolio(8)


def test_the_investor_logs_in_and_the_charts_draw_under_the_strict_policy(live_server, page: Page, portfolio):
    problems = watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, portfolio.investor.username)

    expect(page.locator("h1")).to_have_text("My funds")
    expect(page.locator('[data-fund="tolqyn"] [data-metric="commitment"]')).to_have_text("₸2,000,000,000.00")
    page.click('[data-fund="tolqyn"] h2 a')
    expect(page.locator("h1")).to_have_text("Tolqyn Film Fund OEIC Ltd.")
    charts_ready(page)
    for chart in CHARTS:
        assert page.evaluate(DRAWN_PIXELS, chart) > 500, chart
    # The films chart shows every film of the snapshot.
    assert page.evaluate("window.fundCharts.films.data.labels.length") == 8
    expect(page.locator("#project-table tbody tr")).to_have_count(8)
    page.screenshot(path=RESULTS / "portal-fund-1280.png", full_page=True)

    page.click("#project-table tbody tr:first-child th a")
    expect(page.locator("#stage-timeline li")).to_have_count(6)
    assert problems == []
    assert page.evaluate("window.__csp") == []


def test_the_language_switches_and_the_charts_follow(live_server, page: Page, portfolio):
    problems = watch(page)
    log_in(page, live_server.url, portfolio.investor.username)
    page.goto(f"{live_server.url}/funds/tolqyn/")
    page.select_option("#language-select", "kk")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("#films-title")).to_have_text("Фильмдер")
    charts_ready(page)
    assert page.evaluate("window.fundCharts.films.data.datasets[1].label") == "Төленгені"
    page.select_option("#language-select", "ru")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#films-title")).to_have_text("Фильмы")
    expect(page.locator("#as-of")).to_contain_text("Данные на")
    assert problems == []
    assert page.evaluate("window.__csp") == []


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (390, "en"), (390, "kk")])
def test_every_portal_page_fits_the_screen_and_passes_axe(live_server, browser, portfolio, width, language):
    # axe-core is injected as a script of its own, which the strict policy would (rightly) block: this
    # context alone bypasses the CSP, the other tests run under it.
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        bypass_csp=True,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    log_in(page, live_server.url, portfolio.investor.username)
    pages = {
        "list": "/funds/",
        "fund": "/funds/tolqyn/",
        "film": f"/funds/tolqyn/films/{portfolio.projects[2].pk}/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(path=RESULTS / f"portal-{name}-{width}-{language}.png", full_page=True)
        if width == 390:
            no_horizontal_overflow(page, width)
        page.add_script_tag(path=AXE)
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
        )
        assert violations == [], (name, violations)
    context.close()


def test_on_a_phone_the_menu_folds_and_log_out_is_reachable_by_keyboard(live_server, page: Page, portfolio):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, portfolio.investor.username)
    page.goto(f"{live_server.url}/funds/tolqyn/")
    expect(page.locator("#logout-button")).to_be_hidden()
    no_horizontal_overflow(page, 390)
    # The first Tab reaches the skip link, which moves focus to the page's content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.locator(".navbar-toggler").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#logout-button")).to_be_visible()
    no_horizontal_overflow(page, 390)
    page.locator("#logout-button").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")

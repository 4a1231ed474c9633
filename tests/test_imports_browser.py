"""The import in a real Chromium: a manager uploads a file, reads the preview, confirms, and the projects are
there; no console error and no CSP violation on the way, and the page does not scroll sideways at 390 px."""

import pytest
from playwright.sync_api import Page, expect

from portfolio.models import Project
from tests import builders as b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "title,slug,total_budget,commitment,approval_date,stage\n"
    "Kókpar,kokpar,900000000.00,300000000.00,2025-02-01,production\n"
    "Steppe,steppe,500000000.00,100000000.00,2025-03-01,\n"
)


def _log_in(page: Page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery-staple")
    page.click("#login-form [type=submit]")


def _watch(page: Page) -> list:
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_a_manager_previews_and_confirms_an_import_at_phone_width(live_server, page: Page, tmp_path):
    t = b.team(slug="tolqyn")
    page.set_viewport_size({"width": 390, "height": 844})
    errors = _watch(page)
    _log_in(page, live_server, t.manager.username)
    page.goto(f"{live_server.url}/manage/funds/tolqyn/")
    page.click("#workspace-nav >> text=Import and export")
    expect(page.locator("#import-upload-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    bad = tmp_path / "projects.csv"
    bad.write_text(CSV.replace("100000000.00", "1e8"), encoding="utf-8")
    page.select_option("#id_kind", "projects")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-upload-form [type=submit]")
    expect(page.locator("#import-refused")).to_contain_text("1 error: nothing was imported.")
    expect(page.locator("#import-rows .import-error")).to_contain_text("without an exponent")

    page.goto(f"{live_server.url}/manage/funds/tolqyn/import/")
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    page.set_input_files("#id_file", str(good))
    page.click("#import-upload-form [type=submit]")
    expect(page.locator("#import-ready")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#import-confirm-form [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("2 rows of good.csv imported.")
    assert sorted(Project.objects.filter(fund=t.fund).values_list("slug", flat=True)) == ["kokpar", "steppe"]
    assert errors == []

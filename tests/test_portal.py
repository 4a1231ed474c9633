"""The investor portal's pages: what they show is the stored snapshot's, in the reader's language."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import CapitalAccount, ProgressSnapshot
from tests.factories import UserFactory
from tests.portal_data import HISTORY, build_portfolio

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


@pytest.fixture
def portfolio():
    return build_portfolio()


def text(fragment: str) -> str:
    # ASCII whitespace only: the no-break spaces of Russian and Kazakh numbers are part of the format.
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip(" ")


def figure(body: str, name: str) -> str:
    """The text of the element carrying data-metric=name (a headline card or a list figure)."""
    match = re.search(rf'data-metric="{name}">(.*?)</(?:div|dd)>', body, re.S)
    assert match, name
    return text(match.group(1))


def page(client, user, url, language="en", **params):
    client.force_login(user)
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def fund_url(slug="tolqyn"):
    return reverse("fund-detail", args=[slug])


def test_the_progress_page_shows_the_snapshots_figures(client, portfolio):
    snapshot = portfolio.fund.progress_snapshots.get(as_of=timezone.localdate())
    metrics = snapshot.metrics
    body = page(client, portfolio.investor, fund_url())

    # The builder's own figures, so a page that read the wrong snapshot (or none) fails here.
    assert metrics["committed_capital"] == "3000000000.00"
    assert figure(body, "target_size").startswith("Target size ₸5,500,000,000.00 ≈ $12,099,879.00")
    assert figure(body, "committed_capital") == (
        "Committed capital ₸3,000,000,000.00 ≈ $6,599,934.00 54.5% of target"
    )
    assert figure(body, "allocated").startswith("Allocated ₸2,499,999,999.99 ≈ $")
    # Disbursed: half of every film's commitment (the first tranche), abandoned one included.
    assert metrics["disbursed"] == "1250000000.01"
    assert figure(body, "disbursed").startswith("Disbursed ₸1,250,000,000.01")
    assert figure(body, "deployment_pct") == "Deployed of committed 41.7%"
    assert figure(body, "deployment_pct_of_target") == "Deployed of target 22.7%"
    pace = Decimal(metrics["pace_ratio"]) * 100
    assert figure(body, "pace_ratio").startswith(f"Pace against plan {pace.quantize(Decimal('0.1'))}%")
    assert "Planned by now: ₸" in figure(body, "pace_ratio")
    projected = datetime.date.fromisoformat(metrics["projected_full_deployment"])
    assert figure(body, "projected_full_deployment") == (
        f"Projected full deployment {projected.day} {projected:%B} {projected.year}"
    )
    assert figure(body, "projects_active") == "Active projects 3 Band 15–20: below the band"
    assert "Figures as of " in body and "rate of ₸454.55 per US$1 on 10 January 2025" in text(body)


def test_every_film_is_listed_with_format_stage_share_and_next_milestone(client, portfolio):
    body = page(client, portfolio.investor, fund_url())
    rows = dict(re.findall(r'<tr data-film="(\d+)">(.*?)</tr>', body, re.S))
    assert sorted(int(pk) for pk in rows) == sorted(film.pk for film in portfolio.projects)
    first, second, third = (text(rows[str(film.pk)]) for film in portfolio.projects)
    assert first.startswith("Дала әні 0 Feature film Development 1/6 50.0%")
    assert second.startswith("Дала әні 1 Documentary Pre-production 2/6 50.0%")
    assert "Tranche 2 (₸416,666,666.67) when Released is reached, planned 1 March 2027" in third
    assert (
        reverse("film-detail", args=["tolqyn", portfolio.projects[0].pk])
        in rows[str(portfolio.projects[0].pk)]
    )


def test_the_charts_data_is_the_stored_month_end_history(client, portfolio):
    body = page(client, portfolio.investor, fund_url())
    data = json.loads(
        re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', body, re.S)[1]
    )
    stored = {s.as_of: s.metrics for s in ProgressSnapshot.objects.filter(fund=portfolio.fund)}
    days = [*HISTORY, timezone.localdate()]
    assert data["deployment"]["labels"] == [f"{day:%m/%d/%Y}" for day in days]
    assert data["deployment"]["disbursed"] == [stored[day]["disbursed"] for day in days]
    assert data["deployment"]["planned"] == [stored[day]["planned_disbursed"] for day in days]
    assert data["films"]["labels"] == [film.title for film in portfolio.projects]
    assert data["stages"]["labels"][:3] == [
        "Development",
        "Pre-production",
        "Production (principal photography)",
    ]
    # No inline script: the data block is JSON, the code is a static file.
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", body) == []
    assert "vendor/chartjs/chart.umd.min.js" in body and "js/fund-progress.js" in body


def test_an_as_of_date_shows_the_snapshot_stored_at_or_before_it(client, portfolio):
    body = page(client, portfolio.investor, fund_url(), as_of="2025-07-15")
    assert "Figures as of 30 June 2025" in text(body)
    stored = portfolio.fund.progress_snapshots.get(as_of=datetime.date(2025, 6, 30)).metrics
    assert figure(body, "committed_capital").startswith("Committed capital ₸3,000,000,000.00")
    assert stored["disbursed"] == "1250000000.01"
    data = json.loads(
        re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', body, re.S)[1]
    )
    assert data["deployment"]["labels"] == ["03/31/2025", "06/30/2025"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "Give the date as YYYY-MM-DD."),
        ("30.11.2026", "Give the date as YYYY-MM-DD."),
        ("9999-12-31", "Enter a date between the years 1900 and 2999."),
        ("2026-01-01\x00", "Give the date as YYYY-MM-DD."),
    ],
)
def test_a_bad_as_of_date_is_a_400_with_the_reason_beside_the_field(client, portfolio, value, message):
    client.force_login(portfolio.investor)
    response = client.get(fund_url(), {"as_of": value})
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'id="as-of-error">\s*' + re.escape(message), body)
    assert 'aria-invalid="true"' in body
    # The latest figures still show.
    assert figure(body, "committed_capital").startswith("Committed capital ₸3,000,000,000.00")


def test_the_film_page_shows_its_timeline_tranches_and_nothing_internal(client, portfolio):
    film = portfolio.projects[1]
    body = page(client, portfolio.investor, reverse("film-detail", args=["tolqyn", film.pk]))
    row = next(
        r
        for r in portfolio.fund.progress_snapshots.get(as_of=timezone.localdate()).metrics["projects"]
        if r["project_id"] == film.pk
    )
    assert row["commitment"] == "833333333.33"
    assert figure(body, "commitment") == "Fund commitment ₸833,333,333.33 ≈ $1,833,315.00"
    assert figure(body, "disbursed_pct") == "Disbursed of commitment 50.0%"
    assert figure(body, "stage") == "Stage Pre-production"
    timeline = text(re.search(r'id="stage-timeline">(.*?)</ol>', body, re.S)[1])
    assert timeline.startswith("Development 1 February 2025 Pre-production 1 May 2025 (current stage)")
    assert "Released to come" in timeline
    tranches = dict(re.findall(r'<tr data-tranche="(\d)"[^>]*>(.*?)</tr>', body, re.S))
    assert text(tranches["1"]).endswith("Paid 1 April 2025")
    assert text(tranches["2"]).startswith("2 next ₸416,666,666.67")
    # Nothing internal: no bank reference, no other investor, no documents or notes.
    bank_reference = film.disbursements.get().bank_reference
    assert bank_reference and bank_reference not in body
    assert portfolio.other_investor_name not in body


def test_the_home_list_shows_the_investors_own_capital_account_and_the_pages_figures(client, portfolio):
    body = page(client, portfolio.investor, reverse("fund-list"))
    account = CapitalAccount.objects.get(
        fund=portfolio.fund, investor__users=portfolio.investor, as_of=timezone.localdate()
    )
    assert account.commitment == Decimal("2000000000.00") and account.paid_in == Decimal("400000000.00")
    assert figure(body, "commitment") == "₸2,000,000,000.00"
    assert figure(body, "paid_in") == "₸400,000,000.00"
    assert figure(body, "unfunded") == "₸1,600,000,000.00"
    assert figure(body, "distributed") == "₸0.00"
    assert figure(body, "nav_share") == f"₸{account.nav_share:,}"
    assert figure(body, "tvpi") == f"{account.tvpi.quantize(Decimal('0.01'))}×"
    assert portfolio.other_investor_name not in body
    # The list's figures are the progress page's.
    detail = page(client, portfolio.investor, fund_url())
    assert figure(body, "committed_capital") in figure(detail, "committed_capital")
    assert figure(body, "projects_active").startswith("3 ")
    assert figure(detail, "projects_active").startswith("Active projects 3 ")
    assert f'href="{fund_url()}"' in body
    assert f'href="{reverse("fund-account", args=["tolqyn"])}"' in body


def test_a_manager_without_an_account_sees_the_fund_without_a_capital_account(client, portfolio):
    body = page(client, portfolio.manager, reverse("fund-list"))
    assert "Tolqyn Film Fund OEIC Ltd." in body
    assert "data-account" not in body
    assert reverse("fund-account", args=["tolqyn"]) not in body


FORMATS = {
    # language: (money, percent, long date of 30 June 2025, legal form)
    "en": ("₸3,000,000,000.00", "41.7%", "30 June 2025", "Private fund (AIFC)"),
    "ru": (
        f"3{NBSP}000{NBSP}000{NBSP}000,00{NBSP}₸",
        f"41,7{NBSP}%",
        "30 июня 2025\u202fг.",
        "Частный фонд (МФЦА)",
    ),
    "kk": (f"3{NBSP}000{NBSP}000{NBSP}000,00{NBSP}₸", "41,7%", "30 маусым 2025 ж.", "Жеке қор (АХҚО)"),
}


@pytest.mark.parametrize("language", FORMATS)
def test_each_page_renders_in_each_language_with_its_formats(client, portfolio, language):
    money, percent, day, legal_form = FORMATS[language]
    body = page(client, portfolio.investor, fund_url(), language, as_of="2025-07-01")
    assert f'<html lang="{language}">' in body
    assert money in figure(body, "committed_capital")
    assert percent in figure(body, "deployment_pct")
    assert day in html.unescape(body)
    assert legal_form in html.unescape(body)
    listing = page(client, portfolio.investor, reverse("fund-list"), language)
    assert legal_form in html.unescape(listing) and money in html.unescape(listing)
    film = page(
        client,
        portfolio.investor,
        reverse("film-detail", args=["tolqyn", portfolio.projects[0].pk]),
        language,
    )
    assert f'<html lang="{language}">' in film
    if language != "en":
        # Translated, not left in English.
        for english in ("Fund commitment", "Stage timeline", "Tranches", "Figures as of"):
            assert english not in film
        for english in ("Deployment over time against the plan", "Next milestone", "Capital account of"):
            assert english not in body + listing


def test_home_sends_each_user_where_their_work_is(client, portfolio):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get("/").url == reverse("admin:index")
    client.force_login(portfolio.investor)
    assert client.get("/").url == reverse("fund-list")
    client.force_login(portfolio.manager)
    assert client.get("/").url == reverse("manage:home")


def test_pages_of_a_fund_not_computed_yet_say_so(client, portfolio):
    from portfolio.models import ProgressSnapshot as Snapshot

    Snapshot.objects.filter(fund=portfolio.fund).delete()
    body = page(client, portfolio.investor, fund_url())
    assert "The figures are being computed; they appear here within a minute." in text(body)
    assert "chart-data" not in body and "fund-progress.js" not in body
    film = page(client, portfolio.investor, reverse("film-detail", args=["tolqyn", portfolio.projects[0].pk]))
    assert figure(film, "commitment") == "Fund commitment —"
    assert "Stage timeline" in film


def test_a_film_approved_after_the_snapshot_shows_its_schedule_without_figures(client, portfolio):
    from tests.factories import ProjectFactory

    late = ProjectFactory(fund=portfolio.fund, title="Жаңа фильм", commitment=Decimal("100000000.00"))
    body = page(client, portfolio.investor, reverse("film-detail", args=["tolqyn", late.pk]))
    assert figure(body, "disbursed") == "Disbursed —"
    assert "Жаңа фильм" not in page(client, portfolio.investor, fund_url())  # not in the stored snapshot yet


def test_a_recompute_shows_at_once_though_the_figures_are_cached(client, portfolio):
    from portfolio.services.progress import progress_snapshot_refresh
    from tests.factories import ProjectFactory

    before = page(client, portfolio.investor, fund_url())
    assert "Новый фильм" not in before
    ProjectFactory(fund=portfolio.fund, title="Новый фильм", commitment=Decimal("100000000.00"))
    assert "Новый фильм" not in page(client, portfolio.investor, fund_url())  # the snapshot is unchanged
    progress_snapshot_refresh(fund_id=portfolio.fund.pk, as_of=timezone.localdate())
    after = page(client, portfolio.investor, fund_url())
    assert "Новый фильм" in after
    assert figure(after, "projects_active").startswith("Active projects 4 ")
    # The same page in another language is its own rendering.
    assert "Фильмдер" in page(client, portfolio.investor, fund_url(), "kk")

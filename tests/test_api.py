"""The read API: who may see which fund, which snapshot answers, what each role sees, and what it costs."""

import datetime
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portfolio.metrics import compute_fund_progress, schema
from portfolio.models import Distribution, ProgressSnapshot, Stage
from portfolio.services.progress import metrics_as_json, progress_snapshot_refresh
from tests.factories import (
    CapitalCallFactory,
    CapitalCallItemFactory,
    CapitalCallPaymentFactory,
    CommitmentFactory,
    DisbursementFactory,
    DistributionFactory,
    DistributionItemFactory,
    FundFactory,
    InvestorFactory,
    ProgressSnapshotFactory,
    ProjectFactory,
    ReceiptFactory,
    StageChangeFactory,
    TrancheFactory,
    UserFactory,
    ValuationFactory,
)

pytestmark = pytest.mark.django_db

FUNDS_URL = "/api/v1/funds/"
D = datetime.date


def progress_url(slug: str) -> str:
    return f"/api/v1/funds/{slug}/progress/"


def history_url(slug: str) -> str:
    return f"/api/v1/funds/{slug}/progress/history/"


def token_client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def investor_user_in(fund, username: str, investor_name: str, amount=Decimal("600000000.00")):
    user = UserFactory(username=username)
    investor = InvestorFactory(name=investor_name)
    investor.users.add(user)
    CommitmentFactory(investor=investor, fund=fund, amount=amount)
    return user, investor


@pytest.fixture
def other_fund():
    return FundFactory(name="Steppe Documentary Fund", slug="steppe-docs")


@pytest.fixture
def investor_pair(fund):
    return investor_user_in(fund, "altyn", "Altyn Dala Capital")


@pytest.fixture
def investor_user(investor_pair):
    return investor_pair[0]


@pytest.fixture
def investor(investor_pair):
    return investor_pair[1]


@pytest.fixture
def fellow_investor(fund):
    """Another investor of the same fund, whose identity the first one must never see."""
    return investor_user_in(fund, "qazaq", "Qazaq Media Holding", amount=Decimal("400000000.00"))[1]


@pytest.fixture
def outsider(other_fund):
    return investor_user_in(other_fund, "outsider", "Outsider Capital")[0]


@pytest.fixture
def staff():
    """A superuser: the only role that sees every fund."""
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def ledger(fund, investor, fellow_investor):
    """A little real money in the fund: a paid call, two projects with paid disbursements."""
    call = CapitalCallFactory(fund=fund, amount=Decimal("100000000.00"), call_date=D(2025, 3, 1))
    for who, amount in ((investor, Decimal("60000000.00")), (fellow_investor, Decimal("40000000.00"))):
        item = CapitalCallItemFactory(capital_call=call, investor=who, amount=amount)
        CapitalCallPaymentFactory(item=item, amount=amount, date=D(2025, 3, 10))
    requester, approver = UserFactory(), UserFactory()
    for title, paid_date in (("Дала әні", D(2025, 4, 1)), ("Степной ветер", D(2026, 2, 1))):
        project = ProjectFactory(fund=fund, title=title, approval_date=D(2025, 3, 15))
        DisbursementFactory(
            project=project,
            paid=True,
            paid_date=paid_date,
            amount=Decimal("30000000.00"),
            requested_by=requester,
            approved_by=approver,
        )
    return fund


def _slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


# --- /api/v1/funds/ -------------------------------------------------------------------------------------


def test_anonymous_request_for_the_fund_list_gets_401_with_a_token_challenge(fund):
    response = APIClient().get(FUNDS_URL)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_fund_list_is_paginated_with_a_count_and_results(manager, fund):
    response = token_client(manager).get(FUNDS_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["slug"] == "tolqyn"
    assert body["results"][0]["target_size"] == "5500000000.00"


def test_manager_lists_only_the_funds_they_manage(manager, fund, other_fund):
    assert _slugs(token_client(manager).get(FUNDS_URL)) == ["tolqyn"]


def test_investor_lists_only_the_funds_their_investor_committed_to(investor_user, fund, other_fund):
    FundFactory(slug="third")
    assert _slugs(token_client(investor_user).get(FUNDS_URL)) == ["tolqyn"]


def test_superusers_list_every_fund(staff, fund, other_fund):
    assert _slugs(token_client(staff).get(FUNDS_URL)) == ["steppe-docs", "tolqyn"]


def test_staff_status_alone_shows_no_fund(fund, other_fund):
    clerk = UserFactory(username="clerk", is_staff=True)
    assert _slugs(token_client(clerk).get(FUNDS_URL)) == []
    assert token_client(clerk).get(progress_url("tolqyn")).status_code == 404


def test_a_staff_manager_of_one_fund_lists_only_that_fund(fund, other_fund):
    boss = UserFactory(username="boss-of-docs", is_staff=True)
    other_fund.managers.add(boss)
    assert _slugs(token_client(boss).get(FUNDS_URL)) == ["steppe-docs"]
    assert token_client(boss).get(progress_url("tolqyn")).status_code == 404


def test_user_with_no_role_lists_no_funds(fund):
    response = token_client(UserFactory()).get(FUNDS_URL)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_fund_reached_by_several_routes_is_listed_once(fund, manager):
    # The same user manages the fund and is a portal user of two of its investors.
    for name in ("First LP", "Second LP"):
        investor = InvestorFactory(name=name)
        investor.users.add(manager)
        CommitmentFactory(investor=investor, fund=fund)
    response = token_client(manager).get(FUNDS_URL)
    assert response.json()["count"] == 1
    assert _slugs(response) == ["tolqyn"]


def test_token_authentication_identifies_the_user(manager, fund):
    response = token_client(manager).get(FUNDS_URL)
    assert response.status_code == 200
    assert _slugs(response) == ["tolqyn"]


def test_a_wrong_token_is_refused(manager, fund):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(FUNDS_URL).status_code == 401


def test_session_login_also_works_for_the_browser(manager, fund, client):
    client.force_login(manager)
    assert client.get(FUNDS_URL).json()["count"] == 1


# --- /api/v1/funds/{slug}/progress/ -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["investor_user", "manager", "staff"])
def test_people_with_a_role_in_the_fund_get_its_progress(request, who, ledger):
    response = token_client(request.getfixturevalue(who)).get(progress_url("tolqyn"), {"as_of": "2026-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert body["fund"] == "tolqyn"
    assert body["metrics"]["committed_capital"] == "1000000000.00"
    assert body["metrics"]["disbursed"] == "60000000.00"


def test_investor_of_another_fund_gets_404_for_the_progress(outsider, ledger):
    assert token_client(outsider).get(progress_url("tolqyn")).status_code == 404


def test_unknown_fund_progress_is_404(manager):
    assert token_client(manager).get(progress_url("no-such-fund")).status_code == 404


def test_anonymous_request_for_progress_gets_401(fund):
    assert APIClient().get(progress_url("tolqyn")).status_code == 401


def test_progress_answers_with_the_latest_snapshot_at_or_before_the_date(manager, fund):
    ProgressSnapshotFactory(fund=fund, as_of=D(2026, 1, 31), metrics={"committed_capital": "100.00"})
    ProgressSnapshotFactory(fund=fund, as_of=D(2026, 2, 28), metrics={"committed_capital": "200.00"})
    ProgressSnapshotFactory(fund=fund, as_of=D(2025, 12, 31), metrics={"committed_capital": "50.00"})

    body = token_client(manager).get(progress_url("tolqyn"), {"as_of": "2026-02-15"}).json()

    assert body["source"] == "snapshot"
    assert body["as_of"] == "2026-01-31"
    assert body["requested_as_of"] == "2026-02-15"
    assert body["metrics"]["committed_capital"] == "100.00"


def test_progress_on_a_snapshot_date_uses_that_snapshot(manager, ledger):
    progress_snapshot_refresh(fund_id=ledger.pk, as_of=D(2026, 1, 31))
    progress_snapshot_refresh(fund_id=ledger.pk, as_of=D(2026, 2, 28))

    body = token_client(manager).get(progress_url("tolqyn"), {"as_of": "2026-02-28"}).json()

    assert (body["source"], body["as_of"]) == ("snapshot", "2026-02-28")
    # The second disbursement was paid on 2026-02-01: in the February snapshot, not the January one.
    assert body["metrics"]["disbursed"] == "60000000.00"
    january = token_client(manager).get(progress_url("tolqyn"), {"as_of": "2026-02-27"}).json()
    assert (january["as_of"], january["metrics"]["disbursed"]) == ("2026-01-31", "30000000.00")


def test_progress_without_a_date_means_today(manager, fund):
    today = timezone.localdate()
    ProgressSnapshotFactory(fund=fund, as_of=today - datetime.timedelta(days=1))
    ProgressSnapshotFactory(fund=fund, as_of=today + datetime.timedelta(days=1))

    body = token_client(manager).get(progress_url("tolqyn")).json()

    assert body["requested_as_of"] == today.isoformat()
    assert (body["source"], body["as_of"]) == ("snapshot", (today - datetime.timedelta(days=1)).isoformat())


def test_live_progress_is_computed_now_even_when_a_snapshot_exists(manager, ledger):
    ProgressSnapshotFactory(fund=ledger, as_of=D(2026, 6, 30), metrics={"committed_capital": "1.00"})

    body = token_client(manager).get(progress_url("tolqyn"), {"as_of": "2026-06-30", "live": "1"}).json()

    assert body["source"] == "live"
    assert body["as_of"] == "2026-06-30"
    assert body["metrics"]["committed_capital"] == "1000000000.00"
    assert body["metrics"]["paid_in"] == "100000000.00"


def test_progress_is_computed_live_when_no_snapshot_is_that_old(manager, ledger):
    ProgressSnapshotFactory(fund=ledger, as_of=D(2026, 2, 28), metrics={"committed_capital": "1.00"})

    body = token_client(manager).get(progress_url("tolqyn"), {"as_of": "2026-01-15"}).json()

    assert body["source"] == "live"
    assert body["as_of"] == "2026-01-15"
    assert body["metrics"]["disbursed"] == "30000000.00"


@pytest.mark.parametrize("live", [None, "1"])
def test_progress_before_the_fund_existed_is_the_zero_state(manager, ledger, live):
    params = {"as_of": "2024-06-30"} | ({"live": live} if live else {})

    response = token_client(manager).get(progress_url("tolqyn"), params)

    assert response.status_code == 200
    metrics = response.json()["metrics"]
    assert metrics["committed_capital"] == "0.00"
    assert metrics["disbursed"] == "0.00"
    assert metrics["paid_in"] == "0.00"
    assert metrics["nav"] == "0.00"
    assert metrics["projects_active"] == 0
    for ratio in ("dpi", "rvpi", "tvpi", "net_irr", "pace_ratio", "projected_full_deployment"):
        assert metrics[ratio] is None, ratio
    assert metrics["investors"] == []
    assert metrics["projects"] == []


@pytest.mark.parametrize("as_of", ["2026-13-01", "yesterday", "2026-02-30", "31.01.2026"])
def test_a_malformed_as_of_is_a_400_that_names_the_parameter(manager, fund, as_of):
    response = token_client(manager).get(progress_url("tolqyn"), {"as_of": as_of})
    assert response.status_code == 400
    assert "as_of" in response.json()
    assert "YYYY-MM-DD" in response.json()["as_of"][0]


def test_a_date_at_the_end_of_the_calendar_is_not_a_server_error(manager, fund):
    client = token_client(manager)
    client.raise_request_exception = False
    response = client.get(progress_url("tolqyn"), {"as_of": "9999-12-31"})
    assert response.status_code in (200, 400)


def _investor_row_pattern(investor_id: int) -> re.Pattern:
    return re.compile(rf'"investor_id":\s*{investor_id}\b')


@pytest.mark.parametrize("live", [False, True])
def test_investor_sees_only_their_own_row_among_the_investors(
    investor_user, investor, fellow_investor, ledger, live
):
    if not live:
        progress_snapshot_refresh(fund_id=ledger.pk, as_of=D(2026, 6, 30))
    params = {"as_of": "2026-06-30"} | ({"live": "1"} if live else {})

    response = token_client(investor_user).get(progress_url("tolqyn"), params)

    body = response.content.decode()
    assert response.json()["source"] == ("live" if live else "snapshot")
    rows = response.json()["metrics"]["investors"]
    assert [row["investor_id"] for row in rows] == [investor.pk]
    assert rows[0]["paid_in"] == "60000000.00"
    assert "Qazaq Media Holding" not in body
    assert not _investor_row_pattern(fellow_investor.pk).search(body)
    assert str(fellow_investor.pk) not in {str(value) for row in rows for value in row.values()}


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_managers_see_every_investor_row(request, who, investor, fellow_investor, ledger):
    progress_snapshot_refresh(fund_id=ledger.pk, as_of=D(2026, 6, 30))

    body = token_client(request.getfixturevalue(who)).get(progress_url("tolqyn"), {"as_of": "2026-06-30"})

    rows = body.json()["metrics"]["investors"]
    assert {row["investor"] for row in rows} == {"Altyn Dala Capital", "Qazaq Media Holding"}
    assert {row["investor_id"] for row in rows} == {investor.pk, fellow_investor.pk}


# --- /api/v1/funds/{slug}/progress/history/ -----------------------------------------------------------


HISTORY_FIELDS = {"as_of", "computed_at", *schema.names(schema.SERIES)}


@pytest.fixture
def history(ledger):
    # Stored out of order on purpose: the series must come back oldest first.
    for day in (D(2026, 3, 31), D(2026, 1, 31), D(2026, 2, 28), D(2025, 12, 31)):
        progress_snapshot_refresh(fund_id=ledger.pk, as_of=day)
    return ledger


def test_history_is_the_stored_snapshots_oldest_first(manager, history):
    points = token_client(manager).get(history_url("tolqyn")).json()["results"]

    assert [point["as_of"] for point in points] == ["2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31"]
    assert set(points[0]) == HISTORY_FIELDS
    assert [point["disbursed"] for point in points] == [
        "30000000.00",
        "30000000.00",
        "60000000.00",
        "60000000.00",
    ]
    assert points[-1]["committed_capital"] == "1000000000.00"
    assert points[-1]["paid_in"] == "100000000.00"


def test_history_figures_are_the_snapshot_figures_as_strings(manager, history):
    stored = ProgressSnapshot.objects.get(fund=history, as_of=D(2026, 3, 31)).metrics
    point = token_client(manager).get(history_url("tolqyn")).json()["results"][-1]

    for metric in schema.SERIES:
        assert point[metric.name] == stored[metric.name], metric.name
        # Amounts and ratios as strings (never floats), counts as whole numbers.
        kind = int if metric.kind == schema.COUNT else str
        assert point[metric.name] is None or isinstance(point[metric.name], kind), metric.name
    assert point["pace_ratio"] is not None
    Decimal(point["pace_ratio"])


def test_history_carries_no_investor_or_project_detail(investor_user, history):
    body = token_client(investor_user).get(history_url("tolqyn")).content.decode()
    assert "investor" not in body
    assert "Qazaq Media Holding" not in body
    assert "Дала әні" not in body


def test_history_filters_by_from_and_to_inclusive(manager, history):
    client = token_client(manager)
    points = client.get(history_url("tolqyn"), {"from": "2026-01-31", "to": "2026-02-28"}).json()["results"]
    assert [point["as_of"] for point in points] == ["2026-01-31", "2026-02-28"]
    assert [
        p["as_of"] for p in client.get(history_url("tolqyn"), {"from": "2026-02-01"}).json()["results"]
    ] == [
        "2026-02-28",
        "2026-03-31",
    ]
    assert [
        p["as_of"] for p in client.get(history_url("tolqyn"), {"to": "2026-01-30"}).json()["results"]
    ] == ["2025-12-31"]


def test_history_of_another_fund_is_not_mixed_in(manager, history, other_fund):
    progress_snapshot_refresh(fund_id=other_fund.pk, as_of=D(2026, 1, 15))
    points = token_client(manager).get(history_url("tolqyn")).json()["results"]
    assert "2026-01-15" not in [point["as_of"] for point in points]
    assert len(points) == 4


def test_history_with_a_malformed_date_is_a_400_naming_it(manager, history):
    response = token_client(manager).get(history_url("tolqyn"), {"from": "2026-02-31"})
    assert response.status_code == 400
    assert "from" in response.json()


def test_investor_of_another_fund_gets_404_for_the_history(outsider, history):
    assert token_client(outsider).get(history_url("tolqyn")).status_code == 404


def test_anonymous_request_for_history_gets_401(history):
    assert APIClient().get(history_url("tolqyn")).status_code == 401


# --- Query counts: the same whatever the size of the fund ---------------------------------------------


SNAPSHOT_DAY = D(2026, 6, 30)


def build_fund(slug: str, *, projects: int, investors: int, disbursements: int, snapshots: int):
    """A fund with a manager and an investor user, money on every ledger, and `snapshots` snapshots."""
    fund = FundFactory(slug=slug, name=f"Fund {slug}")
    manager = UserFactory(username=f"{slug}-manager")
    fund.managers.add(manager)
    requester, approver = UserFactory(), UserFactory()

    call = CapitalCallFactory(fund=fund, amount=Decimal("1000000.00") * investors)
    distribution = DistributionFactory(fund=fund, date=D(2026, 5, 1))
    lps = []
    for number in range(investors):
        investor = InvestorFactory(name=f"{slug} LP {number}")
        lps.append(investor)
        CommitmentFactory(investor=investor, fund=fund, amount=Decimal("10000000.00"))
        item = CapitalCallItemFactory(capital_call=call, investor=investor, amount=Decimal("1000000.00"))
        CapitalCallPaymentFactory(item=item, amount=Decimal("1000000.00"), date=D(2025, 3, 10))
        DistributionItemFactory(distribution=distribution, investor=investor, amount=Decimal("10000.00"))
    # Items go in while the distribution is planned: the database refuses new items on a paid one.
    distribution.status = Distribution.Status.PAID
    distribution.save()
    investor_user = UserFactory(username=f"{slug}-investor")
    lps[0].users.add(investor_user)

    for number in range(projects):
        project = ProjectFactory(fund=fund, commitment=Decimal("10000000.00"), stage=Stage.PRODUCTION)
        StageChangeFactory(project=project, stage=Stage.PRODUCTION, date=D(2025, 6, 1))
        tranche = TrancheFactory(project=project, planned_date=D(2026, 8, 1), number=1)
        for _ in range(disbursements):
            DisbursementFactory(
                project=project,
                tranche=tranche,
                paid=True,
                paid_date=D(2025, 4, 1),
                amount=Decimal("100000.00"),
                requested_by=requester,
                approved_by=approver,
            )
        ReceiptFactory(project=project, amount=Decimal("5000.00"))
        if number % 2:
            ValuationFactory(project=project, amount=Decimal("300000.00"))

    metrics = metrics_as_json(compute_fund_progress(fund, SNAPSHOT_DAY))
    ProgressSnapshot.objects.bulk_create(
        [
            ProgressSnapshot(fund=fund, as_of=SNAPSHOT_DAY - datetime.timedelta(days=day), metrics=metrics)
            for day in range(snapshots)
        ]
    )
    return fund, manager, investor_user


@pytest.fixture
def small_and_large():
    small = build_fund("small", projects=3, investors=2, disbursements=2, snapshots=3)
    large = build_fund("large", projects=60, investors=40, disbursements=5, snapshots=30)
    return small, large


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


# Exact query counts (token, fund, role checks, data); the same for 3 projects and 60.
ENDPOINTS = {
    "fund list": (lambda slug: FUNDS_URL, {}, {"manager": 3, "investor": 3}),
    # The snapshot, then the capital accounts stored with it (their own table).
    "progress from a snapshot": (
        progress_url,
        {"as_of": SNAPSHOT_DAY.isoformat()},
        {"manager": 5, "investor": 7},
    ),
    "live progress": (
        progress_url,
        # The live computation: 11 ledger reads and the capital accounts staged, rated and read back.
        {"as_of": SNAPSHOT_DAY.isoformat(), "live": "1"},
        {"manager": 20, "investor": 22},
    ),
    "progress history": (history_url, {}, {"manager": 4, "investor": 4}),
}


@pytest.mark.parametrize("role", ["manager", "investor"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_api_costs_the_same_number_of_queries_for_a_small_and_a_large_fund(small_and_large, role, endpoint):
    url_of, params, expected = ENDPOINTS[endpoint]
    counts = []
    for fund, manager, investor_user in small_and_large:
        client = token_client(manager if role == "manager" else investor_user)
        client.get(url_of(fund.slug), params)  # warm-up: nothing per-process may sneak into the count
        counts.append(count_queries(client, url_of(fund.slug), params))
    assert counts == [expected[role]] * 2, f"{endpoint}: {counts} queries for the small and the large fund"


def test_the_large_fund_really_is_large(small_and_large):
    # Guards the query-count test against a fixture that silently built two small funds.
    (_small, _m, _i), (large, manager, _investor) = small_and_large
    body = token_client(manager).get(progress_url(large.slug), {"as_of": "2026-06-30", "live": "1"}).json()
    assert body["metrics"]["projects_active"] == 60
    assert len(body["metrics"]["investors"]) == 40
    assert body["metrics"]["disbursed"] == "30000000.00"
    assert token_client(manager).get(history_url(large.slug)).json()["count"] == 30


# --- OpenAPI schema and docs ---------------------------------------------------------------------------


def test_schema_is_an_openapi_document_with_the_fund_paths(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/funds/",
        "/api/v1/funds/{slug}/progress/",
        "/api/v1/funds/{slug}/progress/history/",
    } <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/funds/{slug}/progress/"]["get"]["parameters"]}
    assert {"slug", "as_of", "live"} <= parameters


def test_schema_is_served_as_yaml_by_default(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert "/api/v1/funds/{slug}/progress/history/:" in response.content.decode()


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.inline_scripts: list[str] = []
        self.inline_styles: list[str] = []
        self._open: tuple[str, bool] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name):
                self.urls.append((tag, attrs[name]))
        if tag in ("script", "style"):
            self._open = (tag, bool(attrs.get("src")))
            if tag == "script" and not attrs.get("src"):
                self.inline_scripts.append("")

    def handle_data(self, data):
        if self._open == ("script", False):
            self.inline_scripts[-1] += data
        elif self._open and self._open[0] == "style":
            self.inline_styles.append(data)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._open = None


@pytest.fixture
def docs_page(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    tags = _Tags()
    tags.feed(response.content.decode())
    return response, tags


def test_docs_page_loads_its_scripts_and_styles_from_our_own_static_files(docs_page):
    response, tags = docs_page
    body = response.content.decode()
    assert "http://" not in body and "https://" not in body
    assert tags.urls, "the page should reference its Swagger UI assets"
    for _tag, url in tags.urls:
        parsed = urlparse(url)
        assert (parsed.scheme, parsed.netloc) == ("", ""), url
    scripts = [url for tag, url in tags.urls if tag == "script"]
    assert any(url.startswith("/static/") and "swagger-ui-bundle" in url for url in scripts), scripts
    assert all(url.startswith(("/static/", "/api/docs/")) for url in scripts), scripts
    stylesheets = [url for tag, url in tags.urls if tag == "link"]
    assert all(url.startswith("/static/") for url in stylesheets), stylesheets


def test_docs_page_has_no_inline_script_under_its_strict_policy(docs_page):
    response, tags = docs_page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert [code for code in tags.inline_scripts if code.strip()] == []


def test_docs_page_has_no_inline_style_under_its_strict_policy(docs_page):
    response, tags = docs_page
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert [css for css in tags.inline_styles if css.strip()] == []


def test_docs_script_is_served_separately_and_points_at_our_schema(docs_page, client):
    _response, tags = docs_page
    (script_url,) = [url for tag, url in tags.urls if tag == "script" and url.startswith("/api/docs/")]
    script = client.get(script_url)
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert "/api/schema/" in script.content.decode()


def test_docs_static_assets_exist(docs_page):
    _response, tags = docs_page
    for _tag, url in tags.urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url

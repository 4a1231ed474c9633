"""My capital account: who may read it, the stored figures it shows, its date, its cost in queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portfolio.formats import format_multiple, format_pct
from portfolio.models import Investor
from portfolio.money import format_money
from tests.factories import CommitmentFactory, FundFactory, InvestorFactory, UserFactory
from tests.statements_data import AS_OF, FIRST_MONTH_END, history, stored

pytestmark = pytest.mark.django_db

URL_NAMES = ("fund-account", "fund-account-csv", "fund-account-pdf")


@pytest.fixture
def h(fund, manager):
    return history(fund, manager)


def url(name, slug="tolqyn", **params):
    from urllib.parse import urlencode

    base = reverse(name, kwargs={"slug": slug})
    return f"{base}?{urlencode(params)}" if params else base


# --- who may read it ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_is_sent_to_log_in(client, h, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", URL_NAMES)
def test_investor_reads_their_own_account(client, h, name):
    client.force_login(h.user)
    response = client.get(url(name, as_of=AS_OF.isoformat()))
    assert response.status_code == 200
    if name == "fund-account":
        assert h.investor.name in response.content.decode()
        assert "Other Capital LLP" not in response.content.decode()


@pytest.mark.parametrize("name", URL_NAMES)
def test_investor_cannot_name_another_investor(client, h, name):
    client.force_login(h.user)
    assert client.get(url(name, investor=h.other.pk)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_outsider_gets_404(client, h, name):
    outsider = UserFactory(username="outsider")
    elsewhere = InvestorFactory()
    elsewhere.users.add(outsider)
    CommitmentFactory(investor=elsewhere, fund=FundFactory(slug="steppe-docs"))
    client.force_login(outsider)
    assert client.get(url(name)).status_code == 404
    assert client.get(url(name, investor=h.investor.pk)).status_code == 404
    # Their own fund has an account of theirs, but not Tolqyn's investor's.
    assert client.get(url(name, slug="steppe-docs")).status_code == 200
    assert client.get(url(name, slug="steppe-docs", investor=h.investor.pk)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_manager_reads_an_investors_account_only_by_naming_them(client, h, manager, name):
    client.force_login(manager)
    # A manager has no account of their own here.
    assert client.get(url(name)).status_code == 404
    response = client.get(url(name, investor=h.investor.pk))
    assert response.status_code == 200
    # An investor of another fund is not in this fund: 404, not their account.
    stranger = CommitmentFactory(fund=FundFactory()).investor
    assert client.get(url(name, investor=stranger.pk)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_staff_who_manage_nothing_get_404(client, h, name):
    staff = UserFactory(username="staffer", is_staff=True)
    client.force_login(staff)
    assert client.get(url(name)).status_code == 404
    assert client.get(url(name, investor=h.investor.pk)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_manager_of_another_fund_gets_404(client, h, name):
    other_manager = UserFactory(username="elsewhere", is_staff=True)
    FundFactory().managers.add(other_manager)
    client.force_login(other_manager)
    assert client.get(url(name, investor=h.investor.pk)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_superuser_reads_any_investors_account(client, h, name):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(url(name)).status_code == 404
    assert client.get(url(name, investor=h.investor.pk)).status_code == 200


@pytest.mark.parametrize("junk", ["abc", "1e3", "٣", "-1", "1\x00", "", "9" * 30])
@pytest.mark.parametrize("name", URL_NAMES)
def test_a_malformed_investor_parameter_is_a_404(client, h, manager, name, junk):
    client.force_login(manager)
    assert client.get(url(name, investor=junk)).status_code == 404


def test_unknown_fund_and_junk_slug_are_404(client, h):
    client.force_login(h.user)
    assert client.get("/funds/nope/account/").status_code == 404
    assert client.get("/funds/tolqyn%00/account/").status_code == 404


def test_a_user_with_two_investors_in_the_fund_picks_either(client, h, fund):
    second = InvestorFactory(name="Aaa Family Office")
    second.users.add(h.user)
    CommitmentFactory(fund=fund, investor=second)
    client.force_login(h.user)
    first = client.get(url("fund-account"))
    assert first.context["statement"].investor == second  # first by name
    assert f"investor={h.investor.pk}" in first.content.decode()
    chosen = client.get(url("fund-account", investor=h.investor.pk))
    assert chosen.context["statement"].investor == h.investor


# --- the figures are the stored row ---------------------------------------------------------------------


def _shown(response, metric):
    body = response.content.decode()
    start = body.index(f'id="figure-{metric}"')
    return body[start : body.index("</tr>", start)]


def test_the_page_shows_the_stored_capital_account(client, h):
    client.force_login(h.user)
    response = client.get(url("fund-account", as_of=AS_OF.isoformat()))
    row = stored(h)
    assert row.paid_in > 0 and row.distributed > 0 and row.tvpi is not None  # the history is not empty
    for name in ("commitment", "paid_in", "unfunded", "distributed", "nav_share"):
        assert format_money(getattr(row, name)) in _shown(response, name), name
    for name in ("dpi", "rvpi", "tvpi"):
        assert format_multiple(getattr(row, name)) in _shown(response, name), name
    assert format_pct(row.net_irr) in _shown(response, "net_irr")


def test_a_date_between_stored_rows_reads_the_latest_before_it_and_says_so(client, h):
    client.force_login(h.user)
    response = client.get(url("fund-account", as_of="2026-05-15"))
    statement = response.context["statement"]
    assert statement.account == stored(h, FIRST_MONTH_END)
    body = response.content.decode()
    assert "Figures as of 31 December 2025" in body
    assert "latest stored on or before 15 May 2026" in body
    # The lines stop at the figures' date: the distribution of March 2026 is not listed yet.
    assert not [line for line in statement.lines if line.kind == "distribution"]
    assert format_money(stored(h, FIRST_MONTH_END).paid_in) in _shown(response, "paid_in")


def test_lines_are_the_investors_own_calls_payments_and_distributions(client, h):
    client.force_login(h.user)
    statement = client.get(url("fund-account", as_of=AS_OF.isoformat())).context["statement"]
    kinds = [line.kind for line in statement.lines]
    # Calls on 1, 4 and 7 February 2025, each paid a week later, then the distribution of March 2026.
    assert kinds == ["capital_call"] * 3 + ["payment"] * 3 + ["distribution"]
    assert [line.date for line in statement.lines] == sorted(line.date for line in statement.lines)
    # 2:3 split of each 10,000,000 call and of the 5,000,000 distribution.
    assert {line.amount for line in statement.lines if line.kind != "distribution"} == {Decimal("4000000.00")}
    assert [line.amount for line in statement.lines if line.kind == "distribution"] == [Decimal("2000000.00")]


def test_before_any_stored_row_the_page_says_none_is_computed(client, h):
    client.force_login(h.user)
    response = client.get(url("fund-account", as_of="2025-01-31"))
    assert response.status_code == 200
    assert response.context["statement"].account is None
    body = response.content.decode()
    assert "No capital account has been computed on or before this date yet." in body
    assert 'id="account-figures"' not in body


def test_an_investor_with_no_activity_sees_so(client, fund):
    user = UserFactory(username="newcomer")
    investor = InvestorFactory(name="Newcomer")
    investor.users.add(user)
    CommitmentFactory(fund=fund, investor=investor)
    client.force_login(user)
    body = client.get(url("fund-account")).content.decode()
    assert "No capital has been called from this investor and nothing has been distributed yet." in body


# --- the date asked for ----------------------------------------------------------------------------------


TAMPERED = [
    "2026-02-30",
    "20260101",
    "٢٠٢٦-01-01",
    "9999-12-31",
    "1899-12-31",
    "2026-1-1",
    "x" * 500,
    "2026-01-01\x00",
    "'; DROP TABLE",
    "31.01.2026",
]


@pytest.mark.parametrize("value", TAMPERED)
def test_a_tampered_date_is_a_400_with_the_reason_beside_the_field_and_today_shown(client, h, value):
    client.force_login(h.user)
    response = client.get(url("fund-account", as_of=value))
    assert response.status_code == 400
    assert response.context["form"].errors["as_of"]
    assert "invalid-feedback" in response.content.decode()
    assert response.context["statement"].requested == timezone.localdate()


@pytest.mark.parametrize("name", URL_NAMES)
def test_a_blank_date_means_today(client, h, name):
    client.force_login(h.user)
    response = client.get(url(name, as_of=""))
    assert response.status_code == 200
    if name == "fund-account":
        assert response.context["statement"].requested == timezone.localdate()


def test_a_future_date_is_refused(client, h):
    client.force_login(h.user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.get(url("fund-account", as_of=tomorrow.isoformat()))
    assert response.status_code == 400
    assert "Choose today or an earlier date" in response.content.decode()


@pytest.mark.parametrize("value", TAMPERED)
@pytest.mark.parametrize("name", ["fund-account-csv", "fund-account-pdf"])
def test_a_tampered_date_on_a_download_is_a_400_with_the_reason(client, h, name, value):
    client.force_login(h.user)
    response = client.get(url(name, as_of=value))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content


def test_the_refusal_is_in_the_readers_language(client, h):
    client.force_login(h.user)
    body = client.get(url("fund-account", as_of="junk"), HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    with translation.override("kk"):
        from portfolio.statements.forms import MESSAGES

        assert str(MESSAGES["format"]) in body
    assert "ЖЖЖЖ-АА-КК" in body and "YYYY-MM-DD" not in body


# --- languages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, heading, date",
    [
        ("en", "My capital account", "30 June 2026"),
        ("ru", "Мой счёт капитала", "30 июня 2026"),
        ("kk", "Менің капитал шотым", "30 маусым 2026"),
    ],
)
def test_the_page_renders_in_each_language(client, h, language, heading, date):
    client.force_login(h.user)
    response = client.get(url("fund-account", as_of=AS_OF.isoformat()), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    assert heading in body and date in body
    with translation.override(language):
        assert format_money(stored(h).paid_in) in body


# --- queries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("calls", [3, 60])
def test_the_page_costs_the_same_queries_for_3_and_60_calls(
    client, fund, manager, django_assert_num_queries, calls
):
    h = history(fund, manager, calls=calls)
    client.force_login(h.user)
    client.get(url("fund-account"))  # the session's first request writes its activity time
    # session, user, fund, the user's investors, the stored row, calls, payments, distributions
    with django_assert_num_queries(8):
        response = client.get(url("fund-account", as_of=AS_OF.isoformat()))
    assert len(response.context["statement"].lines) == 2 * calls + 1


@pytest.mark.parametrize("calls", [3, 60])
def test_a_manager_naming_an_investor_costs_fixed_queries(
    client, fund, manager, django_assert_num_queries, calls
):
    history(fund, manager, calls=calls)
    investor = Investor.objects.get(users__username="investor")
    client.force_login(manager)
    client.get(url("fund-account", investor=investor.pk))
    # ... plus the manager check and the named investor
    with django_assert_num_queries(10):
        client.get(url("fund-account", investor=investor.pk, as_of=AS_OF.isoformat()))


@pytest.mark.parametrize("calls", [3, 60])
@pytest.mark.parametrize("name", ["fund-account-csv", "fund-account-pdf"])
def test_downloads_cost_the_same_queries_for_3_and_60_calls(
    client, fund, manager, django_assert_num_queries, calls, name
):
    h = history(fund, manager, calls=calls)
    client.force_login(h.user)
    client.get(url("fund-account"))
    with django_assert_num_queries(8):
        assert client.get(url(name, as_of=AS_OF.isoformat())).status_code == 200

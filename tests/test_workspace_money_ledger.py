"""Receipts and valuations in the manager workspace: each recorded by its own form under a project, refusals
beside their fields, one record per form however often it is posted, and the fund's lists at pinned query
counts."""

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Receipt, Valuation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return f.ProjectFactory(fund=f.FundFactory(slug="tolqyn"))


@pytest.fixture
def manager(project):
    user = f.UserFactory()
    project.fund.managers.add(user)
    return user


def filled(client, url, **values):
    once = re.search(r'name="once" value="([0-9a-f]{32})"', client.get(url).content.decode()).group(1)
    return {"once": once, **values}


def url_of(name, project):
    return reverse(f"manage:{name}-new", args=[project.fund.slug, project.pk])


def test_a_receipt_is_recorded_and_listed(client, project, manager):
    client.force_login(manager)
    url = url_of("receipt", project)
    today = timezone.localdate()
    data = filled(client, url, date=today.isoformat(), amount="1250000.50", source="streaming", note="Q3")
    done = client.post(url, data, follow=True)
    receipt = Receipt.objects.get()
    assert (receipt.project, receipt.date, receipt.amount, receipt.source, receipt.note) == (
        project,
        today,
        Decimal("1250000.50"),
        "streaming",
        "Q3",
    )
    assert done.redirect_chain[-1][0] == reverse("manage:receipts", args=[project.fund.slug])
    assert "₸1,250,000.50" in done.content.decode()


def test_a_valuation_is_recorded_zero_allowed_and_one_per_date_said_beside_the_date(client, project, manager):
    client.force_login(manager)
    url = url_of("valuation", project)
    today = timezone.localdate().isoformat()
    client.post(url, filled(client, url, date=today, amount="0", note="Written off"))
    valuation = Valuation.objects.get()
    assert (valuation.amount, valuation.recorded_by) == (Decimal("0.00"), manager)
    again = client.post(url, filled(client, url, date=today, amount="5.00", note=""))
    assert again.context["form"].errors["date"] == ["This project already has a valuation on this date."]
    assert 'value="5.00"' in again.content.decode()
    assert Valuation.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "values", "field", "message"),
    [
        ("receipt", {"date": "2999-12-31"}, "date", "This date is in the future."),
        ("receipt", {"date": "0001-01-01"}, "date", "Enter a date between the years 1900 and 2999."),
        ("receipt", {"amount": "0"}, "amount", "The amount must be greater than zero."),
        ("receipt", {"amount": "1.005"}, "amount", "An amount has at most 2 decimal places."),
        (
            "receipt",
            {"amount": "Infinity"},
            "amount",
            "Enter a real amount: NaN and Infinity are not amounts.",
        ),
        ("receipt", {"source": "lottery"}, "source", None),
        ("receipt", {"note": "x" * 301}, "note", "Keep it to 300 characters."),
        ("valuation", {"amount": "-1"}, "amount", "The amount cannot be negative."),
        ("valuation", {"date": "2999-12-31"}, "date", "This date is in the future."),
        ("valuation", {"date": "yesterday"}, "date", "Enter a valid date."),
    ],
)
def test_bad_input_gets_its_message_beside_the_field_and_saves_nothing(
    client, project, manager, name, values, field, message
):
    client.force_login(manager)
    url = url_of(name, project)
    base = {"date": timezone.localdate().isoformat(), "amount": "10.00", "source": "tv", "note": ""}
    response = client.post(url, filled(client, url, **{**base, **values}))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors == [message] if message else errors
    assert not Receipt.objects.exists() and not Valuation.objects.exists()


@pytest.mark.parametrize("name", ["receipt", "valuation"])
def test_a_form_posted_twice_records_once(client, project, manager, name):
    client.force_login(manager)
    url = url_of(name, project)
    data = filled(client, url, date=timezone.localdate().isoformat(), amount="10.00", source="tv", note="")
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Receipt.objects.count() + Valuation.objects.count() == 1


@pytest.mark.parametrize("name", ["receipts", "valuations"])
def test_the_lists_cost_the_same_queries_for_3_and_60_rows(
    client, project, manager, name, django_assert_num_queries
):
    client.force_login(manager)
    url = reverse(f"manage:{name}", args=[project.fund.slug])
    client.get(url)
    dates = (datetime.date(2020, 1, 1) + datetime.timedelta(days=n) for n in range(1000))

    def add(n):
        for _ in range(n):
            if name == "receipts":
                f.ReceiptFactory(project=project, date=next(dates))
            else:
                f.ValuationFactory(project=project, date=next(dates), recorded_by=manager)

    add(3)
    with django_assert_num_queries(6):
        assert len(client.get(url).context["page"]) == 3
    add(57)
    with django_assert_num_queries(6):
        assert len(client.get(url).context["page"]) == 50


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_twice_at_once_records_once():
    """Two posts of one token racing each other (a double click on a slow connection): the second waits on
    the token's unique key until the first commits, then answers where the first went."""
    from django.db import connection
    from django.test import Client

    project = f.ProjectFactory(fund=f.FundFactory(slug="tolqyn"))
    user = f.UserFactory()
    project.fund.managers.add(user)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)
    url = url_of("receipt", project)
    today = timezone.localdate().isoformat()
    data = filled(clients[0], url, date=today, amount="10.00", source="tv", note="")
    barrier = threading.Barrier(2)
    answers = []

    def post(client):
        try:
            barrier.wait()
            answers.append(client.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Receipt.objects.count() == 1


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_money_page_reads_in_russian_and_kazakh(client, language):
    """Each page of this area, with a record in another currency, a call and a distribution in it, renders in
    the reader's language with no placeholder left unfilled."""
    from portfolio.services.capital_calls import capital_call_issue
    from portfolio.services.disbursements import disbursement_request
    from portfolio.services.distributions import distribution_issue
    from portfolio.workspace.money_reads import fx_conversion
    from tests import builders as b

    t = b.team(slug="tolqyn")
    tranche = b.eligible_tranche(t, b.project(t))
    f.FxRateFactory(currency="USD", date=timezone.localdate(), rate=Decimal("450.000000"))
    conversion = fx_conversion("USD", Decimal("1000.00"), timezone.localdate())
    disbursement = disbursement_request(
        user=t.manager, tranche=tranche, amount=conversion.amount, foreign=conversion.foreign()
    )
    call = capital_call_issue(
        user=t.manager,
        fund=t.fund,
        call_date=datetime.date(2026, 3, 2),
        due_date=datetime.date(2026, 3, 16),
        amount="1000.00",
    )
    distribution = distribution_issue(
        user=t.manager, fund=t.fund, date=datetime.date(2026, 3, 2), amount="10"
    )
    slug, project = t.fund.slug, tranche.project_id
    urls = [
        ("disbursements", [slug]),
        ("disbursement-new", [slug, project]),
        ("disbursement", [slug, disbursement.pk]),
        ("calls", [slug]),
        ("call-new", [slug]),
        ("call", [slug, call.pk]),
        ("call-payment", [slug, call.pk, call.items.first().pk]),
        ("distributions", [slug]),
        ("distribution-new", [slug]),
        ("distribution", [slug, distribution.pk]),
        ("receipts", [slug]),
        ("receipt-new", [slug, project]),
        ("valuations", [slug]),
        ("valuation-new", [slug, project]),
    ]
    client.force_login(t.approver)
    for name, args in urls:
        response = client.get(reverse(f"manage:{name}", args=args), HTTP_ACCEPT_LANGUAGE=language)
        body = response.content.decode()
        assert response.status_code == 200, name
        assert f'lang="{language}"' in body and "%(" not in body, name
    # The FX confirmation reads in the language too.
    page = client.get(
        reverse("manage:disbursement", args=[slug, disbursement.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert (
        "450" in page.content.decode()
        and {"ru": "Национального банка", "kk": "Ұлттық банктің"}[language] in page.content.decode()
    )

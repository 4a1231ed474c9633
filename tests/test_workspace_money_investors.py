"""Capital calls and distributions in the manager workspace: the per-investor split shown before confirming
(the very split the service writes), investors' payments against a call, partial ones included, the
services' refusals beside their fields, a form posted twice making one record, and pinned query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import CapitalCall, CapitalCallPayment, Distribution
from portfolio.services.capital_calls import capital_call_issue
from portfolio.services.distributions import distribution_issue
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def fund():
    """Three investors with equal commitments, so domain.md's example split applies."""
    fund = f.FundFactory(slug="tolqyn")
    for name, date in (("Alpha", D(2025, 1, 10)), ("Beta", D(2025, 1, 11)), ("Gamma", D(2025, 1, 12))):
        f.CommitmentFactory(
            fund=fund, investor=f.InvestorFactory(name=name), amount=Decimal("1000000000.00"), date=date
        )
    return fund


@pytest.fixture
def manager(fund):
    user = f.UserFactory()
    fund.managers.add(user)
    return user


def token(response) -> str:
    return re.search(r'name="once" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def filled(client, url, **values):
    return {"once": token(client.get(url)), **values}


def call_values(**values):
    return {
        "call_date": "2026-03-02",
        "due_date": "2026-03-16",
        "amount": "100000000.01",
        "purpose": "investment",
        "note": "",
        **values,
    }


# --- capital calls ------------------------------------------------------------------------------------------


def test_the_split_is_shown_before_the_call_is_issued_and_is_the_one_written(client, fund, manager):
    client.force_login(manager)
    url = reverse("manage:call-new", args=[fund.slug])
    data = filled(client, url, **call_values())
    preview = client.post(url, data)
    # domain.md: 100,000,000.01 over three equal commitments; the two cents left go to the first two in tie
    # order (the earlier commitment dates).
    rows = preview.context["preview"].rows
    assert rows == [
        ("Alpha", Decimal("33333333.34")),
        ("Beta", Decimal("33333333.34")),
        ("Gamma", Decimal("33333333.33")),
    ]
    assert "₸33,333,333.34" in preview.content.decode()
    assert not CapitalCall.objects.exists()

    client.post(url, {**data, "confirm": "1"})
    call = CapitalCall.objects.get()
    written = [(item.investor.name, item.amount) for item in call.items.order_by("investor__name")]
    assert written == rows


def test_the_change_button_goes_back_to_the_filled_in_form(client, fund, manager):
    client.force_login(manager)
    url = reverse("manage:call-new", args=[fund.slug])
    response = client.post(url, {**filled(client, url, **call_values(note="Q1")), "edit": "1"})
    assert 'value="100000000.01"' in response.content.decode()
    assert "preview" not in response.context
    assert not CapitalCall.objects.exists()


def test_a_call_past_the_committed_capital_is_refused_beside_the_amount(client, fund, manager):
    client.force_login(manager)
    url = reverse("manage:call-new", args=[fund.slug])
    data = {**filled(client, url, **call_values(amount="3000000000.01")), "confirm": "1"}
    response = client.post(url, data)
    assert response.context["form"].errors["amount"] == [
        "The calls would exceed the capital committed by then: ₸3,000,000,000.00 is left to call."
    ]
    assert 'value="3000000000.01"' in response.content.decode()
    assert not CapitalCall.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"due_date": "2026-03-01"}, "due_date", "The due date cannot be before the call date."),
        (
            {"call_date": "2025-01-01"},
            "amount",
            "The calls would exceed the capital committed by then: ₸0.00 is left to call.",
        ),
        (
            {"amount": "1e3"},
            "amount",
            "Write the amount out in full digits, without an exponent such as 1e3.",
        ),
        ({"amount": "0"}, "amount", "The amount must be greater than zero."),
        ({"call_date": "2026-02-30"}, "call_date", "Enter a valid date."),
        ({"purpose": "bribes"}, "purpose", None),
    ],
)
def test_a_bad_call_gets_its_message_beside_the_field(client, fund, manager, values, field, message):
    client.force_login(manager)
    url = reverse("manage:call-new", args=[fund.slug])
    data = {**filled(client, url, **call_values(**values)), "confirm": "1"}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors == [message] if message else errors
    assert not CapitalCall.objects.exists()


def test_the_preview_of_a_call_before_any_commitment_says_so_beside_the_amount(client, fund, manager):
    client.force_login(manager)
    url = reverse("manage:call-new", args=[fund.slug])
    response = client.post(url, filled(client, url, **call_values(call_date="2025-01-01")))
    assert response.context["form"].errors["amount"] == [
        "The fund has no commitments dated on or before 2025-01-01 to split this over."
    ]
    assert "preview" not in response.context


def test_a_call_posted_twice_is_issued_once(client, fund, manager):
    client.force_login(manager)
    url = reverse("manage:call-new", args=[fund.slug])
    data = {**filled(client, url, **call_values()), "confirm": "1"}
    first, second = client.post(url, data), client.post(url, data)
    assert first["Location"] == second["Location"]
    assert CapitalCall.objects.count() == 1


def _call(fund, manager, amount="300000000.00"):
    return capital_call_issue(
        user=manager, fund=fund, call_date=D(2026, 3, 2), due_date=D(2026, 3, 16), amount=amount
    )


def test_investors_pay_in_parts_and_the_call_shows_paid_and_outstanding(client, fund, manager):
    call = _call(fund, manager)
    item = call.items.get(investor__name="Alpha")
    client.force_login(manager)
    url = reverse("manage:call-payment", args=[fund.slug, call.pk, item.pk])
    today = timezone.localdate().isoformat()
    client.post(url, filled(client, url, amount="40000000.00", date=today, bank_reference="P1"))
    page = client.get(reverse("manage:call", args=[fund.slug, call.pk]))
    row = next(row for row in page.context["page"] if row.pk == item.pk)
    assert (row.paid, row.outstanding) == (Decimal("40000000.00"), Decimal("60000000.00"))
    assert page.context["call"].paid == Decimal("40000000.00")

    refused = client.post(url, filled(client, url, amount="60000000.01", date=today))
    assert refused.context["form"].errors["amount"] == [
        "Payments would exceed the amount called (₸100,000,000.00); ₸60,000,000.00 remains."
    ]
    assert "₸60,000,000.00" in refused.content.decode()  # the outstanding amount beside the form
    client.post(url, filled(client, url, amount="60000000.00", date=today))
    assert sum(p.amount for p in CapitalCallPayment.objects.filter(item=item)) == item.amount
    assert (
        'class="badge text-bg-success"'
        in client.get(reverse("manage:call", args=[fund.slug, call.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"date": "2026-03-01"}, "date", "A payment cannot be dated before its capital call."),
        ({"date": "2999-01-01"}, "date", "This date is in the future."),
        ({"amount": "-1"}, "amount", "The amount must be greater than zero."),
        ({"amount": "٣"}, "amount", "Use only the digits 0 to 9 in an amount."),
        ({"bank_reference": "x" * 101}, "bank_reference", "Keep it to 100 characters."),
    ],
)
def test_a_bad_payment_gets_its_message_beside_the_field(client, fund, manager, values, field, message):
    call = _call(fund, manager)
    item = call.items.first()
    client.force_login(manager)
    url = reverse("manage:call-payment", args=[fund.slug, call.pk, item.pk])
    data = filled(client, url, **{"amount": "10.00", "date": timezone.localdate().isoformat(), **values})
    response = client.post(url, data)
    assert response.context["form"].errors[field] == [message]
    assert not CapitalCallPayment.objects.exists()


def test_a_payment_posted_twice_is_recorded_once(client, fund, manager):
    call = _call(fund, manager)
    item = call.items.first()
    client.force_login(manager)
    url = reverse("manage:call-payment", args=[fund.slug, call.pk, item.pk])
    data = filled(client, url, amount="10.00", date=timezone.localdate().isoformat())
    client.post(url, data)
    client.post(url, data)
    assert CapitalCallPayment.objects.count() == 1


def test_an_item_of_another_call_of_the_same_fund_is_404(client, fund, manager):
    one, two = _call(fund, manager), _call(fund, manager)
    client.force_login(manager)
    url = reverse("manage:call-payment", args=[fund.slug, one.pk, two.items.first().pk])
    assert client.get(url).status_code == 404


def test_the_call_list_costs_the_same_queries_for_3_and_60_calls(
    client, fund, manager, django_assert_num_queries
):
    client.force_login(manager)
    url = reverse("manage:calls", args=[fund.slug])
    client.get(url)

    def add(n):
        for _ in range(n):
            item = f.CapitalCallItemFactory(capital_call=f.CapitalCallFactory(fund=fund))
            f.CapitalCallPaymentFactory(item=item)

    add(3)
    with django_assert_num_queries(5):
        assert len(client.get(url).context["page"]) == 3
    add(57)
    with django_assert_num_queries(5):
        assert len(client.get(url).context["page"]) == 50


def test_the_call_page_costs_the_same_queries_for_3_and_60_investors(
    client, fund, manager, django_assert_num_queries
):
    call = _call(fund, manager)
    for item in call.items.all():
        f.CapitalCallPaymentFactory(item=item, date=D(2026, 3, 5), amount=Decimal("1.00"))
    client.force_login(manager)
    url = reverse("manage:call", args=[fund.slug, call.pk])
    client.get(url)
    with django_assert_num_queries(6):
        assert len(client.get(url).context["page"]) == 3
    for _ in range(57):
        item = f.CapitalCallItemFactory(capital_call=call)
        f.CapitalCallPaymentFactory(item=item, date=D(2026, 3, 5), amount=Decimal("1.00"))
    with django_assert_num_queries(6):
        assert len(client.get(url).context["page"]) == 50


# --- distributions ------------------------------------------------------------------------------------------


def test_a_distribution_is_previewed_issued_and_paid(client, fund, manager):
    client.force_login(manager)
    url = reverse("manage:distribution-new", args=[fund.slug])
    today = timezone.localdate().isoformat()
    data = filled(client, url, date=today, amount="100000000.01", kind="profit", note="")
    preview = client.post(url, data)
    rows = preview.context["preview"].rows
    assert [part for _name, part in rows] == [
        Decimal("33333333.34"),
        Decimal("33333333.34"),
        Decimal("33333333.33"),
    ]
    assert not Distribution.objects.exists()
    client.post(url, {**data, "confirm": "1"})
    distribution = Distribution.objects.get()
    assert [(i.investor.name, i.amount) for i in distribution.items.order_by("investor__name")] == rows

    pay_url = reverse("manage:distribution-pay", args=[fund.slug, distribution.pk])
    client.post(pay_url, filled(client, pay_url))
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.PAID
    page = client.get(reverse("manage:distribution", args=[fund.slug, distribution.pk])).content.decode()
    assert "distribution-pay-form" not in page


def test_a_distribution_dated_ahead_cannot_be_paid_yet_and_the_page_says_why(client, fund, manager):
    distribution = distribution_issue(
        user=manager, fund=fund, date=timezone.localdate() + datetime.timedelta(days=5), amount="100.00"
    )
    client.force_login(manager)
    pay_url = reverse("manage:distribution-pay", args=[fund.slug, distribution.pk])
    response = client.post(pay_url, filled(client, pay_url))
    assert response.context["form"].non_field_errors() == [
        "A distribution is paid on its date, which is still in the future."
    ]
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.PLANNED


def test_paying_twice_by_a_double_post_answers_alike(client, fund, manager):
    distribution = distribution_issue(user=manager, fund=fund, date=timezone.localdate(), amount="100.00")
    client.force_login(manager)
    pay_url = reverse("manage:distribution-pay", args=[fund.slug, distribution.pk])
    data = filled(client, pay_url)
    first, second = client.post(pay_url, data), client.post(pay_url, data)
    assert first.status_code == second.status_code == 302
    assert distribution.history.filter(status=Distribution.Status.PAID).count() == 1


def test_a_distribution_posted_twice_is_issued_once(client, fund, manager):
    client.force_login(manager)
    url = reverse("manage:distribution-new", args=[fund.slug])
    data = filled(client, url, date="2026-01-05", amount="10.00", kind="profit", note="")
    client.post(url, {**data, "confirm": "1"})
    client.post(url, {**data, "confirm": "1"})
    assert Distribution.objects.count() == 1


def test_the_distribution_list_costs_the_same_queries_for_3_and_60(
    client, fund, manager, django_assert_num_queries
):
    client.force_login(manager)
    url = reverse("manage:distributions", args=[fund.slug])
    client.get(url)

    def add(n):
        for _ in range(n):
            f.DistributionItemFactory(distribution=f.DistributionFactory(fund=fund))

    add(3)
    with django_assert_num_queries(5):
        assert len(client.get(url).context["page"]) == 3
    add(57)
    with django_assert_num_queries(5):
        assert len(client.get(url).context["page"]) == 50


def test_the_distribution_page_costs_the_same_queries_for_3_and_60_investors(
    client, fund, manager, django_assert_num_queries
):
    distribution = distribution_issue(user=manager, fund=fund, date=D(2026, 1, 5), amount="300.00")
    client.force_login(manager)
    url = reverse("manage:distribution", args=[fund.slug, distribution.pk])
    client.get(url)
    with django_assert_num_queries(6):
        assert len(client.get(url).context["page"]) == 3
    for _ in range(57):
        f.DistributionItemFactory(distribution=distribution)
    with django_assert_num_queries(6):
        assert len(client.get(url).context["page"]) == 50

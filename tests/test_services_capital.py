"""Capital calls and distributions split pro rata by domain.md's rule; payments, receipts and valuations."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.models import (
    CapitalCall,
    CapitalCallItem,
    CapitalCallPayment,
    Distribution,
    DistributionItem,
    Receipt,
    Valuation,
)
from portfolio.money import split_pro_rata
from portfolio.services.capital_calls import capital_call_issue, capital_call_payment_record
from portfolio.services.common import Foreign
from portfolio.services.distributions import distribution_issue, distribution_pay
from portfolio.services.receipts import receipt_record
from portfolio.services.valuations import valuation_record
from tests.builders import D, M, last_actor, project, refused, team
from tests.factories import CommitmentFactory, FundFactory, InvestorFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# --- the split rule ----------------------------------------------------------------------------------------


def test_the_domain_example_hands_the_two_cents_to_the_first_two_in_tie_order():
    parts = split_pro_rata(M("100000000.01"), [("a", 1), ("b", 1), ("c", 1)])

    assert parts == {"a": M("33333333.34"), "b": M("33333333.34"), "c": M("33333333.33")}


def test_the_cents_go_to_the_largest_remainders_not_the_largest_weights():
    # Exact shares: 14.2857..., 28.5714..., 57.1428...: remainders .857, .714, .428 → one cent to the first.
    parts = split_pro_rata(M("100.00"), [("big", 4), ("mid", 2), ("small", 1)])

    assert parts == {"big": M("57.14"), "mid": M("28.57"), "small": M("14.29")}
    assert sum(parts.values()) == M("100.00")


@pytest.mark.parametrize("total", ["0.01", "0.02", "1.00", "999999999999999.99", "1000000000000000.00"])
def test_the_parts_always_add_up_to_the_total(total):
    weights = [
        (n, M(w)) for n, w in enumerate(["1200000000", "1000000000", "800000000", "600000000.01", "7"])
    ]

    assert sum(split_pro_rata(M(total), weights).values()) == M(total)


def test_a_split_needs_a_positive_total_and_weights():
    for total, weights in [(M("0"), [(1, 1)]), (M("1"), []), (M("1"), [(1, 0)]), (M("1.001"), [(1, 1)])]:
        with pytest.raises(ValueError):
            split_pro_rata(total, weights)


# --- capital calls -----------------------------------------------------------------------------------------


@pytest.fixture
def fund_with_three_equal_commitments():
    fund = FundFactory()
    manager = UserFactory()
    fund.managers.add(manager)
    # Equal amounts: the tie order is the earlier commitment date, then the lower investor id.
    later = CommitmentFactory(fund=fund, amount=M("500000000.00"), date=D(2025, 1, 20))
    earlier = CommitmentFactory(fund=fund, amount=M("500000000.00"), date=D(2025, 1, 10))
    same_day = CommitmentFactory(fund=fund, amount=M("500000000.00"), date=D(2025, 1, 20))
    return fund, manager, (earlier.investor, later.investor, same_day.investor)


def test_a_call_is_split_pro_rata_with_the_cents_in_the_domains_tie_order(fund_with_three_equal_commitments):
    fund, manager, (earlier, later, same_day) = fund_with_three_equal_commitments

    call = capital_call_issue(
        user=manager, fund=fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="100000000.01"
    )

    items = dict(call.items.values_list("investor_id", "amount"))
    assert items == {earlier.pk: M("33333333.34"), later.pk: M("33333333.34"), same_day.pk: M("33333333.33")}
    assert (call.number, call.amount, sum(items.values())) == (1, M("100000000.01"), M("100000000.01"))
    assert last_actor(call) == manager
    assert {item.history.get().history_user for item in call.items.all()} == {manager}


def test_calls_are_numbered_in_turn_and_only_count_commitments_made_by_their_date(
    fund_with_three_equal_commitments,
):
    fund, manager, _investors = fund_with_three_equal_commitments
    CommitmentFactory(fund=fund, amount=M("500000000.00"), date=D(2025, 6, 1))

    first = capital_call_issue(
        user=manager, fund=fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="30"
    )
    second = capital_call_issue(
        user=manager, fund=fund, call_date=D(2025, 7, 1), due_date=D(2025, 7, 15), amount="30"
    )

    assert (first.number, first.items.count(), second.number, second.items.count()) == (1, 3, 2, 4)


def test_a_call_past_the_committed_capital_is_refused(fund_with_three_equal_commitments):
    fund, manager, _investors = fund_with_three_equal_commitments
    capital_call_issue(
        user=manager, fund=fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 1), amount="1400000000"
    )

    assert refused(
        capital_call_issue,
        user=manager,
        fund=fund,
        call_date=D(2025, 4, 1),
        due_date=D(2025, 4, 1),
        amount="100000000.01",
    ) == {
        "amount": ["The calls would exceed the capital committed by then: ₸100,000,000.00 is left to call."]
    }
    assert CapitalCall.objects.count() == 1


def test_a_call_with_bad_input_is_refused_and_nothing_is_saved(fund_with_three_equal_commitments):
    fund, manager, _investors = fund_with_three_equal_commitments

    for values, errors in [
        ({"amount": "0"}, {"amount": ["The amount must be greater than zero."]}),
        ({"amount": "Infinity"}, {"amount": ["Enter a real amount: NaN and Infinity are not amounts."]}),
        ({"due_date": D(2025, 2, 28)}, {"due_date": ["The due date cannot be before the call date."]}),
        (
            {"call_date": D(2024, 1, 1), "due_date": D(2024, 1, 2)},
            {"amount": ["The calls would exceed the capital committed by then: ₸0.00 is left to call."]},
        ),
    ]:
        values = {"call_date": D(2025, 3, 1), "due_date": D(2025, 3, 17), "amount": "10", **values}
        assert refused(capital_call_issue, user=manager, fund=fund, **values) == errors
    assert not CapitalCall.objects.exists() and not CapitalCallItem.objects.exists()


@pytest.fixture
def item(fund_with_three_equal_commitments):
    fund, manager, (earlier, _later, _same_day) = fund_with_three_equal_commitments
    call = capital_call_issue(
        user=manager, fund=fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="300"
    )
    return manager, call.items.get(investor=earlier)  # 100.00


def test_an_investor_may_pay_a_call_item_in_parts_up_to_the_item(item):
    manager, item = item

    first = capital_call_payment_record(user=manager, item=item, amount="60.00", date=D(2025, 3, 10))
    capital_call_payment_record(
        user=manager, item=item, amount="40", date=D(2025, 3, 20), bank_reference="IN-2"
    )

    assert sum(item.payments.values_list("amount", flat=True)) == M("100.00")
    assert last_actor(first) == manager
    assert refused(
        capital_call_payment_record, user=manager, item=item, amount="0.01", date=D(2025, 3, 21)
    ) == {"amount": ["Payments would exceed the amount called (₸100.00); ₸0.00 remains."]}


def test_a_payment_is_never_dated_before_the_call_or_in_the_future(item):
    manager, item = item

    assert refused(capital_call_payment_record, user=manager, item=item, amount="1", date=D(2025, 2, 28)) == {
        "date": ["A payment cannot be dated before its capital call."]
    }
    assert refused(
        capital_call_payment_record,
        user=manager,
        item=item,
        amount="1",
        date=TODAY() + datetime.timedelta(days=1),
    ) == {"date": ["This date is in the future."]}
    assert not CapitalCallPayment.objects.exists()


def test_a_payment_in_dollars_keeps_the_rate_and_the_original_amount(item):
    manager, item = item

    payment = capital_call_payment_record(
        user=manager,
        item=item,
        amount="90.91",
        date=D(2025, 3, 10),
        foreign=Foreign(currency="USD", amount=M("0.20"), rate=M("454.55"), rate_date=D(2025, 3, 10)),
    )

    assert (payment.original_currency, payment.original_amount, payment.fx_rate) == (
        "USD",
        M("0.20"),
        M("454.55"),
    )


# --- distributions -----------------------------------------------------------------------------------------


def test_a_distribution_is_planned_pro_rata_and_paid_by_the_one_service(fund_with_three_equal_commitments):
    fund, manager, investors = fund_with_three_equal_commitments

    distribution = distribution_issue(user=manager, fund=fund, date=D(2025, 9, 30), amount="100000000.01")
    assert distribution.status == "planned"
    assert sum(distribution.items.values_list("amount", flat=True)) == M("100000000.01")
    assert dict(distribution.items.values_list("investor_id", "amount"))[investors[0].pk] == M("33333333.34")

    paid = distribution_pay(user=manager, distribution=distribution)

    assert Distribution.objects.get(pk=paid.pk).status == "paid"
    assert last_actor(paid) == manager
    assert refused(distribution_pay, user=manager, distribution=distribution) == {
        "status": ["This distribution is already paid."]
    }


def test_a_distribution_dated_in_the_future_cannot_be_paid_yet(fund_with_three_equal_commitments):
    fund, manager, _investors = fund_with_three_equal_commitments
    distribution = distribution_issue(
        user=manager, fund=fund, date=TODAY() + datetime.timedelta(days=3), amount="9"
    )

    assert refused(distribution_pay, user=manager, distribution=distribution) == {
        "date": ["A distribution is paid on its date, which is still in the future."]
    }
    assert Distribution.objects.get().status == "planned"
    assert DistributionItem.objects.count() == 3


# --- receipts and valuations -------------------------------------------------------------------------------


def test_a_receipt_is_recorded_with_its_source_and_never_dated_in_the_future():
    t = team()
    p = project(t)

    receipt = receipt_record(user=t.manager, project=p, date=TODAY(), amount="2500000.00", source="streaming")

    assert (receipt.amount, receipt.source, last_actor(receipt)) == (M("2500000.00"), "streaming", t.manager)
    assert refused(
        receipt_record, user=t.manager, project=p, date=TODAY() + datetime.timedelta(days=1), amount="1"
    ) == {"date": ["This date is in the future."]}
    assert refused(receipt_record, user=t.manager, project=p, date=TODAY(), amount="-1") == {
        "amount": ["The amount must be greater than zero."]
    }
    assert Receipt.objects.count() == 1


def test_a_valuation_may_be_zero_but_not_negative_and_is_one_per_date():
    t = team()
    p = project(t)

    valuation = valuation_record(user=t.approver, project=p, date=D(2025, 12, 31), amount="0")

    assert (valuation.amount, valuation.recorded_by, last_actor(valuation)) == (
        M("0.00"),
        t.approver,
        t.approver,
    )
    assert refused(valuation_record, user=t.manager, project=p, date=D(2026, 3, 31), amount="-0.01") == {
        "amount": ["The amount cannot be negative."]
    }
    assert refused(valuation_record, user=t.manager, project=p, date=D(2025, 12, 31), amount="5") == {
        "__all__": ["This project already has a valuation on this date."]
    }
    assert Valuation.objects.count() == 1


def test_an_investor_cannot_record_money():
    from django.core.exceptions import PermissionDenied

    t = team()
    investor_user = UserFactory()
    InvestorFactory().users.add(investor_user)
    with pytest.raises(PermissionDenied):
        receipt_record(user=investor_user, project=project(t), date=TODAY(), amount="1")
    assert Decimal(Receipt.objects.count()) == 0


def test_an_investor_whose_part_rounds_to_nothing_gets_no_item_and_the_items_still_add_up():
    fund = FundFactory()
    manager = UserFactory()
    fund.managers.add(manager)
    CommitmentFactory(fund=fund, amount=M("999999900.00"), date=D(2025, 1, 10))
    tiny = CommitmentFactory(fund=fund, amount=M("100.00"), date=D(2025, 1, 11))

    call = capital_call_issue(
        user=manager, fund=fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="10"
    )

    assert not call.items.filter(investor=tiny.investor).exists()
    assert list(call.items.values_list("amount", flat=True)) == [M("10.00")]

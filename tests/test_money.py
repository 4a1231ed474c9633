"""Money precision: half-up rounding to 0.01 and room for 10^15 in every amount, exact through PostgreSQL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, transaction
from django.db.models import Sum

from portfolio.models import Commitment, Fund
from portfolio.money import format_amount, format_money, quantize_money
from tests.factories import CommitmentFactory, FundFactory, InvestorFactory

LARGEST_AMOUNT = Decimal("9999999999999999.99")  # 18 digits, 2 of them decimals


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("-2.675", "-2.68"),
        # Banker's rounding would give 2.66 and 0.12 here: the ledger rounds half-up.
        ("2.665", "2.67"),
        ("0.125", "0.13"),
        ("0.004", "0.00"),
        ("-0.004", "0.00"),
        ("1.0049999", "1.00"),
        ("999999999999999.995", "1000000000000000.00"),
    ],
)
def test_quantize_money_rounds_half_up_to_the_cent(value, expected):
    result = quantize_money(Decimal(value))

    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "expected"), [(Decimal("12.3"), "12.30"), ("12.345", "12.35"), (12, "12.00"), (-7, "-7.00")]
)
def test_quantize_money_returns_a_decimal_with_two_places_for_any_exact_input(value, expected):
    result = quantize_money(value)

    assert type(result) is Decimal
    assert str(result) == expected


def test_quantize_money_never_rounds_a_float_the_wrong_way():
    try:
        result = quantize_money(2.675)
    except TypeError:
        return
    assert result == Decimal("2.68")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount",
    [
        Decimal("999999999999999.99"),
        Decimal("1000000000000000"),
        Decimal("1000000000000000.00"),
        LARGEST_AMOUNT,
    ],
)
def test_a_commitment_of_up_to_ten_to_the_fifteen_round_trips_exactly_through_postgresql(amount):
    commitment = CommitmentFactory(amount=amount)

    stored = Commitment.objects.values_list("amount", flat=True).get(pk=commitment.pk)

    assert type(stored) is Decimal
    assert stored == amount
    assert stored.as_tuple().exponent == -2


@pytest.mark.django_db
def test_a_fund_target_of_ten_to_the_fifteen_round_trips_exactly_through_postgresql():
    fund = FundFactory(target_size=Decimal(10) ** 15)

    fund.refresh_from_db()

    assert type(fund.target_size) is Decimal
    assert str(fund.target_size) == "1000000000000000.00"
    assert fund.concentration_cap_amount == Decimal("150000000000000")


@pytest.mark.django_db
def test_model_validation_accepts_ten_to_the_fifteen():
    fund = FundFactory.build(target_size=Decimal("1000000000000000.00"))
    commitment = CommitmentFactory.build(
        fund=FundFactory(), investor=InvestorFactory(), amount=Decimal("999999999999999.99")
    )

    fund.full_clean()
    commitment.full_clean()


@pytest.mark.django_db
def test_model_validation_refuses_an_amount_past_ten_to_the_fifteen():
    commitment = CommitmentFactory.build(
        fund=FundFactory(), investor=InvestorFactory(), amount=Decimal("10000000000000000.00")
    )

    with pytest.raises(ValidationError) as excinfo:
        commitment.full_clean()

    assert excinfo.value.message_dict["amount"] == [
        "An amount cannot be larger than 1,000,000,000,000,000.00."
    ]


@pytest.mark.django_db
def test_the_database_refuses_an_amount_too_large_for_the_money_column():
    fund = FundFactory()

    with pytest.raises(DataError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(target_size=Decimal("10000000000000000.00"))

    fund.refresh_from_db()
    assert fund.target_size == Decimal("5500000000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "stored"),
    [("2.675", "2.68"), ("2.665", "2.67"), ("0.005", "0.01"), ("1000.004", "1000.00")],
)
def test_the_database_stores_a_third_decimal_rounded_half_up_like_quantize_money(amount, stored):
    # Model validation refuses a third decimal; this proves a bypassing write still rounds the ledger's way.
    commitment = CommitmentFactory(amount=Decimal(amount))

    commitment.refresh_from_db()

    assert commitment.amount == Decimal(stored) == quantize_money(Decimal(amount))


@pytest.mark.django_db
def test_sums_of_the_largest_amounts_come_back_as_exact_decimals():
    fund = FundFactory()
    CommitmentFactory(fund=fund, amount=Decimal("999999999999999.99"))
    CommitmentFactory(fund=fund, amount=Decimal("999999999999999.99"))
    CommitmentFactory(fund=fund, amount=Decimal("0.03"))

    total = Commitment.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"]

    assert type(total) is Decimal
    assert total == Decimal("2000000000000000.01")


@pytest.mark.parametrize(
    ("language", "money", "amount"),
    [
        ("en", "-₸1,234,567.89", "1,234,567.89"),
        ("ru", "-1\xa0234\xa0567,89\xa0₸", "1\xa0234\xa0567,89"),
        ("kk", "-1\xa0234\xa0567,89\xa0₸", "1\xa0234\xa0567,89"),
    ],
)
def test_money_is_displayed_rounded_half_up_as_each_language_writes_it(language, money, amount):
    assert format_money(Decimal("-1234567.885"), language=language) == money
    assert format_amount(Decimal("1234567.885"), language=language) == amount


def test_display_refuses_a_float_rather_than_round_it_wrongly():
    with pytest.raises(TypeError):
        format_money(2.675)

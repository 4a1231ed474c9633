"""Model validation (`full_clean()`) refuses the same bad records as the database, with a clear message."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from tests.factories import (
    CapitalCallFactory,
    CapitalCallItemFactory,
    CapitalCallPaymentFactory,
    CommitmentFactory,
    DisbursementFactory,
    DistributionFactory,
    DistributionItemFactory,
    FundFactory,
    FxRateFactory,
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

POSITIVE = "The amount must be greater than zero."
TWO_PLACES = "An amount has at most 2 decimal places."
CAP = "The concentration cap must be above 0% and at most 100%."
APPROVAL = "An approved or paid disbursement needs its approver and approval time."
NO_COMMITMENT = "This investor has no commitment to this fund."
RATE_DATE = datetime.date(2025, 3, 3)


def not_a_choice(value: str) -> str:
    return f"Value '{value}' is not a valid choice."


def _call_item_parents():
    commitment = CommitmentFactory()
    return {"capital_call": CapitalCallFactory(fund=commitment.fund), "investor": commitment.investor}


def _distribution_item_parents():
    commitment = CommitmentFactory()
    return {"distribution": DistributionFactory(fund=commitment.fund), "investor": commitment.investor}


# The saved records each model needs around it, so that an unsaved instance is valid apart from what a test
# changes. (Factories' build strategy would build unsaved parents, which full_clean cannot look up.)
PARENTS = {
    FundFactory: dict,
    InvestorFactory: dict,
    CommitmentFactory: lambda: {"fund": FundFactory(), "investor": InvestorFactory()},
    CapitalCallFactory: lambda: {"fund": FundFactory()},
    CapitalCallItemFactory: _call_item_parents,
    CapitalCallPaymentFactory: lambda: {"item": CapitalCallItemFactory(**_call_item_parents())},
    DistributionFactory: lambda: {"fund": FundFactory()},
    DistributionItemFactory: _distribution_item_parents,
    ProjectFactory: lambda: {"fund": FundFactory()},
    StageChangeFactory: lambda: {"project": ProjectFactory()},
    TrancheFactory: lambda: {"project": ProjectFactory()},
    DisbursementFactory: lambda: {"project": ProjectFactory(), "requested_by": UserFactory()},
    ReceiptFactory: lambda: {"project": ProjectFactory()},
    ValuationFactory: lambda: {"project": ProjectFactory()},
    FxRateFactory: dict,
    ProgressSnapshotFactory: lambda: {"fund": FundFactory()},
}


def unsaved(factory, **values):
    """An unsaved record of the factory's model with saved parents, valid unless `values` break a rule."""
    return factory.build(**{**PARENTS[factory](), **values})


def validation_errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def approval_by_someone():
    return {"approved_by": UserFactory(), "approved_at": timezone.now()}


def paid(**values):
    return {"status": "paid", **approval_by_someone(), "paid_date": datetime.date(2025, 4, 1), **values}


# --- A valid record of every model passes ---

VALID = {
    "fund": (FundFactory, dict),
    "investor": (InvestorFactory, dict),
    "commitment": (CommitmentFactory, dict),
    "capital-call": (CapitalCallFactory, dict),
    "capital-call-due-on-call-date": (CapitalCallFactory, lambda: {"due_date": datetime.date(2025, 3, 1)}),
    "capital-call-item": (CapitalCallItemFactory, dict),
    "capital-call-payment": (CapitalCallPaymentFactory, dict),
    "capital-call-payment-of-the-whole-item": (
        CapitalCallPaymentFactory,
        lambda: {"amount": Decimal("10000000.00")},
    ),
    "distribution": (DistributionFactory, dict),
    "distribution-item": (DistributionItemFactory, dict),
    "project": (ProjectFactory, dict),
    "project-at-the-concentration-cap": (
        ProjectFactory,
        lambda: {"total_budget": Decimal("2000000000.00"), "commitment": Decimal("825000000.00")},
    ),
    "project-commitment-equal-to-budget": (
        ProjectFactory,
        lambda: {"total_budget": Decimal("300000000.00"), "commitment": Decimal("300000000.00")},
    ),
    "stage-change": (StageChangeFactory, dict),
    "tranche-stage-trigger": (TrancheFactory, dict),
    "tranche-date-trigger": (
        TrancheFactory,
        lambda: {"trigger": "date", "trigger_stage": "", "trigger_date": datetime.date(2025, 9, 1)},
    ),
    "disbursement-requested": (DisbursementFactory, dict),
    "disbursement-approved": (DisbursementFactory, lambda: {"status": "approved", **approval_by_someone()}),
    "disbursement-paid": (DisbursementFactory, paid),
    "receipt": (ReceiptFactory, dict),
    "valuation": (ValuationFactory, dict),
    "valuation-of-zero": (ValuationFactory, lambda: {"amount": Decimal("0.00")}),
    "fx-rate": (FxRateFactory, dict),
    "progress-snapshot": (ProgressSnapshotFactory, dict),
}


@pytest.mark.parametrize(("factory", "values"), VALID.values(), ids=VALID.keys())
def test_a_valid_record_passes_full_clean_and_saves(factory, values):
    record = unsaved(factory, **values())

    record.full_clean()
    record.save()

    assert type(record).objects.filter(pk=record.pk).exists()


# --- Single-record rules ---

RULES = [
    (
        "fund-target-zero",
        FundFactory,
        {"target_size": Decimal("0")},
        "target_size",
        "The target size must be greater than zero.",
    ),
    (
        "fund-band-min-above-max",
        FundFactory,
        {"project_band_min": 21, "project_band_max": 20},
        "project_band_max",
        "The project band maximum cannot be below its minimum.",
    ),
    (
        "fund-period-start-equals-end",
        FundFactory,
        {"investment_period_start": datetime.date(2028, 1, 1)},
        "investment_period_end",
        "The investment period must end after it starts.",
    ),
    (
        "fund-period-start-after-end",
        FundFactory,
        {"investment_period_start": datetime.date(2029, 1, 1)},
        "investment_period_end",
        "The investment period must end after it starts.",
    ),
    ("fund-cap-zero", FundFactory, {"concentration_cap_pct": Decimal("0")}, "concentration_cap_pct", CAP),
    (
        "fund-cap-negative",
        FundFactory,
        {"concentration_cap_pct": Decimal("-1")},
        "concentration_cap_pct",
        CAP,
    ),
    (
        "fund-cap-above-100",
        FundFactory,
        {"concentration_cap_pct": Decimal("100.01")},
        "concentration_cap_pct",
        CAP,
    ),
    ("fund-status", FundFactory, {"status": "bogus"}, "status", not_a_choice("bogus")),
    ("investor-kind", InvestorFactory, {"kind": "bogus"}, "kind", not_a_choice("bogus")),
    ("commitment-zero", CommitmentFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    ("commitment-negative", CommitmentFactory, {"amount": Decimal("-0.01")}, "amount", POSITIVE),
    ("call-zero", CapitalCallFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    (
        "call-due-before-call",
        CapitalCallFactory,
        {"due_date": datetime.date(2025, 2, 28)},
        "due_date",
        "The due date cannot be before the call date.",
    ),
    ("call-purpose", CapitalCallFactory, {"purpose": "bogus"}, "purpose", not_a_choice("bogus")),
    ("call-item-zero", CapitalCallItemFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    ("call-payment-zero", CapitalCallPaymentFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    ("distribution-kind", DistributionFactory, {"kind": "bogus"}, "kind", not_a_choice("bogus")),
    ("distribution-status", DistributionFactory, {"status": "bogus"}, "status", not_a_choice("bogus")),
    ("distribution-item-zero", DistributionItemFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    ("project-commitment-zero", ProjectFactory, {"commitment": Decimal("0")}, "commitment", POSITIVE),
    ("project-budget-zero", ProjectFactory, {"total_budget": Decimal("0")}, "total_budget", POSITIVE),
    (
        "project-commitment-above-budget",
        ProjectFactory,
        {"total_budget": Decimal("300000000.00"), "commitment": Decimal("300000000.01")},
        "commitment",
        "The fund's commitment cannot exceed the project's total budget.",
    ),
    ("project-stage", ProjectFactory, {"stage": "bogus"}, "stage", not_a_choice("bogus")),
    ("project-format", ProjectFactory, {"format": "bogus"}, "format", not_a_choice("bogus")),
    ("project-instrument", ProjectFactory, {"instrument": "bogus"}, "instrument", not_a_choice("bogus")),
    ("project-language", ProjectFactory, {"language": "bogus"}, "language", not_a_choice("bogus")),
    ("stage-change-stage", StageChangeFactory, {"stage": "bogus"}, "stage", not_a_choice("bogus")),
    ("tranche-zero", TrancheFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    ("tranche-status", TrancheFactory, {"status": "bogus"}, "status", not_a_choice("bogus")),
    ("tranche-trigger", TrancheFactory, {"trigger": "bogus"}, "trigger", not_a_choice("bogus")),
    (
        "tranche-stage-missing",
        TrancheFactory,
        {"trigger": "stage", "trigger_stage": ""},
        "trigger_stage",
        "Choose the stage that releases this tranche.",
    ),
    (
        "tranche-stage-abandoned",
        TrancheFactory,
        {"trigger": "stage", "trigger_stage": "abandoned"},
        "trigger_stage",
        "Choose the stage that releases this tranche.",
    ),
    (
        "tranche-stage-with-date",
        TrancheFactory,
        {"trigger": "stage", "trigger_date": datetime.date(2025, 6, 1)},
        "trigger_date",
        "A stage trigger has no trigger date.",
    ),
    (
        "tranche-date-missing",
        TrancheFactory,
        {"trigger": "date", "trigger_stage": ""},
        "trigger_date",
        "Choose the date that releases this tranche.",
    ),
    (
        "tranche-date-with-stage",
        TrancheFactory,
        {"trigger": "date", "trigger_stage": "production", "trigger_date": datetime.date(2025, 6, 1)},
        "trigger_stage",
        "A date trigger has no trigger stage.",
    ),
    ("disbursement-zero", DisbursementFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    (
        "disbursement-negative-without-original",
        DisbursementFactory,
        {"amount": Decimal("-1.00")},
        "amount",
        POSITIVE,
    ),
    ("disbursement-status", DisbursementFactory, {"status": "bogus"}, "status", not_a_choice("bogus")),
    (
        "disbursement-approved-without-approver",
        DisbursementFactory,
        {"status": "approved"},
        "approved_by",
        APPROVAL,
    ),
    ("receipt-zero", ReceiptFactory, {"amount": Decimal("0")}, "amount", POSITIVE),
    ("receipt-source", ReceiptFactory, {"source": "bogus"}, "source", not_a_choice("bogus")),
    (
        "valuation-negative",
        ValuationFactory,
        {"amount": Decimal("-0.01")},
        "amount",
        "A carrying value cannot be negative.",
    ),
    (
        "fx-rate-kzt",
        FxRateFactory,
        {"currency": "KZT"},
        "currency",
        "KZT is the base currency; rates are against it.",
    ),
    (
        "fx-rate-kzt-lowercase",
        FxRateFactory,
        {"currency": "kzt"},
        "currency",
        "KZT is the base currency; rates are against it.",
    ),
    ("fx-rate-zero", FxRateFactory, {"rate": Decimal("0")}, "rate", "The rate must be greater than zero."),
    (
        "fx-rate-not-iso",
        FxRateFactory,
        {"currency": "U1D"},
        NON_FIELD_ERRORS,
        "The currency must be a three-letter ISO code other than KZT.",
    ),
]


@pytest.mark.parametrize(
    ("factory", "values", "field", "message"),
    [rule[1:] for rule in RULES],
    ids=[rule[0] for rule in RULES],
)
def test_full_clean_refuses_a_broken_rule_with_a_clear_message(factory, values, field, message):
    errors = validation_errors(unsaved(factory, **values))

    assert message in errors[field]


@pytest.mark.parametrize("field", ["approved_at", "approved_by"])
def test_full_clean_refuses_a_paid_disbursement_without_its_approval_record(field):
    record = unsaved(DisbursementFactory, **{**paid(), field: None})

    assert validation_errors(record)["approved_by"] == [APPROVAL]


def test_full_clean_refuses_a_paid_disbursement_without_a_payment_date():
    record = unsaved(DisbursementFactory, **paid(paid_date=None))

    assert validation_errors(record)["paid_date"] == ["A paid disbursement needs its payment date."]


def test_full_clean_refuses_a_disbursement_approved_by_its_own_requester():
    manager = UserFactory()
    record = unsaved(
        DisbursementFactory,
        status="approved",
        requested_by=manager,
        approved_by=manager,
        approved_at=timezone.now(),
    )

    assert validation_errors(record)["approved_by"] == [
        "A disbursement must be approved by someone other than its requester."
    ]


def test_full_clean_refuses_an_approved_disbursement_without_a_requester():
    record = unsaved(DisbursementFactory, status="approved", requested_by=None, **approval_by_someone())

    assert "requested_by" in validation_errors(record)


def test_fx_rate_validation_upper_cases_the_currency():
    rate = unsaved(FxRateFactory, currency="usd")

    rate.full_clean()

    assert rate.currency == "USD"


MONEY_FIELDS = [
    (FundFactory, "target_size"),
    (CommitmentFactory, "amount"),
    (CapitalCallFactory, "amount"),
    (CapitalCallItemFactory, "amount"),
    (CapitalCallPaymentFactory, "amount"),
    (DistributionItemFactory, "amount"),
    (ProjectFactory, "total_budget"),
    (ProjectFactory, "commitment"),
    (TrancheFactory, "amount"),
    (DisbursementFactory, "amount"),
    (ReceiptFactory, "amount"),
    (ValuationFactory, "amount"),
]


@pytest.mark.parametrize(
    ("factory", "field"),
    MONEY_FIELDS,
    ids=[f"{factory._meta.model.__name__}.{field}" for factory, field in MONEY_FIELDS],
)
def test_full_clean_refuses_an_amount_with_more_than_two_decimals(factory, field):
    record = unsaved(factory, **{field: Decimal("1000.005")})

    assert validation_errors(record)[field] == [TWO_PLACES]


# --- Rules that look at other records ---

UNIQUE_KEYS = [
    (CommitmentFactory, ("investor", "fund"), "This investor already has a commitment to this fund."),
    (ProgressSnapshotFactory, ("fund", "as_of"), "This fund already has a snapshot for this date."),
    (ValuationFactory, ("project", "date"), "This project already has a valuation on this date."),
    (FxRateFactory, ("currency", "date"), "There is already a rate for this currency and date."),
    (CapitalCallFactory, ("fund", "number"), "This fund already has a capital call with this number."),
    (
        CapitalCallItemFactory,
        ("capital_call", "investor"),
        "This investor already has an item in this capital call.",
    ),
    (DistributionFactory, ("fund", "number"), "This fund already has a distribution with this number."),
    (
        DistributionItemFactory,
        ("distribution", "investor"),
        "This investor already has an item in this distribution.",
    ),
    (ProjectFactory, ("fund", "slug"), "This fund already has a project with this slug."),
    (TrancheFactory, ("project", "number"), "This project already has a tranche with this number."),
]


@pytest.mark.parametrize(
    ("factory", "key", "message"),
    UNIQUE_KEYS,
    ids=[factory._meta.model.__name__ for factory, _k, _m in UNIQUE_KEYS],
)
def test_full_clean_refuses_a_second_record_with_the_same_natural_key(factory, key, message):
    first = unsaved(factory)
    first.save()
    second = factory.build(**{field: getattr(first, field) for field in key})

    assert validation_errors(second)[NON_FIELD_ERRORS] == [message]


def test_full_clean_of_a_saved_record_does_not_count_itself_as_a_duplicate():
    commitment = unsaved(CommitmentFactory)
    commitment.save()

    commitment.full_clean()


def test_full_clean_refuses_a_second_fund_with_the_same_slug():
    FundFactory(slug="tolqyn")

    assert validation_errors(FundFactory.build(slug="tolqyn"))["slug"] == [
        "Fund with this Slug already exists."
    ]


@pytest.mark.parametrize(
    ("factory", "parent_field", "parent_factory"),
    [
        (CapitalCallItemFactory, "capital_call", CapitalCallFactory),
        (DistributionItemFactory, "distribution", DistributionFactory),
    ],
    ids=["capital-call-item", "distribution-item"],
)
def test_full_clean_refuses_an_item_for_an_investor_without_a_commitment_to_the_fund(
    factory, parent_field, parent_factory
):
    parent = parent_factory()
    investor = InvestorFactory()
    CommitmentFactory(investor=investor)  # to another fund: it does not count

    record = factory.build(**{parent_field: parent, "investor": investor})

    assert validation_errors(record)["investor"] == [NO_COMMITMENT]


def test_full_clean_refuses_a_payment_over_the_amount_called():
    item = CapitalCallItemFactory(**_call_item_parents())  # 10,000,000.00 called
    CapitalCallPaymentFactory(item=item, amount=Decimal("5000000.00"))

    record = CapitalCallPaymentFactory.build(item=item, amount=Decimal("5000000.01"))

    assert validation_errors(record)["amount"] == [
        "Payments would exceed the amount called (₸10,000,000.00); ₸5,000,000.00 remains."
    ]
    CapitalCallPaymentFactory.build(item=item, amount=Decimal("5000000.00")).full_clean()


def test_full_clean_lets_a_payment_be_edited_up_to_the_amount_called():
    payment = CapitalCallPaymentFactory(item=CapitalCallItemFactory(**_call_item_parents()))

    payment.amount = Decimal("10000000.00")
    payment.full_clean()

    payment.amount = Decimal("10000000.01")
    assert (
        "Payments would exceed the amount called (₸10,000,000.00); ₸10,000,000.00 remains."
        in (validation_errors(payment)["amount"])
    )


def test_full_clean_refuses_a_payment_dated_before_its_capital_call():
    item = CapitalCallItemFactory(**_call_item_parents())  # called on 2025-03-01

    early = CapitalCallPaymentFactory.build(item=item, date=datetime.date(2025, 2, 28))

    assert validation_errors(early)["date"] == ["A payment cannot be dated before its capital call."]
    CapitalCallPaymentFactory.build(item=item, date=datetime.date(2025, 3, 1)).full_clean()


def test_full_clean_refuses_a_disbursement_against_a_tranche_of_another_project():
    project = ProjectFactory()
    foreign_tranche = TrancheFactory(project=ProjectFactory(fund=project.fund))

    record = DisbursementFactory.build(project=project, tranche=foreign_tranche, requested_by=UserFactory())

    assert validation_errors(record)["tranche"] == ["This tranche belongs to another project."]
    DisbursementFactory.build(
        project=project, tranche=TrancheFactory(project=project), requested_by=UserFactory()
    ).full_clean()


@pytest.mark.parametrize(
    ("cap_pct", "commitment", "message"),
    [
        (
            Decimal("15.00"),
            Decimal("825000000.01"),
            "The commitment exceeds the fund's concentration cap: 15.00% of the target, ₸825,000,000.00.",
        ),
        (
            Decimal("10.00"),
            Decimal("550000000.01"),
            "The commitment exceeds the fund's concentration cap: 10.00% of the target, ₸550,000,000.00.",
        ),
        (
            Decimal("12.50"),
            Decimal("687500000.01"),
            "The commitment exceeds the fund's concentration cap: 12.50% of the target, ₸687,500,000.00.",
        ),
    ],
)
def test_full_clean_refuses_a_project_commitment_above_the_concentration_cap(cap_pct, commitment, message):
    fund = FundFactory(concentration_cap_pct=cap_pct)  # target 5,500,000,000

    record = ProjectFactory.build(fund=fund, total_budget=Decimal("2000000000.00"), commitment=commitment)

    assert validation_errors(record)["commitment"] == [message]
    record.commitment -= Decimal("0.01")
    record.full_clean()


# --- Reversals ---


def reversal(original, amount, **values):
    return DisbursementFactory.build(
        project=values.pop("project", original.project),
        reverses=original,
        amount=Decimal(amount),
        requested_by=UserFactory(),
        **values,
    )


def test_full_clean_accepts_a_full_and_a_partial_reversal_of_a_paid_disbursement():
    reversal(DisbursementFactory(paid=True), "-50000000.00").full_clean()
    reversal(DisbursementFactory(paid=True), "-0.01").full_clean()


def test_full_clean_refuses_a_reversal_larger_than_its_original():
    record = reversal(DisbursementFactory(paid=True), "-50000000.01")

    assert validation_errors(record)["amount"] == [
        "A reversal cannot be larger than the original (₸50,000,000.00)."
    ]


def test_full_clean_refuses_a_positive_reversal():
    record = reversal(DisbursementFactory(paid=True), "1.00")

    assert validation_errors(record)["amount"] == ["A reversal must be a negative amount."]


def test_full_clean_refuses_a_second_reversal_of_the_same_original():
    original = DisbursementFactory(paid=True)
    reversal(original, "-10.00").save()

    record = reversal(original, "-20.00")

    assert "This disbursement has already been reversed." in validation_errors(record)["reverses"]


@pytest.mark.parametrize("approved", [False, True], ids=["requested", "approved"])
def test_full_clean_refuses_a_reversal_of_an_unpaid_disbursement(approved):
    record = reversal(DisbursementFactory(approved=approved), "-1.00")

    assert validation_errors(record)["reverses"] == ["Only a paid disbursement can be reversed."]


def test_full_clean_refuses_a_reversal_of_a_reversal():
    first = reversal(DisbursementFactory(paid=True), "-10.00")
    first.save()

    assert validation_errors(reversal(first, "-5.00"))["reverses"] == [
        "A reversal cannot itself be reversed."
    ]


def test_full_clean_refuses_a_reversal_in_another_project():
    original = DisbursementFactory(paid=True)
    elsewhere = ProjectFactory(fund=original.project.fund)

    record = reversal(original, "-1.00", project=elsewhere)

    assert validation_errors(record)["reverses"] == [
        "A reversal must belong to the same project as the original."
    ]


# --- Foreign-currency fields ---

FOREIGN_AMOUNT_FACTORIES = [
    CommitmentFactory,
    CapitalCallPaymentFactory,
    DistributionItemFactory,
    DisbursementFactory,
    ReceiptFactory,
]
FOREIGN_IDS = [factory._meta.model.__name__ for factory in FOREIGN_AMOUNT_FACTORIES]
# USD 10,000.00 at 454.55 KZT is 4,545,500.00 KZT, which every factory's parent can take.
USD = {
    "original_currency": "USD",
    "original_amount": Decimal("10000.00"),
    "fx_rate": Decimal("454.550000"),
    "fx_rate_date": RATE_DATE,
    "amount": Decimal("4545500.00"),
}
INCOMPLETE = "A foreign-currency record needs its original amount, FX rate and rate date."
FOREIGN_RULES = {
    "rate-without-currency": (
        {**USD, "original_currency": ""},
        "original_currency",
        "Give the original currency, or clear the FX fields.",
    ),
    "kzt": (
        {**USD, "original_currency": "KZT"},
        "original_currency",
        "KZT is the base currency: leave the original currency blank.",
    ),
    "kzt-lowercase": (
        {**USD, "original_currency": "kzt"},
        "original_currency",
        "KZT is the base currency: leave the original currency blank.",
    ),
    "currency-only": ({"original_currency": "USD"}, NON_FIELD_ERRORS, INCOMPLETE),
    "no-original-amount": ({**USD, "original_amount": None}, NON_FIELD_ERRORS, INCOMPLETE),
    "no-rate": ({**USD, "fx_rate": None}, NON_FIELD_ERRORS, INCOMPLETE),
    "no-rate-date": ({**USD, "fx_rate_date": None}, NON_FIELD_ERRORS, INCOMPLETE),
    "zero-rate": ({**USD, "fx_rate": Decimal("0")}, "fx_rate", "The FX rate must be positive."),
    "amount-not-original-times-rate": (
        {**USD, "amount": Decimal("4545500.01")},
        "amount",
        "The KZT amount must equal the original amount times the rate, rounded: ₸4,545,500.00.",
    ),
    # 1.00 × 0.125 = 0.125, which rounds half-up to 0.13 (banker's rounding would give 0.12).
    "amount-rounded-half-even": (
        {**USD, "original_amount": Decimal("1.00"), "fx_rate": Decimal("0.125"), "amount": Decimal("0.12")},
        "amount",
        "The KZT amount must equal the original amount times the rate, rounded: ₸0.13.",
    ),
}


@pytest.mark.parametrize(("values", "field", "message"), FOREIGN_RULES.values(), ids=FOREIGN_RULES.keys())
@pytest.mark.parametrize("factory", FOREIGN_AMOUNT_FACTORIES, ids=FOREIGN_IDS)
def test_full_clean_refuses_an_incomplete_or_inconsistent_foreign_amount(factory, values, field, message):
    errors = validation_errors(unsaved(factory, **values))

    assert message in errors[field]


@pytest.mark.parametrize(
    "values",
    [
        USD,
        {**USD, "original_currency": "usd"},
        {**USD, "original_amount": Decimal("1.00"), "fx_rate": Decimal("0.125"), "amount": Decimal("0.13")},
    ],
    ids=["usd", "usd-lowercase", "rounded-half-up"],
)
@pytest.mark.parametrize("factory", FOREIGN_AMOUNT_FACTORIES, ids=FOREIGN_IDS)
def test_full_clean_accepts_a_consistent_foreign_amount(factory, values):
    record = unsaved(factory, **values)

    record.full_clean()
    record.save()

    assert record.original_currency == "USD"

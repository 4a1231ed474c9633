"""The database refuses bad rows even when model validation is bypassed.

Every row here is written with `create()`, a factory or `QuerySet.update()`, none of which runs
`full_clean()`, so what refuses it is a CHECK or UNIQUE constraint or one of the PostgreSQL ledger rules
declared beside the models (`Meta.triggers`, portfolio/models/rules.py).
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pgtrigger
import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portfolio import models
from tests.factories import (
    CapitalAccountFactory,
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

RATE_DATE = datetime.date(2025, 3, 3)

# Rules enforced by the models' PostgreSQL triggers (pgtrigger) rather than by a constraint.
GUARD_RULES = {
    "disbursement_reversal_not_larger_than_original",
    "disbursement_reversal_of_paid_only",
    "disbursement_reversal_of_original_only",
    "disbursement_reversal_same_project",
    "disbursement_paid_is_permanent",
    "portfolio_receipt_is_permanent",
    "portfolio_capitalcallpayment_is_permanent",
    "distribution_paid_is_permanent",
    "distribution_item_paid_is_permanent",
}


@contextmanager
def refused_by(constraint: str, message: str | None = None):
    """Expect the writes inside to be refused by the named constraint (or guard), and rolled back."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    error = excinfo.value
    assert error.__cause__.diag.constraint_name == constraint, str(error)
    if constraint in GUARD_RULES:
        # A guard raises its own sentence and names the rule only in the CONSTRAINT field (psycopg's diag).
        assert message is None or message in str(error)
    else:
        assert f'"{constraint}"' in str(error)


def reversal_of(original, amount, **kwargs):
    kwargs.setdefault("project", original.project)
    kwargs.setdefault("note", "Returned by the bank")
    return models.Disbursement.objects.create(
        reverses=original, amount=Decimal(amount), requested_by=UserFactory(), **kwargs
    )


def paid_distribution_with_item():
    distribution = DistributionFactory()
    item = DistributionItemFactory(distribution=distribution)
    models.Distribution.objects.filter(pk=distribution.pk).update(status=models.Distribution.Status.PAID)
    distribution.refresh_from_db()
    return distribution, item


# --- Single-row CHECK constraints ---

POSITIVE_AMOUNTS = [
    (FundFactory, "target_size", "fund_target_size_positive"),
    (CommitmentFactory, "amount", "commitment_amount_positive"),
    (CapitalCallFactory, "amount", "capital_call_amount_positive"),
    (CapitalCallItemFactory, "amount", "capital_call_item_amount_positive"),
    (CapitalCallPaymentFactory, "amount", "capital_call_payment_amount_positive"),
    (DistributionItemFactory, "amount", "distribution_item_amount_positive"),
    (ProjectFactory, "commitment", "project_commitment_positive"),
    # Commitment > 0 and commitment <= budget already imply budget > 0, and PostgreSQL checks constraints
    # in name order, so a non-positive budget is always reported by the within-budget rule.
    (ProjectFactory, "total_budget", "project_commitment_within_budget"),
    (TrancheFactory, "amount", "tranche_amount_positive"),
    (DisbursementFactory, "amount", "disbursement_amount_positive_unless_reversal"),
    (ReceiptFactory, "amount", "receipt_amount_positive"),
    (FxRateFactory, "rate", "fx_rate_rate_positive"),
]


@pytest.mark.parametrize("value", [Decimal("0.00"), Decimal("-0.01")], ids=["zero", "negative"])
@pytest.mark.parametrize(
    ("factory", "field", "constraint"),
    POSITIVE_AMOUNTS,
    ids=[f"{factory._meta.model.__name__}.{field}" for factory, field, _name in POSITIVE_AMOUNTS],
)
def test_database_refuses_a_money_amount_that_is_not_positive(factory, field, constraint, value):
    model = factory._meta.model

    with refused_by(constraint):
        factory(**{field: value})

    assert not model.objects.exists()


def test_database_refuses_a_negative_carrying_value_but_accepts_zero():
    project = ProjectFactory()

    with refused_by("valuation_amount_not_negative"):
        ValuationFactory(project=project, amount=Decimal("-0.01"))

    assert ValuationFactory(project=project, amount=Decimal("0.00")).amount == 0


@pytest.mark.parametrize(
    ("update", "constraint"),
    [
        ({"amount": Decimal("0")}, "commitment_amount_positive"),
        ({"amount": Decimal("-500000000.00")}, "commitment_amount_positive"),
        ({"original_currency": "USD"}, "commitment_foreign_amount_complete"),
    ],
)
def test_database_refuses_a_bad_value_written_by_a_queryset_update(update, constraint):
    commitment = CommitmentFactory()

    with refused_by(constraint):
        models.Commitment.objects.filter(pk=commitment.pk).update(**update)

    commitment.refresh_from_db()
    assert commitment.amount == Decimal("500000000.00")
    assert commitment.original_currency == ""


CHOICES = [
    (FundFactory, {"status": "bogus"}, "fund_status_valid"),
    (InvestorFactory, {"kind": "bogus"}, "investor_kind_valid"),
    (CapitalCallFactory, {"purpose": "bogus"}, "capital_call_purpose_valid"),
    (DistributionFactory, {"kind": "bogus"}, "distribution_kind_valid"),
    (DistributionFactory, {"status": "bogus"}, "distribution_status_valid"),
    (ProjectFactory, {"stage": "bogus"}, "project_stage_valid"),
    (ProjectFactory, {"format": "bogus"}, "project_format_valid"),
    (ProjectFactory, {"instrument": "bogus"}, "project_instrument_valid"),
    (ProjectFactory, {"language": "bogus"}, "project_language_valid"),
    (StageChangeFactory, {"stage": "bogus"}, "stage_change_stage_valid"),
    (TrancheFactory, {"status": "bogus"}, "tranche_status_valid"),
    # tranche_trigger_valid is shadowed: tranche_trigger_complete also requires "stage" or "date" and
    # comes first in PostgreSQL's name order.
    (TrancheFactory, {"trigger": "bogus"}, "tranche_trigger_complete"),
    (DisbursementFactory, {"approved": True, "status": "bogus"}, "disbursement_status_valid"),
    (ReceiptFactory, {"source": "bogus"}, "receipt_source_valid"),
]


@pytest.mark.parametrize(
    ("factory", "values", "constraint"), CHOICES, ids=[constraint for _f, _v, constraint in CHOICES]
)
def test_database_refuses_a_value_outside_the_choices(factory, values, constraint):
    model = factory._meta.model

    with refused_by(constraint):
        factory(**values)

    assert not model.objects.exists()


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"project_band_min": 21, "project_band_max": 20}, "fund_project_band_min_not_above_max"),
        (
            {"investment_period_start": datetime.date(2028, 1, 1)},
            "fund_investment_period_start_before_end",
        ),
        (
            {"investment_period_start": datetime.date(2028, 1, 2)},
            "fund_investment_period_start_before_end",
        ),
        ({"concentration_cap_pct": Decimal("0.00")}, "fund_concentration_cap_between_0_and_100"),
        ({"concentration_cap_pct": Decimal("-5.00")}, "fund_concentration_cap_between_0_and_100"),
        ({"concentration_cap_pct": Decimal("100.01")}, "fund_concentration_cap_between_0_and_100"),
    ],
    ids=[
        "band-min-above-max",
        "period-start-equals-end",
        "period-start-after-end",
        "cap-0",
        "cap-neg",
        "cap-100.01",
    ],
)
def test_database_refuses_an_inconsistent_fund(values, constraint):
    with refused_by(constraint):
        FundFactory(**values)

    assert not models.Fund.objects.exists()


def test_database_accepts_a_fund_at_the_edges_of_its_rules():
    fund = FundFactory(
        project_band_min=18,
        project_band_max=18,
        investment_period_start=datetime.date(2025, 1, 1),
        investment_period_end=datetime.date(2025, 1, 2),
        concentration_cap_pct=Decimal("100.00"),
    )

    assert models.Fund.objects.filter(pk=fund.pk).exists()


def test_database_refuses_a_project_commitment_above_its_total_budget():
    with refused_by("project_commitment_within_budget"):
        ProjectFactory(total_budget=Decimal("300000000.00"), commitment=Decimal("300000000.01"))

    assert not models.Project.objects.exists()
    assert ProjectFactory(total_budget=Decimal("300000000.00"), commitment=Decimal("300000000.00")).pk


def test_database_refuses_a_capital_call_due_before_its_call_date():
    with refused_by("capital_call_due_not_before_call"):
        CapitalCallFactory(call_date=datetime.date(2025, 3, 10), due_date=datetime.date(2025, 3, 9))

    assert not models.CapitalCall.objects.exists()
    assert CapitalCallFactory(call_date=datetime.date(2025, 3, 10), due_date=datetime.date(2025, 3, 10)).pk


@pytest.mark.parametrize(
    "values",
    [
        {"trigger": "stage", "trigger_stage": ""},
        {"trigger": "stage", "trigger_stage": "abandoned"},
        {"trigger": "stage", "trigger_stage": "bogus"},
        {"trigger": "stage", "trigger_stage": "production", "trigger_date": datetime.date(2025, 6, 1)},
        {"trigger": "date", "trigger_stage": "", "trigger_date": None},
        {"trigger": "date", "trigger_stage": "production", "trigger_date": datetime.date(2025, 6, 1)},
    ],
    ids=[
        "stage-missing",
        "stage-abandoned",
        "stage-unknown",
        "stage-with-date",
        "date-missing",
        "date-with-stage",
    ],
)
def test_database_refuses_an_incomplete_tranche_trigger(values):
    with refused_by("tranche_trigger_complete"):
        TrancheFactory(**values)

    assert not models.Tranche.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"trigger": "stage", "trigger_stage": "released"},
        {"trigger": "date", "trigger_stage": "", "trigger_date": datetime.date(2025, 6, 1)},
    ],
    ids=["stage", "date"],
)
def test_database_accepts_a_complete_tranche_trigger(values):
    assert TrancheFactory(**values).pk


# --- Four eyes and the approval record ---


def test_database_refuses_a_disbursement_approved_by_its_own_requester():
    manager = UserFactory()

    with refused_by("disbursement_approved_by_another_manager"):
        DisbursementFactory(approved=True, requested_by=manager, approved_by=manager)

    assert not models.Disbursement.objects.exists()


def test_database_refuses_self_approval_written_by_an_update():
    disbursement = DisbursementFactory()

    with refused_by("disbursement_approved_by_another_manager"):
        models.Disbursement.objects.filter(pk=disbursement.pk).update(
            status="approved", approved_by=disbursement.requested_by, approved_at=timezone.now()
        )

    disbursement.refresh_from_db()
    assert disbursement.status == "requested"
    assert disbursement.approved_by is None


def test_database_refuses_an_approved_disbursement_without_a_requester():
    with refused_by("disbursement_approval_recorded"):
        DisbursementFactory(approved=True, requested_by=None)


@pytest.mark.parametrize(
    "values",
    [
        {"status": "approved"},
        {"status": "approved", "approved_by": None, "approved_at": timezone.now()},
        {"paid": True, "approved_at": None},
        {"paid": True, "approved_by": None},
    ],
    ids=["approved-no-approver-no-time", "approved-no-approver", "paid-no-time", "paid-no-approver"],
)
def test_database_refuses_an_approved_or_paid_disbursement_without_its_approval_record(values):
    with refused_by("disbursement_approval_recorded"):
        DisbursementFactory(**values)

    assert not models.Disbursement.objects.exists()


def test_database_refuses_a_paid_disbursement_without_a_payment_date():
    with refused_by("disbursement_paid_has_date"):
        DisbursementFactory(paid=True, paid_date=None)

    assert not models.Disbursement.objects.exists()


def test_database_refuses_a_negative_disbursement_that_reverses_nothing():
    with refused_by("disbursement_amount_positive_unless_reversal"):
        DisbursementFactory(amount=Decimal("-50000000.00"))

    assert not models.Disbursement.objects.exists()


def test_database_refuses_a_positive_reversal():
    original = DisbursementFactory(paid=True)

    with refused_by("disbursement_amount_positive_unless_reversal"):
        reversal_of(original, "10.00")

    assert not models.Disbursement.objects.filter(reverses=original).exists()


def test_database_refuses_a_disbursement_that_reverses_itself():
    project = ProjectFactory()
    own_id = 987_654_321

    with refused_by("disbursement_not_reversing_itself"):
        models.Disbursement.objects.create(
            id=own_id,
            project=project,
            reverses_id=own_id,
            amount=Decimal("-1.00"),
            requested_by=UserFactory(),
        )

    assert not models.Disbursement.objects.exists()


# --- Foreign-currency fields: all or nothing ---

FOREIGN_AMOUNT_MODELS = [
    (CommitmentFactory, "commitment"),
    (CapitalCallPaymentFactory, "capital_call_payment"),
    (DistributionItemFactory, "distribution_item"),
    (DisbursementFactory, "disbursement"),
    (ReceiptFactory, "receipt"),
]
COMPLETE_FOREIGN_AMOUNT = {
    "original_currency": "USD",
    "original_amount": Decimal("100000.00"),
    "fx_rate": Decimal("454.550000"),
    "fx_rate_date": RATE_DATE,
}
INCOMPLETE_FOREIGN_AMOUNTS = {
    "currency-only": {"original_currency": "USD"},
    "no-original-amount": {**COMPLETE_FOREIGN_AMOUNT, "original_amount": None},
    "no-rate": pytest.param({**COMPLETE_FOREIGN_AMOUNT, "fx_rate": None}),
    "no-rate-date": {**COMPLETE_FOREIGN_AMOUNT, "fx_rate_date": None},
    "zero-rate": {**COMPLETE_FOREIGN_AMOUNT, "fx_rate": Decimal("0")},
    "negative-rate": {**COMPLETE_FOREIGN_AMOUNT, "fx_rate": Decimal("-454.55")},
    "kzt-as-foreign-currency": {**COMPLETE_FOREIGN_AMOUNT, "original_currency": "KZT"},
    "rate-without-currency": {**COMPLETE_FOREIGN_AMOUNT, "original_currency": ""},
}


@pytest.mark.parametrize(
    "foreign", INCOMPLETE_FOREIGN_AMOUNTS.values(), ids=INCOMPLETE_FOREIGN_AMOUNTS.keys()
)
@pytest.mark.parametrize(
    ("factory", "prefix"), FOREIGN_AMOUNT_MODELS, ids=[prefix for _f, prefix in FOREIGN_AMOUNT_MODELS]
)
def test_database_refuses_a_half_described_foreign_amount(factory, prefix, foreign):
    model = factory._meta.model

    with refused_by(f"{prefix}_foreign_amount_complete"):
        factory(**foreign)

    assert not model.objects.exists()


@pytest.mark.parametrize(
    ("factory", "prefix"), FOREIGN_AMOUNT_MODELS, ids=[prefix for _f, prefix in FOREIGN_AMOUNT_MODELS]
)
def test_database_accepts_a_fully_described_foreign_amount(factory, prefix):
    record = factory(**COMPLETE_FOREIGN_AMOUNT)

    record.refresh_from_db()
    assert record.original_amount == Decimal("100000.00")
    assert record.fx_rate == Decimal("454.55")


@pytest.mark.parametrize("currency", ["kzt", "usd", "U$"])
def test_database_refuses_a_foreign_currency_that_is_not_an_uppercase_iso_code(currency):
    with refused_by("receipt_foreign_amount_complete"):
        ReceiptFactory(**{**COMPLETE_FOREIGN_AMOUNT, "original_currency": currency})


# --- FX rates ---


@pytest.mark.parametrize("currency", ["KZT", "usd", "US", "U1D", "12$"])
def test_database_refuses_an_fx_rate_currency_that_is_not_a_foreign_iso_code(currency):
    with refused_by("fx_rate_currency_iso_code"):
        FxRateFactory(currency=currency)

    assert not models.FxRate.objects.exists()


# --- Natural keys (UNIQUE) ---

UNIQUE_KEYS = [
    (CommitmentFactory, ("investor", "fund"), "commitment_one_per_investor_and_fund"),
    (ProgressSnapshotFactory, ("fund", "as_of"), "progress_snapshot_one_per_fund_and_date"),
    (ValuationFactory, ("project", "date"), "valuation_one_per_project_and_date"),
    (FxRateFactory, ("currency", "date"), "fx_rate_one_per_currency_and_date"),
    (CapitalCallFactory, ("fund", "number"), "capital_call_number_unique_per_fund"),
    (CapitalCallItemFactory, ("capital_call", "investor"), "capital_call_item_one_per_investor"),
    (DistributionFactory, ("fund", "number"), "distribution_number_unique_per_fund"),
    (DistributionItemFactory, ("distribution", "investor"), "distribution_item_one_per_investor"),
    (ProjectFactory, ("fund", "slug"), "project_slug_unique_per_fund"),
    (TrancheFactory, ("project", "number"), "tranche_number_unique_per_project"),
    (FundFactory, ("slug",), "portfolio_fund_slug_key"),
    (CapitalAccountFactory, ("fund", "as_of", "investor"), "capital_account_one_per_fund_date_and_investor"),
]


@pytest.mark.parametrize(
    ("factory", "key", "constraint"), UNIQUE_KEYS, ids=[constraint for _f, _k, constraint in UNIQUE_KEYS]
)
def test_database_refuses_a_second_row_with_the_same_natural_key(factory, key, constraint):
    first = factory()
    model = factory._meta.model

    with refused_by(constraint):
        factory(**{field: getattr(first, field) for field in key})

    assert list(model.objects.all()) == [first]


def test_database_refuses_a_second_commitment_for_the_same_investor_and_fund_but_not_for_another_fund():
    commitment = CommitmentFactory()

    with refused_by("commitment_one_per_investor_and_fund"):
        CommitmentFactory(investor=commitment.investor, fund=commitment.fund, amount=Decimal("1.00"))

    other = CommitmentFactory(investor=commitment.investor)
    assert set(models.Commitment.objects.all()) == {commitment, other}


def test_database_accepts_fx_rates_for_two_currencies_on_the_same_date():
    FxRateFactory(currency="USD", date=RATE_DATE)
    FxRateFactory(currency="EUR", date=RATE_DATE)

    assert models.FxRate.objects.filter(date=RATE_DATE).count() == 2


def test_database_accepts_snapshots_of_two_funds_on_the_same_date():
    ProgressSnapshotFactory(as_of=RATE_DATE)
    ProgressSnapshotFactory(as_of=RATE_DATE)

    assert models.ProgressSnapshot.objects.filter(as_of=RATE_DATE).count() == 2


# --- Reversals (trigger) ---


@pytest.mark.parametrize("amount", ["-50000000.00", "-1.00"], ids=["full", "partial"])
def test_database_accepts_a_reversal_of_a_paid_disbursement(amount):
    original = DisbursementFactory(paid=True)

    reversal = reversal_of(original, amount)

    reversal.refresh_from_db()
    assert reversal.amount == Decimal(amount)
    assert original.reversal == reversal


def test_database_refuses_a_reversal_larger_than_its_original():
    original = DisbursementFactory(paid=True)

    with refused_by(
        "disbursement_reversal_not_larger_than_original",
        "a reversal cannot be larger than the disbursement it reverses",
    ):
        reversal_of(original, "-50000000.01")

    assert not models.Disbursement.objects.filter(reverses=original).exists()


def test_database_refuses_to_grow_a_reversal_beyond_its_original_by_an_update():
    original = DisbursementFactory(paid=True)
    reversal = reversal_of(original, "-10.00")

    with refused_by("disbursement_reversal_not_larger_than_original"):
        models.Disbursement.objects.filter(pk=reversal.pk).update(amount=Decimal("-50000000.01"))

    reversal.refresh_from_db()
    assert reversal.amount == Decimal("-10.00")


def test_database_refuses_a_second_reversal_of_the_same_original():
    original = DisbursementFactory(paid=True)
    reversal_of(original, "-10.00")

    with refused_by("portfolio_disbursement_reverses_id_key"):
        reversal_of(original, "-20.00")

    assert models.Disbursement.objects.filter(reverses=original).count() == 1


@pytest.mark.parametrize("trait", ["requested", "approved"])
def test_database_refuses_a_reversal_of_an_unpaid_disbursement(trait):
    original = DisbursementFactory(approved=trait == "approved")

    with refused_by("disbursement_reversal_of_paid_only", "only a paid disbursement can be reversed"):
        reversal_of(original, "-1.00")

    assert not models.Disbursement.objects.filter(reverses=original).exists()


def test_database_refuses_a_reversal_of_a_reversal():
    original = DisbursementFactory(paid=True)
    reversal = reversal_of(original, "-10.00")

    with refused_by("disbursement_reversal_of_original_only", "a reversal cannot be reversed"):
        reversal_of(reversal, "-5.00")

    assert models.Disbursement.objects.count() == 2


def test_database_refuses_a_reversal_in_another_project():
    original = DisbursementFactory(paid=True)
    elsewhere = ProjectFactory(fund=original.project.fund)

    with refused_by("disbursement_reversal_same_project", "a reversal must stay in its project"):
        reversal_of(original, "-1.00", project=elsewhere)

    assert not models.Disbursement.objects.filter(reverses=original).exists()


# --- Paid disbursements are permanent (trigger) ---


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("49999999.99")},
        {"amount": Decimal("60000000.00")},
        {"status": "approved"},
        {"status": "requested", "approved_by": None, "approved_at": None},
        {"paid_date": datetime.date(2025, 4, 2)},
        {"project": "another"},
    ],
    ids=["amount-down", "amount-up", "status-approved", "status-requested", "paid-date", "project"],
)
def test_database_refuses_a_change_to_a_paid_disbursement(change):
    disbursement = DisbursementFactory(paid=True)
    if change.get("project") == "another":
        change = {"project": ProjectFactory(fund=disbursement.project.fund)}

    with refused_by("disbursement_paid_is_permanent"):
        models.Disbursement.objects.filter(pk=disbursement.pk).update(**change)

    stored = models.Disbursement.objects.get(pk=disbursement.pk)
    assert (stored.amount, stored.status, stored.paid_date, stored.project_id) == (
        Decimal("50000000.00"),
        "paid",
        datetime.date(2025, 4, 1),
        disbursement.project_id,
    )


def test_database_refuses_a_changed_amount_on_a_paid_disbursement_saved_through_the_model():
    disbursement = DisbursementFactory(paid=True)
    disbursement.amount = Decimal("1.00")

    with refused_by("disbursement_paid_is_permanent"):
        disbursement.save()

    disbursement.refresh_from_db()
    assert disbursement.amount == Decimal("50000000.00")


def test_database_refuses_to_delete_a_paid_disbursement():
    disbursement = DisbursementFactory(paid=True)

    with refused_by("disbursement_paid_is_permanent", "a paid disbursement cannot be deleted"):
        disbursement.delete()

    assert models.Disbursement.objects.filter(pk=disbursement.pk).exists()


def test_database_refuses_to_delete_paid_disbursements_through_a_queryset():
    project = ProjectFactory()
    DisbursementFactory(project=project)
    DisbursementFactory(project=project, paid=True)

    with refused_by("disbursement_paid_is_permanent"):
        models.Disbursement.objects.filter(project=project).delete()

    assert models.Disbursement.objects.filter(project=project).count() == 2


def test_database_refuses_to_delete_a_paid_reversal():
    reversal = reversal_of(DisbursementFactory(paid=True), "-1.00")
    models.Disbursement.objects.filter(pk=reversal.pk).update(
        status="paid",
        approved_by=UserFactory(),
        approved_at=timezone.now(),
        paid_date=datetime.date(2025, 5, 1),
    )

    with refused_by("disbursement_paid_is_permanent"):
        models.Disbursement.objects.filter(pk=reversal.pk).delete()

    assert models.Disbursement.objects.filter(pk=reversal.pk).exists()


@pytest.mark.parametrize(
    "change",
    [{"original_amount": Decimal("90000.00")}, {"fx_rate": Decimal("500.000000")}],
    ids=["original-amount", "fx-rate"],
)
def test_database_refuses_a_changed_foreign_amount_on_a_paid_disbursement(change):
    disbursement = DisbursementFactory(paid=True, amount=Decimal("45455000.00"), **COMPLETE_FOREIGN_AMOUNT)

    with refused_by("disbursement_paid_is_permanent"):
        models.Disbursement.objects.filter(pk=disbursement.pk).update(**change)


def test_a_requested_disbursement_can_still_be_edited_and_deleted():
    disbursement = DisbursementFactory()
    other_project = ProjectFactory(fund=disbursement.project.fund)

    disbursement.amount = Decimal("40000000.00")
    disbursement.project = other_project
    disbursement.save()
    disbursement.refresh_from_db()
    assert (disbursement.amount, disbursement.project) == (Decimal("40000000.00"), other_project)

    disbursement.delete()
    assert not models.Disbursement.objects.exists()


def test_an_approved_disbursement_can_still_be_deleted():
    disbursement = DisbursementFactory(approved=True)

    models.Disbursement.objects.filter(pk=disbursement.pk).delete()

    assert not models.Disbursement.objects.exists()


def test_a_paid_disbursements_note_and_bank_reference_can_still_be_edited():
    disbursement = DisbursementFactory(paid=True)

    disbursement.note = "Wire confirmed by the bank"
    disbursement.bank_reference = "KZ-PAY-CORRECTED"
    disbursement.save()

    disbursement.refresh_from_db()
    assert disbursement.note == "Wire confirmed by the bank"
    assert disbursement.bank_reference == "KZ-PAY-CORRECTED"
    assert disbursement.amount == Decimal("50000000.00")


# --- Money received is permanent (trigger) ---

RECEIVED_MONEY = [
    (ReceiptFactory, "portfolio_receipt_is_permanent"),
    (CapitalCallPaymentFactory, "portfolio_capitalcallpayment_is_permanent"),
]
RECEIVED_MONEY_IDS = ["receipt", "capital-call-payment"]


@pytest.mark.parametrize(("factory", "constraint"), RECEIVED_MONEY, ids=RECEIVED_MONEY_IDS)
def test_database_refuses_to_delete_received_money(factory, constraint):
    record = factory()

    with refused_by(constraint, "a paid money record cannot be deleted"):
        record.delete()

    assert factory._meta.model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize(("factory", "constraint"), RECEIVED_MONEY, ids=RECEIVED_MONEY_IDS)
def test_database_refuses_to_delete_received_money_through_a_queryset(factory, constraint):
    record = factory()
    model = factory._meta.model

    with refused_by(constraint):
        model.objects.all().delete()

    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("new_amount", [Decimal("1.00"), Decimal("99000000.00")], ids=["down", "up"])
@pytest.mark.parametrize(("factory", "constraint"), RECEIVED_MONEY, ids=RECEIVED_MONEY_IDS)
def test_database_refuses_to_change_the_amount_of_received_money(factory, constraint, new_amount):
    record = factory()
    original_amount = record.amount
    record.amount = new_amount

    with refused_by(constraint, "a paid money record cannot change its amount"):
        record.save()

    record.refresh_from_db()
    assert record.amount == original_amount


def test_a_receipts_note_and_a_payments_bank_reference_can_still_be_edited():
    receipt = ReceiptFactory()
    payment = CapitalCallPaymentFactory()

    models.Receipt.objects.filter(pk=receipt.pk).update(note="Q2 box office statement")
    models.CapitalCallPayment.objects.filter(pk=payment.pk).update(bank_reference="KZ-IN-000123")

    receipt.refresh_from_db()
    payment.refresh_from_db()
    assert receipt.note == "Q2 box office statement"
    assert payment.bank_reference == "KZ-IN-000123"


@pytest.mark.parametrize("field", ["receipt.project", "receipt.date", "payment.item", "payment.date"])
def test_database_refuses_to_move_received_money_to_another_owner_or_date(field):
    if field.startswith("receipt"):
        record, constraint = ReceiptFactory(), "portfolio_receipt_is_permanent"
        other_owner = {"project": ProjectFactory(fund=record.project.fund)}
    else:
        record, constraint = CapitalCallPaymentFactory(), "portfolio_capitalcallpayment_is_permanent"
        other_owner = {"item": CapitalCallItemFactory(capital_call=record.item.capital_call)}
    change = {"date": record.date + datetime.timedelta(days=30)} if field.endswith("date") else other_owner

    with refused_by(constraint):
        type(record).objects.filter(pk=record.pk).update(**change)


# --- Paid distributions are permanent (trigger) ---


def test_database_refuses_to_unpay_a_paid_distribution():
    distribution, _item = paid_distribution_with_item()
    distribution.status = models.Distribution.Status.PLANNED

    with refused_by("distribution_paid_is_permanent", "a paid distribution cannot be undone"):
        distribution.save()

    distribution.refresh_from_db()
    assert distribution.status == "paid"


def test_database_refuses_to_move_a_paid_distribution_to_another_fund():
    distribution, _item = paid_distribution_with_item()

    with refused_by("distribution_paid_is_permanent"):
        models.Distribution.objects.filter(pk=distribution.pk).update(fund=FundFactory())

    assert models.Distribution.objects.get(pk=distribution.pk).fund_id == distribution.fund_id


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_database_refuses_to_delete_a_paid_distribution(how):
    # Without items, so it is the trigger (not on_delete=PROTECT) that has to stop it.
    distribution = DistributionFactory(status=models.Distribution.Status.PAID)

    with refused_by("distribution_paid_is_permanent"):
        if how == "instance":
            distribution.delete()
        else:
            models.Distribution.objects.filter(pk=distribution.pk).delete()

    assert models.Distribution.objects.filter(pk=distribution.pk).exists()


def test_a_paid_distributions_note_can_still_be_edited_and_a_planned_one_deleted():
    paid, _item = paid_distribution_with_item()
    planned = DistributionFactory(fund=paid.fund)

    models.Distribution.objects.filter(pk=paid.pk).update(note="Paid by SWIFT on 2 March")
    planned.delete()

    paid.refresh_from_db()
    assert paid.note == "Paid by SWIFT on 2 March"
    assert list(models.Distribution.objects.all()) == [paid]


def test_database_refuses_to_redate_a_paid_distribution():
    distribution, _item = paid_distribution_with_item()

    with refused_by("distribution_paid_is_permanent"):
        models.Distribution.objects.filter(pk=distribution.pk).update(date=datetime.date(2027, 1, 1))


def test_database_refuses_to_add_an_item_to_a_paid_distribution():
    distribution, item = paid_distribution_with_item()

    with refused_by(
        "distribution_item_paid_is_permanent",
        "the items of a paid distribution cannot be added, changed or deleted",
    ):
        DistributionItemFactory(distribution=distribution)

    assert list(distribution.items.all()) == [item]


def test_database_refuses_to_change_the_amount_of_an_item_of_a_paid_distribution():
    _distribution, item = paid_distribution_with_item()
    item.amount = Decimal("2000000.00")

    with refused_by("distribution_item_paid_is_permanent"):
        item.save()

    item.refresh_from_db()
    assert item.amount == Decimal("1000000.00")


def test_database_refuses_to_move_an_item_out_of_a_paid_distribution():
    distribution, item = paid_distribution_with_item()
    planned = DistributionFactory(fund=distribution.fund)

    with refused_by("distribution_item_paid_is_permanent"):
        models.DistributionItem.objects.filter(pk=item.pk).update(distribution=planned)

    assert models.DistributionItem.objects.get(pk=item.pk).distribution_id == distribution.pk


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_database_refuses_to_delete_an_item_of_a_paid_distribution(how):
    distribution, item = paid_distribution_with_item()

    with refused_by("distribution_item_paid_is_permanent"):
        if how == "instance":
            item.delete()
        else:
            distribution.items.all().delete()

    assert list(distribution.items.all()) == [item]


def test_database_refuses_to_move_an_item_into_a_paid_distribution():
    paid, _item = paid_distribution_with_item()
    stray = DistributionItemFactory(distribution=DistributionFactory(fund=paid.fund))

    with refused_by("distribution_item_paid_is_permanent"):
        models.DistributionItem.objects.filter(pk=stray.pk).update(distribution=paid)


def test_database_refuses_to_change_the_investor_of_an_item_of_a_paid_distribution():
    _distribution, item = paid_distribution_with_item()

    with refused_by("distribution_item_paid_is_permanent"):
        models.DistributionItem.objects.filter(pk=item.pk).update(investor=InvestorFactory())


def test_items_of_a_planned_distribution_can_still_be_changed_and_deleted():
    distribution = DistributionFactory()
    item = DistributionItemFactory(distribution=distribution)

    item.amount = Decimal("1500000.00")
    item.save()
    assert models.DistributionItem.objects.get(pk=item.pk).amount == Decimal("1500000.00")

    item.delete()
    assert not distribution.items.exists()


# --- Every named rule is in the database and covered here ---

# No row can reach these: an earlier constraint in PostgreSQL's name order always refuses it first.
SHADOWED = {"project_total_budget_positive", "tranche_trigger_valid"}
COVERED = (
    {name for _f, _field, name in POSITIVE_AMOUNTS}
    | {name for _f, _values, name in CHOICES}
    | {name for _f, _key, name in UNIQUE_KEYS}
    | {f"{prefix}_foreign_amount_complete" for _f, prefix in FOREIGN_AMOUNT_MODELS}
    | GUARD_RULES
    | {"idempotency_key_one_per_user"}  # in tests/test_api_idempotency.py
    | {
        "valuation_amount_not_negative",
        "fund_project_band_min_not_above_max",
        "fund_investment_period_start_before_end",
        "fund_concentration_cap_between_0_and_100",
        "project_commitment_within_budget",
        "capital_call_due_not_before_call",
        "tranche_trigger_complete",
        "disbursement_approved_by_another_manager",
        "disbursement_approval_recorded",
        "disbursement_paid_has_date",
        "disbursement_amount_positive_unless_reversal",
        "disbursement_not_reversing_itself",
        "fx_rate_currency_iso_code",
    }
)


def model_constraint_names() -> set[str]:
    return {
        constraint.name
        for model in apps.get_app_config("portfolio").get_models()
        for constraint in model._meta.constraints
    }


def test_every_constraint_named_in_the_models_is_tested_here():
    # The rules of the dated records are tested in their own module (which borrows refused_by from here).
    from tests.test_dated_records import RULES_TESTED_HERE

    assert model_constraint_names() - SHADOWED - COVERED - RULES_TESTED_HERE == set()


def test_every_constraint_named_in_the_models_exists_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
        in_database = {name for (name,) in cursor.fetchall()}

    assert model_constraint_names() - in_database == set()


def test_every_trigger_declared_beside_the_models_is_installed_and_the_old_guards_are_gone():
    declared = [
        (model, trigger) for model, trigger in pgtrigger.registered() if model._meta.app_label == "portfolio"
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'portfolio\\_%'")
        hand_written = {name for (name,) in cursor.fetchall()}

    assert {trigger.name for _model, trigger in declared} >= {
        "disbursement_paid_frozen",
        "disbursement_paid_within_project_commitment",
        "disbursement_reversal_rules",
        "portfolio_receipt_frozen",
        "portfolio_capitalcallpayment_frozen",
        "distribution_paid_frozen",
        "distribution_item_paid_is_permanent",
        "project_commitment_covers_paid",
    }
    for model, trigger in declared:
        assert trigger.get_installation_status(model) == ("INSTALLED", True), trigger.name
    assert not {name for name in triggers if name.startswith("portfolio_")}
    assert hand_written == set()

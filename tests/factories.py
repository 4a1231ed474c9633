"""factory-boy factories: each builds a valid record with the least that the test does not care about."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from portfolio import models
from portfolio.models.idempotency import IdempotencyKey

TODAY = datetime.date(2026, 6, 30)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kz")
    password = factory.django.Password("correct-horse-battery-staple")


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Fund

    name = factory.Sequence(lambda n: f"Film Fund {n}")
    slug = factory.Sequence(lambda n: f"fund-{n}")
    legal_form = "OEIC Ltd."
    target_size = Decimal("5500000000.00")
    project_band_min = 15
    project_band_max = 20
    investment_period_start = datetime.date(2025, 1, 1)
    investment_period_end = datetime.date(2028, 1, 1)
    concentration_cap_pct = Decimal("15.00")
    status = models.Fund.Status.INVESTING


class InvestorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Investor

    name = factory.Sequence(lambda n: f"Investor {n}")
    kind = models.Investor.Kind.INSTITUTIONAL


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Commitment

    investor = factory.SubFactory(InvestorFactory)
    fund = factory.SubFactory(FundFactory)
    amount = Decimal("500000000.00")
    date = datetime.date(2025, 1, 15)


class CapitalCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CapitalCall

    fund = factory.SubFactory(FundFactory)
    number = factory.Sequence(lambda n: n + 1)
    call_date = datetime.date(2025, 3, 1)
    due_date = datetime.date(2025, 3, 17)
    purpose = models.CapitalCall.Purpose.INVESTMENT
    amount = Decimal("100000000.00")


class CapitalCallItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CapitalCallItem

    capital_call = factory.SubFactory(CapitalCallFactory)
    investor = factory.SubFactory(InvestorFactory)
    amount = Decimal("10000000.00")


class CapitalCallPaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CapitalCallPayment

    item = factory.SubFactory(CapitalCallItemFactory)
    date = datetime.date(2025, 3, 10)
    amount = Decimal("5000000.00")


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Distribution

    fund = factory.SubFactory(FundFactory)
    number = factory.Sequence(lambda n: n + 1)
    date = datetime.date(2026, 3, 1)
    kind = models.Distribution.Kind.PROFIT
    status = models.Distribution.Status.PLANNED


class DistributionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DistributionItem

    distribution = factory.SubFactory(DistributionFactory)
    investor = factory.SubFactory(InvestorFactory)
    amount = Decimal("1000000.00")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Project
        skip_postgeneration_save = True

    fund = factory.SubFactory(FundFactory)
    title = factory.Sequence(lambda n: f"Film {n}")
    slug = factory.Sequence(lambda n: f"film-{n}")
    format = models.Project.Format.FEATURE
    genre = "Drama"
    language = models.Project.Language.KAZAKH
    director = "A. Director"
    total_budget = Decimal("900000000.00")
    commitment = Decimal("300000000.00")
    instrument = models.Project.Instrument.EQUITY
    approval_date = datetime.date(2025, 2, 1)
    stage = models.Stage.DEVELOPMENT
    # Like the service, a project starts with its first dated commitment record.
    first_commitment = factory.RelatedFactory(
        "tests.factories.ProjectCommitmentChangeFactory",
        factory_related_name="project",
        date=factory.SelfAttribute("..approval_date"),
        amount=factory.SelfAttribute("..commitment"),
    )


class ProjectCommitmentChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProjectCommitmentChange

    project = factory.SubFactory(ProjectFactory, first_commitment=None)
    date = datetime.date(2025, 2, 1)
    amount = Decimal("300000000.00")


class StageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StageChange

    project = factory.SubFactory(ProjectFactory)
    stage = models.Stage.DEVELOPMENT
    date = datetime.date(2025, 2, 1)


class TrancheConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TrancheCondition

    tranche = factory.SubFactory("tests.factories.TrancheFactory")
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Condition {n}")


class TrancheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tranche

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    amount = Decimal("100000000.00")
    planned_date = datetime.date(2025, 3, 1)
    trigger = models.Tranche.Trigger.STAGE
    trigger_stage = models.Stage.PRE_PRODUCTION
    status = models.Tranche.Status.PLANNED


class DisbursementFactory(factory.django.DjangoModelFactory):
    """A requested disbursement; use the `paid` trait for one that has gone through four eyes."""

    class Meta:
        model = models.Disbursement

    project = factory.SubFactory(ProjectFactory)
    amount = Decimal("50000000.00")
    status = models.Disbursement.Status.REQUESTED
    requested_by = factory.SubFactory(UserFactory)
    # A day ago, so an approval stamped "now" never precedes the request.
    requested_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    # A reversal keeps its reason in the note.
    note = factory.Maybe("reverses", yes_declaration="Returned by the bank", no_declaration="")

    class Params:
        approved = factory.Trait(
            status=models.Disbursement.Status.APPROVED,
            approved_by=factory.SubFactory(UserFactory),
            approved_at=factory.LazyFunction(timezone.now),
        )
        paid = factory.Trait(
            status=models.Disbursement.Status.PAID,
            approved_by=factory.SubFactory(UserFactory),
            approved_at=factory.LazyFunction(timezone.now),
            paid_date=datetime.date(2025, 4, 1),
            bank_reference=factory.Sequence(lambda n: f"KZ-PAY-{n:06d}"),
        )


class ReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Receipt

    project = factory.SubFactory(ProjectFactory)
    date = datetime.date(2026, 5, 1)
    amount = Decimal("20000000.00")
    source = models.Receipt.Source.BOX_OFFICE


class ValuationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Valuation

    project = factory.SubFactory(ProjectFactory)
    date = datetime.date(2026, 3, 31)
    amount = Decimal("250000000.00")


class FxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FxRate

    currency = "USD"
    date = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    rate = Decimal("454.550000")


class ProgressSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProgressSnapshot

    fund = factory.SubFactory(FundFactory)
    as_of = datetime.date(2026, 6, 30)
    metrics = factory.LazyFunction(lambda: {"committed_capital": "0.00"})


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyKey

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    fingerprint = "0" * 64
    status_code = 201
    response = factory.LazyFunction(dict)


class CapitalAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CapitalAccount

    fund = factory.SubFactory(FundFactory)
    investor = factory.SubFactory(InvestorFactory)
    as_of = datetime.date(2026, 6, 30)
    commitment = Decimal("100.00")
    paid_in = Decimal("40.00")
    unfunded = Decimal("60.00")
    distributed = Decimal("0.00")
    nav_share = Decimal("40.00")


class ProgressStaleMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProgressStaleMark

    fund = factory.SubFactory(FundFactory)
    stale_from = datetime.date(2026, 6, 1)
    token = factory.Sequence(lambda n: f"token-{n}")
    marked_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Creating the fund already marked it (the signals' outbox): this mark takes that one's place.
        model_class.objects.filter(fund=kwargs["fund"]).delete()
        return super()._create(model_class, *args, **kwargs)

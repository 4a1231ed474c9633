"""The set-based capital accounts (SQL sums and ratios, XIRRs solved as arrays) equal the Python reference
to the last place, on a fund with varied data over many dates, stored and live; and the batch XIRR solver
gives the scalar one's rate on random flow sets."""

import datetime
import math
import random
from decimal import Decimal

import pytest

from portfolio.metrics import compute_targets, xirr
from portfolio.metrics.xirr_batch import solve_many
from portfolio.models import CapitalAccount
from portfolio.money import quantize_ratio
from portfolio.services.progress import ACCOUNT_FIELDS, is_month_end, progress_targets_refresh
from tests import factories as f

D = datetime.date
M = Decimal


@pytest.fixture
def varied(db):
    """Six investors with commitments on different dates (one after most as-of dates), payments in parts
    and on shared days, one investor who paid before committing, distributions paid and planned (one on a
    payment's day), and projects whose valuations and disbursements move the NAV (at one date below zero
    cash), so shares round at the half cent."""
    fund = f.FundFactory(slug="varied")
    investors = [f.InvestorFactory(name=name) for name in ("Ayan", "Bota", "Dana", "Erlan", "Gulnar", "Zere")]
    committed = ["600000000.01", "250000000.33", "99999999.99", "40000000.00", "10000000.07", "3.00"]
    dates = [D(2025, 1, 10), D(2025, 1, 10), D(2025, 2, 1), D(2025, 6, 15), D(2025, 9, 1), D(2026, 5, 1)]
    for investor, amount, day in zip(investors, committed, dates, strict=True):
        f.CommitmentFactory(fund=fund, investor=investor, amount=M(amount), date=day)
    first = f.CapitalCallFactory(
        fund=fund, number=1, call_date=D(2025, 2, 1), due_date=D(2025, 2, 20), amount=M("300000000.00")
    )
    second = f.CapitalCallFactory(
        fund=fund, number=2, call_date=D(2025, 8, 1), due_date=D(2025, 8, 25), amount=M("200000000.00")
    )
    payments = {
        0: [(first, "180000000.00", D(2025, 2, 10)), (second, "60000000.01", D(2025, 8, 20))],
        1: [(first, "40000000.00", D(2025, 2, 10)), (first, "35000000.10", D(2025, 3, 3))],
        2: [(first, "29999999.99", D(2025, 2, 28)), (second, "10000000.00", D(2025, 12, 1))],
        3: [(second, "8000000.00", D(2025, 8, 20))],
        4: [(second, "2000000.01", D(2025, 8, 25)), (second, "1.00", D(2025, 8, 26))],
        5: [(second, "1.00", D(2025, 9, 30))],  # paid before the commitment dated 2026-05-01
    }
    for index, rows in payments.items():
        for call, amount, day in rows:
            item, _ = f.models.CapitalCallItem.objects.get_or_create(
                capital_call=call, investor=investors[index], defaults={"amount": M("500000000.00")}
            )
            f.CapitalCallPaymentFactory(item=item, amount=M(amount), date=day)
    for number, day, paid, shares in (
        (1, D(2025, 8, 20), True, ["3000000.00", "1000000.00", "333333.33", "1.00", "0", "0"]),
        (2, D(2026, 1, 15), True, ["7000000.07", "2500000.00", "999999.99", "400000.00", "100000.00", "0"]),
        (3, D(2026, 2, 1), False, ["9999999.00", "1.00", "1.00", "1.00", "1.00", "0"]),
    ):
        distribution = f.DistributionFactory(fund=fund, number=number, date=day)
        for investor, amount in zip(investors, shares, strict=True):
            if M(amount):
                f.DistributionItemFactory(distribution=distribution, investor=investor, amount=M(amount))
        if paid:
            distribution.status = distribution.Status.PAID
            distribution.save()
    requester, approver = f.UserFactory(), f.UserFactory()
    for title, approved, paid_on, amount, value in (
        ("Steppe", D(2025, 2, 15), D(2025, 3, 1), "120000000.00", ("150000000.05", D(2025, 10, 31))),
        ("Song", D(2025, 4, 1), D(2025, 9, 5), "260000000.01", ("99999999.99", D(2026, 1, 31))),
        ("Late", D(2025, 11, 1), D(2025, 11, 20), "15000000.00", None),
    ):
        project = f.ProjectFactory(
            fund=fund, title=title, approval_date=approved, commitment=M("300000000.00")
        )
        f.DisbursementFactory(
            project=project,
            paid=True,
            paid_date=paid_on,
            amount=M(amount),
            requested_by=requester,
            approved_by=approver,
        )
        if value:
            f.ValuationFactory(project=project, amount=M(value[0]), date=value[1])
    return fund


DATES = [
    D(2025, 1, 9),  # before anything
    D(2025, 2, 10),  # a payment day
    D(2025, 3, 31),
    D(2025, 8, 20),  # a payment and a distribution on the same day
    D(2025, 9, 30),
    D(2025, 12, 31),
    D(2026, 1, 31),
    D(2026, 6, 30),  # after every commitment
]


def _by_investor(accounts):
    return {row["investor_id"]: {name: row[name] for name in ACCOUNT_FIELDS} for row in accounts}


@pytest.mark.django_db
def test_set_based_accounts_equal_the_python_reference_on_every_date(varied):
    targets = [(varied.pk, day) for day in DATES]
    funds = {varied.pk: varied}
    reference = compute_targets(funds, targets, set_based=False)
    set_based = compute_targets(funds, targets, set_based=True)
    rates = 0
    for target in targets:
        assert set_based[target].metrics == reference[target].metrics, target
        expected = _by_investor(reference[target].accounts)
        assert _by_investor(set_based[target].accounts) == expected, target
        # Equal as numbers and as written (plain: "0.5", never "0.5000000000").
        for ours, theirs in zip(
            sorted(set_based[target].accounts, key=lambda row: row["investor_id"]),
            sorted(reference[target].accounts, key=lambda row: row["investor_id"]),
            strict=True,
        ):
            assert {k: str(v) for k, v in ours.items() if k in ACCOUNT_FIELDS} == {
                k: str(v) for k, v in theirs.items() if k in ACCOUNT_FIELDS
            }
        rates += sum(row["net_irr"] is not None for row in set_based[target].accounts)
    assert rates > 20  # the comparison covers real rates, not only nulls
    assert len(set_based[(varied.pk, D(2026, 6, 30))].accounts) == 6


@pytest.mark.django_db
def test_stored_accounts_are_the_reference_figures(varied):
    # Month-ends: the dates whose capital accounts are kept for good.
    month_ends = [day for day in DATES if is_month_end(day)]
    progress_targets_refresh(targets=[(varied.pk, day) for day in DATES])
    reference = compute_targets({varied.pk: varied}, [(varied.pk, day) for day in DATES], set_based=False)
    assert len(month_ends) == 5
    for day in month_ends:
        stored = CapitalAccount.objects.filter(fund=varied, as_of=day).values("investor_id", *ACCOUNT_FIELDS)
        assert _by_investor(stored) == _by_investor(reference[(varied.pk, day)].accounts), day


@pytest.mark.django_db
def test_an_investor_gone_from_the_fund_loses_their_stored_account(varied):
    day = D(2026, 6, 30)
    kairat = f.CommitmentFactory(fund=varied, investor__name="Kairat", date=D(2025, 1, 10))
    progress_targets_refresh(targets=[(varied.pk, day)])
    stored = CapitalAccount.objects.filter(fund=varied, as_of=day)
    assert stored.filter(investor__name="Kairat").exists()
    kairat.delete()
    progress_targets_refresh(targets=[(varied.pk, day)])
    names = set(stored.values_list("investor__name", flat=True))
    assert names == {"Ayan", "Bota", "Dana", "Erlan", "Gulnar", "Zere"}


def _random_sets(count: int, seed: int):
    rng = random.Random(seed)
    sets = []
    for _ in range(count):
        size = rng.randint(2, 8)
        days = sorted(rng.sample(range(1500), size))
        conventional = rng.random() < 0.7
        amounts = []
        for position in range(size):
            cents = rng.randint(1, 10**11)
            if conventional:
                sign = 1 if position == size - 1 else -1
                cents *= 3 if sign > 0 else 1
            else:
                sign = rng.choice((-1, 1))
            amounts.append(M(sign * cents) / 100)
        sets.append(
            [
                (D(2024, 1, 1) + datetime.timedelta(days=day), amount)
                for day, amount in zip(days, amounts, strict=True)
            ]
        )
    return sets


def test_the_batch_solver_gives_the_scalar_rate_to_the_last_place():
    sets = _random_sets(2000, seed=8)
    owner, days, amounts = [], [], []
    for index, flows in enumerate(sets):
        for day, amount in flows:
            owner.append(index)
            days.append((day - D(2000, 1, 1)).days)
            amounts.append(float(amount))
    rates = solve_many(owner, days, amounts, len(sets))
    defined = 0
    for flows, rate in zip(sets, rates, strict=True):
        expected = xirr(flows)
        ours = None if math.isnan(rate) else Decimal(repr(float(rate)))
        assert (ours is None) == (expected is None), flows
        if expected is not None:
            defined += 1
            assert quantize_ratio(ours) == expected, flows
    assert defined > 1500

"""Funds and investors' commitments through the services: the fund's limits hold when they change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from portfolio.models import Commitment, Fund
from portfolio.services.funds import commitment_change, commitment_record, fund_create, fund_update
from portfolio.services.projects import project_stage_change
from tests.builders import D, M, last_actor, project, refused, team
from tests.factories import InvestorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_sets_up_a_fund_with_its_managers():
    admin, manager = UserFactory(is_superuser=True), UserFactory()

    fund = fund_create(
        user=admin,
        name="Tolqyn",
        slug="tolqyn",
        target_size="5500000000.00",
        investment_period_start=D(2025, 3, 1),
        investment_period_end=D(2028, 3, 1),
        managers=[manager],
    )

    assert (fund.target_size, list(fund.managers.all()), last_actor(fund)) == (M("5.5e9"), [manager], admin)


def test_a_manager_cannot_set_up_a_fund():
    with pytest.raises(PermissionDenied):
        fund_create(
            user=UserFactory(), name="X", slug="x", target_size="1", investment_period_start=D(2025, 1, 1)
        )
    assert not Fund.objects.exists()


def test_a_smaller_target_or_cap_is_refused_when_it_leaves_a_project_above_the_cap():
    t = team()
    project(t, commitment="800000000.00", budget="2000000000.00", title="Big film")

    assert refused(fund_update, user=t.manager, fund=t.fund, target_size="5300000000.00") == {
        "target_size": [
            "Big film would be above the concentration cap of ₸795,000,000.00 with its commitment of "
            "₸800,000,000.00."
        ]
    }
    assert refused(fund_update, user=t.manager, fund=t.fund, concentration_cap_pct=M("14.5")) == {
        "concentration_cap_pct": [
            "Big film would be above the concentration cap of ₸797,500,000.00 with its commitment of "
            "₸800,000,000.00."
        ]
    }
    fund_update(user=t.approver, fund=t.fund, target_size="5400000000.00", name="Tolqyn II")
    t.fund.refresh_from_db()
    assert (t.fund.target_size, t.fund.name, last_actor(t.fund)) == (M("5.4e9"), "Tolqyn II", t.approver)


def test_an_abandoned_project_does_not_hold_the_cap_up():
    t = team()
    big = project(t, commitment="800000000.00", budget="2000000000.00")
    project_stage_change(
        project=big, stage="abandoned", date=datetime.date.today(), user=t.manager, note="No bond"
    )

    assert fund_update(user=t.manager, fund=t.fund, target_size="5000000000.00").target_size == M("5e9")


def test_a_fund_edit_is_validated_like_the_model():
    t = team()

    assert refused(fund_update, user=t.manager, fund=t.fund, investment_period_end=D(2024, 1, 1)) == {
        "investment_period_end": ["The investment period must end after it starts."]
    }


def test_a_commitment_is_recorded_once_per_investor_and_fund():
    t = team()
    investor = InvestorFactory()

    commitment = commitment_record(
        user=t.manager, fund=t.fund, investor=investor, amount="1000", date=D(2025, 2, 1)
    )

    assert (commitment.amount, last_actor(commitment)) == (M("1000.00"), t.manager)
    assert refused(
        commitment_record, user=t.manager, fund=t.fund, investor=investor, amount="5", date=D(2025, 2, 1)
    ) == {"__all__": ["This investor already has a commitment to this fund."]}


def test_a_commitment_decrease_never_takes_committed_capital_below_the_allocations():
    t = team()  # 4,400,000,000 committed
    for _ in range(5):
        project(t, commitment="800000000.00", budget="2000000000.00")  # 4,000,000,000 allocated
    smaller = Commitment.objects.get(amount=M("2000000000.00"))

    assert refused(commitment_change, user=t.manager, commitment=smaller, amount="1599999999.99") == {
        "amount": ["The committed capital would fall below the fund's allocations of ₸4,000,000,000.00."]
    }
    changed = commitment_change(user=t.approver, commitment=smaller, amount="1600000000.00")
    assert (changed.amount, last_actor(changed)) == (M("1.6e9"), t.approver)


def test_a_commitment_cannot_go_below_what_was_called_from_the_investor():
    from portfolio.services.capital_calls import capital_call_issue

    t = team()
    capital_call_issue(
        user=t.manager, fund=t.fund, call_date=D(2025, 3, 1), due_date=D(2025, 3, 17), amount="440000000"
    )
    smaller = Commitment.objects.get(amount=M("2000000000.00"))  # called 200,000,000.00

    assert refused(commitment_change, user=t.manager, commitment=smaller, amount="199999999.99") == {
        "amount": [
            "The commitment cannot be less than what was already called from this investor (₸200,000,000.00)."
        ]
    }

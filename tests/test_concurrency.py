"""The limits hold under concurrent requests: threads, each with its own database connection, all released at
once by a barrier, against real PostgreSQL row locks."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from portfolio.models import Disbursement, Project
from portfolio.services import limits
from portfolio.services.disbursements import disbursement_approve, disbursement_pay, disbursement_request
from portfolio.services.projects import project_create
from tests.builders import APPROVED_ON, M, eligible_tranche, project, team

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count: int, work) -> list:
    """Run `work(index)` in `count` threads that start together; each outcome is its result or its refusal."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = work(index)
        except ValidationError as error:
            outcomes[index] = error.message_dict
        except Exception as error:  # noqa: BLE001 - the test shows whatever else went wrong
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_requests_at_once_against_headroom_for_five_grant_five_and_then_pay_the_commitment_in_full():
    t = team()
    p = project(t, commitment="500000000.00")
    tranche = eligible_tranche(t, p)

    outcomes = run_at_once(
        50, lambda index: disbursement_request(user=t.manager, tranche=tranche, amount="100000000.00").pk
    )

    granted = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refusals = [outcome for outcome in outcomes if not isinstance(outcome, int)]
    assert len(granted) == 5
    assert refusals == [{"amount": ["The request exceeds what is left of the tranche: ₸0.00."]}] * 45
    for pk in granted:
        approved = disbursement_approve(user=t.approver, disbursement=Disbursement.objects.get(pk=pk))
        disbursement_pay(
            user=t.manager, disbursement=approved, paid_date=timezone.localdate(), bank_reference=f"R{pk}"
        )
    assert limits.used(project=p).paid == p.commitment == M("500000000.00")
    assert Disbursement.objects.count() == 5


def test_twenty_project_approvals_at_once_never_allocate_more_than_the_committed_capital():
    t = team()  # 4,400,000,000 committed; twenty at 800,000,000 would be 16,000,000,000

    outcomes = run_at_once(
        20,
        lambda index: (
            project_create(
                user=t.manager,
                fund=t.fund,
                title=f"Film {index}",
                slug=f"film-{index}",
                total_budget="2000000000.00",
                commitment="800000000.00",
                approval_date=APPROVED_ON,
            ).pk
        ),
    )

    approved = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(approved) == 5  # 5 × 800,000,000 = 4,000,000,000; a sixth would pass 4,400,000,000
    assert all(
        outcome
        == {
            "commitment": [
                "The fund's allocations would exceed its committed capital of ₸4,400,000,000.00: "
                "₸400,000,000.00 is left to allocate."
            ]
        }
        for outcome in outcomes
        if not isinstance(outcome, int)
    )
    assert limits.allocated(t.fund.pk) == M("4000000000.00") <= limits.committed_capital(t.fund.pk)
    assert Project.objects.count() == 5


def test_two_approvers_approving_one_request_at_once_approve_it_once():
    t = team()
    third = t.outsider
    t.fund.managers.add(third)
    tranche = eligible_tranche(t, project(t))
    requested = disbursement_request(user=t.manager, tranche=tranche, amount="1000.00")
    approvers = [t.approver, third]

    outcomes = run_at_once(
        2, lambda index: disbursement_approve(user=approvers[index], disbursement=requested).approved_by_id
    )

    assert sorted(outcomes, key=str) == sorted(
        [
            next(o for o in outcomes if isinstance(o, int)),
            {"status": ["Only a requested disbursement can be approved; this one is approved."]},
        ],
        key=str,
    )
    requested.refresh_from_db()
    assert requested.status == "approved"
    assert requested.approved_by_id in {t.approver.pk, third.pk}
    assert requested.history.filter(status="approved").count() == 1
    assert Decimal(requested.amount) == M("1000.00")


def test_two_valuations_of_one_project_and_date_at_once_record_one_and_refuse_the_other_in_words():
    from portfolio.models import Valuation
    from portfolio.services.valuations import valuation_record

    t = team()
    p = project(t)
    outcomes = run_at_once(
        2,
        lambda index: (
            valuation_record(user=t.manager, project=p, date=APPROVED_ON, amount=f"{250 + index}000000.00").pk
        ),
    )
    recorded = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(recorded) == 1, outcomes
    refusal = next(outcome for outcome in outcomes if not isinstance(outcome, int))
    assert isinstance(refusal, dict), refusal  # a ValidationError's messages, not an IntegrityError
    assert Valuation.objects.filter(project=p).count() == 1

"""Disbursements go requested → approved → paid through the services, four eyes, within every limit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.models import Disbursement, Stage, Tranche, TrancheCondition
from portfolio.services.disbursements import (
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    disbursement_reverse,
)
from portfolio.services.tranches import tranche_cancel
from tests.builders import D, M, eligible_tranche, last_actor, project, refused, team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
SEPARATOR = (
    "Write the amount without underscores, spaces or thousands separators, with a point before the cents: "
    "1000000.50."
)
YESTERDAY = lambda: timezone.localdate() - datetime.timedelta(days=1)  # noqa: E731


@pytest.fixture
def t():
    return team()


@pytest.fixture
def tranche(t):
    return eligible_tranche(t, project(t), shares=(M("0.5"), M("0.5")))


def request(t, tranche, amount="100000000.00", **kwargs):
    return disbursement_request(user=t.manager, tranche=tranche, amount=amount, **kwargs)


def approved(t, tranche, amount="100000000.00"):
    return disbursement_approve(user=t.approver, disbursement=request(t, tranche, amount))


def paid(t, tranche, amount="100000000.00", on=None):
    return disbursement_pay(
        user=t.approver,
        disbursement=approved(t, tranche, amount),
        paid_date=on or TODAY(),
        bank_reference="KZ-1",
    )


def count():
    return Disbursement.objects.count()


# --- the happy path ----------------------------------------------------------------------------------------


def test_a_request_approved_by_a_second_manager_and_paid_moves_the_money(t, tranche):
    requested = request(t, tranche, note="Signing tranche")
    assert (requested.status, requested.requested_by, requested.amount) == ("requested", t.manager, M("1e8"))
    assert requested.requested_at <= timezone.now()
    assert last_actor(requested) == t.manager

    approved_ = disbursement_approve(user=t.approver, disbursement=requested)
    assert (approved_.status, approved_.approved_by) == ("approved", t.approver)
    assert approved_.requested_at <= approved_.approved_at <= timezone.now()
    assert last_actor(approved_) == t.approver

    paid_ = disbursement_pay(
        user=t.manager, disbursement=approved_, paid_date=TODAY(), bank_reference=" KZ-77 "
    )
    paid_.refresh_from_db()
    assert (paid_.status, paid_.paid_date, paid_.bank_reference) == ("paid", TODAY(), "KZ-77")
    assert last_actor(paid_) == t.manager


def test_paying_the_whole_tranche_marks_it_paid_and_a_reversal_makes_it_eligible_again(t, tranche):
    payment = paid(t, tranche, "150000000.00")
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.PAID
    assert last_actor(tranche) == t.approver

    reversal = disbursement_reverse(
        user=t.manager,
        disbursement=payment,
        date=TODAY(),
        reason="Returned: wrong account",
        amount="50000000",
    )

    assert (reversal.amount, reversal.status, reversal.reverses, reversal.note) == (
        M("-50000000.00"),
        "paid",
        payment,
        "Returned: wrong account",
    )
    assert (reversal.requested_by, reversal.approved_by, reversal.paid_date) == (t.manager, None, TODAY())
    assert last_actor(reversal) == t.manager
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.ELIGIBLE


def test_a_full_reversal_by_default_takes_back_the_whole_payment(t, tranche):
    payment = paid(t, tranche)

    reversal = disbursement_reverse(
        user=t.manager, disbursement=payment, date=TODAY(), reason="Bank returned it"
    )

    assert reversal.amount == -payment.amount


def test_a_rejected_request_keeps_who_why_and_when_and_frees_its_headroom(t, tranche):
    requested = request(t, tranche, "150000000.00")

    rejected = disbursement_reject(user=t.approver, disbursement=requested, reason="No signed agreement yet")

    assert (rejected.status, rejected.rejected_by, rejected.rejection_reason) == (
        "rejected",
        t.approver,
        "No signed agreement yet",
    )
    assert rejected.rejected_at >= rejected.requested_at
    assert last_actor(rejected) == t.approver
    assert request(t, tranche, "150000000.00").status == "requested"


def test_the_requester_may_withdraw_a_request_and_an_approved_one_may_be_rejected(t, tranche):
    assert disbursement_reject(
        user=t.manager, disbursement=request(t, tranche), reason="Sent twice"
    ).status == ("rejected")
    assert disbursement_reject(
        user=t.manager, disbursement=approved(t, tranche), reason="Bank refused"
    ).status == ("rejected")


def test_an_import_carries_the_sources_request_and_approval_times(t, tranche):
    asked = timezone.make_aware(datetime.datetime(2025, 4, 1, 10))
    agreed = timezone.make_aware(datetime.datetime(2025, 4, 3, 9))

    requested = request(t, tranche, requested_at=asked)
    approved_ = disbursement_approve(user=t.approver, disbursement=requested, approved_at=agreed)
    paid_ = disbursement_pay(
        user=t.manager, disbursement=approved_, paid_date=D(2025, 4, 4), bank_reference="R"
    )

    assert (paid_.requested_at, paid_.approved_at, paid_.paid_date) == (asked, agreed, D(2025, 4, 4))


# --- the request's rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be greater than zero."),
        ("-5", "The amount must be greater than zero."),
        ("10.005", "An amount has at most 2 decimal places."),
        ("1e3", "Write the amount out in full digits, without an exponent such as 1e3."),
        ("NaN", "Enter a real amount: NaN and Infinity are not amounts."),
        ("Infinity", "Enter a real amount: NaN and Infinity are not amounts."),
        ("1000000000000000.01", "An amount cannot be larger than 1,000,000,000,000,000.00."),
        ("１２３", "Use only the digits 0 to 9 in an amount."),
        ("٣", "Use only the digits 0 to 9 in an amount."),
        ("1_000", SEPARATOR),
    ],
)
def test_a_request_for_an_amount_that_is_not_a_plain_positive_figure_is_refused(t, tranche, amount, message):
    assert refused(request, t=t, tranche=tranche, amount=amount) == {"amount": [message]}
    assert count() == 0


def test_a_request_larger_than_what_is_left_of_the_tranche_is_refused(t, tranche):
    request(t, tranche, "100000000.00")

    assert refused(request, t=t, tranche=tranche, amount="50000000.01") == {
        "amount": ["The request exceeds what is left of the tranche: ₸50,000,000.00."]
    }
    assert count() == 1


def test_a_request_larger_than_what_is_left_of_the_project_commitment_is_refused(t):
    from tests.factories import DisbursementFactory

    p = project(t)
    tranche = eligible_tranche(t, p)
    # A payment recorded before tranches were tracked uses the commitment but no tranche.
    DisbursementFactory(project=p, paid=True, amount=M("100000000.00"), requested_by=t.manager)

    assert refused(request, t=t, tranche=tranche, amount="200000000.01") == {
        "amount": ["The request exceeds what is left of the project's commitment: ₸200,000,000.00."]
    }


def test_requested_and_approved_disbursements_count_against_the_headroom(t, tranche):
    approved(t, tranche, "100000000.00")
    request(t, tranche, "50000000.00")

    assert refused(request, t=t, tranche=tranche, amount="0.01")["amount"] == [
        "The request exceeds what is left of the tranche: ₸0.00."
    ]


def test_a_request_against_a_tranche_not_yet_eligible_is_refused(t, tranche):
    second = tranche.project.tranches.get(number=2)  # waits for production

    assert refused(request, t=t, tranche=second) == {
        "tranche": ["This tranche is not eligible yet: its trigger or its conditions are not met."]
    }


def test_a_request_against_a_tranche_with_an_unmet_condition_is_refused(t, tranche):
    TrancheCondition.objects.create(tranche=tranche, position=1, text="Completion bond")

    assert refused(request, t=t, tranche=tranche)["tranche"] == [
        "This tranche is not eligible yet: its trigger or its conditions are not met."
    ]


def test_a_request_against_a_cancelled_or_fully_paid_tranche_is_refused(t, tranche):
    second = tranche.project.tranches.get(number=2)
    tranche_cancel(user=t.manager, tranche=second, date=TODAY(), reason="Co-producer pays instead")
    paid(t, tranche, "150000000.00")

    assert refused(request, t=t, tranche=second)["tranche"] == ["This tranche is cancelled."]
    assert refused(request, t=t, tranche=tranche)["tranche"] == ["This tranche is fully paid."]


def test_a_request_for_an_abandoned_project_is_refused(t, tranche):
    from portfolio.services.projects import project_stage_change

    project_stage_change(
        project=tranche.project, stage=Stage.ABANDONED, date=TODAY(), user=t.manager, note="Lead withdrew"
    )

    assert refused(request, t=t, tranche=tranche)["tranche"] == [
        "An abandoned project receives no further money."
    ]


@pytest.mark.parametrize("who", ["outsider", "superuser", "investor"])
def test_only_a_named_manager_of_the_fund_may_request(t, tranche, who):
    user = {"outsider": t.outsider, "superuser": UserFactory(is_superuser=True), "investor": UserFactory()}[
        who
    ]

    assert refused(disbursement_request, user=user, tranche=tranche, amount="1.00") == {
        "requested_by": ["Only a manager of this fund can do this."]
    }
    assert count() == 0


def test_an_import_cannot_date_a_request_in_the_future_or_in_year_one(t, tranche):
    future = timezone.now() + datetime.timedelta(days=1)

    assert refused(request, t=t, tranche=tranche, requested_at=future) == {
        "requested_at": ["This date is in the future."]
    }
    assert refused(request, t=t, tranche=tranche, requested_at=datetime.datetime(1, 1, 1)) == {
        "requested_at": ["Enter a date between the years 1900 and 2999."]
    }


# --- approval ----------------------------------------------------------------------------------------------


def test_the_requester_cannot_approve_their_own_request(t, tranche):
    requested = request(t, tranche)

    assert refused(disbursement_approve, user=t.manager, disbursement=requested) == {
        "approved_by": ["A disbursement must be approved by someone other than its requester."]
    }
    requested.refresh_from_db()
    assert requested.status == "requested" and requested.approved_by is None


@pytest.mark.parametrize("who", ["outsider", "superuser"])
def test_only_a_named_manager_of_the_fund_may_approve(t, tranche, who):
    user = t.outsider if who == "outsider" else UserFactory(is_superuser=True)

    assert refused(disbursement_approve, user=user, disbursement=request(t, tranche)) == {
        "approved_by": ["Only a manager of this fund can do this."]
    }


def test_an_approval_cannot_be_dated_before_the_request(t, tranche):
    requested = request(t, tranche)

    assert refused(
        disbursement_approve,
        user=t.approver,
        disbursement=requested,
        approved_at=requested.requested_at - datetime.timedelta(minutes=1),
    ) == {"approved_at": ["A disbursement cannot be approved or rejected before it was requested."]}


def test_a_disbursement_is_approved_once(t, tranche):
    once = approved(t, tranche)

    assert refused(disbursement_approve, user=t.approver, disbursement=once) == {
        "status": ["Only a requested disbursement can be approved; this one is approved."]
    }


# --- payment -----------------------------------------------------------------------------------------------


def test_paying_what_is_not_approved_is_refused(t, tranche):
    requested = request(t, tranche)

    assert refused(
        disbursement_pay, user=t.approver, disbursement=requested, paid_date=TODAY(), bank_reference="X"
    ) == {"status": ["Only an approved disbursement can be paid; this one is requested."]}
    assert Disbursement.objects.get().status == "requested"


def test_paying_twice_is_refused(t, tranche):
    payment = paid(t, tranche)

    assert refused(
        disbursement_pay, user=t.approver, disbursement=payment, paid_date=TODAY(), bank_reference="X"
    ) == {"status": ["Only an approved disbursement can be paid; this one is paid."]}


@pytest.mark.parametrize(
    ("paid_date", "message"),
    [
        (lambda: TODAY() + datetime.timedelta(days=1), "This date is in the future."),
        (lambda: D(1, 1, 1), "Enter a date between the years 1900 and 2999."),
        (lambda: D(9999, 12, 31), "Enter a date between the years 1900 and 2999."),
        (lambda: "2026-02-30", "Enter a valid date."),
        (lambda: "yesterday", "Enter a valid date."),
    ],
    ids=["future", "year-1", "year-9999", "feb-30", "words"],
)
def test_a_payment_date_must_be_a_real_past_date(t, tranche, paid_date, message):
    approved_ = approved(t, tranche)

    assert refused(
        disbursement_pay, user=t.approver, disbursement=approved_, paid_date=paid_date(), bank_reference="X"
    ) == {"paid_date": [message]}
    assert Disbursement.objects.get().status == "approved"


def test_a_payment_cannot_be_dated_before_its_approval(t, tranche):
    approved_ = approved(t, tranche)

    assert refused(
        disbursement_pay, user=t.approver, disbursement=approved_, paid_date=YESTERDAY(), bank_reference="X"
    ) == {"paid_date": [f"A payment cannot be dated before its approval ({TODAY()})."]}


def test_a_payment_needs_its_bank_reference(t, tranche):
    assert refused(
        disbursement_pay,
        user=t.approver,
        disbursement=approved(t, tranche),
        paid_date=TODAY(),
        bank_reference=" ",
    ) == {"bank_reference": ["Give the bank reference of the payment."]}


def test_a_payment_after_the_project_was_abandoned_is_refused(t, tranche):
    from portfolio.services.projects import project_stage_change

    approved_ = approved(t, tranche)
    project_stage_change(
        project=tranche.project, stage=Stage.ABANDONED, date=TODAY(), user=t.manager, note="Lead withdrew"
    )

    assert refused(
        disbursement_pay, user=t.approver, disbursement=approved_, paid_date=TODAY(), bank_reference="X"
    ) == {"paid_date": ["An abandoned project receives no further money."]}


# --- reversal ----------------------------------------------------------------------------------------------


def test_reversing_more_than_was_paid_is_refused(t, tranche):
    payment = paid(t, tranche, "100000000.00")

    assert refused(
        disbursement_reverse,
        user=t.manager,
        disbursement=payment,
        date=TODAY(),
        reason="Returned",
        amount="100000000.01",
    ) == {"amount": ["A reversal cannot be larger than the original (₸100,000,000.00)."]}
    assert count() == 1


def test_reversing_twice_is_refused(t, tranche):
    payment = paid(t, tranche)
    disbursement_reverse(user=t.manager, disbursement=payment, date=TODAY(), reason="Returned", amount="1.00")

    assert refused(
        disbursement_reverse, user=t.manager, disbursement=payment, date=TODAY(), reason="Again"
    ) == {"reverses": ["This disbursement has already been reversed."]}
    assert count() == 2


def test_reversing_a_reversal_or_what_was_not_paid_is_refused(t, tranche):
    reversal = disbursement_reverse(
        user=t.manager, disbursement=paid(t, tranche), date=TODAY(), reason="Returned", amount="1.00"
    )

    assert refused(disbursement_reverse, user=t.manager, disbursement=reversal, date=TODAY(), reason="x") == {
        "reverses": ["A reversal cannot itself be reversed."]
    }
    assert refused(
        disbursement_reverse,
        user=t.manager,
        disbursement=approved(t, tranche, "1.00"),
        date=TODAY(),
        reason="x",
    ) == {"reverses": ["Only a paid disbursement can be reversed."]}


def test_a_reversal_needs_a_reason_and_a_date_not_in_the_future_nor_before_the_payment(t, tranche):
    payment = paid(t, tranche)

    assert refused(disbursement_reverse, user=t.manager, disbursement=payment, date=TODAY(), reason=" ") == {
        "note": ["Say why: a reason is required."]
    }
    assert refused(
        disbursement_reverse,
        user=t.manager,
        disbursement=payment,
        date=TODAY() + datetime.timedelta(days=1),
        reason="Returned",
    ) == {"paid_date": ["This date is in the future."]}
    assert refused(
        disbursement_reverse, user=t.manager, disbursement=payment, date=YESTERDAY(), reason="Returned"
    ) == {"paid_date": [f"A reversal cannot be dated before the payment it reverses ({TODAY()})."]}
    assert count() == 1


def test_a_manager_of_another_fund_cannot_reverse(t, tranche):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        disbursement_reverse(user=t.outsider, disbursement=paid(t, tranche), date=TODAY(), reason="x")


def test_paid_money_never_exceeds_the_commitment_even_when_requests_were_made_before_a_reversal(t, tranche):
    payment = paid(t, tranche, "150000000.00")
    disbursement_reverse(user=t.manager, disbursement=payment, date=TODAY(), reason="Returned")

    paid(t, tranche, "150000000.00")

    assert sum(Disbursement.objects.filter(status="paid").values_list("amount", flat=True)) == Decimal(
        "150000000.00"
    )

"""The paid total of a project never exceeds its commitment: in validation, in the database, concurrently."""

import datetime
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portfolio.models import Disbursement, Project
from tests.factories import DisbursementFactory, ProjectFactory, UserFactory

PAID_ON = datetime.date(2026, 3, 1)


def paid(project, amount, **extra):
    return DisbursementFactory.build(
        project=project,
        amount=D(amount),
        status="paid",
        requested_by=extra.pop("requested_by", None) or UserFactory(),
        approved_by=extra.pop("approved_by", None) or UserFactory(),
        approved_at=timezone.now(),
        paid_date=PAID_ON,
        **extra,
    )


@pytest.mark.django_db
def test_database_refuses_a_payment_that_takes_a_project_past_its_commitment():
    project = ProjectFactory(commitment=D("100.00"), total_budget=D("1000.00"))
    paid(project, "60.00").save()
    with (
        pytest.raises(IntegrityError, match="disbursement_paid_within_project_commitment"),
        transaction.atomic(),
    ):
        paid(project, "40.01").save()
    assert Disbursement.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_a_payment_that_exactly_reaches_the_commitment_is_accepted():
    project = ProjectFactory(commitment=D("100.00"), total_budget=D("1000.00"))
    paid(project, "60.00").save()
    paid(project, "40.00").save()
    assert Disbursement.objects.filter(project=project, status="paid").count() == 2


@pytest.mark.django_db
def test_a_reversal_frees_room_for_a_new_payment():
    project = ProjectFactory(commitment=D("100.00"), total_budget=D("1000.00"))
    original = paid(project, "100.00")
    original.save()
    paid(project, "-30.00", reverses=original).save()
    paid(project, "30.00").save()
    assert sum(d.amount for d in Disbursement.objects.filter(project=project)) == D("100.00")


@pytest.mark.django_db
def test_validation_says_how_much_of_the_commitment_remains():
    project = ProjectFactory(commitment=D("100.00"), total_budget=D("1000.00"))
    paid(project, "60.00").save()
    with pytest.raises(ValidationError) as error:
        paid(project, "40.01").full_clean()
    assert error.value.message_dict["amount"] == [
        "This payment would take the project past its commitment of ₸100.00: ₸40.00 remains to be paid."
    ]


@pytest.mark.django_db
def test_a_commitment_cannot_drop_below_what_was_paid():
    project = ProjectFactory(commitment=D("100.00"), total_budget=D("1000.00"))
    paid(project, "80.00").save()
    project.commitment = D("79.99")
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert error.value.message_dict["commitment"] == [
        "The commitment cannot be less than what was already paid to the project (₸80.00)."
    ]
    with pytest.raises(IntegrityError, match="project_commitment_covers_paid"), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(commitment=D("79.99"))
    project.refresh_from_db()
    assert project.commitment == D("100.00")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_payments_that_each_fit_alone_cannot_both_land():
    project = ProjectFactory(commitment=D("100.00"), total_budget=D("1000.00"))
    requester, approver = UserFactory(), UserFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def pay():
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                paid(project, "60.00", requested_by=requester, approved_by=approver).save()
            outcomes.append("paid")
        except IntegrityError as error:
            outcomes.append(error.__cause__.diag.constraint_name)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["disbursement_paid_within_project_commitment", "paid"]
    assert Disbursement.objects.filter(project=project, status="paid").count() == 1

"""E-mail of the four-eyes steps and the daily digest of overdue tranches: sent by a real worker through Redis
into Django's locmem outbox, and never able to undo the record they are about."""

import datetime
import logging
import time

import pytest
import redis
from django.conf import settings
from django.core import mail

from fundtracker.celery import app as celery_application
from portfolio import notifications
from portfolio.models import Disbursement, Stage, Tranche
from portfolio.services.disbursements import disbursement_approve, disbursement_reject, disbursement_request
from portfolio.tasks import send_overdue_tranche_digests
from tests import factories as f
from tests.builders import M, eligible_tranche, project, team

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture(scope="session")
def celery_app():
    # The worker runs the project's own app (broker: the real Redis of `make test`).
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start-up check)

    return celery_application


@pytest.fixture(scope="session")
def celery_worker_parameters():
    return {"queues": (celery_application.conf.task_default_queue,), "perform_ping_check": True}


@pytest.fixture
def empty_queue():
    """Our queue emptied of what earlier tests left in it, before the worker starts and after."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(celery_application.conf.task_default_queue)
    yield
    client.delete(celery_application.conf.task_default_queue)


def wait_for(condition, seconds=30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def requested(t, tranche, amount="100000000.00"):
    return disbursement_request(user=t.manager, tranche=tranche, amount=amount, note="Camera rental")


# --- the four-eyes steps, through a real worker ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_request_mails_the_other_managers_and_a_decision_mails_the_requester(empty_queue, celery_worker):
    t = team()
    third = f.UserFactory()
    t.fund.managers.add(third)
    p = project(t, title="Kókpar")
    tranche = eligible_tranche(t, p, shares=(M("0.5"), M("0.5")))

    first = requested(t, tranche)
    assert wait_for(lambda: len(mail.outbox) == 2), [m.subject for m in mail.outbox]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([t.approver.email, third.email])
    message = mail.outbox[0]
    assert message.subject == "Disbursement requested: Kókpar, ₸100,000,000.00"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert f"Requested by {t.manager.username} on " in message.body
    assert "Note: Camera rental" in message.body and "Tranche: 1" in message.body

    mail.outbox.clear()
    disbursement_approve(user=t.approver, disbursement=first)
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [t.manager.email]
    assert mail.outbox[0].subject == "Disbursement approved: Kókpar, ₸100,000,000.00"
    assert mail.outbox[0].body.startswith(f"{t.approver.username} approved your request on ")

    second = requested(t, tranche, amount="20000000.00")
    assert wait_for(lambda: len(mail.outbox) == 3)
    mail.outbox.clear()
    disbursement_reject(user=third, disbursement=second, reason="Not in this quarter's budget")
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [t.manager.email]
    assert mail.outbox[0].subject == "Disbursement rejected: Kókpar, ₸20,000,000.00"
    assert "Reason: Not in this quarter's budget" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_the_daily_digest_goes_through_the_worker(empty_queue, celery_worker):
    t = team()
    f.TrancheFactory(project=project(t, title="Late"), planned_date=datetime.date(2026, 1, 10))
    assert send_overdue_tranche_digests.delay(today=TODAY.isoformat()).get(timeout=30) == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([t.manager.email, t.approver.email])
    assert "Late, tranche" in mail.outbox[0].body


# --- a failing notification never undoes the record --------------------------------------------------------


@pytest.fixture
def broker_down():
    """The app's broker pointed at a port where nothing listens, as when Redis is down."""
    app = celery_application
    saved = app.conf.broker_url

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = "redis://127.0.0.1:9/0"
    reset_pools()
    yield
    app.conf.broker_url = saved
    reset_pools()


@pytest.mark.django_db
def test_a_request_stands_when_the_broker_is_down(broker_down, django_capture_on_commit_callbacks, caplog):
    t = team()
    tranche = eligible_tranche(t, project(t))
    caplog.set_level(logging.WARNING, logger="portfolio.notifications")
    with django_capture_on_commit_callbacks(execute=True):
        disbursement = requested(t, tranche)
    assert Disbursement.objects.get(pk=disbursement.pk).status == Disbursement.Status.REQUESTED
    assert "not sent" in caplog.text
    assert mail.outbox == []


@pytest.fixture
def smtp_down_in_process(settings):
    """The demo's in-process mode (no Redis) with a mail server that refuses connections."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    celery_application.conf.task_always_eager = True
    yield
    celery_application.conf.task_always_eager = False


@pytest.mark.django_db
def test_a_decision_stands_when_the_mail_server_is_down(
    smtp_down_in_process, django_capture_on_commit_callbacks
):
    t = team()
    disbursement = requested(t, eligible_tranche(t, project(t)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        disbursement_approve(user=t.approver, disbursement=disbursement)
    assert len(callbacks) == 1  # the notification's enqueue ran, and its failure stayed inside it
    assert Disbursement.objects.get(pk=disbursement.pk).status == Disbursement.Status.APPROVED


# --- the digest's content ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_digest_lists_each_funds_overdue_tranches_oldest_first_to_its_managers():
    t = team(name="Tolqyn")
    late, abandoned = project(t, title="Late"), project(t, title="Gone")
    tranche = f.TrancheFactory
    tranche(project=late, number=1, planned_date=datetime.date(2026, 6, 1), status=Tranche.Status.ELIGIBLE)
    tranche(project=late, number=2, planned_date=datetime.date(2026, 5, 1), amount=M("2500000.50"))
    tranche(project=late, number=3, planned_date=datetime.date(2026, 7, 15))  # not due yet
    tranche(project=late, number=4, planned_date=datetime.date(2026, 4, 1), status=Tranche.Status.PAID)
    tranche(
        project=late,
        number=5,
        planned_date=datetime.date(2026, 4, 1),
        status=Tranche.Status.CANCELLED,
        cancelled_on=datetime.date(2026, 4, 2),
        cancel_reason="Merged into tranche 1",
    )
    tranche(project=abandoned, number=1, planned_date=datetime.date(2026, 1, 1))
    abandoned.stage = Stage.ABANDONED
    abandoned.save()
    quiet = team()
    tranche(project=project(quiet), number=1, planned_date=datetime.date(2026, 9, 1))
    no_address = f.UserFactory(email="")
    t.fund.managers.add(no_address)

    mails = notifications.overdue_digest_mails(TODAY)
    assert sorted(m.to for m in mails) == sorted([t.manager.email, t.approver.email])
    assert mails[0].subject == "Tolqyn: 2 overdue tranches"
    assert mails[0].body.splitlines() == [
        "These tranches of Tolqyn passed their planned date and are neither paid nor cancelled:",
        "",
        "- Late, tranche 2: ₸2,500,000.50, planned for 1 May 2026 (60 days overdue), planned",
        "- Late, tranche 1: ₸100,000,000.00, planned for 1 June 2026 (29 days overdue), eligible",
    ]
    assert send_overdue_tranche_digests.run(today=TODAY.isoformat()) == 2
    assert len(mail.outbox) == 2
    assert notifications.overdue_digest_mails(datetime.date(2026, 4, 30)) == []


@pytest.mark.django_db
def test_mail_is_written_in_the_sites_default_language_whatever_the_actor_reads(settings):
    t = team()
    disbursement = requested(t, eligible_tranche(t, project(t, title="Kókpar")))
    settings.LANGUAGE_CODE = "ru"
    (first, *_rest) = notifications.disbursement_requested_mails(disbursement.pk)
    assert first.language == "ru"
    assert first.subject == "Запрошена выплата: Kókpar, 100 000 000,00 ₸"

"""Snapshots: idempotent, safe under concurrency, queued once per fund after commit, run by a real worker."""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from fundtracker.celery import app as celery_application
from portfolio.models import ProgressSnapshot, Receipt
from portfolio.services.progress import PENDING_KEY, progress_snapshot_refresh
from portfolio.tasks import compute_progress_snapshot, snapshot_all_funds
from tests import factories as f

AS_OF = datetime.date(2026, 6, 30)


@pytest.fixture
def broker():
    """The real Redis of `make test`, with our queue and pending markers emptied."""
    assert settings.REDIS_URL, "make test provides Redis through REDIS_URL"
    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = celery_application.conf.task_default_queue

    def reset():
        client.delete(queue)
        for key in client.scan_iter(PENDING_KEY.format(fund_id="*")):
            client.delete(key)

    client.reset = reset
    client.queued = lambda: client.llen(queue)
    reset()
    yield client
    reset()


@pytest.mark.django_db
def test_rerunning_the_snapshot_changes_nothing():
    project = f.ProjectFactory()
    f.DisbursementFactory(project=project, paid=True, paid_date=datetime.date(2026, 1, 10))
    first = progress_snapshot_refresh(fund_id=project.fund_id, as_of=AS_OF)
    second = progress_snapshot_refresh(fund_id=project.fund_id, as_of=AS_OF)
    assert ProgressSnapshot.objects.filter(fund=project.fund).count() == 1
    assert first.pk == second.pk
    assert second.metrics == first.metrics
    assert second.metrics["disbursed"] == "50000000.00"


@pytest.mark.django_db
def test_a_rerun_after_a_change_overwrites_the_snapshot_of_that_date():
    project = f.ProjectFactory()
    progress_snapshot_refresh(fund_id=project.fund_id, as_of=AS_OF)
    f.ReceiptFactory(project=project, amount=D("123.45"), date=datetime.date(2026, 2, 1))
    snapshot = progress_snapshot_refresh(fund_id=project.fund_id, as_of=AS_OF)
    assert ProgressSnapshot.objects.filter(fund=project.fund).count() == 1
    assert snapshot.metrics["receipts"] == "123.45"


@pytest.mark.django_db
def test_a_task_for_a_fund_that_no_longer_exists_ends_quietly_with_a_log_line(caplog):
    with caplog.at_level("INFO"):
        assert compute_progress_snapshot.run(fund_id=987654, as_of="2026-06-30") is None
    assert "987654 no longer exists" in caplog.text
    assert not ProgressSnapshot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_for_the_same_fund_and_date_leave_one_snapshot():
    fund = f.FundFactory()
    f.CommitmentFactory(fund=fund)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            progress_snapshot_refresh(fund_id=fund.pk, as_of=AS_OF)
        except Exception as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert ProgressSnapshot.objects.filter(fund=fund, as_of=AS_OF).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_inside_a_transaction_that_rolls_back_queues_nothing(broker):
    project = f.ProjectFactory()
    broker.reset()
    with pytest.raises(RuntimeError), transaction.atomic():
        f.ReceiptFactory(project=project)
        raise RuntimeError("roll back")
    assert broker.queued() == 0
    assert not Receipt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_queues_exactly_one_recompute(broker):
    project = f.ProjectFactory()
    broker.reset()
    with transaction.atomic():
        f.ReceiptFactory(project=project)
    assert broker.queued() == 1
    assert broker.exists(PENDING_KEY.format(fund_id=project.fund_id))


@pytest.mark.django_db(transaction=True)
def test_five_hundred_changes_in_one_transaction_queue_one_recompute_per_fund(broker):
    first, second = f.ProjectFactory(), f.ProjectFactory()
    broker.reset()
    with transaction.atomic():
        for number in range(250):
            f.ReceiptFactory(project=first, amount=D(number + 1))
            f.ReceiptFactory(project=second, amount=D(number + 1))
        # Inside the transaction: one callback per fund, however many rows changed.
        pending = [
            getattr(callback, "progress_fund_id", None) for _s, callback, _r in connection.run_on_commit
        ]
        assert sorted(fund_id for fund_id in pending if fund_id) == sorted([first.fund_id, second.fund_id])
    assert Receipt.objects.count() == 500
    assert broker.queued() == 2


@pytest.mark.django_db(transaction=True)
def test_changes_committed_one_by_one_queue_one_message_while_a_recompute_is_pending(broker):
    project = f.ProjectFactory()
    broker.reset()
    for number in range(20):
        f.ReceiptFactory(project=project, amount=D(number + 1))  # autocommit: 20 transactions
    assert Receipt.objects.count() == 20
    assert broker.queued() == 1
    assert broker.exists(PENDING_KEY.format(fund_id=project.fund_id))


# --- a real worker, consuming from Redis ------------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_app():
    # The worker runs the project's own app (broker: the real Redis), not a throwaway test app.
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start-up check)

    return celery_application


@pytest.fixture(scope="session")
def celery_worker_parameters():
    return {"queues": (celery_application.conf.task_default_queue,), "perform_ping_check": True}


@pytest.mark.django_db(transaction=True)
def test_worker_computes_a_snapshot_sent_through_redis(broker, celery_worker):
    project = f.ProjectFactory()
    f.DisbursementFactory(project=project, paid=True, paid_date=datetime.date(2026, 3, 1))
    result = compute_progress_snapshot.delay(fund_id=project.fund_id, as_of="2026-06-30")
    assert result.get(timeout=30) == "2026-06-30"
    snapshot = ProgressSnapshot.objects.get(fund=project.fund, as_of=AS_OF)
    assert snapshot.metrics["disbursed"] == "50000000.00"


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_reaches_the_worker_and_refreshes_todays_snapshot(broker, celery_worker, settings):
    settings.PROGRESS_RECOMPUTE_DELAY = 0
    project = f.ProjectFactory()
    ProgressSnapshot.objects.all().delete()
    f.ReceiptFactory(project=project, amount=D("777.00"), date=datetime.date(2020, 1, 1))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        snapshot = ProgressSnapshot.objects.filter(fund=project.fund).first()
        if snapshot and snapshot.metrics.get("receipts") == "777.00":
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not refresh the snapshot within 30 s")
    assert not broker.exists(PENDING_KEY.format(fund_id=project.fund_id))


@pytest.mark.django_db(transaction=True)
def test_nightly_job_snapshots_every_fund_through_the_worker(broker, celery_worker):
    funds = [f.FundFactory() for _ in range(3)]
    assert snapshot_all_funds.delay(as_of="2026-06-30").get(timeout=30) == 3
    deadline = time.monotonic() + 30
    while ProgressSnapshot.objects.filter(as_of=AS_OF).count() < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert set(ProgressSnapshot.objects.filter(as_of=AS_OF).values_list("fund_id", flat=True)) == {
        fund.pk for fund in funds
    }


@pytest.mark.django_db
def test_a_run_that_read_earlier_never_overwrites_a_snapshot_from_a_later_read():
    project = f.ProjectFactory()
    snapshot = progress_snapshot_refresh(fund_id=project.fund_id, as_of=AS_OF)
    later = snapshot.computed_at + datetime.timedelta(minutes=5)
    ProgressSnapshot.objects.filter(pk=snapshot.pk).update(
        computed_at=later, metrics={"from": "a later read"}
    )
    progress_snapshot_refresh(fund_id=project.fund_id, as_of=AS_OF)  # reads now, i.e. before `later`
    snapshot.refresh_from_db()
    assert snapshot.metrics == {"from": "a later read"}
    assert snapshot.computed_at == later

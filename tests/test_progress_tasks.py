"""Snapshots and capital accounts: idempotent, safe under concurrency, and never lost: a change marks its fund
stale in its own transaction, the recompute corrects every stored date from the mark on, and a real worker
runs it."""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fundtracker.celery import app as celery_application
from portfolio.models import CapitalAccount, ProgressSnapshot, ProgressStaleMark, Receipt
from portfolio.services.progress import progress_snapshot_refresh, progress_targets_refresh
from portfolio.services.recompute import (
    FROM_THE_START,
    PENDING_KEY,
    forget_pending_marks,
    progress_recompute,
    progress_refresh_request,
)
from portfolio.tasks import compute_progress_snapshot, snapshot_all_funds, sweep_stale_progress
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


def clear_marks():
    ProgressStaleMark.objects.all().delete()
    forget_pending_marks()


def mark_of(fund_id):
    return ProgressStaleMark.objects.filter(fund_id=fund_id).first()


# --- the snapshot writer ------------------------------------------------------------------------------------


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
def test_capital_accounts_are_stored_with_the_snapshot_and_replaced_on_a_rerun():
    fund = f.FundFactory()
    keep, leave = f.CommitmentFactory(fund=fund), f.CommitmentFactory(fund=fund)
    progress_snapshot_refresh(fund_id=fund.pk, as_of=AS_OF)
    assert set(
        CapitalAccount.objects.filter(fund=fund, as_of=AS_OF).values_list("investor_id", flat=True)
    ) == {
        keep.investor_id,
        leave.investor_id,
    }
    leave.delete()
    progress_snapshot_refresh(fund_id=fund.pk, as_of=AS_OF)
    account = CapitalAccount.objects.get(fund=fund, as_of=AS_OF)
    assert (account.investor_id, account.commitment, account.dpi) == (
        keep.investor_id,
        D("500000000.00"),
        None,
    )
    assert "investors" not in ProgressSnapshot.objects.get(fund=fund, as_of=AS_OF).metrics


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
    assert CapitalAccount.objects.filter(fund=fund, as_of=AS_OF).count() == 1


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


# --- the outbox: a change marks its fund stale in its own transaction -----------------------------------


@pytest.mark.django_db
def test_a_change_marks_its_fund_stale_from_its_own_date():
    project = f.ProjectFactory(approval_date=datetime.date(2025, 2, 1))
    clear_marks()
    f.ReceiptFactory(project=project, date=datetime.date(2026, 3, 5))
    assert mark_of(project.fund_id).stale_from == datetime.date(2026, 3, 5)
    f.ReceiptFactory(project=project, date=datetime.date(2025, 7, 1))  # earlier: the earliest date wins
    f.ReceiptFactory(project=project, date=datetime.date(2026, 5, 1))  # later: changes nothing
    assert mark_of(project.fund_id).stale_from == datetime.date(2025, 7, 1)


@pytest.mark.django_db
def test_an_edit_that_moves_a_record_later_marks_from_its_old_date():
    valuation = f.ValuationFactory(date=datetime.date(2025, 9, 30))
    clear_marks()
    valuation.date = datetime.date(2026, 3, 31)
    valuation.save()
    assert mark_of(valuation.project.fund_id).stale_from == datetime.date(2025, 9, 30)


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_leaves_no_mark_and_queues_nothing(broker):
    project = f.ProjectFactory()
    clear_marks()
    broker.reset()
    with pytest.raises(RuntimeError), transaction.atomic():
        f.ReceiptFactory(project=project)
        raise RuntimeError("roll back")
    assert not ProgressStaleMark.objects.exists()
    assert broker.queued() == 0
    assert not Receipt.objects.exists()


@pytest.mark.django_db
def test_a_mark_rolled_back_with_its_savepoint_is_written_again(django_capture_on_commit_callbacks):
    project = f.ProjectFactory()
    clear_marks()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            f.ReceiptFactory(project=project, date=datetime.date(2026, 1, 1))
            raise RuntimeError("roll back the savepoint")
        f.ReceiptFactory(project=project, date=datetime.date(2026, 1, 1))
    assert mark_of(project.fund_id).stale_from == datetime.date(2026, 1, 1)
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_five_hundred_changes_in_one_transaction_write_one_mark_and_queue_one_recompute_per_fund(
    django_capture_on_commit_callbacks,
):
    first, second = f.ProjectFactory(), f.ProjectFactory()
    clear_marks()
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        for number in range(250):
            f.ReceiptFactory(project=first, amount=D(number + 1), date=datetime.date(2026, 5, 1))
            f.ReceiptFactory(project=second, amount=D(number + 1), date=datetime.date(2026, 5, 1))
    mark_writes = [query for query in queries if ProgressStaleMark._meta.db_table in query["sql"]]
    assert len(mark_writes) == 2
    assert len(callbacks) == 2
    assert Receipt.objects.count() == 500


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_queues_exactly_one_recompute(broker):
    project = f.ProjectFactory()
    broker.reset()
    with transaction.atomic():
        f.ReceiptFactory(project=project)
    assert broker.queued() == 1
    assert broker.exists(PENDING_KEY.format(fund_id=project.fund_id))
    assert mark_of(project.fund_id) is not None


@pytest.mark.django_db(transaction=True)
def test_changes_committed_one_by_one_queue_one_message_while_a_recompute_is_pending(broker):
    project = f.ProjectFactory()
    broker.reset()
    for number in range(20):
        f.ReceiptFactory(project=project, amount=D(number + 1))  # autocommit: 20 transactions
    assert Receipt.objects.count() == 20
    assert broker.queued() == 1


# --- the recompute: every stored date from the mark on ------------------------------------------------------


def stored(fund, key="receipts"):
    return dict(ProgressSnapshot.objects.filter(fund=fund).values_list("as_of", f"metrics__{key}"))


@pytest.mark.django_db
def test_a_back_dated_change_corrects_every_stored_snapshot_from_its_date_on():
    project = f.ProjectFactory(approval_date=datetime.date(2025, 2, 1))
    fund = project.fund
    month_ends = [datetime.date(2025, 3, 31), datetime.date(2025, 6, 30), datetime.date(2025, 9, 30)]
    progress_targets_refresh(targets=[(fund.pk, day) for day in month_ends])
    clear_marks()

    f.ReceiptFactory(project=project, amount=D("1000.00"), date=datetime.date(2025, 5, 15))
    progress_recompute(fund_ids=[fund.pk], as_of=datetime.date(2025, 10, 1))

    assert stored(fund) == {
        datetime.date(2025, 3, 31): "0.00",  # before the change: untouched
        datetime.date(2025, 6, 30): "1000.00",
        datetime.date(2025, 9, 30): "1000.00",
        datetime.date(2025, 10, 1): "1000.00",  # today's is written too
    }
    assert mark_of(fund.pk) is None


@pytest.mark.django_db
def test_a_change_dated_before_the_funds_first_record_recomputes_from_the_start():
    project = f.ProjectFactory(approval_date=datetime.date(2025, 2, 1))
    fund = project.fund
    progress_targets_refresh(
        targets=[(fund.pk, datetime.date(2025, 2, 28)), (fund.pk, datetime.date(2025, 3, 31))]
    )
    ProgressSnapshot.objects.filter(fund=fund).update(metrics={"stale": True})
    clear_marks()
    f.CommitmentFactory(fund=fund, amount=D("7.00"), date=datetime.date(2020, 1, 1))
    assert mark_of(fund.pk).stale_from == datetime.date(2020, 1, 1)
    progress_recompute(fund_ids=[fund.pk], as_of=datetime.date(2025, 4, 1))
    assert stored(fund, "committed_capital") == {
        datetime.date(2025, 2, 28): "7.00",
        datetime.date(2025, 3, 31): "7.00",
        datetime.date(2025, 4, 1): "7.00",
    }


@pytest.mark.django_db
def test_a_change_to_the_fund_itself_marks_it_stale_from_the_start():
    fund = f.FundFactory()
    clear_marks()
    fund.target_size = D("6000000000.00")
    fund.save()
    assert mark_of(fund.pk).stale_from == FROM_THE_START


@pytest.mark.django_db(transaction=True)
def test_a_change_that_arrives_during_a_recompute_keeps_the_mark_for_the_next_run(monkeypatch):
    from portfolio.services import recompute

    project = f.ProjectFactory()
    fund_id = project.fund_id
    original = recompute.compute_targets

    def compute_while_a_change_commits(funds, targets, **options):
        result = original(funds, targets, **options)
        thread = threading.Thread(target=_receipt_in_own_connection, args=(project,))
        thread.start()
        thread.join(timeout=30)
        return result

    monkeypatch.setattr(recompute, "compute_targets", compute_while_a_change_commits)
    progress_recompute(fund_ids=[fund_id], as_of=AS_OF)
    assert mark_of(fund_id) is not None  # the newer change's mark survived
    monkeypatch.setattr(recompute, "compute_targets", original)
    progress_recompute(fund_ids=[fund_id], as_of=AS_OF)
    assert mark_of(fund_id) is None
    assert ProgressSnapshot.objects.get(fund_id=fund_id, as_of=AS_OF).metrics["receipts"] == "55.00"


def _receipt_in_own_connection(project):
    try:
        f.ReceiptFactory(project=project, amount=D("55.00"), date=datetime.date(2026, 1, 1))
    finally:
        connection.close()


@pytest.mark.django_db
def test_a_recompute_for_a_fund_deleted_meanwhile_ends_quietly_and_drops_its_mark():
    fund = f.FundFactory()
    progress_refresh_request(fund_id=fund.pk)
    fund_id = fund.pk
    fund.delete()
    assert ProgressStaleMark.objects.filter(fund_id=fund_id).exists()
    assert progress_recompute(fund_ids=[fund_id]) == 0
    assert not ProgressStaleMark.objects.filter(fund_id=fund_id).exists()


@pytest.mark.django_db
def test_a_recompute_of_a_fund_without_a_mark_does_nothing():
    fund = f.FundFactory()
    clear_marks()
    with CaptureQueriesContext(connection) as queries:
        assert progress_recompute(fund_ids=[fund.pk]) == 0
    assert not ProgressSnapshot.objects.exists()
    # The marks, read inside the recompute's transaction (a savepoint here, since the test runs in one).
    assert [query["sql"].split()[0] for query in queries] == ["SAVEPOINT", "SELECT", "RELEASE"]


def _fund_with(projects: int):
    fund = f.FundFactory()
    for number in range(projects):
        project = f.ProjectFactory(fund=fund, commitment=D("1000.00"), total_budget=D("1000.00"))
        f.DisbursementFactory(
            project=project, paid=True, amount=D("10.00"), paid_date=datetime.date(2025, 4, 1)
        )
        f.TrancheFactory(project=project, number=1, amount=D("100.00"))
        f.ReceiptFactory(project=project, date=datetime.date(2025, 5, number % 28 + 1))
        f.ValuationFactory(project=project, date=datetime.date(2025, 6, 30))
        f.CommitmentFactory(fund=fund)
    progress_targets_refresh(targets=[(fund.pk, datetime.date(2025, 12, 31))])
    progress_refresh_request(fund_id=fund.pk, since=datetime.date(2025, 1, 1))
    return fund


@pytest.mark.django_db
def test_a_recompute_costs_the_same_fixed_queries_for_3_and_60_projects():
    counts = []
    for size in (3, 60):
        fund = _fund_with(size)
        with CaptureQueriesContext(connection) as queries:
            assert progress_recompute(fund_ids=[fund.pk], as_of=datetime.date(2026, 1, 1)) == 2
        counts.append(len(queries))
    # Read: marks, stored dates, funds, the 11 ledger reads, the capital accounts staged set-based (the work
    # table, then one statement for every account; a third writes the rates when any account has flows).
    # Write: lock the funds, upsert the snapshots, delete and insert the capital accounts, clear the marks.
    # Both transactions are savepoints here (the test runs inside one): 4 statements more. In production
    # the read sets REPEATABLE READ instead.
    assert counts == [25, 25]


@pytest.mark.django_db
def test_the_sweep_of_a_quiet_installation_is_one_query():
    f.FundFactory()
    clear_marks()
    with CaptureQueriesContext(connection) as queries:
        assert sweep_stale_progress.run() == 0
    assert len(queries) == 1


# --- a real worker, consuming from Redis ------------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_app():
    # The worker runs the project's own app (broker: the real Redis), not a throwaway test app.
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start-up check)

    return celery_application


@pytest.fixture(scope="session")
def celery_worker_parameters():
    return {"queues": (celery_application.conf.task_default_queue,), "perform_ping_check": True}


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_computes_a_snapshot_sent_through_redis(broker, celery_worker):
    project = f.ProjectFactory()
    f.DisbursementFactory(project=project, paid=True, paid_date=datetime.date(2026, 3, 1))
    result = compute_progress_snapshot.delay(fund_id=project.fund_id, as_of="2026-06-30")
    assert result.get(timeout=30) == "2026-06-30"
    snapshot = ProgressSnapshot.objects.get(fund=project.fund, as_of=AS_OF)
    assert snapshot.metrics["disbursed"] == "50000000.00"


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_reaches_the_worker_and_clears_its_mark(broker, celery_worker, settings):
    settings.PROGRESS_RECOMPUTE_DELAY = 0
    project = f.ProjectFactory()
    ProgressSnapshot.objects.all().delete()
    f.ReceiptFactory(project=project, amount=D("777.00"), date=datetime.date(2020, 1, 1))

    def refreshed():
        snapshot = ProgressSnapshot.objects.filter(fund=project.fund).first()
        return (
            snapshot is not None
            and snapshot.metrics.get("receipts") == "777.00"
            and not mark_of(project.fund_id)
        )

    assert wait_for(refreshed), "the worker did not refresh the snapshot within 30 s"


@pytest.mark.django_db(transaction=True)
def test_the_sweep_queues_a_mark_whose_fast_path_was_lost(broker, celery_worker):
    fund = f.FundFactory()
    f.CommitmentFactory(fund=fund, amount=D("42.00"))
    broker.reset()  # the fast path's message is lost
    ProgressStaleMark.objects.filter(fund=fund).update(
        marked_at=ProgressStaleMark.objects.get(fund=fund).marked_at - datetime.timedelta(minutes=5)
    )
    assert sweep_stale_progress.run() == 1
    assert wait_for(lambda: mark_of(fund.pk) is None)
    assert CapitalAccount.objects.filter(fund=fund).get().commitment == D("42.00")


@pytest.mark.django_db(transaction=True)
def test_nightly_job_fans_out_batches_of_funds_to_the_worker(broker, celery_worker):
    funds = [f.FundFactory() for _ in range(3)]
    assert snapshot_all_funds.delay(as_of="2026-06-30").get(timeout=30) == 3
    assert wait_for(lambda: ProgressSnapshot.objects.filter(as_of=AS_OF).count() == 3)
    assert set(ProgressSnapshot.objects.filter(as_of=AS_OF).values_list("fund_id", flat=True)) == {
        fund.pk for fund in funds
    }
    assert wait_for(lambda: not ProgressStaleMark.objects.exists())

"""Measurements of the progress engine on the bench data set: one fund, every fund (in-process and through
real Celery workers), a back-dated change over a year of daily snapshots, the sweep, and queries per refresh.

Each function returns rows for the table: (measure, value, target, ok?). A missed target prints "no".
"""

import datetime
import os
import statistics
import subprocess
import sys
import time

from bench_data import ROOT, log

RAW_SQL = """
    SELECT p.fund_id, SUM(d.amount)
    FROM portfolio_disbursement d JOIN portfolio_project p ON p.id = d.project_id
    WHERE d.status = 'paid' AND d.paid_date <= %s
    GROUP BY p.fund_id
"""


def ok(passed: bool) -> str:
    return "yes" if passed else "no"


def timed_ms(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def raw_aggregate_ms(as_of) -> float:
    """The yardstick: one grouped SUM over the whole disbursement ledger (median of 5, after a warm-up)."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [as_of])
            cursor.fetchall()

    run()
    return statistics.median(timed_ms(run) for _ in range(5))


def queries_of(function, *args, **kwargs) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function(*args, **kwargs)
    return len(captured.captured_queries)


def one_fund_and_every_fund(sample: list[int], fund_ids: list[int], as_of, raw_ms: float) -> list[tuple]:
    from portfolio.models import CapitalAccount
    from portfolio.services.progress import progress_snapshot_refresh, progress_snapshots_refresh
    from portfolio.tasks import SNAPSHOT_BATCH

    log(f"warming up ({len(sample[:3])} snapshots)")
    for fund_id in sample[:3]:
        progress_snapshot_refresh(fund_id=fund_id, as_of=as_of)
    one_queries = queries_of(progress_snapshots_refresh, fund_ids=sample[:1], as_of=as_of)
    batch_queries = queries_of(progress_snapshots_refresh, fund_ids=fund_ids[:SNAPSHOT_BATCH], as_of=as_of)

    log(f"one fund's snapshot and capital accounts x {len(sample)}")
    one = [timed_ms(progress_snapshot_refresh, fund_id=fund_id, as_of=as_of) for fund_id in sample]

    log(f"all {len(fund_ids)} funds, in the nightly job's batches of {SNAPSHOT_BATCH}")
    started = time.perf_counter()
    for start in range(0, len(fund_ids), SNAPSHOT_BATCH):
        progress_snapshots_refresh(fund_ids=fund_ids[start : start + SNAPSHOT_BATCH], as_of=as_of)
    all_s = time.perf_counter() - started
    accounts = CapitalAccount.objects.filter(as_of=as_of).count()
    one_ms = statistics.median(one)
    return [
        (
            f"one fund's snapshot with its capital accounts (median of {len(one)} funds; "
            f"min {min(one):.1f}, max {max(one):.1f})",
            f"{one_ms:.1f} ms",
            "≤ 25 ms",
            ok(one_ms <= 25),
        ),
        (
            f"all {len(fund_ids)} funds with {accounts:,} capital accounts, in-process batches of "
            f"{SNAPSHOT_BATCH}",
            f"{all_s:.2f} s",
            f"≤ 5 × raw aggregate = {5 * raw_ms / 1000:.2f} s",
            ok(all_s * 1000 <= 5 * raw_ms),
        ),
        ("raw SQL aggregate, whole ledger, one query (median of 5)", f"{raw_ms:.1f} ms", "—", "—"),
        (
            "ratio all funds / raw aggregate",
            f"{all_s * 1000 / raw_ms:.1f}×",
            "≤ 5×",
            ok(all_s * 1000 <= 5 * raw_ms),
        ),
        (
            f"queries per refresh: 1 fund / a batch of {SNAPSHOT_BATCH} funds",
            f"{one_queries} / {batch_queries}",
            "fixed whatever the size",
            ok(one_queries == batch_queries),
        ),
    ]


def back_dated_year(fund_id: int) -> list[tuple]:
    """A fund with a year of daily snapshots gets a valuation dated a year back: time the correction."""
    from django.db import transaction
    from django.utils import timezone

    from portfolio.models import CapitalAccount, ProgressSnapshot, Project, Valuation
    from portfolio.services.progress import progress_targets_refresh
    from portfolio.services.recompute import progress_recompute

    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(365, -1, -1)]
    _forget_history(fund_id)
    log(f"fund {fund_id}: a year of daily snapshots ({len(days)})")
    started = time.perf_counter()
    progress_targets_refresh(targets=[(fund_id, day) for day in days])
    backfill_s = time.perf_counter() - started
    accounts = CapitalAccount.objects.filter(fund_id=fund_id, as_of__gte=days[0]).count()

    project = Project.objects.filter(fund_id=fund_id).order_by("pk").first()
    log(f"a valuation dated {days[0]}, then the recompute")
    with transaction.atomic():
        valuation = Valuation.objects.create(project=project, date=days[0], amount=project.commitment)
    changed_at = timezone.now()
    started = time.perf_counter()
    written = progress_recompute(fund_ids=[fund_id])
    recompute_s = time.perf_counter() - started
    corrected = ProgressSnapshot.objects.filter(
        fund_id=fund_id, as_of__gte=days[0], computed_at__gte=changed_at
    )
    assert written == corrected.count() == len(days), (written, len(days))

    valuation.delete()  # and back: the same recompute, counted this time
    queries = queries_of(progress_recompute, fund_ids=[fund_id])
    _forget_history(fund_id)
    return [
        (
            f"a back-dated change a year back: {written} daily snapshots and {accounts:,} capital accounts "
            "corrected",
            f"{recompute_s:.2f} s",
            "≤ 2 s",
            ok(recompute_s <= 2),
        ),
        ("queries of that recompute (a year of dates)", str(queries), "fixed whatever the size", "—"),
        ("backfilling that year of daily snapshots, one refresh", f"{backfill_s:.2f} s", "—", "—"),
    ]


def _forget_history(fund_id: int) -> None:
    # The daily history belongs to this measurement only: the nightly measures must not refresh it.
    from django.utils import timezone

    from portfolio.models import CapitalAccount, ProgressSnapshot

    recent = timezone.localdate() - datetime.timedelta(days=400)
    ProgressSnapshot.objects.filter(fund_id=fund_id, as_of__gte=recent).delete()
    CapitalAccount.objects.filter(fund_id=fund_id, as_of__gte=recent).delete()


def quiet_sweep() -> list[tuple]:
    from portfolio.models import ProgressStaleMark
    from portfolio.tasks import sweep_stale_progress

    ProgressStaleMark.objects.all().delete()
    queries = queries_of(sweep_stale_progress.run)
    sweep_ms = statistics.median(timed_ms(sweep_stale_progress.run) for _ in range(20))
    return [
        (
            "stale-mark sweep per minute when nothing changed (median of 20)",
            f"{queries} query, {sweep_ms:.2f} ms",
            "one indexed query",
            ok(queries == 1),
        )
    ]


def through_workers(as_of, processes: int, raw_ms: float) -> tuple:
    """The nightly job through a real Celery worker with `processes` pool processes: from queueing the job
    until every fund's mark is cleared."""
    from celery import current_app

    from portfolio.models import ProgressStaleMark
    from portfolio.tasks import snapshot_all_funds

    queue = current_app.conf.task_default_queue
    (ROOT / ".tmp").mkdir(exist_ok=True)
    output = open(ROOT / ".tmp" / f"bench-worker-{processes}.log", "w")  # noqa: SIM115  (closed below)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "fundtracker",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={processes}",
            "--pool=prefork",
            "-Q",
            queue,
            "-n",
            f"bench{processes}@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not current_app.control.ping(
            destination=[f"bench{processes}@{os.uname().nodename}"], timeout=1
        ):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the bench worker did not start")
        log(f"nightly job through a worker with {processes} process(es)")
        started = time.perf_counter()
        snapshot_all_funds.delay(as_of=as_of.isoformat()).get(timeout=600)
        while ProgressStaleMark.objects.exists():
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        output.close()
    return (
        f"all funds through a Celery worker, {processes} process(es) (batches of 100 funds)",
        f"{elapsed:.2f} s",
        f"≤ 5 × raw aggregate = {5 * raw_ms / 1000:.2f} s",
        ok(elapsed * 1000 <= 5 * raw_ms),
    )

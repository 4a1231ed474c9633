"""Progress snapshots: compute and store them, and ask for a recompute when a fund's records change."""

import datetime
import json
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from portfolio.metrics import compute_fund_progress, compute_progress
from portfolio.models import Fund, ProgressSnapshot

logger = logging.getLogger(__name__)

PENDING_KEY = settings.REDIS_KEY_PREFIX + ":progress-pending:{fund_id}"


def metrics_as_json(metrics: dict) -> dict:
    """Decimals become strings and dates ISO strings, exactly as the API and the snapshots carry them."""
    return json.loads(json.dumps(metrics, cls=DjangoJSONEncoder))


def progress_snapshots_refresh(*, fund_ids: list[int], as_of: datetime.date) -> int:
    """Compute the given funds as of `as_of` in one batch and store a snapshot of each; returns how many.

    Idempotent: one INSERT ... ON CONFLICT DO UPDATE against the (fund, as_of) unique key, so a rerun or two
    concurrent runs leave exactly one snapshot per fund and date (the one that read the data last), and
    readers see the old row or the new one, never half. Funds that no longer exist are skipped with a log
    line."""
    funds = list(Fund.objects.filter(pk__in=fund_ids))
    missing = set(fund_ids) - {fund.pk for fund in funds}
    if missing:
        logger.info(
            "progress snapshot skipped: fund %s no longer exists", ", ".join(map(str, sorted(missing)))
        )
    if not funds:
        return 0
    # The time the data was read: a run that read earlier never overwrites one that read later, whichever
    # of two concurrent runs finishes last.
    read_at = timezone.now()
    with _consistent_read():
        computed = compute_progress(funds, as_of)
    # The writes run outside the REPEATABLE READ read: an upsert there would fail with a serialization error
    # when a concurrent run inserted the same (fund, as_of) meanwhile. One single-row upsert per fund, in
    # fund order, so two overlapping batches lock rows in the same order and cannot deadlock.
    with transaction.atomic(), connection.cursor() as cursor:
        for fund in sorted(funds, key=lambda fund: fund.pk):
            cursor.execute(_UPSERT, _upsert_params(fund, as_of, read_at, computed[fund.pk]))
    return len(funds)


_TABLE = ProgressSnapshot._meta.db_table
# A multi-row bulk_create would send the JSON through a PostgreSQL array (three times slower), and cannot say
# "only if newer"; this statement works on PostgreSQL and SQLite alike.
_UPSERT = f"""
    INSERT INTO {_TABLE} (fund_id, as_of, computed_at, metrics) VALUES (%s, %s, %s, %s)
    ON CONFLICT (fund_id, as_of) DO UPDATE SET metrics = excluded.metrics, computed_at = excluded.computed_at
    WHERE {_TABLE}.computed_at <= excluded.computed_at
"""


def _upsert_params(fund, as_of, read_at, metrics) -> list:
    field = ProgressSnapshot._meta.get_field
    return [
        fund.pk,
        field("as_of").get_db_prep_save(as_of, connection),
        field("computed_at").get_db_prep_save(read_at, connection),
        field("metrics").get_db_prep_save(metrics, connection),
    ]


def progress_snapshot_refresh(*, fund_id: int, as_of: datetime.date) -> ProgressSnapshot | None:
    """Compute and store one fund's snapshot of `as_of` (see progress_snapshots_refresh)."""
    if not progress_snapshots_refresh(fund_ids=[fund_id], as_of=as_of):
        return None
    return ProgressSnapshot.objects.get(fund_id=fund_id, as_of=as_of)


@contextmanager
def _consistent_read():
    """One transaction in which every query sees the same committed data.

    The metrics take several queries; under READ COMMITTED a disbursement committed between two of them
    would be half-counted (in `disbursed` but not yet in its project's row). REPEATABLE READ gives all of them
    one snapshot. Inside an outer transaction (tests, a caller's atomic block) the level is already set."""
    with transaction.atomic():
        # Only the outermost block may set the level, and only before its first query, which is now.
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _pending_callbacks_for(fund_id: int) -> bool:
    return any(
        getattr(callback, "progress_fund_id", None) == fund_id
        for _savepoints, callback, _robust in connection.run_on_commit
    )


def progress_refresh_request(*, fund_id: int) -> None:
    """Queue one recompute of today's snapshot after the current transaction commits.

    Coalesces bursts twice over: within a transaction only the first change registers a callback (a
    rollback discards it with the transaction), and across transactions a short-lived Redis key marks a
    recompute as already queued, so 500 rows imported one by one still cost one recompute per fund."""
    if connection.in_atomic_block and _pending_callbacks_for(fund_id):
        return

    def enqueue():
        from portfolio.tasks import compute_progress_snapshot

        if not _claim_pending(fund_id):
            return
        compute_progress_snapshot.apply_async(
            kwargs={"fund_id": fund_id},
            countdown=settings.PROGRESS_RECOMPUTE_DELAY if settings.REDIS_URL else 0,
        )

    enqueue.progress_fund_id = fund_id
    transaction.on_commit(enqueue)


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _claim_pending(fund_id: int) -> bool:
    """True when no recompute of this fund is queued yet (and marks one as queued)."""
    if not settings.REDIS_URL:
        return True
    ttl = settings.PROGRESS_RECOMPUTE_DELAY + settings.CELERY_TASK_TIME_LIMIT
    return bool(_redis().set(PENDING_KEY.format(fund_id=fund_id), "1", nx=True, ex=ttl))


def release_pending(fund_id: int) -> None:
    # Called by the task before it reads anything: a change committed after this point queues a new run.
    if settings.REDIS_URL:
        _redis().delete(PENDING_KEY.format(fund_id=fund_id))


def progress_live(fund: Fund, as_of: datetime.date) -> dict:
    """The metrics computed now, all queries reading the same state of the data."""
    with _consistent_read():
        return compute_fund_progress(fund, as_of)

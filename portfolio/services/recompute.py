"""Recompute requests: a transactional outbox in PostgreSQL, and the recompute that empties it.

A change dated d marks its fund stale from d in the same transaction as the change (the earliest date wins),
so a change that commits always leaves its mark, whatever happens to Redis or a worker afterwards. Queueing
the recompute after commit is only the fast path: when it fails, the change still succeeds, and the sweep
(every minute, from beat) queues whatever is still marked. The recompute refreshes every stored snapshot dated
on or after d, and today's, then deletes the mark only if no newer change arrived meanwhile.
"""

import datetime
import logging
import uuid
import weakref
from collections import defaultdict

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from portfolio.metrics import compute_targets
from portfolio.models import Fund, ProgressSnapshot, ProgressStaleMark

from .progress import accounts_kept_from, consistent_read, progress_write

logger = logging.getLogger(__name__)

# Before any record can be dated (the database keeps dates from 1900 on): "from the fund's start".
FROM_THE_START = datetime.date(1900, 1, 1)
RECOMPUTE_TASK = "portfolio.tasks.recompute_progress"
PENDING_KEY = settings.REDIS_KEY_PREFIX + ":progress-pending:{fund_id}"

_MARKS = ProgressStaleMark._meta.db_table
# The earliest date wins; a new token on every write tells a running recompute that something arrived.
_MARK_SQL = f"""
    INSERT INTO {_MARKS} (fund_id, stale_from, token, marked_at) VALUES (%s, %s, %s, %s)
    ON CONFLICT (fund_id) DO UPDATE SET
        stale_from = CASE WHEN excluded.stale_from < {_MARKS}.stale_from
                          THEN excluded.stale_from ELSE {_MARKS}.stale_from END,
        token = excluded.token,
        marked_at = excluded.marked_at
"""


def progress_refresh_request(*, fund_id: int, since: datetime.date | None = None) -> None:
    """Mark the fund's stored progress stale from `since` (default: from its start), in the current
    transaction, and queue its recompute after commit.

    The one call for code that writes without model signals (`QuerySet.update`, `bulk_create`, raw SQL):
    call it inside the writing transaction with the earliest date the write touches. Within a transaction
    the fund is marked once per date that is earlier than the ones before, so an import of many rows costs
    about one mark write per fund."""
    since = since or FROM_THE_START
    if not connection.in_atomic_block:
        _mark(fund_id, since)
        _enqueue(fund_id)
        return
    if _covered(fund_id, since):
        return
    _mark(fund_id, since)
    pending = _PendingRecompute(fund_id, since)
    transaction.on_commit(pending)
    _pending_marks()[fund_id].append((tuple(connection.savepoint_ids), weakref.ref(pending)))


class _PendingRecompute:
    """The after-commit enqueue of one fund, and the proof that its mark is still in the transaction.

    Only Django's on-commit list holds it strongly: when the transaction or a savepoint it was registered
    in rolls back, Django drops it and the weak reference in `_pending_marks` dies, so the next change
    writes its mark again rather than trusting a mark that was rolled back."""

    def __init__(self, fund_id: int, since: datetime.date):
        self.fund_id, self.since, self.done = fund_id, since, False

    def __call__(self):
        self.done = True
        _enqueue(self.fund_id)


def _pending_marks() -> dict:
    # Per connection (so per thread): the marks written by the transaction now open.
    if not hasattr(connection, "_progress_pending_marks"):
        connection._progress_pending_marks = defaultdict(list)
    return connection._progress_pending_marks


def forget_pending_marks() -> None:
    """Forget which marks this transaction wrote: for code that deletes marks inside the same transaction
    (the recompute does; so do tests), after which the next change must write its mark again."""
    _pending_marks().clear()


def _covered(fund_id: int, since: datetime.date) -> bool:
    stack = tuple(connection.savepoint_ids)
    entries = _pending_marks()[fund_id]
    entries[:] = [(saved, ref) for saved, ref in entries if ref() is not None and not ref().done]
    # A mark written at this level or an enclosing one (still open) with a date no later covers this one.
    return any(stack[: len(saved)] == saved and ref().since <= since for saved, ref in entries)


def _db(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _mark(fund_id: int, since: datetime.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SQL,
            [
                fund_id,
                _db(ProgressStaleMark, "stale_from", since),
                uuid.uuid4().hex,
                _db(ProgressStaleMark, "marked_at", timezone.now()),
            ],
        )


def _enqueue(fund_id: int) -> None:
    """The fast path: never lets a failure reach the change that asked (the mark stays for the sweep)."""
    try:
        if settings.REDIS_URL and not _claim(fund_id):
            return  # a recompute of this fund is already queued and has not started yet
        current_app.tasks[RECOMPUTE_TASK].apply_async(
            kwargs={"fund_ids": [fund_id]},
            countdown=settings.PROGRESS_RECOMPUTE_DELAY if settings.REDIS_URL else 0,
            retry=False,
        )
    except Exception:  # noqa: BLE001  (Redis down, a broken eager run: the sweep retries; the save stands)
        logger.warning("recompute of fund %s not queued now; the sweep will queue it", fund_id, exc_info=True)


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def _claim(fund_id: int) -> bool:
    """True when no recompute of this fund is queued yet (and marks one as queued, for a while)."""
    ttl = settings.PROGRESS_RECOMPUTE_DELAY + settings.CELERY_TASK_TIME_LIMIT
    return bool(_redis().set(PENDING_KEY.format(fund_id=fund_id), "1", nx=True, ex=ttl))


def release_claims(fund_ids: list[int]) -> None:
    # Called by the task before it reads anything: a change committed after this point queues a new run.
    if settings.REDIS_URL:
        try:
            _redis().delete(*[PENDING_KEY.format(fund_id=fund_id) for fund_id in fund_ids])
        except Exception:  # noqa: BLE001  (a claim left behind expires by itself)
            logger.warning("could not release recompute claims of %s", fund_ids, exc_info=True)


def stale_funds(*, older_than: datetime.timedelta) -> list[int]:
    """Funds marked stale for longer than `older_than` (one query on the indexed mark time)."""
    cutoff = timezone.now() - older_than
    return list(
        ProgressStaleMark.objects.filter(marked_at__lte=cutoff)
        .order_by("fund_id")
        .values_list("fund_id", flat=True)
    )


def progress_mark_all(*, since: datetime.date) -> int:
    """Mark every fund stale from `since` in one statement (the nightly job); returns how many."""
    token = (
        "md5(random()::text || f.id::text)" if connection.vendor == "postgresql" else "hex(randomblob(16))"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SQL.replace(
                "VALUES (%s, %s, %s, %s)",
                f"SELECT f.id, %s, {token}, %s FROM {Fund._meta.db_table} f WHERE 1 = 1",
            ),
            [
                _db(ProgressStaleMark, "stale_from", since),
                _db(ProgressStaleMark, "marked_at", timezone.now()),
            ],
        )
        return cursor.rowcount


def progress_recompute(*, fund_ids: list[int], as_of: datetime.date | None = None) -> int:
    """Refresh every stored snapshot of the marked funds dated on or after their mark, and the one of
    `as_of` (today by default); clear each mark unless a newer change arrived. Returns the snapshots written.

    Funds without a mark are done already (another run got there first) and cost nothing more."""
    today = as_of or timezone.localdate()
    read_at = timezone.now()
    with consistent_read():
        # The marks and the data are read in one snapshot: a change this run does not see has a newer token.
        marks = {
            fund_id: (since, token)
            for fund_id, since, token in ProgressStaleMark.objects.filter(fund_id__in=fund_ids).values_list(
                "fund_id", "stale_from", "token"
            )
        }
        if not marks:
            return 0
        earliest = min(since for since, _token in marks.values())
        stored = (
            ProgressSnapshot.objects.filter(fund_id__in=list(marks), as_of__gte=earliest)
            .order_by()
            .values_list("fund_id", "as_of")
        )
        targets = {(fund_id, today) for fund_id in marks}
        targets |= {(fund_id, day) for fund_id, day in stored if day >= marks[fund_id][0]}
        funds = Fund.objects.in_bulk(list(marks))
        computed = compute_targets(
            funds,
            sorted(target for target in targets if target[0] in funds),
            accounts_for=accounts_kept_from(),
            to_store=True,
        )

    def clear_marks(_written):
        # Only the marks this run read, token and all: a newer change keeps its mark for the next run. The
        # marks of funds deleted meanwhile go too (there is nothing left to recompute).
        pairs = sorted((fund_id, token) for fund_id, (_since, token) in marks.items())
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {_MARKS} WHERE " + " OR ".join(["(fund_id = %s AND token = %s)"] * len(pairs)),
                [value for pair in pairs for value in pair],
            )
        forget_pending_marks()

    return len(progress_write(computed=computed, read_at=read_at, after=clear_marks))

"""Celery tasks: thin and idempotent; they take ids and ISO dates and call services."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from portfolio import notifications
from portfolio.models import Fund
from portfolio.services.progress import capital_accounts_prune, progress_snapshots_refresh
from portfolio.services.recompute import (
    progress_mark_all,
    progress_recompute,
    release_claims,
    stale_funds,
)

logger = logging.getLogger(__name__)

RETRY_ON = (OperationalError, InterfaceError, BrokerError, ConnectionError)
# Backoff doubling from 1 s up to a minute: twelve tries span about eight minutes, longer than a database
# restart; after that the stale mark is still there and the sweep queues the fund again.
RETRY = {
    "autoretry_for": RETRY_ON,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 12,
}
# Funds per task: a batch is one fixed set of queries, and stays well inside the time limit.
SNAPSHOT_BATCH = 100


def _date(as_of: str | None) -> datetime.date:
    return datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()


def _batches(fund_ids: list[int]):
    for start in range(0, len(fund_ids), SNAPSHOT_BATCH):
        yield fund_ids[start : start + SNAPSHOT_BATCH]


@shared_task(**RETRY)
def recompute_progress(fund_ids: list[int], as_of: str | None = None) -> int:
    """Refresh the stale funds among `fund_ids` from their marks on (see services.recompute)."""
    release_claims(fund_ids)
    return progress_recompute(fund_ids=fund_ids, as_of=_date(as_of) if as_of else None)


@shared_task(**RETRY)
def sweep_stale_progress() -> int:
    """Every minute (beat): queue the funds whose mark no recompute has cleared (Redis was down, a worker
    died). When nothing changed this is one indexed query."""
    # A mark younger than the grace is left to the fast path that its change queued.
    fund_ids = stale_funds(older_than=datetime.timedelta(seconds=settings.PROGRESS_SWEEP_GRACE))
    for batch in _batches(fund_ids):
        recompute_progress.delay(fund_ids=batch)
    if fund_ids:
        logger.info("sweep queued the recompute of %d stale funds", len(fund_ids))
    return len(fund_ids)


@shared_task(**RETRY)
def compute_progress_snapshot(fund_id: int, as_of: str | None = None) -> str | None:
    """Compute and store one fund's snapshot and capital accounts as of one date (today by default)."""
    day = _date(as_of)
    return day.isoformat() if progress_snapshots_refresh(fund_ids=[fund_id], as_of=day) else None


@shared_task(**RETRY)
def compute_progress_snapshots(fund_ids: list[int], as_of: str) -> int:
    """Compute and store the snapshots of a batch of funds as of one date."""
    return progress_snapshots_refresh(fund_ids=fund_ids, as_of=_date(as_of))


@shared_task(**RETRY)
def snapshot_all_funds(as_of: str | None = None) -> int:
    """Nightly: mark every fund stale from the date and fan the recompute out in batches of funds, one task
    each, so more workers (on more machines) divide the time. A batch lost with its worker keeps its marks,
    and the sweep queues it again."""
    day = _date(as_of)
    progress_mark_all(since=day)
    fund_ids = list(Fund.objects.order_by("pk").values_list("pk", flat=True))
    for batch in _batches(fund_ids):
        recompute_progress.delay(fund_ids=batch, as_of=day.isoformat())
    logger.info("queued progress snapshots of %d funds as of %s", len(fund_ids), day)
    return len(fund_ids)


@shared_task(**RETRY)
def prune_capital_accounts() -> int:
    """Nightly: daily capital accounts older than 90 days go; month-end ones stay for good."""
    return capital_accounts_prune()


# --- notifications (portfolio.notifications): at-least-once, so a retry after a lost connection may repeat a
# mail, which beats losing one. SMTP errors are OSErrors.
MAIL_RETRY = {**RETRY, "autoretry_for": (*RETRY_ON, OSError), "max_retries": 6}


@shared_task(**MAIL_RETRY)
def notify_disbursement_requested(disbursement_id: int) -> int:
    """E-mail the fund's other managers that a disbursement waits for their approval."""
    return notifications.send(notifications.disbursement_requested_mails(disbursement_id))


@shared_task(**MAIL_RETRY)
def notify_disbursement_decided(disbursement_id: int) -> int:
    """E-mail the requester that their disbursement was approved or rejected."""
    return notifications.send(notifications.disbursement_decided_mails(disbursement_id))


@shared_task(**MAIL_RETRY)
def send_overdue_tranche_digests(today: str | None = None) -> int:
    """Daily (beat): each fund's managers get the list of its overdue tranches."""
    return notifications.send(notifications.overdue_digest_mails(_date(today)))

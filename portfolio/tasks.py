"""Celery tasks: thin and idempotent; they take ids and ISO dates and call services."""

import datetime
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from portfolio.models import Fund
from portfolio.services.progress import (
    progress_snapshot_refresh,
    progress_snapshots_refresh,
    release_pending,
)

logger = logging.getLogger(__name__)

RETRY_ON = (OperationalError, InterfaceError, BrokerError, ConnectionError)
# Funds per nightly task: nine queries compute a whole batch, and a batch stays well inside the time limit.
SNAPSHOT_BATCH = 100


@shared_task(
    autoretry_for=RETRY_ON, retry_backoff=True, retry_backoff_max=300, retry_jitter=True, max_retries=5
)
def compute_progress_snapshot(fund_id: int, as_of: str | None = None) -> str | None:
    """Compute and store the progress snapshot of one fund as of one date (today by default)."""
    day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    if as_of is None:
        release_pending(fund_id)
    snapshot = progress_snapshot_refresh(fund_id=fund_id, as_of=day)
    return None if snapshot is None else snapshot.as_of.isoformat()


@shared_task(
    autoretry_for=RETRY_ON, retry_backoff=True, retry_backoff_max=300, retry_jitter=True, max_retries=5
)
def compute_progress_snapshots(fund_ids: list[int], as_of: str) -> int:
    """Compute and store the snapshots of a batch of funds as of one date (the nightly job's unit)."""
    return progress_snapshots_refresh(fund_ids=fund_ids, as_of=datetime.date.fromisoformat(as_of))


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, retry_jitter=True, max_retries=5)
def snapshot_all_funds(as_of: str | None = None) -> int:
    """Nightly: queue the snapshots of every fund in batches (one failing batch does not stop the rest)."""
    day = as_of or timezone.localdate().isoformat()
    fund_ids = list(Fund.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(fund_ids), SNAPSHOT_BATCH):
        compute_progress_snapshots.delay(fund_ids=fund_ids[start : start + SNAPSHOT_BATCH], as_of=day)
    logger.info("queued progress snapshots of %d funds as of %s", len(fund_ids), day)
    return len(fund_ids)

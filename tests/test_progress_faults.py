"""Faults, with real services stopped and started inside the test: Redis down during a save, PostgreSQL down
for a minute while tasks run, a worker killed in the middle of a batch. Each ends with every stale fund
correct, found by the stale marks and the sweep.

The servers here are private (tests/private_services.py): the shared ones serve other test runs.
"""

import datetime
import re
import time

import pytest

from tests.private_services import Services, wait_until

RECOVERY_SECONDS = 120


@pytest.fixture(scope="module")
def services():
    services = Services()
    try:
        services.django(
            "from django.core.management import call_command; call_command('migrate', verbosity=0)"
        )
        yield services
    finally:
        services.close()


@pytest.fixture
def worker(services):
    worker = services.start_worker()
    worker.wait_for_log(" ready.")
    yield worker
    worker.kill()


def make_fund(services, slug: str) -> tuple[int, int]:
    output = services.django(
        f"""
import datetime
from decimal import Decimal as D
from tests import factories as f
fund = f.FundFactory(slug="{slug}")
f.CommitmentFactory(fund=fund, amount=D("1000000000.00"))
project = f.ProjectFactory(fund=fund)
print("ids", fund.pk, project.pk)
"""
    )
    fund_id, project_id = re.search(r"ids (\d+) (\d+)", output).groups()
    return int(fund_id), int(project_id)


def settled(services, *fund_ids) -> bool:
    marks = services.postgres.query(
        "SELECT count(*) FROM portfolio_progressstalemark WHERE fund_id = ANY(%s)", [list(fund_ids)]
    )
    return marks[0][0] == 0


def latest_receipts(services, fund_id: int) -> str | None:
    rows = services.postgres.query(
        "SELECT metrics->>'receipts' FROM portfolio_progresssnapshot WHERE fund_id = %s"
        " ORDER BY as_of DESC LIMIT 1",
        [fund_id],
    )
    return rows[0][0] if rows else None


def add_receipts(services, project_ids, amount="777.00") -> str:
    return services.django(
        f"""
import datetime, time
from decimal import Decimal as D
from django.db import transaction
from portfolio.models import Project
from tests import factories as f
started = time.monotonic()
for project_id in {list(project_ids)!r}:
    with transaction.atomic():
        f.ReceiptFactory(project=Project.objects.get(pk=project_id), amount=D("{amount}"),
                         date=datetime.date(2025, 6, 1))
print("saved in", round(time.monotonic() - started, 2))
"""
    )


def test_redis_down_during_a_save_answers_normally_and_the_snapshot_follows_once_it_is_back(services, worker):
    fund_id, project_id = make_fund(services, "redis-down")
    assert wait_until(lambda: settled(services, fund_id), 60)

    services.redis.stop()
    try:
        output = add_receipts(services, [project_id])
    finally:
        services.redis.start()
    assert float(re.search(r"saved in ([\d.]+)", output).group(1)) < 15
    assert services.postgres.query(
        "SELECT count(*) FROM portfolio_receipt WHERE project_id = %s", [project_id]
    ) == [(1,)]
    assert not settled(services, fund_id)  # the mark waits for the sweep

    assert wait_until(
        lambda: latest_receipts(services, fund_id) == "777.00" and settled(services, fund_id),
        RECOVERY_SECONDS,
    ), worker.output()[-3000:]


def test_postgres_down_for_a_minute_while_tasks_run_then_every_stale_fund_is_corrected(services, worker):
    funds = [make_fund(services, f"pg-down-{n}") for n in range(3)]
    fund_ids = [fund_id for fund_id, _project in funds]
    assert wait_until(lambda: settled(services, *fund_ids), 60)

    add_receipts(services, [project_id for _fund, project_id in funds], amount="555.00")
    services.postgres.stop()  # the recomputes queued by the changes run into a dead database
    time.sleep(60)
    services.postgres.start()

    assert wait_until(
        lambda: (
            settled(services, *fund_ids)
            and all(latest_receipts(services, fund_id) == "555.00" for fund_id in fund_ids)
        ),
        RECOVERY_SECONDS,
    ), worker.output()[-3000:]


def test_a_worker_killed_mid_batch_leaves_old_or_new_snapshots_and_the_batch_is_redone(services):
    today = datetime.date.today()
    output = services.django(
        f"""
import datetime
from decimal import Decimal as D
from tests import factories as f
from portfolio.services.progress import progress_targets_refresh
fund = f.FundFactory(slug="killed", investment_period_start=datetime.date(2020, 1, 1))
for n in range(30):
    f.CommitmentFactory(fund=fund, amount=D("1000000.00"), date=datetime.date(2020, 1, 1))
project = f.ProjectFactory(fund=fund, approval_date=datetime.date(2020, 2, 1))
f.DisbursementFactory(project=project, paid=True, paid_date=datetime.date(2020, 3, 1))
today = datetime.date({today.year}, {today.month}, {today.day})
days = [today - datetime.timedelta(days=n) for n in range(2000)]
progress_targets_refresh(targets=[(fund.pk, day) for day in days])
print("ids", fund.pk, project.pk)
""",
        timeout=300,
    )
    fund_id, project_id = map(int, re.search(r"ids (\d+) (\d+)", output).groups())
    services.postgres.query(
        "DELETE FROM portfolio_progressstalemark WHERE fund_id = %s RETURNING 1", [fund_id]
    )
    snapshot_times = "SELECT DISTINCT computed_at FROM portfolio_progresssnapshot WHERE fund_id = %s"
    account_times = "SELECT DISTINCT computed_at FROM portfolio_capitalaccount WHERE fund_id = %s"
    (before,) = services.postgres.query(snapshot_times, [fund_id])
    count = services.postgres.query(
        "SELECT count(*) FROM portfolio_progresssnapshot WHERE fund_id = %s", [fund_id]
    )

    # A valuation dated long ago: the recompute must rewrite all 2,000 snapshots in one transaction.
    services.django(
        f"""
import datetime
from decimal import Decimal as D
from portfolio.models import Project
from tests import factories as f
f.ValuationFactory(project=Project.objects.get(pk={project_id}), date=datetime.date(2020, 6, 30),
                   amount=D("1.00"))
"""
    )
    first = services.start_worker()
    # The recompute holds its read (and then its write) transaction open while Python computes: kill the
    # worker the moment one is seen open, i.e. in the middle of the batch.
    in_transaction = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'fundtracker' AND pid <> pg_backend_pid()"
        " AND state LIKE 'idle in transaction%%'"
    )
    assert wait_until(lambda: services.postgres.query(in_transaction)[0][0] > 0, 60, interval=0.01)
    first.kill()
    killed_at = services.postgres.query("SELECT now()")[0][0]

    assert not settled(services, fund_id), "the batch finished before the kill; the test proves nothing"
    assert services.postgres.query(snapshot_times, [fund_id]) == [before]  # all old, none half-written
    assert len(services.postgres.query(account_times, [fund_id])) == 1

    second = services.start_worker()
    try:
        assert wait_until(lambda: settled(services, fund_id), RECOVERY_SECONDS), second.output()[-3000:]
    finally:
        second.kill()
    (after,) = services.postgres.query(snapshot_times, [fund_id])  # one transaction wrote them all
    assert after[0] > killed_at
    assert (
        services.postgres.query(
            "SELECT count(*) FROM portfolio_progresssnapshot WHERE fund_id = %s", [fund_id]
        )
        == count
    )
    assert len(services.postgres.query(account_times, [fund_id])) == 1

"""Progress snapshots and capital accounts: compute them for (fund, date) targets and store them together.

Every write is idempotent (keyed on fund and date, and fund, date and investor) and set-based: one statement
per table whatever the number of targets on PostgreSQL. A snapshot and its capital accounts are written in one
transaction, so readers see the old pair or the new pair, never half of one.
"""

import datetime
import json
import logging
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import DateField, ExpressionWrapper, F
from django.utils import timezone

from portfolio.metrics import FundProgress, accounts, compute_targets, schema
from portfolio.models import CapitalAccount, Fund, ProgressSnapshot

logger = logging.getLogger(__name__)

Target = tuple[int, datetime.date]

# Daily capital accounts are kept this long; month-end ones for good (see capital_accounts_prune).
ACCOUNT_DAYS_KEPT = 90
# The capital account columns are the investor metrics of the schema.
ACCOUNT_FIELDS = schema.names(schema.INVESTOR_METRICS)


def metrics_as_json(metrics: dict) -> dict:
    """Decimals become strings and dates ISO strings, exactly as the API and the snapshots carry them."""
    return json.loads(json.dumps(metrics, cls=DjangoJSONEncoder))


def is_month_end(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def keeps_capital_accounts(as_of: datetime.date, today: datetime.date) -> bool:
    """Capital accounts exist for the last 90 days and for every month-end (the retention rule)."""
    return is_month_end(as_of) or as_of >= today - datetime.timedelta(days=ACCOUNT_DAYS_KEPT)


def accounts_kept_from(today: datetime.date | None = None):
    """The retention rule as a predicate on dates: only accounts that would be kept are computed."""
    today = today or timezone.localdate()
    return lambda as_of: keeps_capital_accounts(as_of, today)


@contextmanager
def consistent_read():
    """One transaction in which every query sees the same committed data.

    The metrics take several queries; under READ COMMITTED a disbursement committed between two of them
    would be half-counted (in `disbursed` but not yet in its project's row). REPEATABLE READ gives all of them
    one snapshot. Inside an outer transaction (tests, a caller's atomic block) the level is already set."""
    with transaction.atomic():
        # Only the outermost block may set the level, and only before its first query, which is now.
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            with connection.cursor() as cursor:
                # The grouped reads of a batch hash tens of thousands of rows: enough memory keeps them
                # off the disk (for this transaction only).
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; SET LOCAL work_mem = '64MB'")
        yield


def progress_targets_refresh(*, targets: Sequence[Target]) -> list[Target]:
    """Compute and store the snapshot and capital accounts of each (fund id, date); returns those written.

    Funds that no longer exist are skipped with a log line."""
    read_at = timezone.now()
    with consistent_read():
        funds = Fund.objects.in_bulk({fund_id for fund_id, _day in targets})
        _log_missing({fund_id for fund_id, _day in targets} - set(funds))
        computed = compute_targets(
            funds,
            [target for target in targets if target[0] in funds],
            accounts_for=accounts_kept_from(),
            to_store=True,
        )
    return progress_write(computed=computed, read_at=read_at)


def progress_write(*, computed: dict[Target, FundProgress], read_at, after=None) -> list[Target]:
    """Store computed targets: snapshots, then the capital accounts of the snapshots actually written.

    The writes run outside the REPEATABLE READ read: an upsert there would fail with a serialization error
    when a concurrent run inserted the same (fund, as_of) meanwhile. `after(written)` runs in the same
    transaction (the recompute clears its stale marks there)."""
    with transaction.atomic():
        # Lock the funds against deletion until commit; a fund deleted since the read is skipped quietly.
        alive = set(
            Fund.objects.filter(pk__in={fund_id for fund_id, _day in computed})
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        _log_missing({fund_id for fund_id, _day in computed} - alive)
        targets = sorted(target for target in computed if target[0] in alive)
        written = _upsert_snapshots(targets, computed, read_at)
        today = timezone.localdate()
        with_accounts = [target for target in written if keeps_capital_accounts(target[1], today)]
        _replace_capital_accounts(with_accounts, computed, read_at)
        if after is not None:
            after(written)
    return written


def progress_snapshots_refresh(*, fund_ids: Iterable[int], as_of: datetime.date) -> int:
    """Compute and store the given funds as of one date in one batch (the nightly job's unit)."""
    return len(progress_targets_refresh(targets=[(fund_id, as_of) for fund_id in fund_ids]))


def _log_missing(fund_ids: set[int]) -> None:
    if fund_ids:
        logger.info(
            "progress snapshot skipped: fund %s no longer exists", ", ".join(map(str, sorted(fund_ids)))
        )


def progress_snapshot_refresh(*, fund_id: int, as_of: datetime.date) -> ProgressSnapshot | None:
    """Compute and store one fund's snapshot (and capital accounts) of `as_of`."""
    progress_targets_refresh(targets=[(fund_id, as_of)])
    return ProgressSnapshot.objects.filter(fund_id=fund_id, as_of=as_of).first()


def progress_live(fund: Fund, as_of: datetime.date) -> FundProgress:
    """The metrics and capital accounts computed now, all queries reading the same state of the data."""
    with consistent_read():
        return compute_targets({fund.pk: fund}, [(fund.pk, as_of)])[(fund.pk, as_of)]


def capital_accounts_prune(*, today: datetime.date | None = None) -> int:
    """Delete daily capital accounts older than 90 days, keeping month-ends; returns how many went."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=ACCOUNT_DAYS_KEPT)
    # A month-end is the day before a first of the month.
    old = CapitalAccount.objects.filter(as_of__lt=cutoff).annotate(
        next_day=ExpressionWrapper(F("as_of") + datetime.timedelta(days=1), output_field=DateField())
    )
    return CapitalAccount.objects.filter(pk__in=old.exclude(next_day__day=1).values("pk")).delete()[0]


# --- the statements ----------------------------------------------------------------------------------------

_SNAPSHOTS = ProgressSnapshot._meta.db_table
# "Only if newer": a run that read the data earlier never overwrites a snapshot from a later read, whichever
# of two concurrent runs commits last. RETURNING names the rows that were written.
_UPSERT_TAIL = f"""
    ON CONFLICT (fund_id, as_of) DO UPDATE SET metrics = excluded.metrics, computed_at = excluded.computed_at
    WHERE {_SNAPSHOTS}.computed_at <= excluded.computed_at
    RETURNING fund_id, as_of
"""
# The metrics travel as one JSON array, zipped with the keys by ROWS FROM: psycopg adapts a text[] of large
# documents element by element, ten times slower than one string.
_UPSERT_PG = (
    f"""
    INSERT INTO {_SNAPSHOTS} (fund_id, as_of, computed_at, metrics)
    SELECT t.fund_id, t.as_of, %s, t.metrics::jsonb
    FROM ROWS FROM (unnest(%s::bigint[]), unnest(%s::date[]), json_array_elements(%s::json))
        AS t (fund_id, as_of, metrics)
    ORDER BY t.fund_id, t.as_of
"""
    + _UPSERT_TAIL
)
_SQLITE_ROWS_PER_STATEMENT = 500


def _json(value) -> str:
    return json.dumps(value, default=_json_default)


_DJANGO_JSON = DjangoJSONEncoder()


def _json_default(value):
    # The metrics hold Decimals and dates besides JSON's own types; this writes them as DjangoJSONEncoder
    # does (str, isoformat), without walking its list of types for each of the thousands of amounts.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return _DJANGO_JSON.default(value)


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _upsert_snapshots(targets: list[Target], computed, read_at) -> list[Target]:
    if not targets:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _UPSERT_PG,
                [
                    read_at,
                    [fund_id for fund_id, _day in targets],
                    [day for _fund_id, day in targets],
                    _json([computed[target].metrics for target in targets]),
                ],
            )
            return sorted((fund_id, _as_date(day)) for fund_id, day in cursor.fetchall())
        written = []
        field = ProgressSnapshot._meta.get_field
        for start in range(0, len(targets), _SQLITE_ROWS_PER_STATEMENT):
            chunk = targets[start : start + _SQLITE_ROWS_PER_STATEMENT]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            params = []
            for fund_id, day in chunk:
                params += [
                    fund_id,
                    day.isoformat(),
                    field("computed_at").get_db_prep_save(read_at, connection),
                    _json(computed[(fund_id, day)].metrics),
                ]
            cursor.execute(
                f"INSERT INTO {_SNAPSHOTS} (fund_id, as_of, computed_at, metrics) VALUES {values}"
                + _UPSERT_TAIL,
                params,
            )
            written += [(fund_id, _as_date(day)) for fund_id, day in cursor.fetchall()]
        return sorted(written)


def _replace_capital_accounts(targets: list[Target], computed, read_at) -> None:
    """Delete and insert the accounts of the targets: an investor no longer in the fund loses their row.

    Accounts computed set-based wait in the session's work table and go in with one INSERT … SELECT."""
    staged = [target for target in targets if computed[target].staged]
    accounts.store(staged, read_at)
    targets = [target for target in targets if not computed[target].staged]
    if not targets:
        return
    for fund_id, day in targets:
        CapitalAccount.objects.filter(fund_id=fund_id, as_of=day).delete()
    CapitalAccount.objects.bulk_create(
        CapitalAccount(
            fund_id=fund_id,
            as_of=day,
            investor_id=account["investor_id"],
            computed_at=read_at,
            **{name: account[name] for name in ACCOUNT_FIELDS},
        )
        for fund_id, day in targets
        for account in computed[(fund_id, day)].accounts
    )

"""The grouped reads behind every metric, for any set of (fund, as-of date) targets in a fixed number of
queries.

A target list is the unit of work: the nightly job passes every fund with today's date, a back-dated change
passes one fund with every stored date it touches. Sums that depend on the date are grouped in the database
per target (a join on the target list), so a year of daily dates costs the same queries as one date; rows
that do not depend on it (projects, stage history, tranches, commitments) are read once per fund.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from portfolio.models import (
    CapitalCallPayment,
    Commitment,
    Disbursement,
    Distribution,
    DistributionItem,
    Project,
    ProjectCommitmentChange,
    Receipt,
    StageChange,
    Tranche,
    TrancheCondition,
    Valuation,
)

from .common import money

Target = tuple[int, datetime.date]


@dataclass
class Ledger:
    """What the metrics of the targets need, keyed for cheap lookups by date."""

    projects: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))  # by fund
    stages: dict[int, list[tuple[datetime.date, str]]] = field(default_factory=lambda: defaultdict(list))
    # by project: (date, amount) of each commitment record, in date order
    commitments_of: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    tranches: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))  # by project
    conditions: dict[int, list] = field(
        default_factory=lambda: defaultdict(list)
    )  # by tranche: met_on or None
    # (as_of, project id) -> {tranche id or None: net paid}
    paid: dict[tuple, dict] = field(default_factory=lambda: defaultdict(dict))
    receipts: dict[tuple, Decimal] = field(default_factory=dict)  # (as_of, project id)
    valuations: dict[tuple, Decimal] = field(default_factory=dict)  # (as_of, project id)
    # by fund: (investor id, name, amount, date)
    commitments: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    # by fund: (investor id, date, amount), grouped per day
    payments: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    distributions: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    # Worked out once and shared by every target: each tranche's dates that can change its status, and
    # its row with the status for (tranche id, net paid, how many of those dates have passed).
    tranche_events: dict[int, list] = field(default_factory=dict)
    tranche_rows: dict[tuple, dict] = field(default_factory=dict)
    project_rows: dict[tuple, dict] = field(default_factory=dict)  # see projects.project_metrics


def _targets_sql(targets: Sequence[Target]) -> tuple[str, list]:
    """A `targets (fund_id, as_of)` table expression: two array parameters on PostgreSQL, a VALUES list
    elsewhere (the SQLite demo, whose dates are ISO strings)."""
    if connection.vendor == "postgresql":
        return (
            "targets AS (SELECT * FROM unnest(%s::bigint[], %s::date[]) AS t (fund_id, as_of))",
            [[fund_id for fund_id, _day in targets], [day for _fund_id, day in targets]],
        )
    values = ", ".join(["(%s, %s)"] * len(targets))
    params = [value for fund_id, day in targets for value in (fund_id, day.isoformat())]
    return f"targets (fund_id, as_of) AS (VALUES {values})", params


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _per_target(sql: str, targets: Sequence[Target]) -> list[tuple]:
    cte, params = _targets_sql(targets)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {cte} {sql}", params)
        return cursor.fetchall()


_PROJECT = Project._meta.db_table
_PAID_SQL = f"""
    SELECT t.as_of, d.project_id, d.tranche_id, SUM(d.amount)
    FROM targets t
    JOIN {_PROJECT} p ON p.fund_id = t.fund_id AND p.approval_date <= t.as_of
    JOIN {Disbursement._meta.db_table} d ON d.project_id = p.id AND d.paid_date <= t.as_of
    WHERE d.status = '{Disbursement.Status.PAID}'
    GROUP BY t.as_of, d.project_id, d.tranche_id
"""
# Many dates of few funds (a back-dated change, a backfill): the fund's paid disbursements are summed per day
# once and carried as running totals (a window); each date takes the total of its last day on or before it,
# instead of summing the ledger again for every date.
_PAID_RUNNING_SQL = f"""
    , daily AS (
        SELECT p.fund_id, p.approval_date, d.project_id, d.tranche_id, d.paid_date AS day,
            SUM(d.amount) AS amount
        FROM {_PROJECT} p JOIN {Disbursement._meta.db_table} d ON d.project_id = p.id
        WHERE p.fund_id IN (SELECT fund_id FROM targets) AND d.status = '{Disbursement.Status.PAID}'
            AND d.paid_date <= (SELECT MAX(as_of) FROM targets)
        GROUP BY p.fund_id, p.approval_date, d.project_id, d.tranche_id, d.paid_date
    ),
    running AS (
        SELECT fund_id, approval_date, project_id, tranche_id, day,
            SUM(amount) OVER days AS total, LEAD(day) OVER days AS next_day
        FROM daily
        WINDOW days AS (PARTITION BY project_id, tranche_id ORDER BY day)
    )
    SELECT t.as_of, r.project_id, r.tranche_id, r.total
    FROM targets t
    JOIN running r ON r.fund_id = t.fund_id AND r.approval_date <= t.as_of
        AND r.day <= t.as_of AND (r.next_day IS NULL OR r.next_day > t.as_of)
"""
_RECEIPTS_SQL = f"""
    SELECT t.as_of, r.project_id, SUM(r.amount)
    FROM targets t
    JOIN {_PROJECT} p ON p.fund_id = t.fund_id AND p.approval_date <= t.as_of
    JOIN {Receipt._meta.db_table} r ON r.project_id = p.id AND r.date <= t.as_of
    GROUP BY t.as_of, r.project_id
"""
# The latest valuation on or before each date: a window over the join, one query on both databases.
_VALUATIONS_SQL = f"""
    SELECT as_of, project_id, amount FROM (
        SELECT t.as_of, v.project_id, v.amount,
            ROW_NUMBER() OVER (PARTITION BY t.as_of, v.project_id ORDER BY v.date DESC, v.id DESC) AS rank
        FROM targets t
        JOIN {_PROJECT} p ON p.fund_id = t.fund_id AND p.approval_date <= t.as_of
        JOIN {Valuation._meta.db_table} v ON v.project_id = p.id AND v.date <= t.as_of
    ) AS ranked
    WHERE rank = 1
"""


def load_ledger(targets: Sequence[Target], *, per_investor: bool = True) -> Ledger:
    """Eleven queries, whatever the number of funds, dates, projects or investors. Without `per_investor`
    the investor ledger comes summed per fund and day (investor id None): enough for the fund's figures
    when the capital accounts are computed in the database."""
    ledger = Ledger()
    if not targets:
        return ledger
    fund_ids = sorted({fund_id for fund_id, _day in targets})
    last = max(day for _fund_id, day in targets)

    for row in (
        Project.objects.filter(fund_id__in=fund_ids, approval_date__lte=last)
        .order_by("title", "id")
        .values("id", "fund_id", "slug", "title", "commitment", "stage", "approval_date")
    ):
        row["commitment"] = money(row["commitment"])
        ledger.projects[row["fund_id"]].append(row)

    for project_id, day, stage in (
        StageChange.objects.filter(project__fund_id__in=fund_ids)
        .order_by("project_id", "date", "id")
        .values_list("project_id", "date", "stage")
    ):
        ledger.stages[project_id].append((day, stage))

    paid_sql = _PAID_RUNNING_SQL if len(targets) > len(fund_ids) else _PAID_SQL
    for as_of, project_id, tranche_id, amount in _per_target(paid_sql, targets):
        ledger.paid[(_as_date(as_of), project_id)][tranche_id] = money(amount)
    for as_of, project_id, amount in _per_target(_RECEIPTS_SQL, targets):
        ledger.receipts[(_as_date(as_of), project_id)] = money(amount)
    for as_of, project_id, amount in _per_target(_VALUATIONS_SQL, targets):
        ledger.valuations[(_as_date(as_of), project_id)] = money(amount)

    for project_id, day, amount in (
        ProjectCommitmentChange.objects.filter(project__fund_id__in=fund_ids, date__lte=last)
        .order_by("project_id", "date", "id")
        .values_list("project_id", "date", "amount")
    ):
        ledger.commitments_of[project_id].append((day, money(amount)))

    # Every tranche, cancelled ones too: a tranche cancelled after the as-of date was still open then.
    in_projects = {"project__fund_id__in": fund_ids, "project__approval_date__lte": last}
    for tranche in (
        Tranche.objects.filter(**in_projects)
        .order_by("project_id", "number")
        .values(
            "id",
            "project_id",
            "number",
            "amount",
            "planned_date",
            "trigger",
            "trigger_stage",
            "trigger_date",
            "cancelled_on",
        )
    ):
        tranche["amount"] = money(tranche["amount"])
        ledger.tranches[tranche["project_id"]].append(tranche)
    for tranche_id, met_on in (
        TrancheCondition.objects.filter(**{f"tranche__{key}": value for key, value in in_projects.items()})
        .order_by()
        .values_list("tranche_id", "met_on")
    ):
        ledger.conditions[tranche_id].append(met_on)

    if per_investor:
        _load_investors(ledger, fund_ids, last)
    else:
        _load_fund_investor_totals(ledger, fund_ids, last)
    return ledger


def _load_fund_investor_totals(ledger: Ledger, fund_ids: list[int], last: datetime.date) -> None:
    for fund_id, day, amount in (
        Commitment.objects.filter(fund_id__in=fund_ids, date__lte=last)
        .values("fund_id", "date")
        .annotate(total=Sum("amount"))
        .values_list("fund_id", "date", "total")
        .order_by()
    ):
        ledger.commitments[fund_id].append((None, "", money(amount), day))
    for fund_id, day, amount in (
        CapitalCallPayment.objects.filter(item__capital_call__fund_id__in=fund_ids, date__lte=last)
        .values("item__capital_call__fund_id", "date")
        .annotate(total=Sum("amount"))
        .values_list("item__capital_call__fund_id", "date", "total")
        .order_by()
    ):
        ledger.payments[fund_id].append((None, day, money(amount)))
    for fund_id, day, amount in (
        DistributionItem.objects.filter(
            distribution__fund_id__in=fund_ids,
            distribution__status=Distribution.Status.PAID,
            distribution__date__lte=last,
        )
        .values("distribution__fund_id", "distribution__date")
        .annotate(total=Sum("amount"))
        .values_list("distribution__fund_id", "distribution__date", "total")
        .order_by()
    ):
        ledger.distributions[fund_id].append((None, day, money(amount)))


def _load_investors(ledger: Ledger, fund_ids: list[int], last: datetime.date) -> None:
    for fund_id, investor_id, name, amount, day in (
        Commitment.objects.filter(fund_id__in=fund_ids, date__lte=last)
        .order_by("fund_id", "investor__name", "investor_id")
        .values_list("fund_id", "investor_id", "investor__name", "amount", "date")
    ):
        ledger.commitments[fund_id].append((investor_id, name, money(amount), day))

    payments = (
        CapitalCallPayment.objects.filter(item__capital_call__fund_id__in=fund_ids, date__lte=last)
        .values("item__capital_call__fund_id", "item__investor_id", "date")
        .annotate(total=Sum("amount"))
        .values_list("item__capital_call__fund_id", "item__investor_id", "date", "total")
        .order_by()
    )
    for fund_id, investor_id, day, amount in payments:
        ledger.payments[fund_id].append((investor_id, day, money(amount)))

    distributions = (
        DistributionItem.objects.filter(
            distribution__fund_id__in=fund_ids,
            distribution__status=Distribution.Status.PAID,
            distribution__date__lte=last,
        )
        .values("distribution__fund_id", "investor_id", "distribution__date")
        .annotate(total=Sum("amount"))
        .values_list("distribution__fund_id", "investor_id", "distribution__date", "total")
        .order_by()
    )
    for fund_id, investor_id, day, amount in distributions:
        ledger.distributions[fund_id].append((investor_id, day, money(amount)))

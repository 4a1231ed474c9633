"""Reads the pages and the API need, each a fixed number of queries whatever the data size.

Every figure a reader shows comes from the stored progress snapshot (and the capital accounts written with
it) through these functions, so the fund list, the fund page, the API and the command cannot disagree: none
of them sums the ledger itself.
"""

import datetime

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from portfolio.metrics import schema
from portfolio.metrics.common import plain
from portfolio.models import CapitalAccount, Fund, ProgressSnapshot, Stage, Tranche
from portfolio.roles import funds_visible_to

# What the fund list shows of each fund's latest snapshot.
FUND_LIST_METRICS = ("committed_capital", "projects_active")


def _latest(as_of: datetime.date):
    return ProgressSnapshot.objects.filter(fund=OuterRef("pk"), as_of__lte=as_of).order_by("-as_of")


def fund_overview_list(user, as_of: datetime.date) -> QuerySet[Fund]:
    """The user's funds with the headline figures of their latest snapshot at or before `as_of`, in one
    query; a fund not computed yet has None there."""
    latest = _latest(as_of)
    return (
        funds_visible_to(user)
        .annotate(
            snapshot_as_of=Subquery(latest.values("as_of")[:1]),
            **{
                name: Subquery(
                    latest.annotate(value=KT(f"metrics__{name}")).values("value")[:1],
                    output_field=CharField(),
                )
                for name in FUND_LIST_METRICS
            },
        )
        .order_by("name")
    )


def latest_progress_snapshot(fund: Fund, as_of: datetime.date) -> ProgressSnapshot | None:
    """The stored snapshot at or before `as_of` (one indexed query)."""
    return fund.progress_snapshots.filter(as_of__lte=as_of).order_by("-as_of").first()


def capital_accounts(fund: Fund, as_of: datetime.date, investor_ids=None) -> list[dict]:
    """The investors' capital accounts stored with the snapshot of `as_of` (one query), by investor name;
    only the given investors when `investor_ids` is not None."""
    rows = CapitalAccount.objects.filter(fund=fund, as_of=as_of)
    if investor_ids is not None:
        rows = rows.filter(investor_id__in=investor_ids)
    ratios = schema.names(schema.INVESTOR_METRICS, schema.RATIO)
    accounts = list(
        rows.order_by("investor__name", "investor_id").values(
            "investor_id", "investor__name", *schema.names(schema.INVESTOR_METRICS)
        )
    )
    for account in accounts:
        account["investor"] = account.pop("investor__name")
        # The column keeps 10 places; readers get the plain number ("0.5", "0", never "0E-10").
        account.update({name: plain(account[name]) for name in ratios if account[name] is not None})
    return accounts


def metric_rows(metrics: dict, names) -> list[tuple[schema.Metric, object]]:
    """(metric, value) pairs of a stored snapshot, in the schema's order: what a page lists."""
    return [(schema.FUND[name], metrics.get(name)) for name in names]


def overdue(today: datetime.date) -> Q:
    """The one definition of an overdue tranche (the dashboard and the daily e-mail both use it): its planned
    date has passed, it is neither paid nor cancelled, and its project is still alive."""
    return Q(planned_date__lt=today, status__in=(Tranche.Status.PLANNED, Tranche.Status.ELIGIBLE)) & ~Q(
        project__stage=Stage.ABANDONED
    )

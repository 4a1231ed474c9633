"""The portal's reads besides `portfolio.selectors`: each one query, whatever the fund's size."""

import datetime

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.fields.json import KT

from portfolio.models import CapitalAccount, FxRate, ProgressSnapshot, Project, StageChange, Tranche
from portfolio.models.ledger import DisbursementStatus

USD = "USD"
# The deployment chart reads month-end snapshots: ten years of them at most, a bounded read.
HISTORY_MONTHS = 120
HISTORY_METRICS = ("disbursed", "planned_disbursed", "committed_capital")


def month_ends(until: datetime.date, count: int = HISTORY_MONTHS) -> list[datetime.date]:
    """The last `count` month-end dates before `until`, oldest first."""
    day = until.replace(day=1) - datetime.timedelta(days=1)
    ends = []
    while len(ends) < count and day.year >= 1900:
        ends.append(day)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return ends[::-1]


def deployment_history(fund, as_of: datetime.date) -> list[dict]:
    """Disbursed, planned and committed from the stored month-end snapshots before `as_of` and the snapshot
    of `as_of` itself, oldest first (the JSON keys only: the per-project rows stay in the database)."""
    rows = (
        fund.progress_snapshots.filter(as_of__in=[*month_ends(as_of), as_of])
        .annotate(**{name: KT(f"metrics__{name}") for name in HISTORY_METRICS})
        .order_by("as_of")
        .values("as_of", *HISTORY_METRICS)
    )
    return list(rows)


def history_version(fund, as_of: datetime.date) -> tuple:
    """What changes whenever a stored snapshot up to `as_of` is written or deleted (the latest computation
    time and the count): the key of the rendered charts, one indexed aggregate instead of the history."""
    found = fund.progress_snapshots.filter(as_of__lte=as_of).aggregate(
        latest=Max("computed_at"), count=Count("pk")
    )
    return (found["latest"], found["count"])


def usd_rate(as_of: datetime.date) -> FxRate | None:
    """The National Bank's USD rate of the date, else the latest earlier one (domain.md)."""
    return FxRate.objects.filter(currency=USD, date__lte=as_of).order_by("-date").first()


def project_formats(fund) -> dict[int, str]:
    """Each project's format (feature, documentary, ...): the snapshot's rows do not carry it."""
    return dict(Project.objects.filter(fund=fund).values_list("id", "format"))


def own_capital_accounts(user, fund_ids, as_of: datetime.date) -> dict[int, list[CapitalAccount]]:
    """The user's own investors' capital accounts in each fund, from the fund's latest snapshot at or before
    `as_of` (the one the fund list reads), in one query; keyed by fund id."""
    latest = (
        ProgressSnapshot.objects.filter(fund=OuterRef("fund_id"), as_of__lte=as_of)
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    accounts = (
        CapitalAccount.objects.filter(investor__users=user, fund_id__in=fund_ids, as_of=Subquery(latest))
        .select_related("investor")
        .order_by("fund_id", "investor__name", "investor_id")
    )
    grouped: dict[int, list[CapitalAccount]] = {}
    for account in accounts:
        grouped.setdefault(account.fund_id, []).append(account)
    return grouped


def film_stage_history(project) -> list[StageChange]:
    return list(project.stage_changes.order_by("date", "id"))


def film_tranches(project) -> list[Tranche]:
    """The project's tranches with the day each was last paid (a paid tranche's date, for the timeline)."""
    return list(
        project.tranches.annotate(
            paid_on=Max(
                "disbursements__paid_date",
                filter=Q(disbursements__status=DisbursementStatus.PAID, disbursements__amount__gt=0),
            )
        ).order_by("number")
    )

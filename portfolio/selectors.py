"""Reads the pages need, each a fixed number of queries whatever the data size."""

from django.db.models import Count, Q, QuerySet, Sum

from portfolio.models import Fund, ProgressSnapshot, Stage
from portfolio.roles import funds_visible_to


def fund_overview_list(user) -> QuerySet[Fund]:
    """The user's funds with their headline figures, aggregated in one query."""
    committed = Fund.objects.filter(pk__in=funds_visible_to(user).values("pk")).annotate(
        committed_capital=Sum("commitments__amount")
    )
    projects = Fund.objects.filter(pk__in=committed.values("pk")).annotate(
        projects_active=Count("projects", filter=~Q(projects__stage=Stage.ABANDONED))
    )
    counts = dict(projects.values_list("pk", "projects_active"))
    funds = list(committed.order_by("name"))
    for fund in funds:
        fund.projects_active = counts.get(fund.pk, 0)
    return funds


def latest_progress_snapshot(fund: Fund, as_of) -> ProgressSnapshot | None:
    """The stored snapshot at or before `as_of` (one indexed query)."""
    return fund.progress_snapshots.filter(as_of__lte=as_of).order_by("-as_of").first()

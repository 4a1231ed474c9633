"""Reads the pages need, each a fixed number of queries whatever the data size."""

from django.db.models import Count, Q, QuerySet, Sum

from portfolio.models import Fund, ProgressSnapshot, Stage


def funds_visible_to(user) -> QuerySet[Fund]:
    """Funds a user may see: all for staff, the ones they manage, the ones their investor committed to."""
    if not user.is_authenticated:
        return Fund.objects.none()
    if user.is_staff:
        return Fund.objects.all()
    return Fund.objects.filter(Q(managers=user) | Q(commitments__investor__users=user)).distinct()


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


def user_role_in_fund(user, fund: Fund) -> str | None:
    if user.is_staff:
        return "staff"
    if fund.managers.filter(pk=user.pk).exists():
        return "manager"
    if fund.commitments.filter(investor__users=user).exists():
        return "investor"
    return None


def investor_ids_of(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(user.investors.values_list("pk", flat=True))


def latest_progress_snapshot(fund: Fund, as_of) -> ProgressSnapshot | None:
    """The stored snapshot at or before `as_of` (one indexed query)."""
    return fund.progress_snapshots.filter(as_of__lte=as_of).order_by("-as_of").first()

"""The live figures the limits of domain.md are checked against, read inside a service's transaction.

Callers lock the parent row first (the fund for allocations, the project for its disbursements), so the
figures cannot move between the check and the write. Pages read snapshots, never these.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from portfolio.models import Commitment, Disbursement, Project, Stage

ZERO = Decimal("0.00")
PENDING = (Disbursement.Status.REQUESTED, Disbursement.Status.APPROVED)


def _sum(queryset, field: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


def committed_capital(fund_id: int) -> Decimal:
    """Σ the investors' commitments to the fund."""
    return _sum(Commitment.objects.filter(fund_id=fund_id))


def allocated(fund_id: int, *, excluding_project_id: int | None = None) -> Decimal:
    """Σ commitments of projects not abandoned, plus what was disbursed (net) to abandoned ones."""
    projects = Project.objects.filter(fund_id=fund_id).exclude(pk=excluding_project_id)
    paid_to_abandoned = Disbursement.objects.filter(
        project__in=projects.filter(stage=Stage.ABANDONED), status=Disbursement.Status.PAID
    )
    return _sum(projects.exclude(stage=Stage.ABANDONED), "commitment") + _sum(paid_to_abandoned)


@dataclass(frozen=True)
class Used:
    """What is already spoken for against a project or a tranche."""

    paid: Decimal  # paid less reversed
    pending: Decimal  # requested or approved, not yet paid

    @property
    def total(self) -> Decimal:
        return self.paid + self.pending


def used(**where) -> Used:
    """Paid (net of reversals) and pending against the disbursements matching `where` (project or tranche)."""
    figures = Disbursement.objects.filter(**where).aggregate(
        paid=Sum("amount", filter=Q(status=Disbursement.Status.PAID)),
        pending=Sum("amount", filter=Q(status__in=PENDING)),
    )
    return Used(paid=figures["paid"] or ZERO, pending=figures["pending"] or ZERO)


def has_disbursements(project_id: int) -> bool:
    """Whether anything was ever requested for the project (rejected requests aside)."""
    return (
        Disbursement.objects.filter(project_id=project_id)
        .exclude(status=Disbursement.Status.REJECTED)
        .exists()
    )

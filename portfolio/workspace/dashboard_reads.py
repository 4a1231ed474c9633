"""What the fund dashboard reads: the latest snapshot's figures and what needs a manager's action.

Three queries whatever the fund's size: the snapshot, the requests awaiting the user's approval and the open
tranches that are eligible or overdue. Guardrails are read from the snapshot, the same figures the fund page
and the API show, so the dashboard never sums the ledger itself.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Q

from portfolio.metrics.common import STAGE_ORDER
from portfolio.models import Disbursement, Fund, ProgressSnapshot, Stage, Tranche
from portfolio.selectors import latest_progress_snapshot, metric_rows, overdue

# The headline figures, in the schema's order of the domain.
HEADLINE = (
    "committed_capital",
    "allocated",
    "available_to_allocate",
    "disbursed",
    "deployment_pct",
    "pace_ratio",
    "cash_needed_next_90_days",
    "paid_in",
    "nav",
    "tvpi",
    "net_irr",
    "projects_active",
)
# Ratios read as multiples (1.23×) rather than percentages.
MULTIPLES = {"dpi", "rvpi", "tvpi", "pace_ratio"}


@dataclass
class Guardrail:
    kind: str  # "band", "concentration" or "allocation"
    values: dict = field(default_factory=dict)


@dataclass
class Dashboard:
    snapshot: ProgressSnapshot | None
    headline: list
    by_stage: list
    awaiting_approval: list
    eligible: list
    overdue: list
    guardrails: list[Guardrail]

    @property
    def needs_action(self) -> bool:
        return bool(self.awaiting_approval or self.eligible or self.overdue or self.guardrails)


def _guardrails(metrics: dict) -> list[Guardrail]:
    found = []
    band = metrics.get("projects_band") or {}
    if band.get("status") in ("below", "above"):
        found.append(
            Guardrail(
                "band",
                {
                    "status": band["status"],
                    "count": metrics.get("projects_active"),
                    "min": band.get("min"),
                    "max": band.get("max"),
                },
            )
        )
    for breach in metrics.get("concentration_breaches") or ():
        found.append(Guardrail("concentration", breach))
    allocated, committed = metrics.get("allocated"), metrics.get("committed_capital")
    if allocated is not None and committed is not None and Decimal(allocated) > Decimal(committed):
        found.append(
            Guardrail(
                "allocation",
                {
                    "allocated": allocated,
                    "committed": committed,
                    "excess": Decimal(allocated) - Decimal(committed),
                },
            )
        )
    return found


def _by_stage(metrics: dict) -> list[dict]:
    stages = metrics.get("by_stage") or {}
    return [
        {"stage": stage.value, "label": Stage(stage).label, **stages[stage.value]}
        for stage in STAGE_ORDER
        if stage.value in stages
    ]


def fund_dashboard(fund: Fund, user, today: datetime.date) -> Dashboard:
    snapshot = latest_progress_snapshot(fund, today)
    metrics = snapshot.metrics if snapshot else {}
    # Joining the fund's managers on the user keeps the list empty for anyone who is not one of the four
    # eyes (a superuser not named a manager cannot approve), without a query of its own.
    awaiting = list(
        Disbursement.objects.filter(
            project__fund=fund, project__fund__managers=user, status=Disbursement.Status.REQUESTED
        )
        .exclude(requested_by=user)
        .select_related("project", "tranche", "requested_by")
        .order_by("requested_at", "pk")
    )
    open_tranches = list(
        Tranche.objects.filter(
            project__fund=fund, status__in=(Tranche.Status.PLANNED, Tranche.Status.ELIGIBLE)
        )
        .annotate(is_overdue=ExpressionWrapper(overdue(today), output_field=BooleanField()))
        .filter(Q(status=Tranche.Status.ELIGIBLE) | Q(is_overdue=True))
        .select_related("project")
        .order_by("planned_date", "project__title", "number")
    )
    return Dashboard(
        snapshot=snapshot,
        headline=metric_rows(metrics, HEADLINE) if snapshot else [],
        by_stage=_by_stage(metrics),
        awaiting_approval=awaiting,
        eligible=[t for t in open_tranches if t.status == Tranche.Status.ELIGIBLE],
        overdue=[t for t in open_tranches if t.is_overdue],
        guardrails=_guardrails(metrics),
    )

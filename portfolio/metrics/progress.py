"""Every metric of the fund as of a date, computed with set-based queries.

The queries are a fixed handful per fund whatever the size of its ledger: sums and groupings happen in the
database; Python only combines the grouped results (per project, per investor and date). Sums are exact
Decimals; ratios are computed from unrounded sums and carried with 10 places. A ratio whose denominator is
zero is None (JSON null), never 0.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from portfolio.models import (
    CapitalCallPayment,
    Commitment,
    Disbursement,
    Distribution,
    DistributionItem,
    Fund,
    Project,
    Receipt,
    Stage,
    StageChange,
    Tranche,
    Valuation,
)
from portfolio.money import MONEY_MAX_DIGITS, MONEY_PLACES, quantize_money

from .xirr import xirr

ZERO = Decimal("0.00")
RATIO_PLACES = Decimal("0.0000000001")
CASH_HORIZON_DAYS = 90

MONEY = DecimalField(max_digits=MONEY_MAX_DIGITS + 4, decimal_places=MONEY_PLACES)

# The order stages are reported in (the production pipeline, then the side exit).
STAGE_ORDER = [
    Stage.DEVELOPMENT,
    Stage.PRE_PRODUCTION,
    Stage.PRODUCTION,
    Stage.POST_PRODUCTION,
    Stage.DELIVERY,
    Stage.RELEASED,
    Stage.ABANDONED,
]


def _money(value) -> Decimal:
    return quantize_money(value)


def ratio(numerator, denominator) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES)


def _money_sum(queryset, field: str = "amount"):
    """A correlated subquery: the sum of `field` over `queryset` (already filtered on OuterRef).

    SUM as a plain function, not an aggregate, so Django adds no GROUP BY: one row, the total."""
    total = queryset.order_by().annotate(total=Func(F(field), function="SUM", output_field=MONEY))
    return Coalesce(Subquery(total.values("total")[:1], output_field=MONEY), Value(ZERO), output_field=MONEY)


def _paid_disbursements(as_of: datetime.date):
    return Disbursement.objects.filter(status=Disbursement.Status.PAID, paid_date__lte=as_of)


@dataclass
class ProjectRow:
    id: int
    slug: str
    title: str
    stage: str
    commitment: Decimal
    disbursed: Decimal
    receipts: Decimal
    valuation: Decimal | None
    next_tranche_id: int | None

    @property
    def abandoned(self) -> bool:
        return self.stage == Stage.ABANDONED

    @property
    def allocated(self) -> Decimal:
        # An abandoned project keeps only what it actually received on the books.
        return self.disbursed if self.abandoned else self.commitment

    @property
    def carrying_value(self) -> Decimal:
        if self.valuation is not None:
            return self.valuation
        return ZERO if self.abandoned else self.disbursed


def _projects(fund: Fund, as_of: datetime.date) -> list[ProjectRow]:
    stage_changes = StageChange.objects.filter(project=OuterRef("pk"))
    stage_as_of = Coalesce(
        Subquery(stage_changes.filter(date__lte=as_of).order_by("-date", "-id").values("stage")[:1]),
        Subquery(stage_changes.order_by("date", "id").values("stage")[:1]),
        F("stage"),
    )
    open_tranches = Tranche.objects.filter(project=OuterRef("pk")).exclude(
        status__in=[Tranche.Status.PAID, Tranche.Status.CANCELLED]
    )
    rows = (
        Project.objects.filter(fund=fund, approval_date__lte=as_of)
        .annotate(
            stage_as_of=stage_as_of,
            disbursed=_money_sum(_paid_disbursements(as_of).filter(project=OuterRef("pk"))),
            receipts_total=_money_sum(Receipt.objects.filter(project=OuterRef("pk"), date__lte=as_of)),
            valuation_as_of=Subquery(
                Valuation.objects.filter(project=OuterRef("pk"), date__lte=as_of)
                .order_by("-date")
                .values("amount")[:1]
            ),
            next_tranche_id=Subquery(open_tranches.order_by("planned_date", "number").values("id")[:1]),
        )
        .order_by("title", "id")
        .values_list(
            "id",
            "slug",
            "title",
            "stage_as_of",
            "commitment",
            "disbursed",
            "receipts_total",
            "valuation_as_of",
            "next_tranche_id",
        )
    )
    return [
        ProjectRow(
            id=row[0],
            slug=row[1],
            title=row[2],
            stage=row[3],
            commitment=_money(row[4]),
            disbursed=_money(row[5]),
            receipts=_money(row[6]),
            valuation=None if row[7] is None else _money(row[7]),
            next_tranche_id=row[8],
        )
        for row in rows
    ]


def _cash_needed(fund: Fund, as_of: datetime.date, abandoned_ids: list[int]) -> Decimal:
    # Near the end of the calendar the window is cut at the last representable date rather than overflowing.
    horizon = as_of + datetime.timedelta(days=min(CASH_HORIZON_DAYS, (datetime.date.max - as_of).days))
    paid_against = _money_sum(_paid_disbursements(as_of).filter(tranche=OuterRef("pk")))
    outstanding = Greatest(
        ExpressionWrapper(F("amount") - paid_against, output_field=MONEY), Value(ZERO), output_field=MONEY
    )
    total = (
        Tranche.objects.filter(project__fund=fund, planned_date__gt=as_of, planned_date__lte=horizon)
        .exclude(status=Tranche.Status.CANCELLED)
        .exclude(project_id__in=abandoned_ids)
        .annotate(outstanding=outstanding)
        .aggregate(total=Sum("outstanding"))["total"]
    )
    return _money(total or ZERO)


def _investor_flows(fund: Fund, as_of: datetime.date):
    """Per investor: commitment, and paid-in and distributions grouped by date (for their XIRR)."""
    commitments = {
        investor_id: (name, _money(amount))
        for investor_id, name, amount in Commitment.objects.filter(fund=fund, date__lte=as_of)
        .order_by("investor__name", "investor_id")
        .values_list("investor_id", "investor__name", "amount")
    }
    paid = (
        CapitalCallPayment.objects.filter(item__capital_call__fund=fund, date__lte=as_of)
        .values("item__investor_id", "date")
        .annotate(total=Sum("amount"))
        .values_list("item__investor_id", "date", "total")
        .order_by()
    )
    distributed = (
        DistributionItem.objects.filter(
            distribution__fund=fund,
            distribution__status=Distribution.Status.PAID,
            distribution__date__lte=as_of,
        )
        .values("investor_id", "distribution__date")
        .annotate(total=Sum("amount"))
        .values_list("investor_id", "distribution__date", "total")
        .order_by()
    )
    # Sums of two-place amounts are exact: quantizing only normalises the exponent (SQLite adds places).
    paid = [(investor_id, day, _money(total)) for investor_id, day, total in paid]
    distributed = [(investor_id, day, _money(total)) for investor_id, day, total in distributed]
    return commitments, paid, distributed


def _multiples(paid_in, distributed, nav) -> dict:
    return {
        "dpi": ratio(distributed, paid_in),
        "rvpi": ratio(nav, paid_in),
        "tvpi": ratio(distributed + nav, paid_in) if paid_in else None,
    }


def _irr(paid: dict, distributed: dict, nav: Decimal, as_of: datetime.date) -> Decimal | None:
    flows = [(day, -amount) for day, amount in paid.items()]
    flows += [(day, amount) for day, amount in distributed.items()]
    if nav:
        flows.append((as_of, nav))
    return xirr(flows)


def _band_status(count: int, fund: Fund) -> str:
    if count < fund.project_band_min:
        return "below"
    if count > fund.project_band_max:
        return "above"
    return "within"


def compute_fund_progress(fund: Fund, as_of: datetime.date) -> dict:
    """All metrics of domain.md for `fund` from the records dated on or before `as_of`."""
    projects = _projects(fund, as_of)
    commitments, paid_rows, distribution_rows = _investor_flows(fund, as_of)

    paid_by_investor: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for investor_id, day, total in paid_rows:
        paid_by_investor[investor_id][day] += total
    distributed_by_investor: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for investor_id, day, total in distribution_rows:
        distributed_by_investor[investor_id][day] += total

    committed_capital = sum((amount for _name, amount in commitments.values()), ZERO)
    paid_in = sum((total for _i, _d, total in paid_rows), ZERO)
    distributed = sum((total for _i, _d, total in distribution_rows), ZERO)
    active = [project for project in projects if not project.abandoned]
    allocated = sum((project.allocated for project in projects), ZERO)
    disbursed = sum((project.disbursed for project in projects), ZERO)
    receipts = sum((project.receipts for project in projects), ZERO)
    carrying = sum((project.carrying_value for project in projects), ZERO)
    fund_cash = paid_in + receipts - disbursed - distributed
    nav = carrying + fund_cash

    start, end = fund.investment_period_start, fund.investment_period_end
    elapsed = min(max(Decimal((as_of - start).days) / Decimal((end - start).days), Decimal(0)), Decimal(1))
    planned_disbursed = committed_capital * elapsed
    projected = None
    if disbursed > 0 and as_of > start:
        days = (Decimal((as_of - start).days) * committed_capital / disbursed).to_integral_value()
        try:
            projected = start + datetime.timedelta(days=int(days))
        except OverflowError:
            projected = None

    cap_amount = fund.concentration_cap_amount
    tranche_ids = [project.next_tranche_id for project in projects if project.next_tranche_id]
    next_tranches = Tranche.objects.in_bulk(tranche_ids) if tranche_ids else {}

    by_stage = {stage.value: {"projects": 0, "allocated": ZERO, "disbursed": ZERO} for stage in STAGE_ORDER}
    for project in projects:
        bucket = by_stage[project.stage]
        bucket["projects"] += 1
        bucket["allocated"] += project.allocated
        bucket["disbursed"] += project.disbursed

    investors = []
    for investor_id, (name, commitment) in commitments.items():
        own_paid = sum(paid_by_investor[investor_id].values(), ZERO)
        own_distributed = sum(distributed_by_investor[investor_id].values(), ZERO)
        nav_share = nav * own_paid / paid_in if paid_in else ZERO
        investors.append(
            {
                "investor_id": investor_id,
                "investor": name,
                "commitment": commitment,
                "paid_in": own_paid,
                "unfunded": commitment - own_paid,
                "distributed": own_distributed,
                "nav_share": nav_share.quantize(Decimal("0.01")),
                **_multiples(own_paid, own_distributed, nav_share),
                "net_irr": _irr(
                    paid_by_investor[investor_id], distributed_by_investor[investor_id], nav_share, as_of
                ),
            }
        )

    all_paid: dict = defaultdict(lambda: ZERO)
    for _investor, day, total in paid_rows:
        all_paid[day] += total
    all_distributed: dict = defaultdict(lambda: ZERO)
    for _investor, day, total in distribution_rows:
        all_distributed[day] += total

    largest = max((project.commitment for project in active), default=None)
    return {
        "fund": fund.slug,
        "as_of": as_of,
        "currency": fund.base_currency,
        "target_size": fund.target_size,
        "committed_capital": committed_capital,
        "fundraising_pct": ratio(committed_capital, fund.target_size),
        "allocated": allocated,
        "disbursed": disbursed,
        "undisbursed_allocations": allocated - disbursed,
        "available_to_allocate": committed_capital - allocated,
        "paid_in": paid_in,
        "unfunded": committed_capital - paid_in,
        "distributed": distributed,
        "receipts": receipts,
        "nav": nav,
        "allocation_pct": ratio(allocated, committed_capital),
        "deployment_pct": ratio(disbursed, committed_capital),
        "deployment_pct_of_target": ratio(disbursed, fund.target_size),
        "projects_active": len(active),
        "projects_band": {
            "min": fund.project_band_min,
            "max": fund.project_band_max,
            "status": _band_status(len(active), fund),
        },
        "period_elapsed_pct": elapsed.quantize(RATIO_PLACES),
        "planned_disbursed": planned_disbursed.quantize(Decimal("0.01")),
        "pace_ratio": ratio(disbursed, planned_disbursed),
        "projected_full_deployment": projected,
        "cash_needed_next_90_days": _cash_needed(
            fund, as_of, [project.id for project in projects if project.abandoned]
        ),
        "max_project_share": ratio(largest, fund.target_size),
        "concentration_breaches": [
            {"project_id": p.id, "slug": p.slug, "title": p.title, "commitment": p.commitment}
            for p in active
            if p.commitment > cap_amount
        ],
        "by_stage": by_stage,
        **_multiples(paid_in, distributed, nav),
        "net_irr": _irr(all_paid, all_distributed, nav, as_of),
        "investors": investors,
        "projects": [_project_metrics(project, next_tranches) for project in projects],
    }


def _project_metrics(project: ProjectRow, next_tranches: dict) -> dict:
    tranche = next_tranches.get(project.next_tranche_id)
    return {
        "project_id": project.id,
        "slug": project.slug,
        "title": project.title,
        "stage": project.stage,
        "commitment": project.commitment,
        "allocated": project.allocated,
        "disbursed": project.disbursed,
        "disbursed_pct": ratio(project.disbursed, project.commitment),
        "receipts": project.receipts,
        "carrying_value": project.carrying_value,
        "gross_moic": ratio(project.receipts + project.carrying_value, project.disbursed)
        if project.disbursed > 0
        else None,
        "next_tranche": None
        if tranche is None
        else {
            "number": tranche.number,
            "amount": tranche.amount,
            "trigger": tranche.trigger,
            "trigger_stage": tranche.trigger_stage or None,
            "trigger_date": tranche.trigger_date,
            "planned_date": tranche.planned_date,
            "status": tranche.status,
        },
    }

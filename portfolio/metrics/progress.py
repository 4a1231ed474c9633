"""Every metric of domain.md for a set of funds as of a date, with set-based queries.

Nine queries compute any number of funds: each one groups a table by fund, project, tranche or investor in
the database, and Python only combines those grouped rows (never a loop over the ledger's own rows). One
fund costs the same nine queries as a thousand, which is what lets the nightly job snapshot every fund of a
large installation in batches. Sums are exact Decimals; ratios are computed from unrounded sums and carried
with 10 places. A ratio whose denominator is zero is None (JSON null), never 0.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum, Window
from django.db.models.functions import RowNumber

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
from portfolio.money import quantize_money

from .xirr import xirr

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.0000000001")
CASH_HORIZON_DAYS = 90

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
OPEN_TRANCHE = {Tranche.Status.PLANNED, Tranche.Status.ELIGIBLE}


def ratio(numerator, denominator) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES)


def _money(value) -> Decimal:
    # Sums of two-place amounts are exact: quantizing only normalises the exponent (SQLite adds places).
    return quantize_money(value or 0)


@dataclass
class ProjectRow:
    id: int
    fund_id: int
    slug: str
    title: str
    commitment: Decimal
    stage: str = Stage.DEVELOPMENT
    disbursed: Decimal = ZERO
    receipts: Decimal = ZERO
    valuation: Decimal | None = None
    tranches: list = field(default_factory=list)

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

    @property
    def next_tranche(self):
        open_tranches = [tranche for tranche in self.tranches if tranche["status"] in OPEN_TRANCHE]
        return min(open_tranches, key=lambda t: (t["planned_date"], t["number"]), default=None)


def _latest_per(queryset, partition: str, order: list):
    """The first row of each `partition` in `order`: a window function, one query on SQLite and PostgreSQL."""
    return queryset.annotate(_rank=Window(RowNumber(), partition_by=[F(partition)], order_by=order)).filter(
        _rank=1
    )


def _projects(fund_ids: list[int], as_of: datetime.date) -> tuple[dict[int, ProjectRow], dict[int, Decimal]]:
    """The funds' projects approved by `as_of`, each with its stage, money and tranches as of that date.

    Also returns the net paid against each tranche, for the cash forecast."""
    projects = {
        row["id"]: ProjectRow(**row)
        for row in Project.objects.filter(fund_id__in=fund_ids, approval_date__lte=as_of)
        .order_by("title", "id")
        .values("id", "fund_id", "slug", "title", "commitment", "stage")
    }
    for project in projects.values():
        project.commitment = _money(project.commitment)
    in_funds = {"project__fund_id__in": fund_ids, "project__approval_date__lte": as_of}

    # Stage as of the date: the latest change on or before it; before the first change, the first one;
    # with no history at all, the project's current stage.
    latest_stage, first_stage = {}, {}
    for project_id, date, stage in (
        StageChange.objects.filter(**in_funds)
        .order_by("project_id", "date", "id")
        .values_list("project_id", "date", "stage")
    ):
        first_stage.setdefault(project_id, stage)
        if date <= as_of:
            latest_stage[project_id] = stage
    for project_id, project in projects.items():
        project.stage = latest_stage.get(project_id) or first_stage.get(project_id) or project.stage

    paid_per_tranche: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for project_id, tranche_id, total in (
        Disbursement.objects.filter(**in_funds, status=Disbursement.Status.PAID, paid_date__lte=as_of)
        .values("project_id", "tranche_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "tranche_id", "total")
        .order_by()
    ):
        projects[project_id].disbursed += _money(total)
        if tranche_id is not None:
            paid_per_tranche[tranche_id] += _money(total)

    for project_id, total in (
        Receipt.objects.filter(**in_funds, date__lte=as_of)
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
        .order_by()
    ):
        projects[project_id].receipts = _money(total)

    for project_id, amount in _latest_per(
        Valuation.objects.filter(**in_funds, date__lte=as_of), "project_id", [F("date").desc()]
    ).values_list("project_id", "amount"):
        projects[project_id].valuation = _money(amount)

    for tranche in (
        Tranche.objects.filter(**in_funds)
        .exclude(status=Tranche.Status.CANCELLED)
        .values(
            "id",
            "project_id",
            "number",
            "amount",
            "planned_date",
            "trigger",
            "trigger_stage",
            "trigger_date",
            "status",
        )
    ):
        tranche["amount"] = _money(tranche["amount"])
        projects[tranche["project_id"]].tranches.append(tranche)
    return projects, paid_per_tranche


@dataclass
class InvestorRow:
    id: int
    name: str
    commitment: Decimal
    paid: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    distributed: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))


def _investors(fund_ids: list[int], as_of: datetime.date) -> dict[int, dict[int, InvestorRow]]:
    """Per fund, per investor: the commitment, and paid-in and distributions by date (for their XIRR)."""
    investors: dict[int, dict[int, InvestorRow]] = defaultdict(dict)
    for fund_id, investor_id, name, amount in (
        Commitment.objects.filter(fund_id__in=fund_ids, date__lte=as_of)
        .order_by("fund_id", "investor__name", "investor_id")
        .values_list("fund_id", "investor_id", "investor__name", "amount")
    ):
        investors[fund_id][investor_id] = InvestorRow(investor_id, name, _money(amount))

    def row(fund_id, investor_id) -> InvestorRow:
        # Money from an investor whose commitment is dated after `as_of` still counts: it was paid.
        return investors[fund_id].setdefault(investor_id, InvestorRow(investor_id, "", ZERO))

    for fund_id, investor_id, day, total in (
        CapitalCallPayment.objects.filter(item__capital_call__fund_id__in=fund_ids, date__lte=as_of)
        .values("item__capital_call__fund_id", "item__investor_id", "date")
        .annotate(total=Sum("amount"))
        .values_list("item__capital_call__fund_id", "item__investor_id", "date", "total")
        .order_by()
    ):
        row(fund_id, investor_id).paid[day] += _money(total)
    for fund_id, investor_id, day, total in (
        DistributionItem.objects.filter(
            distribution__fund_id__in=fund_ids,
            distribution__status=Distribution.Status.PAID,
            distribution__date__lte=as_of,
        )
        .values("distribution__fund_id", "investor_id", "distribution__date")
        .annotate(total=Sum("amount"))
        .values_list("distribution__fund_id", "investor_id", "distribution__date", "total")
        .order_by()
    ):
        row(fund_id, investor_id).distributed[day] += _money(total)
    return investors


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


def _total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def compute_progress(funds: Sequence[Fund], as_of: datetime.date) -> dict[int, dict]:
    """All metrics of domain.md for each fund, from the records dated on or before `as_of`."""
    fund_ids = [fund.pk for fund in funds]
    projects, paid_per_tranche = _projects(fund_ids, as_of)
    investors = _investors(fund_ids, as_of)
    projects_by_fund: dict[int, list[ProjectRow]] = defaultdict(list)
    for project in projects.values():
        projects_by_fund[project.fund_id].append(project)
    return {
        fund.pk: _fund_metrics(fund, as_of, projects_by_fund[fund.pk], investors[fund.pk], paid_per_tranche)
        for fund in funds
    }


def compute_fund_progress(fund: Fund, as_of: datetime.date) -> dict:
    """All metrics of domain.md for one fund (the same nine queries as for many)."""
    return compute_progress([fund], as_of)[fund.pk]


def _cash_needed(projects: list[ProjectRow], paid_per_tranche: dict, as_of: datetime.date) -> Decimal:
    # Near the end of the calendar the window is cut at the last representable date rather than overflowing.
    horizon = as_of + datetime.timedelta(days=min(CASH_HORIZON_DAYS, (datetime.date.max - as_of).days))
    return _total(
        max(tranche["amount"] - paid_per_tranche.get(tranche["id"], ZERO), ZERO)
        for project in projects
        if not project.abandoned  # an abandoned project needs no more cash
        for tranche in project.tranches
        if as_of < tranche["planned_date"] <= horizon
    )


def _fund_metrics(fund, as_of, projects, investors, paid_per_tranche) -> dict:
    active = [project for project in projects if not project.abandoned]
    committed_capital = _total(row.commitment for row in investors.values())
    paid_in = _total(_total(row.paid.values()) for row in investors.values())
    distributed = _total(_total(row.distributed.values()) for row in investors.values())
    allocated = _total(project.allocated for project in projects)
    disbursed = _total(project.disbursed for project in projects)
    receipts = _total(project.receipts for project in projects)
    carrying = _total(project.carrying_value for project in projects)
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

    by_stage = {stage.value: {"projects": 0, "allocated": ZERO, "disbursed": ZERO} for stage in STAGE_ORDER}
    for project in projects:
        bucket = by_stage[project.stage]
        bucket["projects"] += 1
        bucket["allocated"] += project.allocated
        bucket["disbursed"] += project.disbursed

    all_paid: dict = defaultdict(lambda: ZERO)
    all_distributed: dict = defaultdict(lambda: ZERO)
    for row in investors.values():
        for day, amount in row.paid.items():
            all_paid[day] += amount
        for day, amount in row.distributed.items():
            all_distributed[day] += amount

    cap_amount = fund.concentration_cap_amount
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
        "planned_disbursed": planned_disbursed.quantize(CENT),
        "pace_ratio": ratio(disbursed, planned_disbursed),
        "projected_full_deployment": projected,
        "cash_needed_next_90_days": _cash_needed(projects, paid_per_tranche, as_of),
        "max_project_share": ratio(largest, fund.target_size),
        "concentration_breaches": [
            {"project_id": p.id, "slug": p.slug, "title": p.title, "commitment": p.commitment}
            for p in active
            if p.commitment > cap_amount
        ],
        "by_stage": by_stage,
        **_multiples(paid_in, distributed, nav),
        "net_irr": _irr(all_paid, all_distributed, nav, as_of),
        "investors": [_investor_metrics(row, nav, paid_in, as_of) for row in investors.values()],
        "projects": [_project_metrics(project) for project in projects],
    }


def _investor_metrics(row: InvestorRow, nav: Decimal, fund_paid_in: Decimal, as_of) -> dict:
    own_paid = _total(row.paid.values())
    own_distributed = _total(row.distributed.values())
    nav_share = nav * own_paid / fund_paid_in if fund_paid_in else ZERO
    return {
        "investor_id": row.id,
        "investor": row.name,
        "commitment": row.commitment,
        "paid_in": own_paid,
        "unfunded": row.commitment - own_paid,
        "distributed": own_distributed,
        "nav_share": nav_share.quantize(CENT),
        **_multiples(own_paid, own_distributed, nav_share),
        "net_irr": _irr(row.paid, row.distributed, nav_share, as_of),
    }


def _project_metrics(project: ProjectRow) -> dict:
    tranche = project.next_tranche
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
            "number": tranche["number"],
            "amount": tranche["amount"],
            "trigger": tranche["trigger"],
            "trigger_stage": tranche["trigger_stage"] or None,
            "trigger_date": tranche["trigger_date"],
            "planned_date": tranche["planned_date"],
            "status": tranche["status"],
        },
    }

"""Every fund-level metric of domain.md for a set of (fund, as-of date) targets, with set-based queries.

The loaders run a fixed number of grouped queries for any number of targets; Python only combines those
grouped rows (never a loop over the ledger's own rows). Sums are exact Decimals; ratios are computed from
unrounded sums and carried with 10 places. A ratio whose denominator is zero is None (JSON null), never 0.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from portfolio.models import Fund
from portfolio.money import quantize_money, quantize_ratio

from . import accounts
from .common import plain, ratio, total
from .investors import FundInvestors, InvestorTotals, capital_accounts, irr, multiples
from .loaders import Target, load_ledger
from .projects import ProjectRow, by_stage, cash_needed, project_metrics, projects_as_of


@dataclass
class FundProgress:
    """One fund as of one date: the snapshot's metrics and the investors' capital accounts.

    `staged` says the accounts wait in the session's work table (`accounts.stage`) for the writer to store
    them; `accounts` is then empty."""

    metrics: dict
    accounts: list[dict]
    staged: bool = False


def compute_progress(funds: Sequence[Fund], dates: Sequence[datetime.date]) -> dict[Target, FundProgress]:
    """Every fund as of every date, keyed (fund id, date); the same queries for one target or thousands."""
    targets = [(fund.pk, day) for fund in funds for day in dates]
    return compute_targets({fund.pk: fund for fund in funds}, targets)


def compute_targets(
    funds: dict[int, Fund],
    targets: Sequence[Target],
    accounts_for: Callable[[datetime.date], bool] | None = None,
    *,
    to_store: bool = False,
    set_based: bool | None = None,
) -> dict[Target, FundProgress]:
    """The metrics of each (fund id, date) target, from the records dated on or before its date, with the
    capital accounts of the dates `accounts_for` accepts (all by default; the others get an empty list).

    On PostgreSQL the capital accounts are computed set-based (`accounts.py`); `to_store` leaves them staged
    for `progress_write` instead of reading them back. `set_based=False` computes them in Python, as the
    SQLite demo does: the reference the set-based path is tested against."""
    set_based = connection.vendor == "postgresql" if set_based is None else set_based
    ledger = load_ledger(targets, per_investor=not set_based)
    investors = {
        fund_id: FundInvestors(ledger, fund_id) for fund_id in {fund_id for fund_id, _day in targets}
    }
    results, staged = {}, []
    for fund_id, as_of in targets:
        projects = projects_as_of(ledger, fund_id, as_of)
        totals = investors[fund_id].totals(as_of)
        metrics = fund_metrics(funds[fund_id], as_of, projects, totals, ledger.project_rows)
        result = results[(fund_id, as_of)] = FundProgress(metrics=metrics, accounts=[])
        if accounts_for is not None and not accounts_for(as_of):
            continue
        if set_based:
            staged.append((fund_id, as_of))
        else:
            result.accounts = capital_accounts(investors[fund_id].rows(as_of), totals, metrics["nav"], as_of)
    if set_based:
        accounts.stage(staged, [results[target].metrics["nav"] for target in staged])
        found = {} if to_store else accounts.rows()
        for target in staged:
            results[target].staged = to_store
            results[target].accounts = found.get(target, [])
    return results


def compute_fund_progress(fund: Fund, as_of: datetime.date) -> dict:
    """All fund-level metrics of domain.md for one fund (the same queries as for many)."""
    return compute_progress([fund], [as_of])[(fund.pk, as_of)].metrics


def _band_status(count: int, fund: Fund) -> str:
    if count < fund.project_band_min:
        return "below"
    if count > fund.project_band_max:
        return "above"
    return "within"


def _projected_full_deployment(fund: Fund, as_of, committed: Decimal, disbursed: Decimal):
    if disbursed <= 0 or as_of <= fund.investment_period_start:
        return None
    # Full deployment falls on a calendar day: the fractional day is dropped (domain.md).
    days = int(Decimal((as_of - fund.investment_period_start).days) * committed / disbursed)
    try:
        return fund.investment_period_start + datetime.timedelta(days=days)
    except OverflowError:
        return None


def fund_metrics(
    fund: Fund,
    as_of: datetime.date,
    projects: list[ProjectRow],
    investors: InvestorTotals,
    project_rows: dict | None = None,
) -> dict:
    active = [project for project in projects if not project.abandoned]
    committed_capital, paid_in = investors.committed_capital, investors.paid_in
    distributed = investors.distributed
    allocated = total(project.allocated for project in projects)
    disbursed = total(project.disbursed for project in projects)
    receipts = total(project.receipts for project in projects)
    carrying = total(project.carrying_value for project in projects)
    fund_cash = paid_in + receipts - disbursed - distributed
    nav = carrying + fund_cash

    start, end = fund.investment_period_start, fund.investment_period_end
    elapsed = min(max(Decimal((as_of - start).days) / Decimal((end - start).days), Decimal(0)), Decimal(1))
    planned_disbursed = committed_capital * elapsed
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
        "period_elapsed_pct": plain(quantize_ratio(elapsed)),
        "planned_disbursed": quantize_money(planned_disbursed),
        "pace_ratio": ratio(disbursed, planned_disbursed),
        "projected_full_deployment": _projected_full_deployment(fund, as_of, committed_capital, disbursed),
        "cash_needed_next_90_days": cash_needed(projects, as_of),
        "max_project_share": ratio(largest, fund.target_size),
        "concentration_breaches": [
            {"project_id": p.id, "slug": p.slug, "title": p.title, "commitment": p.commitment}
            for p in active
            if p.commitment > fund.concentration_cap_amount
        ],
        "by_stage": by_stage(projects),
        **multiples(paid_in, distributed, nav),
        "net_irr": irr(investors.paid_flows, investors.distributed_flows, nav, as_of),
        "projects": [project_metrics(project, project_rows) for project in projects],
    }

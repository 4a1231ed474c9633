"""Capital accounts: each investor's figures in a fund as of a date, and the fund's investor totals.

The ledger arrives grouped per investor and day, so Python touches a few rows per investor, never the
ledger's own rows; the IRRs are solved through one cache, so investors whose flows are pro rata to each
other (the usual case) share a solve.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from portfolio.money import quantize_money

from .common import ZERO, ratio, total
from .loaders import Ledger
from .xirr import xirr


@dataclass
class InvestorFlows:
    investor_id: int
    name: str
    commitment: Decimal = ZERO
    paid: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    distributed: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))


@dataclass
class InvestorTotals:
    """The fund-level figures made of investor rows, and each investor's flows."""

    committed_capital: Decimal
    paid_in: Decimal
    distributed: Decimal
    rows: list[InvestorFlows]

    def fund_flows(self) -> tuple[dict, dict]:
        paid: dict = defaultdict(lambda: ZERO)
        distributed: dict = defaultdict(lambda: ZERO)
        for row in self.rows:
            for day, amount in row.paid.items():
                paid[day] += amount
            for day, amount in row.distributed.items():
                distributed[day] += amount
        return paid, distributed


def investors_as_of(ledger: Ledger, fund_id: int, as_of: datetime.date) -> InvestorTotals:
    rows: dict[int, InvestorFlows] = {}
    for investor_id, name, amount, day in ledger.commitments.get(fund_id, ()):
        if day <= as_of:
            rows[investor_id] = InvestorFlows(investor_id, name, amount)

    def row(investor_id) -> InvestorFlows:
        # Money from an investor whose commitment is dated after `as_of` still counts: it was paid.
        return rows.setdefault(investor_id, InvestorFlows(investor_id, ""))

    for investor_id, day, amount in ledger.payments.get(fund_id, ()):
        if day <= as_of:
            row(investor_id).paid[day] += amount
    for investor_id, day, amount in ledger.distributions.get(fund_id, ()):
        if day <= as_of:
            row(investor_id).distributed[day] += amount
    ordered = list(rows.values())
    return InvestorTotals(
        committed_capital=total(row.commitment for row in ordered),
        paid_in=total(total(row.paid.values()) for row in ordered),
        distributed=total(total(row.distributed.values()) for row in ordered),
        rows=ordered,
    )


def multiples(paid_in: Decimal, distributed: Decimal, nav: Decimal) -> dict:
    return {
        "dpi": ratio(distributed, paid_in),
        "rvpi": ratio(nav, paid_in),
        "tvpi": ratio(distributed + nav, paid_in) if paid_in else None,
    }


def irr(paid: dict, distributed: dict, nav: Decimal, as_of: datetime.date) -> Decimal | None:
    """Net IRR of investor flows: paid-in negative on its dates, distributions positive, NAV at t."""
    flows = [(day, -amount) for day, amount in paid.items()]
    flows += [(day, amount) for day, amount in distributed.items()]
    if nav:
        flows.append((as_of, nav))
    return xirr(flows)


def capital_accounts(totals: InvestorTotals, nav: Decimal, as_of: datetime.date) -> list[dict]:
    """One capital account per investor: their share of NAV is NAV × their paid-in / the fund's paid-in."""
    accounts = []
    for row in totals.rows:
        paid_in = total(row.paid.values())
        distributed = total(row.distributed.values())
        # Ratios from the unrounded share; only the stored amount is rounded (half-up, to the cent).
        nav_share = nav * paid_in / totals.paid_in if totals.paid_in else ZERO
        accounts.append(
            {
                "investor_id": row.investor_id,
                "investor": row.name,
                "commitment": row.commitment,
                "paid_in": paid_in,
                "unfunded": row.commitment - paid_in,
                "distributed": distributed,
                "nav_share": quantize_money(nav_share),
                **multiples(paid_in, distributed, nav_share),
                "net_irr": irr(row.paid, row.distributed, nav_share, as_of),
            }
        )
    return accounts

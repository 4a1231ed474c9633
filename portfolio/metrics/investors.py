"""Capital accounts: each investor's figures in a fund as of a date, and the fund's investor totals.

The ledger arrives grouped per investor and day, so Python touches a few rows per investor, never the
ledger's own rows; the IRRs are solved through one cache, so investors whose flows are pro rata to each
other (the usual case) share a solve.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

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


class _Dated:
    """Amounts by day with running totals: the sum up to any date, and the per-day flows, by bisection."""

    def __init__(self, rows):
        by_day: dict = defaultdict(lambda: ZERO)
        for day, amount in rows:
            by_day[day] += amount
        self.days = sorted(by_day)
        self.amounts = [by_day[day] for day in self.days]
        self.running = list(accumulate(self.amounts, initial=ZERO))

    def total(self, as_of: datetime.date) -> Decimal:
        return self.running[bisect.bisect_right(self.days, as_of)]

    def flows(self, as_of: datetime.date) -> dict:
        end = bisect.bisect_right(self.days, as_of)
        return dict(zip(self.days[:end], self.amounts[:end], strict=True))


class FundInvestors:
    """One fund's investor ledger, indexed once for any number of dates."""

    def __init__(self, ledger: Ledger, fund_id: int):
        self.ledger, self.fund_id = ledger, fund_id
        self.commitments = _Dated(
            (day, amount) for _id, _name, amount, day in ledger.commitments.get(fund_id, ())
        )
        self.paid = _Dated((day, amount) for _id, day, amount in ledger.payments.get(fund_id, ()))
        self.distributed = _Dated((day, amount) for _id, day, amount in ledger.distributions.get(fund_id, ()))

    def totals(self, as_of: datetime.date) -> "InvestorTotals":
        return InvestorTotals(
            committed_capital=self.commitments.total(as_of),
            paid_in=self.paid.total(as_of),
            distributed=self.distributed.total(as_of),
            paid_flows=self.paid.flows(as_of),
            distributed_flows=self.distributed.flows(as_of),
        )

    def rows(self, as_of: datetime.date) -> list[InvestorFlows]:
        """Each investor's commitment and flows as of the date (for their capital accounts)."""
        rows: dict[int, InvestorFlows] = {}
        for investor_id, name, amount, day in self.ledger.commitments.get(self.fund_id, ()):
            if day <= as_of:
                rows[investor_id] = InvestorFlows(investor_id, name, amount)

        def row(investor_id) -> InvestorFlows:
            # Money from an investor whose commitment is dated after `as_of` still counts: it was paid.
            return rows.setdefault(investor_id, InvestorFlows(investor_id, ""))

        for investor_id, day, amount in self.ledger.payments.get(self.fund_id, ()):
            if day <= as_of:
                row(investor_id).paid[day] += amount
        for investor_id, day, amount in self.ledger.distributions.get(self.fund_id, ()):
            if day <= as_of:
                row(investor_id).distributed[day] += amount
        return list(rows.values())


@dataclass
class InvestorTotals:
    """The fund-level figures made of investor rows, and the fund's investor flows by day."""

    committed_capital: Decimal
    paid_in: Decimal
    distributed: Decimal
    paid_flows: dict
    distributed_flows: dict


def multiples(paid_in: Decimal, distributed: Decimal, nav: Decimal, ratio=ratio) -> dict:
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


def capital_accounts(rows: list[InvestorFlows], totals: InvestorTotals, nav: Decimal, as_of) -> list[dict]:
    """One capital account per investor: their share of NAV is NAV × their paid-in / the fund's paid-in."""
    accounts = []
    for row in rows:
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

"""A fund with two investors and a history of calls, payments and a distribution, written through the write
services, and its capital accounts stored by the progress engine (shared by the statement tests)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from portfolio.models import CapitalAccount, CapitalCallItem, Distribution, Fund, Investor
from portfolio.services.capital_calls import capital_call_issue, capital_call_payment_record
from portfolio.services.distributions import distribution_issue, distribution_pay
from portfolio.services.progress import progress_snapshot_refresh
from tests.factories import CommitmentFactory, InvestorFactory, UserFactory

D = datetime.date
M = Decimal
# Month ends: the engine keeps their capital accounts for good (daily ones 90 days).
FIRST_MONTH_END, AS_OF = D(2025, 12, 31), D(2026, 6, 30)
KAZAKH_NAME = "Әліби Қоғамдық Ұйымы — Өнер һәм Ғылым"


@dataclass
class History:
    fund: Fund
    investor: Investor
    user: object
    other: Investor  # a second investor of the fund, whose rows the first never sees


def history(fund: Fund, manager, *, calls: int = 3, name: str = KAZAKH_NAME) -> History:
    """`calls` capital calls of 10,000,000 each (split 2:3 over the two commitments), the first investor
    paying each of theirs in full a week later, one paid distribution of 5,000,000, and the capital accounts
    of two month ends stored by the engine."""
    user = UserFactory(username="investor")
    investor = InvestorFactory(name=name)
    investor.users.add(user)
    other = InvestorFactory(name="Other Capital LLP")
    CommitmentFactory(fund=fund, investor=investor, amount=M("2000000000.00"), date=D(2025, 1, 15))
    CommitmentFactory(fund=fund, investor=other, amount=M("3000000000.00"), date=D(2025, 1, 20))
    for number in range(calls):
        day = D(2025, 2, 1) + datetime.timedelta(days=3 * number)
        call = capital_call_issue(
            user=manager,
            fund=fund,
            call_date=day,
            due_date=day + datetime.timedelta(days=14),
            amount=M("10000000.00"),
        )
        item = CapitalCallItem.objects.get(capital_call=call, investor=investor)
        capital_call_payment_record(
            user=manager, item=item, amount=item.amount, date=day + datetime.timedelta(7)
        )
    distribution = distribution_issue(
        user=manager, fund=fund, date=D(2026, 3, 2), amount=M("5000000.00"), kind=Distribution.Kind.PROFIT
    )
    distribution_pay(user=manager, distribution=distribution)
    progress_snapshot_refresh(fund_id=fund.pk, as_of=FIRST_MONTH_END)
    progress_snapshot_refresh(fund_id=fund.pk, as_of=AS_OF)
    return History(fund=fund, investor=investor, user=user, other=other)


def stored(h: History, as_of=AS_OF) -> CapitalAccount:
    return CapitalAccount.objects.get(fund=h.fund, investor=h.investor, as_of=as_of)

"""Reads of a statement, a fixed number of queries whatever the length of the investor's history."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from portfolio.metrics import schema
from portfolio.models import (
    CapitalAccount,
    CapitalCallItem,
    CapitalCallPayment,
    Distribution,
    DistributionItem,
    Fund,
    Investor,
)

# The kinds of line, with the words the page, the CSV and the PDF use for them.
CALL, PAYMENT, DISTRIBUTION = "capital_call", "payment", "distribution"
LINE_KINDS = {CALL: _("Capital call"), PAYMENT: _("Payment"), DISTRIBUTION: _("Distribution")}
# What a statement says when there is nothing to show (the page, the CSV and the PDF say the same).
NO_ACCOUNT = _("No capital account has been computed on or before this date yet.")
NO_ACTIVITY = _("No capital has been called from this investor and nothing has been distributed yet.")


@dataclass(frozen=True)
class Line:
    """One dated entry of the investor's ledger: a call on them, a payment of theirs, a distribution."""

    kind: str
    date: datetime.date
    number: int  # the call's or the distribution's number in the fund
    detail: str  # the call's purpose or the distribution's kind, in the reader's language
    amount: Decimal
    due_date: datetime.date | None = None

    @property
    def label(self) -> str:
        return str(LINE_KINDS[self.kind])

    @property
    def reference(self) -> str:
        if self.kind == DISTRIBUTION:
            return _("Distribution %(number)s") % {"number": self.number}
        return _("Capital call %(number)s") % {"number": self.number}

    @property
    def title(self) -> str:
        """What the line is, for a reader: "Capital call 2", "Payment · Capital call 2", "Distribution 1"."""
        return f"{self.label} · {self.reference}" if self.kind == PAYMENT else str(self.reference)


@dataclass
class Statement:
    fund: Fund
    investor: Investor
    requested: datetime.date  # the date the reader asked for
    account: CapitalAccount | None  # the stored row of the latest date on or before it
    lines: list[Line] = field(default_factory=list)

    @property
    def as_of(self) -> datetime.date:
        """The date every figure and line is as of: the stored row's, else the date asked for."""
        return self.account.as_of if self.account else self.requested

    @property
    def figures(self) -> list[tuple[schema.Metric, object]]:
        """(metric, stored value) in the schema's order; empty when nothing is stored yet."""
        if self.account is None:
            return []
        return [(metric, getattr(self.account, metric.name)) for metric in schema.INVESTOR_METRICS]

    @property
    def has_activity(self) -> bool:
        return bool(self.lines)


def stored_account(fund: Fund, investor: Investor, as_of: datetime.date) -> CapitalAccount | None:
    """The investor's capital account stored for the latest date on or before `as_of` (one query, on the
    (investor, fund, as_of) index). Daily rows are kept 90 days and month-end rows for good, so an older
    date reads the month-end row before it."""
    return (
        CapitalAccount.objects.filter(fund=fund, investor=investor, as_of__lte=as_of)
        .order_by("-as_of")
        .first()
    )


def ledger_lines(fund: Fund, investor: Investor, as_of: datetime.date) -> list[Line]:
    """The investor's calls, payments and paid distributions dated on or before `as_of`, oldest first
    (three queries). A distribution counts once paid, as in the engine."""
    calls = (
        CapitalCallItem.objects.filter(
            investor=investor, capital_call__fund=fund, capital_call__call_date__lte=as_of
        )
        .select_related("capital_call")
        .order_by()
    )
    payments = (
        CapitalCallPayment.objects.filter(
            item__investor=investor, item__capital_call__fund=fund, date__lte=as_of
        )
        .select_related("item__capital_call")
        .order_by()
    )
    distributions = (
        DistributionItem.objects.filter(
            investor=investor,
            distribution__fund=fund,
            distribution__status=Distribution.Status.PAID,
            distribution__date__lte=as_of,
        )
        .select_related("distribution")
        .order_by()
    )
    lines = [
        Line(
            CALL,
            item.capital_call.call_date,
            item.capital_call.number,
            item.capital_call.get_purpose_display(),
            item.amount,
            due_date=item.capital_call.due_date,
        )
        for item in calls
    ]
    lines += [
        Line(
            PAYMENT,
            payment.date,
            payment.item.capital_call.number,
            payment.item.capital_call.get_purpose_display(),
            payment.amount,
        )
        for payment in payments
    ]
    lines += [
        Line(
            DISTRIBUTION,
            item.distribution.date,
            item.distribution.number,
            item.distribution.get_kind_display(),
            item.amount,
        )
        for item in distributions
    ]
    order = {CALL: 0, PAYMENT: 1, DISTRIBUTION: 2}
    return sorted(lines, key=lambda line: (line.date, order[line.kind], line.number))


def statement(fund: Fund, investor: Investor, requested: datetime.date) -> Statement:
    """The whole statement: four queries."""
    account = stored_account(fund, investor, requested)
    result = Statement(fund=fund, investor=investor, requested=requested, account=account)
    result.lines = ledger_lines(fund, investor, result.as_of)
    return result

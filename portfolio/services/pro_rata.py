"""Splitting a capital call or a distribution over the fund's commitments.

`portfolio.money.split_pro_rata` applies domain.md's rule (each investor's exact share cut to the cent, the
cents left over to the largest remainders; ties to the larger commitment, then the earlier commitment date,
then the lower investor id), so the items always add up to the total. Items are written in one statement
with their history rows: a fund with 100,000 investors is one insert, not 100,000.
"""

import datetime

from django.db.models import Max
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from portfolio.models import Commitment, Fund
from portfolio.money import split_pro_rata
from portfolio.services.recompute import progress_refresh_request

from .common import refuse


def commitment_split(fund: Fund, total, *, on: datetime.date) -> dict:
    """`total` split pro rata over the commitments to `fund` dated on or before `on`: {investor id: part}."""
    commitments = Commitment.objects.filter(fund=fund, date__lte=on).order_by(
        "-amount", "date", "investor_id"
    )
    weights = list(commitments.values_list("investor_id", "amount"))
    if not weights:
        refuse(
            "amount",
            _("The fund has no commitments dated on or before %(date)s to split this over.") % {"date": on},
        )
    return split_pro_rata(total, weights)


def next_number(queryset) -> int:
    """The number after the highest of a fund's calls or distributions."""
    return (queryset.aggregate(last=Max("number"))["last"] or 0) + 1


def items_create(model, *, parent_field: str, parent, parts: dict, user) -> None:
    """One item per investor with a part, in one insert with its history rows."""
    # A part of 0.00 (a tiny commitment against a tiny total) owes or receives nothing: no item.
    rows = [
        model(**{parent_field: parent}, investor_id=investor, amount=part)
        for investor, part in parts.items()
        if part
    ]
    bulk_create_with_history(rows, model, default_user=user)
    # bulk_create sends no signals: mark the fund stale ourselves, from the call's or distribution's date.
    progress_refresh_request(fund_id=parent.fund_id, since=getattr(parent, "call_date", None) or parent.date)

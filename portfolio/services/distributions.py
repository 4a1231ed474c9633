"""Distributions: plan one pro rata to the commitments, and mark it paid (the one way it is paid)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import Distribution, DistributionItem, Fund

from .common import date_input, locked, money_input, refuse, require_manage, save, text_input
from .pro_rata import commitment_split, items_create, next_number


@transaction.atomic
def distribution_issue(
    *,
    user,
    fund: Fund,
    date: datetime.date,
    amount,
    kind: str = Distribution.Kind.RETURN_OF_CAPITAL,
    note: str = "",
    number: int | None = None,
) -> Distribution:
    """Plan a distribution of `amount`, split pro rata to the commitments; it moves money once paid."""
    fund = locked(Fund, fund.pk)
    require_manage(user, fund)
    amount = money_input(amount, field="amount")
    date = date_input(date, field="date")
    parts = commitment_split(fund, amount, on=date)
    distribution = save(
        Distribution(
            fund=fund,
            number=number if number is not None else next_number(fund.distributions),
            date=date,
            kind=kind,
            note=text_input(note, field="note", max_length=2000),
        ),
        user=user,
    )
    items_create(DistributionItem, parent_field="distribution", parent=distribution, parts=parts, user=user)
    return distribution


@transaction.atomic
def distribution_pay(*, user, distribution: Distribution) -> Distribution:
    """Mark a planned distribution paid on its date (not in the future); its items are then permanent."""
    distribution = locked(Distribution, distribution.pk)
    require_manage(user, distribution.fund)
    if distribution.status == Distribution.Status.PAID:
        refuse("status", _("This distribution is already paid."))
    if distribution.date > timezone.localdate():
        refuse("date", _("A distribution is paid on its date, which is still in the future."))
    if not distribution.items.exists():
        refuse("status", _("A distribution without items has nothing to pay."))
    distribution.status = Distribution.Status.PAID
    return save(distribution, user=user)

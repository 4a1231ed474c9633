"""Writes to funds and to investors' commitments.

The fund row is locked before any limit is read, the same lock project approvals and commitment changes
take, so a commitment lowered while a project is approved cannot leave allocations above committed capital.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portfolio.models import Commitment, Fund, Investor, Stage
from portfolio.money import format_money

from . import limits
from .common import (
    Foreign,
    date_input,
    foreign_fields,
    locked,
    money_input,
    only,
    refuse,
    require_manage,
    save,
)

# What fund_update may change; who manages a fund is set in admin, by admins.
FUND_EDITABLE = {
    "name",
    "slug",
    "legal_form",
    "status",
    "target_size",
    "concentration_cap_pct",
    "project_band_min",
    "project_band_max",
    "investment_period_start",
    "investment_period_end",
}


@transaction.atomic
def fund_create(*, user, name: str, slug: str, target_size, managers=(), **details) -> Fund:
    """Set up a new fund (admins only); `details` are the other fields of FUND_EDITABLE."""
    if not (user is not None and user.is_active and user.is_superuser):
        raise PermissionDenied(_("Only an administrator can set up a fund."))
    only(details, allowed=FUND_EDITABLE, service="fund_create")
    fund = Fund(name=name, slug=slug, target_size=money_input(target_size, field="target_size"), **details)
    save(fund, user=user)
    fund.managers.set(managers)
    return fund


@transaction.atomic
def fund_update(*, user, fund: Fund, **changes) -> Fund:
    """Edit a fund; a smaller target or cap never leaves a project above the concentration cap."""
    only(changes, allowed=FUND_EDITABLE, service="fund_update")
    fund = locked(Fund, fund.pk)
    require_manage(user, fund)
    if "target_size" in changes:
        changes["target_size"] = money_input(changes["target_size"], field="target_size")
    for name, value in changes.items():
        setattr(fund, name, value)
    fund.full_clean()
    cap = fund.concentration_cap_amount
    above = (
        fund.projects.exclude(stage=Stage.ABANDONED)
        .filter(commitment__gt=cap)
        .order_by("-commitment")
        .first()
    )
    if above is not None:
        field = "target_size" if "target_size" in changes else "concentration_cap_pct"
        refuse(
            field,
            _(
                "%(project)s would be above the concentration cap of %(cap)s with its commitment of "
                "%(commitment)s."
            )
            % {
                "project": above.title,
                "cap": format_money(cap),
                "commitment": format_money(above.commitment),
            },
        )
    return save(fund, user=user, clean=False)


def _check_allocations(fund: Fund, committed) -> None:
    allocated = limits.allocated(fund.pk)
    if committed < allocated:
        refuse(
            "amount",
            _("The committed capital would fall below the fund's allocations of %(allocated)s.")
            % {"allocated": format_money(allocated)},
        )


@transaction.atomic
def commitment_record(
    *,
    user,
    fund: Fund,
    investor: Investor,
    amount,
    date: datetime.date,
    foreign: Foreign | None = None,
) -> Commitment:
    """Record an investor's commitment to a fund (one per investor and fund)."""
    fund = locked(Fund, fund.pk)
    require_manage(user, fund)
    commitment = Commitment(
        fund=fund,
        investor=investor,
        amount=money_input(amount, field="amount"),
        date=date_input(date, field="date", not_future=True),
        **foreign_fields(foreign),
    )
    return save(commitment, user=user)


@transaction.atomic
def commitment_change(*, user, commitment: Commitment, amount, foreign: Foreign | None = None) -> Commitment:
    """Change what an investor committed; a decrease keeps committed capital at or above the allocations and
    the commitment at or above what was already called from the investor."""
    fund = locked(Fund, commitment.fund_id)
    require_manage(user, fund)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    amount = money_input(amount, field="amount")
    if amount < commitment.amount:
        called = fund.capital_calls.filter(items__investor=commitment.investor_id).aggregate(
            total=Sum("items__amount")
        )["total"]
        if called and amount < called:
            refuse(
                "amount",
                _(
                    "The commitment cannot be less than what was already called from this investor "
                    "(%(called)s)."
                )
                % {"called": format_money(called)},
            )
        _check_allocations(fund, limits.committed_capital(fund.pk) - commitment.amount + amount)
    commitment.amount = amount
    for name, value in foreign_fields(foreign).items():
        setattr(commitment, name, value)
    return save(commitment, user=user)

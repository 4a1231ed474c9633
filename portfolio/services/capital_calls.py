"""Capital calls: issue one pro rata to the commitments, and record what investors pay against it."""

import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portfolio.models import CapitalCall, CapitalCallItem, CapitalCallPayment, Commitment, Fund
from portfolio.money import format_money

from .common import (
    Foreign,
    date_input,
    foreign_fields,
    locked,
    money_input,
    refuse,
    require_manage,
    save,
    text_input,
)
from .pro_rata import commitment_split, items_create, next_number


@transaction.atomic
def capital_call_issue(
    *,
    user,
    fund: Fund,
    call_date: datetime.date,
    due_date: datetime.date,
    amount,
    purpose: str = CapitalCall.Purpose.INVESTMENT,
    note: str = "",
    number: int | None = None,
) -> CapitalCall:
    """Call capital from the investors, pro rata to their commitments, never past what they committed."""
    fund = locked(Fund, fund.pk)
    require_manage(user, fund)
    amount = money_input(amount, field="amount")
    call_date = date_input(call_date, field="call_date")
    due_date = date_input(due_date, field="due_date")
    committed = (
        Commitment.objects.filter(fund=fund, date__lte=call_date).aggregate(total=Sum("amount"))["total"] or 0
    )
    called = fund.capital_calls.aggregate(total=Sum("amount"))["total"] or 0
    if called + amount > committed:
        refuse(
            "amount",
            _("The calls would exceed the capital committed by then: %(left)s is left to call.")
            % {"left": format_money(max(committed - called, 0))},
        )
    call = save(
        CapitalCall(
            fund=fund,
            number=number if number is not None else next_number(fund.capital_calls),
            call_date=call_date,
            due_date=due_date,
            purpose=purpose,
            amount=amount,
            note=text_input(note, field="note", max_length=2000),
        ),
        user=user,
    )
    parts = commitment_split(fund, amount, on=call_date)
    items_create(CapitalCallItem, parent_field="capital_call", parent=call, parts=parts, user=user)
    return call


@transaction.atomic
def capital_call_payment_record(
    *,
    user,
    item: CapitalCallItem,
    amount,
    date: datetime.date,
    bank_reference: str = "",
    foreign: Foreign | None = None,
) -> CapitalCallPayment:
    """Record money an investor paid against their call item; partial payments add up to at most the item."""
    # The item row is what the payments of one investor to one call add up against.
    item = CapitalCallItem.objects.select_for_update().select_related("capital_call__fund").get(pk=item.pk)
    require_manage(user, item.capital_call.fund)
    amount = money_input(amount, field="amount")
    date = date_input(date, field="date", not_future=True)
    if date < item.capital_call.call_date:
        refuse("date", _("A payment cannot be dated before its capital call."))
    paid = item.payments.aggregate(total=Sum("amount"))["total"] or 0
    if paid + amount > item.amount:
        refuse(
            "amount",
            _("Payments would exceed the amount called (%(called)s); %(left)s remains.")
            % {"called": format_money(item.amount), "left": format_money(item.amount - paid)},
        )
    payment = CapitalCallPayment(
        item=item,
        amount=amount,
        date=date,
        bank_reference=text_input(bank_reference, field="bank_reference", max_length=100),
        **foreign_fields(foreign),
    )
    return save(payment, user=user)

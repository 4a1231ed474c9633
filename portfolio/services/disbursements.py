"""Money from the fund to its projects, four eyes: request, approve or reject, pay, and reverse.

Each public function is one transaction that locks the project row before it reads what is already spoken
for, so concurrent requests against one project are checked one after another: the headroom a request
takes (requested and approved ones count until they are paid or rejected) is never promised twice. Who
acted and when come from `user` and the clock; an import may pass the source's own request and approval
times, which go through the same order rules.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio import notifications, roles
from portfolio.models import Disbursement, Project, Stage, Tranche
from portfolio.money import format_money
from portfolio.tranche_status import tranche_status

from . import limits
from .common import (
    Foreign,
    date_input,
    foreign_fields,
    local_date,
    locked,
    moment_input,
    money_input,
    refuse,
    require_manage,
    save,
    text_input,
)
from .tranches import tranche_facts, tranche_statuses_refresh

Status = Disbursement.Status


def _require_named_manager(user, project: Project, field: str) -> None:
    # Four eyes needs two people who answer for this fund; a superuser who is not listed is not one of them.
    if not roles.is_manager_of(user, project.fund):
        refuse(field, _("Only a manager of this fund can do this."))


def _abandoned_on(project: Project) -> datetime.date | None:
    change = project.stage_changes.filter(stage=Stage.ABANDONED).order_by("date").first()
    if change is not None:
        return change.date
    return datetime.date.min if project.stage == Stage.ABANDONED else None


def _require_status(disbursement: Disbursement, allowed: tuple, message: str) -> None:
    if disbursement.status not in allowed:
        refuse("status", message % {"status": disbursement.get_status_display().lower()})


def _lock(disbursement: Disbursement) -> tuple[Project, Disbursement]:
    # Always the project first, then the disbursement: the order every service of this module uses.
    project = locked(Project, disbursement.project_id)
    return project, Disbursement.objects.select_for_update().get(pk=disbursement.pk)


@transaction.atomic
def disbursement_request(
    *,
    user,
    tranche: Tranche,
    amount,
    note: str = "",
    requested_at: datetime.datetime | None = None,
    foreign: Foreign | None = None,
) -> Disbursement:
    """Ask for money against an eligible tranche; it must fit the tranche and the project's commitment."""
    project = locked(Project, tranche.project_id)
    _require_named_manager(user, project, "requested_by")
    amount = money_input(amount, field="amount")
    note = text_input(note, field="note")
    requested_at = (
        timezone.now() if requested_at is None else moment_input(requested_at, field="requested_at")
    )
    if project.stage == Stage.ABANDONED:
        refuse("tranche", _("An abandoned project receives no further money."))
    tranche, facts = tranche_facts([project.pk])[tranche.pk]
    status = tranche_status(facts, local_date(requested_at))
    if status == Tranche.Status.CANCELLED:
        refuse("tranche", _("This tranche is cancelled."))
    if status == Tranche.Status.PAID:
        refuse("tranche", _("This tranche is fully paid."))
    if status != Tranche.Status.ELIGIBLE:
        refuse("tranche", _("This tranche is not eligible yet: its trigger or its conditions are not met."))
    tranche_left = tranche.amount - limits.used(tranche=tranche).total
    if amount > tranche_left:
        refuse(
            "amount",
            _("The request exceeds what is left of the tranche: %(left)s.")
            % {"left": format_money(max(tranche_left, 0))},
        )
    project_left = project.commitment - limits.used(project=project).total
    if amount > project_left:
        refuse(
            "amount",
            _("The request exceeds what is left of the project's commitment: %(left)s.")
            % {"left": format_money(max(project_left, 0))},
        )
    disbursement = save(
        Disbursement(
            project=project,
            tranche=tranche,
            amount=amount,
            status=Status.REQUESTED,
            requested_by=user,
            requested_at=requested_at,
            note=note,
            **foreign_fields(foreign),
        ),
        user=user,
    )
    notifications.on_disbursement_requested(disbursement)  # queued after commit; never undoes the request
    return disbursement


def _decided_at(value, disbursement: Disbursement, field: str) -> datetime.datetime:
    moment = timezone.now() if value is None else moment_input(value, field=field)
    if moment < disbursement.requested_at:
        refuse(field, _("A disbursement cannot be approved or rejected before it was requested."))
    return moment


@transaction.atomic
def disbursement_approve(
    *, user, disbursement: Disbursement, approved_at: datetime.datetime | None = None
) -> Disbursement:
    """Approve a request: a second manager of the fund, never the one who asked."""
    project, disbursement = _lock(disbursement)
    _require_named_manager(user, project, "approved_by")
    _require_status(
        disbursement,
        (Status.REQUESTED,),
        _("Only a requested disbursement can be approved; this one is %(status)s."),
    )
    if disbursement.requested_by_id == user.pk:
        refuse("approved_by", _("A disbursement must be approved by someone other than its requester."))
    approved_at = _decided_at(approved_at, disbursement, "approved_at")
    if project.stage == Stage.ABANDONED:
        refuse("status", _("An abandoned project receives no further money."))
    disbursement.status, disbursement.approved_by, disbursement.approved_at = (
        Status.APPROVED,
        user,
        approved_at,
    )
    save(disbursement, user=user)
    notifications.on_disbursement_decided(disbursement)
    return disbursement


@transaction.atomic
def disbursement_reject(
    *, user, disbursement: Disbursement, reason: str, rejected_at: datetime.datetime | None = None
) -> Disbursement:
    """Turn down a request (or an approval not yet paid), with the reason; its headroom is free again."""
    project, disbursement = _lock(disbursement)
    _require_named_manager(user, project, "rejected_by")
    reason = text_input(reason, field="rejection_reason", required=True)
    _require_status(
        disbursement,
        (Status.REQUESTED, Status.APPROVED),
        _("Only a requested or approved disbursement can be rejected; this one is %(status)s."),
    )
    rejected_at = _decided_at(rejected_at, disbursement, "rejected_at")
    disbursement.status, disbursement.rejected_by = Status.REJECTED, user
    disbursement.rejected_at, disbursement.rejection_reason = rejected_at, reason
    save(disbursement, user=user)
    notifications.on_disbursement_decided(disbursement)
    return disbursement


@transaction.atomic
def disbursement_pay(
    *, user, disbursement: Disbursement, paid_date: datetime.date, bank_reference: str
) -> Disbursement:
    """Record that the bank paid an approved disbursement, on a date not before its approval."""
    project, disbursement = _lock(disbursement)
    _require_named_manager(user, project, "paid_date")
    _require_status(
        disbursement,
        (Status.APPROVED,),
        _("Only an approved disbursement can be paid; this one is %(status)s."),
    )
    paid_date = date_input(paid_date, field="paid_date", not_future=True)
    bank_reference = text_input(bank_reference, field="bank_reference", max_length=100)
    if not bank_reference:
        refuse("bank_reference", _("Give the bank reference of the payment."))
    if paid_date < local_date(disbursement.approved_at):
        refuse(
            "paid_date",
            _("A payment cannot be dated before its approval (%(date)s).")
            % {"date": local_date(disbursement.approved_at)},
        )
    abandoned_on = _abandoned_on(project)
    if abandoned_on is not None and abandoned_on <= paid_date:
        refuse("paid_date", _("An abandoned project receives no further money."))
    tranche = disbursement.tranche
    if tranche is not None and tranche.cancelled_on is not None and tranche.cancelled_on <= paid_date:
        refuse("paid_date", _("This tranche is cancelled."))
    paid = limits.used(project=project).paid
    if paid + disbursement.amount > project.commitment:
        refuse(
            "amount",
            _("This payment would take the project past its commitment of %(commitment)s: %(left)s remains.")
            % {
                "commitment": format_money(project.commitment),
                "left": format_money(max(project.commitment - paid, 0)),
            },
        )
    disbursement.status, disbursement.paid_date = Status.PAID, paid_date
    disbursement.bank_reference = bank_reference
    save(disbursement, user=user)
    tranche_statuses_refresh(project_ids=[project.pk], user=user)
    return disbursement


@transaction.atomic
def disbursement_reverse(
    *,
    user,
    disbursement: Disbursement,
    date: datetime.date,
    reason: str,
    amount=None,
    bank_reference: str = "",
    requested_at: datetime.datetime | None = None,
) -> Disbursement:
    """Record money that came back from a paid disbursement (all of it unless `amount` says less), once."""
    project, original = _lock(disbursement)
    require_manage(user, project.fund)
    reason = text_input(reason, field="note", required=True)
    bank_reference = text_input(bank_reference, field="bank_reference", max_length=100)
    if original.reverses_id is not None:
        refuse("reverses", _("A reversal cannot itself be reversed."))
    if original.status != Status.PAID:
        refuse("reverses", _("Only a paid disbursement can be reversed."))
    if Disbursement.objects.filter(reverses=original).exists():
        refuse("reverses", _("This disbursement has already been reversed."))
    amount = original.amount if amount is None else money_input(amount, field="amount")
    if amount > original.amount:
        refuse(
            "amount",
            _("A reversal cannot be larger than the original (%(original)s).")
            % {"original": format_money(original.amount)},
        )
    date = date_input(date, field="paid_date", not_future=True)
    if date < original.paid_date:
        refuse(
            "paid_date",
            _("A reversal cannot be dated before the payment it reverses (%(date)s).")
            % {"date": original.paid_date},
        )
    requested_at = (
        timezone.now() if requested_at is None else moment_input(requested_at, field="requested_at")
    )
    reversal = save(
        Disbursement(
            project=project,
            tranche=original.tranche,
            amount=-amount,
            status=Status.PAID,
            requested_by=user,
            requested_at=requested_at,
            paid_date=date,
            bank_reference=bank_reference,
            reverses=original,
            note=reason,
        ),
        user=user,
    )
    tranche_statuses_refresh(project_ids=[project.pk], user=user)
    return reversal

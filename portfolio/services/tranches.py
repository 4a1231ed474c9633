"""Writes to tranche schedules: set the schedule, tick conditions, cancel a tranche, and keep every tranche's
stored status equal to what `portfolio.tranche_status` says of today's records."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import (
    PIPELINE,
    Disbursement,
    Project,
    Stage,
    StageChange,
    Tranche,
    TrancheCondition,
)
from portfolio.money import format_money, money_share, split_pro_rata
from portfolio.tranche_status import TrancheFacts, tranche_status

from .common import date_input, locked, money_input, refuse, require_manage, save, text_input
from .limits import has_disbursements, used

Status = Tranche.Status


@dataclass(frozen=True)
class TrancheInput:
    """One tranche of a schedule: an amount or a share of the commitment (0 < share <= 1), a planned date,
    a trigger (a stage or a date) and its conditions, in order."""

    number: int
    planned_date: datetime.date
    amount: Decimal | str | None = None
    share: Decimal | Fraction | str | None = None
    trigger_stage: str = ""
    trigger_date: datetime.date | None = None
    conditions: tuple[str, ...] = field(default=())


# --- statuses ----------------------------------------------------------------------------------------------


def tranche_facts(project_ids: Iterable[int]) -> dict[int, tuple[Tranche, TrancheFacts]]:
    """Every tranche of the projects with the facts its status depends on, in four queries."""
    project_ids = list(project_ids)
    tranches = list(Tranche.objects.filter(project_id__in=project_ids))
    met_on, payments, history = defaultdict(list), defaultdict(list), defaultdict(list)
    for tranche_id, met in TrancheCondition.objects.filter(tranche__in=tranches).values_list(
        "tranche_id", "met_on"
    ):
        met_on[tranche_id].append(met)
    for tranche_id, paid_date, amount in Disbursement.objects.filter(
        tranche__in=tranches, status=Disbursement.Status.PAID
    ).values_list("tranche_id", "paid_date", "amount"):
        payments[tranche_id].append((paid_date, amount))
    for project_id, date, stage in StageChange.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "date", "stage"
    ):
        history[project_id].append((date, stage))
    return {
        tranche.pk: (
            tranche,
            TrancheFacts(
                amount=tranche.amount,
                trigger=tranche.trigger,
                trigger_stage=tranche.trigger_stage,
                trigger_date=tranche.trigger_date,
                cancelled_on=tranche.cancelled_on,
                conditions_met_on=tuple(met_on[tranche.pk]),
                payments=tuple(payments[tranche.pk]),
                stage_history=tuple(history[tranche.project_id]),
            ),
        )
        for tranche in tranches
    }


def tranche_statuses_refresh(*, project_ids: Iterable[int], user=None) -> int:
    """Store each tranche's status as of today, as the records say; returns how many changed.

    Called by every service after a change that can move a status. Date triggers also fire by the calendar
    alone, so a daily run over every project keeps those current too."""
    today = timezone.localdate()
    changed = 0
    for tranche, facts in tranche_facts(project_ids).values():
        status = tranche_status(facts, today)
        if status != tranche.status:
            tranche.status = status
            save(tranche, user=user, update_fields=["status"])
            changed += 1
    return changed


# --- the schedule ------------------------------------------------------------------------------------------


def _amounts(project: Project, entries: Sequence[TrancheInput]) -> list[Decimal]:
    """Each entry's amount: as given, or its share of the commitment rounded half-up to the cent.

    When every entry is a share and the shares add up to exactly one, the cents go by the pro-rata split rule
    instead, so the schedule equals the commitment to the cent (thirds of 100.00: 33.34, 33.33, 33.33)."""
    shares = []
    for entry in entries:
        if (entry.amount is None) == (entry.share is None):
            refuse("tranches", _("Tranche %(number)s: give an amount or a share, not both.") % _n(entry))
        if entry.share is not None:
            try:
                share = Fraction(entry.share)
            except (TypeError, ValueError, ArithmeticError):
                refuse("tranches", _("Tranche %(number)s: the share must be a number.") % _n(entry))
            if not 0 < share <= 1:
                refuse(
                    "tranches",
                    _("Tranche %(number)s: a share is more than 0 and at most 1 of the commitment.")
                    % _n(entry),
                )
            shares.append(share)
    if len(shares) == len(entries) and sum(shares) == 1:
        split = split_pro_rata(project.commitment, list(enumerate(shares)))
        return [split[index] for index in range(len(entries))]
    amounts = []
    for entry in entries:
        if entry.share is not None:
            amount = money_share(project.commitment, Fraction(entry.share))
            if amount <= 0:
                refuse("tranches", _("Tranche %(number)s: its share comes to less than a cent.") % _n(entry))
        else:
            try:
                amount = money_input(entry.amount, field="tranches")
            except ValidationError as error:
                prefix = _("Tranche %(number)s:") % _n(entry)
                refuse("tranches", " ".join([prefix, *error.messages]))
        amounts.append(amount)
    return amounts


def _n(entry) -> dict:
    return {"number": entry.number}


def _trigger(entry: TrancheInput) -> dict:
    if bool(entry.trigger_stage) == (entry.trigger_date is not None):
        refuse("tranches", _("Tranche %(number)s: give a trigger stage or a trigger date.") % _n(entry))
    if entry.trigger_stage:
        if entry.trigger_stage not in PIPELINE:
            refuse("tranches", _("Tranche %(number)s: choose a stage of the production.") % _n(entry))
        return {"trigger": Tranche.Trigger.STAGE, "trigger_stage": entry.trigger_stage, "trigger_date": None}
    trigger_date = date_input(entry.trigger_date, field="tranches")
    return {"trigger": Tranche.Trigger.DATE, "trigger_stage": "", "trigger_date": trigger_date}


def _conditions(entry: TrancheInput) -> list[str]:
    texts = [text_input(text, field="tranches") for text in entry.conditions]
    if any(not text for text in texts) or len(set(texts)) != len(texts):
        refuse("tranches", _("Tranche %(number)s: each condition is said once, in words.") % _n(entry))
    return texts


@transaction.atomic
def tranche_schedule_set(*, user, project: Project, tranches: Sequence[TrancheInput]) -> list[Tranche]:
    """Set a project's tranche schedule (its open tranches), keeping what was paid or requested against it."""
    project = locked(Project, project.pk)
    require_manage(user, project.fund)
    if project.stage == Stage.ABANDONED:
        refuse("tranches", _("An abandoned project's schedule is closed."))
    numbers = [entry.number for entry in tranches]
    if any(not isinstance(number, int) or number < 1 for number in numbers):
        refuse("tranches", _("Tranches are numbered from 1."))
    if len(set(numbers)) != len(numbers):
        refuse("tranches", _("Each tranche number appears once."))
    amounts = _amounts(project, tranches)
    existing = {tranche.number: tranche for tranche in project.tranches.all()}
    cancelled = {number for number, tranche in existing.items() if tranche.status == Status.CANCELLED}
    if cancelled & set(numbers):
        refuse(
            "tranches",
            _("Tranche %(number)s is cancelled and stays as it is.")
            % {"number": min(cancelled & set(numbers))},
        )
    kept_paid = sum((used(tranche=existing[number]).paid for number in cancelled), Decimal("0.00"))
    _check_total(project, sum(amounts, Decimal("0.00")) + kept_paid)
    for number, tranche in existing.items():
        if number not in cancelled and number not in numbers:
            if tranche.disbursements.exists():
                refuse(
                    "tranches",
                    _("Tranche %(number)s has disbursements and cannot be removed; cancel it instead.")
                    % {"number": number},
                )
            tranche._history_user = user
            tranche.delete()
    saved = []
    for entry, amount in zip(tranches, amounts, strict=True):
        tranche = existing.get(entry.number) or Tranche(project=project, number=entry.number)
        if tranche.pk is not None:
            spoken_for = used(tranche=tranche).total
            if amount < spoken_for:
                refuse(
                    "tranches",
                    _(
                        "Tranche %(number)s cannot be less than what was paid or requested against it "
                        "(%(used)s)."
                    )
                    % {"number": entry.number, "used": format_money(spoken_for)},
                )
        tranche.amount = amount
        tranche.planned_date = date_input(entry.planned_date, field="tranches")
        for name, value in _trigger(entry).items():
            setattr(tranche, name, value)
        save(tranche, user=user)
        _replace_conditions(tranche, _conditions(entry), user=user)
        saved.append(tranche)
    tranche_statuses_refresh(project_ids=[project.pk], user=user)
    return saved


def _check_total(project: Project, total: Decimal) -> None:
    if total > project.commitment:
        refuse(
            "tranches",
            _("The schedule adds up to %(total)s, more than the commitment of %(commitment)s.")
            % {"total": format_money(total), "commitment": format_money(project.commitment)},
        )
    if total != project.commitment and not has_disbursements(project.pk):
        refuse(
            "tranches",
            _(
                "Until the first disbursement the schedule must add up to the commitment of %(commitment)s "
                "exactly; it adds up to %(total)s."
            )
            % {"total": format_money(total), "commitment": format_money(project.commitment)},
        )


def _replace_conditions(tranche: Tranche, texts: list[str], *, user) -> None:
    """The checklist becomes `texts` in order; a condition kept by its words keeps its tick."""
    old = {condition.text: condition for condition in tranche.conditions.all()}
    if [condition.text for condition in sorted(old.values(), key=lambda c: c.position)] == texts:
        return
    for condition in old.values():
        condition._history_user = user
        condition.delete()
    for position, text in enumerate(texts, start=1):
        before = old.get(text)
        save(
            TrancheCondition(
                tranche=tranche,
                position=position,
                text=text,
                met_on=before.met_on if before else None,
                met_by=before.met_by if before else None,
                met_recorded_at=before.met_recorded_at if before else None,
            ),
            user=user,
        )


def rescale_schedule(project: Project, *, user) -> None:
    """Before any disbursement, a changed commitment carries its open schedule along in proportion."""
    tranches = list(project.tranches.exclude(status=Status.CANCELLED).order_by("number"))
    if not tranches:
        return
    split = split_pro_rata(project.commitment, [(tranche.pk, tranche.amount) for tranche in tranches])
    for tranche in tranches:
        if split[tranche.pk] <= 0:
            refuse("amount", _("The new commitment is too small to keep every tranche of the schedule."))
        tranche.amount = split[tranche.pk]
        save(tranche, user=user)


# --- conditions and cancellations --------------------------------------------------------------------------


@transaction.atomic
def tranche_condition_mark(
    *, user, condition: TrancheCondition, met_on: datetime.date | None
) -> TrancheCondition:
    """Tick a condition as met on a date, or (met_on=None) untick it."""
    tranche = condition.tranche
    locked(Project, tranche.project_id)
    require_manage(user, tranche.project.fund)
    condition = TrancheCondition.objects.select_related("tranche").get(pk=condition.pk)
    if condition.tranche.status in (Status.PAID, Status.CANCELLED):
        refuse(
            "met_on",
            _("This tranche is %(status)s; its conditions are settled.") % _status(condition.tranche),
        )
    if met_on is None:
        condition.met_on = condition.met_by = condition.met_recorded_at = None
    else:
        condition.met_on = date_input(met_on, field="met_on", not_future=True)
        condition.met_by, condition.met_recorded_at = user, timezone.now()
    save(condition, user=user)
    tranche_statuses_refresh(project_ids=[tranche.project_id], user=user)
    return condition


def _status(tranche: Tranche) -> dict:
    return {"status": tranche.get_status_display().lower()}


@transaction.atomic
def tranche_cancel(*, user, tranche: Tranche, date: datetime.date, reason: str) -> Tranche:
    """Cancel a tranche from a date, with its reason; what was paid against it stays paid."""
    locked(Project, tranche.project_id)
    tranche = Tranche.objects.select_related("project__fund").get(pk=tranche.pk)
    require_manage(user, tranche.project.fund)
    reason = text_input(reason, field="reason", required=True)
    date = date_input(date, field="date", not_future=True)
    if tranche.status in (Status.CANCELLED, Status.PAID):
        refuse("date", _("This tranche is %(status)s and cannot be cancelled.") % _status(tranche))
    if used(tranche=tranche).pending:
        refuse("date", _("Reject or pay the disbursements requested against this tranche first."))
    last_paid = tranche.disbursements.filter(status=Disbursement.Status.PAID).order_by("-paid_date").first()
    if last_paid is not None and date < last_paid.paid_date:
        refuse(
            "date",
            _("A cancellation cannot be dated before the last payment against the tranche (%(date)s).")
            % {"date": last_paid.paid_date},
        )
    tranche.cancelled_on, tranche.cancel_reason, tranche.status = date, reason, Status.CANCELLED
    save(tranche, user=user)
    return tranche

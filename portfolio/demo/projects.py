"""The demo's projects and their money, written through the write services with the acting demo users.

The manager approves each project, sets its tranche schedule, ticks the conditions, moves its stages,
requests and records the money; the approver approves or rejects each request (four eyes). Every rule the
services hold for a person holds for the demo, so the demo never shows data a person could not have entered.
The source's own request and approval times are passed, as an import of history does.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from portfolio.models import Disbursement, Fund, Project, Stage, Tranche
from portfolio.services.common import Foreign
from portfolio.services.disbursements import (
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    disbursement_reverse,
)
from portfolio.services.projects import project_commitment_change, project_create, project_stage_change
from portfolio.services.receipts import receipt_record
from portfolio.services.tranches import (
    TrancheInput,
    tranche_cancel,
    tranche_condition_mark,
    tranche_schedule_set,
)
from portfolio.services.valuations import valuation_record

from .data import CONDITIONS
from .specs import Pay, ProjectSpec, Reverse

Status = Disbursement.Status
DAY = datetime.timedelta(days=1)


def at(date: datetime.date, hour: int = 10) -> datetime.datetime:
    """A moment of the working day, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


@dataclass
class Desk:
    """Who acts, and the two helpers every money record needs (a rate of the day, a bank reference)."""

    manager: AbstractBaseUser
    approver: AbstractBaseUser
    usd: Callable[[datetime.date, Decimal], tuple[Decimal, Foreign]]
    reference: Callable[[str, datetime.date], str]


# --- the project, its schedule and its stages --------------------------------------------------------------


def _met_on(spec: ProjectSpec, tranche) -> datetime.date:
    """The day a due tranche's conditions are met: the day its trigger fired."""
    if isinstance(tranche.on, datetime.date):
        return tranche.on
    return next(date for stage, date in spec.stages if stage == tranche.on)


def project_open(fund: Fund, spec: ProjectSpec, desk: Desk) -> Project:
    """Approve the project, set its schedule, tick the conditions of its due tranches and move it through
    its stages, up to (not into) an abandonment: an abandoned project takes no money, so that comes after
    its ledger (`project_close`)."""
    project = project_create(
        user=desk.manager,
        fund=fund,
        slug=spec.slug,
        title=spec.title,
        original_title=spec.original_title,
        format=spec.format,
        genre=spec.genre,
        language=spec.language,
        director=spec.director,
        producer=spec.producer,
        production_company=spec.production_company,
        total_budget=spec.total_budget,
        commitment=spec.approved_commitment or spec.commitment,
        instrument=spec.instrument,
        approval_date=spec.approval_date,
        expected_release=spec.expected_release,
        stage=spec.stages[0][0],
    )
    tranche_schedule_set(
        user=desk.manager,
        project=project,
        tranches=[
            TrancheInput(
                number=tranche.number,
                planned_date=tranche.planned_date,
                share=Fraction(tranche.sixths, 6),
                trigger_date=tranche.on if isinstance(tranche.on, datetime.date) else None,
                trigger_stage="" if isinstance(tranche.on, datetime.date) else tranche.on,
                conditions=CONDITIONS[tranche.number],
            )
            for tranche in spec.tranches
        ],
    )
    # Before the first disbursement a commitment change carries the schedule along in proportion.
    for date, amount, reason in spec.commitment_changes:
        project_commitment_change(user=desk.manager, project=project, amount=amount, date=date, reason=reason)
    project.refresh_from_db()
    if project.commitment != spec.commitment:
        raise ValueError(
            f"{spec.slug}: its commitment history ends at {project.commitment}, not {spec.commitment}"
        )
    saved = {tranche.number: tranche for tranche in project.tranches.all()}
    for tranche in spec.tranches:
        if tranche.status in (Tranche.Status.PLANNED, Tranche.Status.CANCELLED):
            continue
        for condition in saved[tranche.number].conditions.all():
            tranche_condition_mark(user=desk.manager, condition=condition, met_on=_met_on(spec, tranche))
    for stage, date in spec.stages[1:]:
        if stage != Stage.ABANDONED:
            project_stage_change(project=project, stage=stage, date=date, user=desk.manager)
    return project


def project_close(project: Project, spec: ProjectSpec, desk: Desk) -> None:
    """Abandon the project if the data says so, and cancel the tranches it will never draw."""
    abandoned_on = dict(spec.stages).get(Stage.ABANDONED)
    if abandoned_on is None:
        return
    project_stage_change(
        project=project, stage=Stage.ABANDONED, date=abandoned_on, user=desk.manager, note=spec.stage_note
    )
    cancelled = [tranche.number for tranche in spec.tranches if tranche.status == Tranche.Status.CANCELLED]
    for tranche in project.tranches.filter(number__in=cancelled).order_by("number"):
        tranche_cancel(user=desk.manager, tranche=tranche, date=abandoned_on, reason=spec.stage_note)


# --- its money ---------------------------------------------------------------------------------------------


def project_ledger(project: Project, spec: ProjectSpec, desk: Desk) -> None:
    """Disbursements (requested, approved, paid, rejected, reversed), receipts and valuations."""
    tranches = {tranche.number: tranche for tranche in project.tranches.all()}
    eligible_on = {
        tranche.number: _met_on(spec, tranche)
        for tranche in spec.tranches
        if tranche.status not in (Tranche.Status.PLANNED, Tranche.Status.CANCELLED)
    }
    previous = None
    for entry in spec.disbursements:
        if isinstance(entry, Reverse):
            previous = disbursement_reverse(
                user=desk.manager,
                disbursement=previous,
                date=entry.date,
                reason=entry.note,
                amount=entry.amount,
                bank_reference=desk.reference("RET", entry.date),
                requested_at=at(entry.date - DAY),
            )
        else:
            previous = _disbursement(tranches[entry.tranche], entry, eligible_on[entry.tranche], desk)
    for receipt in spec.receipts:
        amount, foreign = (
            desk.usd(receipt.date, receipt.usd) if receipt.usd is not None else (receipt.amount, None)
        )
        receipt_record(
            user=desk.manager,
            project=project,
            date=receipt.date,
            amount=amount,
            source=receipt.source,
            note=receipt.note,
            foreign=foreign,
        )
    for date, amount, note in spec.valuations:
        valuation_record(user=desk.manager, project=project, date=date, amount=amount, note=note)


def _disbursement(tranche: Tranche, entry: Pay, eligible_on: datetime.date, desk: Desk) -> Disbursement:
    """One request through four eyes, as far as the data says it went.

    The manager asks (three days before a payment, never before the tranche became eligible), the approver
    approves the day before the bank pays, and the manager records the payment."""
    if entry.usd is not None:
        amount, foreign = desk.usd(entry.date, entry.usd)
    elif entry.rest:
        tranche.refresh_from_db()
        paid = sum(
            tranche.disbursements.filter(status=Status.PAID).values_list("amount", flat=True), Decimal(0)
        )
        amount, foreign = tranche.amount - paid, None
    else:
        amount, foreign = tranche.amount, None
    if entry.status == Status.REQUESTED:
        requested_on = entry.date
    elif entry.status == Status.REJECTED:
        requested_on = entry.date - DAY
    else:
        requested_on = max(entry.date - 3 * DAY, eligible_on)
    requested_at = at(requested_on)
    disbursement = disbursement_request(
        user=desk.manager,
        tranche=tranche,
        amount=amount,
        note="" if entry.status == Status.REJECTED else entry.note,
        requested_at=requested_at,
        foreign=foreign,
    )
    if entry.status == Status.REQUESTED:
        return disbursement
    if entry.status == Status.REJECTED:
        return disbursement_reject(
            user=desk.approver, disbursement=disbursement, reason=entry.note, rejected_at=at(entry.date)
        )
    approved_on = entry.date if entry.status == Status.APPROVED else entry.date - DAY
    disbursement = disbursement_approve(
        user=desk.approver,
        disbursement=disbursement,
        approved_at=max(at(approved_on), requested_at + datetime.timedelta(hours=1)),
    )
    if entry.status == Status.APPROVED:
        return disbursement
    return disbursement_pay(
        user=desk.manager,
        disbursement=disbursement,
        paid_date=entry.date,
        bank_reference=desk.reference("OUT", entry.date),
    )

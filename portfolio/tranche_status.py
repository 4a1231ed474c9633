"""A tranche's status as of a date, from the records dated on or before it: one pure function.

The services call it for today after every change that can move a status (and store the answer in
`Tranche.status`); the metrics call it for past as-of dates, so a snapshot of last month never reads
today's facts. It reads nothing from the database: callers load the facts (for many tranches at once, if
they like) and pass them in.

The rule (DESIGN.md, decision 3): cancelled if cancelled on or before t; else paid if the net paid against
it with a payment date on or before t reaches its amount; else eligible if its trigger is met by t (a stage
trigger: the stage history reached that stage or a later pipeline stage on a date on or before t; a date
trigger: the trigger date is on or before t), every condition was met on or before t, and the project is not
abandoned at t; else planned.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from portfolio.models import PIPELINE, Stage, Tranche


@dataclass(frozen=True)
class TrancheFacts:
    """What a tranche's status depends on, as plain values."""

    amount: Decimal
    trigger: str
    trigger_stage: str = ""
    trigger_date: datetime.date | None = None
    cancelled_on: datetime.date | None = None
    # One entry per condition: the date it was met, or None while it is not.
    conditions_met_on: tuple[datetime.date | None, ...] = ()
    # The paid disbursements against it: (payment date, amount), reversals negative.
    payments: tuple[tuple[datetime.date, Decimal], ...] = ()
    # The project's stage history: (date, stage), in any order.
    stage_history: tuple[tuple[datetime.date, str], ...] = field(default=())


def stage_reached(
    stage_history: Iterable[tuple[datetime.date, str]], stage: str, as_of: datetime.date
) -> bool:
    """Whether the history reached `stage` or a later pipeline stage on a date on or before `as_of`."""
    wanted = PIPELINE.index(stage)
    return any(
        date <= as_of and reached in PIPELINE and PIPELINE.index(reached) >= wanted
        for date, reached in stage_history
    )


def abandoned_by(stage_history: Iterable[tuple[datetime.date, str]], as_of: datetime.date) -> bool:
    """Whether the project was abandoned on or before `as_of` (an abandoned project never moves again)."""
    return any(date <= as_of and stage == Stage.ABANDONED for date, stage in stage_history)


def net_paid(payments: Iterable[tuple[datetime.date, Decimal]], as_of: datetime.date) -> Decimal:
    """Paid less reversed, counting payments dated on or before `as_of`."""
    return sum((amount for date, amount in payments if date <= as_of), Decimal("0.00"))


def trigger_met(facts: TrancheFacts, as_of: datetime.date) -> bool:
    if facts.trigger == Tranche.Trigger.DATE:
        return facts.trigger_date is not None and facts.trigger_date <= as_of
    return bool(facts.trigger_stage) and stage_reached(facts.stage_history, facts.trigger_stage, as_of)


def tranche_status(facts: TrancheFacts, as_of: datetime.date) -> str:
    """The status (a TrancheStatus value) of the tranche described by `facts` as of `as_of`."""
    if facts.cancelled_on is not None and facts.cancelled_on <= as_of:
        return Tranche.Status.CANCELLED
    if net_paid(facts.payments, as_of) >= facts.amount:
        return Tranche.Status.PAID
    if (
        trigger_met(facts, as_of)
        and all(met_on is not None and met_on <= as_of for met_on in facts.conditions_met_on)
        and not abandoned_by(facts.stage_history, as_of)
    ):
        return Tranche.Status.ELIGIBLE
    return Tranche.Status.PLANNED

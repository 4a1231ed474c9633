"""Per-project figures as of a date, and the fund figures made only of projects (stages, cash needed)."""

import bisect
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from portfolio.models import Stage, Tranche
from portfolio.tranche_status import TrancheFacts, tranche_status

from .common import STAGE_ORDER, ZERO, ratio, total
from .loaders import Ledger

CASH_HORIZON_DAYS = 90
OPEN_TRANCHE = {Tranche.Status.PLANNED, Tranche.Status.ELIGIBLE}


@dataclass
class ProjectRow:
    id: int
    slug: str
    title: str
    commitment: Decimal
    stage: str = Stage.DEVELOPMENT
    disbursed: Decimal = ZERO
    receipts: Decimal = ZERO
    valuation: Decimal | None = None
    paid_per_tranche: dict = field(default_factory=dict)
    # Each tranche with its status as of the date (through portfolio.tranche_status).
    tranches: list = field(default_factory=list)

    @property
    def abandoned(self) -> bool:
        return self.stage == Stage.ABANDONED

    @property
    def allocated(self) -> Decimal:
        # An abandoned project keeps only what it actually received on the books.
        return self.disbursed if self.abandoned else self.commitment

    @property
    def carrying_value(self) -> Decimal:
        if self.valuation is not None:
            return self.valuation
        return ZERO if self.abandoned else self.disbursed

    def next_tranche(self) -> dict | None:
        open_tranches = [tranche for tranche in self.tranches if tranche["status"] in OPEN_TRANCHE]
        return min(open_tranches, key=lambda t: (t["planned_date"], t["number"]), default=None)


def _stage_as_of(history: list[tuple[datetime.date, str]], current: str, as_of: datetime.date) -> str:
    # The latest change on or before the date; before the first change, the first one; with no history
    # at all, the project's current stage.
    if not history:
        return current
    position = bisect.bisect_right(history, (as_of, "\uffff"))
    return history[position - 1][1] if position else history[0][1]


def _commitment_as_of(history: list[tuple], current: Decimal, as_of: datetime.date) -> Decimal | None:
    """The latest commitment record dated on or before the date; None when the project was not approved
    yet. A project with no record at all (made before the history existed) keeps its current commitment."""
    if not history:
        return current
    position = bisect.bisect_right([day for day, _amount in history], as_of)
    return history[position - 1][1] if position else None


def _tranches_as_of(ledger: Ledger, project_id: int, paid: dict, as_of: datetime.date) -> list[dict]:
    """Each tranche with its status as of the date, through `tranche_status`.

    A status can only change on the tranche's own dates (cancellation, trigger date, conditions met, the
    project's stage changes) or with the net paid, so it is worked out once per tranche, net paid and
    number of those dates on or before `as_of`: a year of daily dates costs a few calls per tranche."""
    history = tuple(ledger.stages.get(project_id, ()))
    tranches = []
    for tranche in ledger.tranches.get(project_id, ()):
        paid_here = paid.get(tranche["id"], ZERO)
        events = ledger.tranche_events.get(tranche["id"])
        if events is None:
            dates = {tranche["cancelled_on"], tranche["trigger_date"], *(day for day, _stage in history)}
            dates |= set(ledger.conditions.get(tranche["id"], ()))
            events = ledger.tranche_events[tranche["id"]] = sorted(day for day in dates if day is not None)
        key = (tranche["id"], paid_here, bisect.bisect_right(events, as_of))
        row = ledger.tranche_rows.get(key)
        if row is None:
            facts = TrancheFacts(
                amount=tranche["amount"],
                trigger=tranche["trigger"],
                trigger_stage=tranche["trigger_stage"],
                trigger_date=tranche["trigger_date"],
                cancelled_on=tranche["cancelled_on"],
                conditions_met_on=tuple(ledger.conditions.get(tranche["id"], ())),
                # The net paid by the date, as one payment on it: the rule only compares the sum.
                payments=((as_of, paid_here),),
                stage_history=history,
            )
            row = ledger.tranche_rows[key] = {**tranche, "status": tranche_status(facts, as_of)}
        tranches.append(row)
    return tranches


def projects_as_of(ledger: Ledger, fund_id: int, as_of: datetime.date) -> list[ProjectRow]:
    """The fund's projects approved by the date, each with its commitment, stage, money and tranches as of
    that date: only records dated on or before it count."""
    rows = []
    for record in ledger.projects.get(fund_id, ()):
        if record["approval_date"] > as_of:
            continue
        commitment = _commitment_as_of(
            ledger.commitments_of.get(record["id"], []), record["commitment"], as_of
        )
        if commitment is None:
            continue
        key = (as_of, record["id"])
        paid = ledger.paid.get(key, {})
        rows.append(
            ProjectRow(
                id=record["id"],
                slug=record["slug"],
                title=record["title"],
                commitment=commitment,
                stage=_stage_as_of(ledger.stages.get(record["id"], []), record["stage"], as_of),
                disbursed=total(paid.values()),
                receipts=ledger.receipts.get(key, ZERO),
                valuation=ledger.valuations.get(key),
                paid_per_tranche=paid,
                tranches=_tranches_as_of(ledger, record["id"], paid, as_of),
            )
        )
    return rows


def by_stage(projects: list[ProjectRow]) -> dict:
    buckets = {stage.value: {"projects": 0, "allocated": ZERO, "disbursed": ZERO} for stage in STAGE_ORDER}
    for project in projects:
        bucket = buckets[project.stage]
        bucket["projects"] += 1
        bucket["allocated"] += project.allocated
        bucket["disbursed"] += project.disbursed
    return buckets


def cash_needed(projects: list[ProjectRow], as_of: datetime.date) -> Decimal:
    """What tranches planned in (t, t + 90 days] still need, less what was paid against each."""
    # Near the end of the calendar the window is cut at the last representable date rather than overflowing.
    horizon = as_of + datetime.timedelta(days=min(CASH_HORIZON_DAYS, (datetime.date.max - as_of).days))
    return total(
        max(tranche["amount"] - project.paid_per_tranche.get(tranche["id"], ZERO), ZERO)
        for project in projects
        if not project.abandoned  # an abandoned project needs no more cash
        for tranche in project.tranches
        if tranche["status"] != Tranche.Status.CANCELLED and as_of < tranche["planned_date"] <= horizon
    )


def project_metrics(project: ProjectRow, cache: dict | None = None) -> dict:
    """The project's row of the snapshot; with a cache, one row per distinct state of the project (a year
    of daily snapshots mostly repeats the same rows)."""
    if cache is None:
        return _project_metrics(project)
    key = (
        project.id,
        project.commitment,
        project.stage,
        project.disbursed,
        project.receipts,
        project.valuation,
        # The tranche rows are shared per status (see _tranches_as_of): the same rows, the same statuses.
        tuple(id(tranche) for tranche in project.tranches),
    )
    row = cache.get(key)
    if row is None:
        row = cache[key] = _project_metrics(project)
    return row


def _project_metrics(project: ProjectRow) -> dict:
    tranche = project.next_tranche()
    return {
        "project_id": project.id,
        "slug": project.slug,
        "title": project.title,
        "stage": project.stage,
        "commitment": project.commitment,
        "allocated": project.allocated,
        "disbursed": project.disbursed,
        "disbursed_pct": ratio(project.disbursed, project.commitment),
        "receipts": project.receipts,
        "carrying_value": project.carrying_value,
        "gross_moic": ratio(project.receipts + project.carrying_value, project.disbursed)
        if project.disbursed > 0
        else None,
        "next_tranche": None
        if tranche is None
        else {
            "number": tranche["number"],
            "amount": tranche["amount"],
            "trigger": tranche["trigger"],
            "trigger_stage": tranche["trigger_stage"] or None,
            "trigger_date": tranche["trigger_date"],
            "planned_date": tranche["planned_date"],
            "status": tranche["status"],
        },
    }

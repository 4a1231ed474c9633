"""Writes to projects: create and edit, the dated commitment history and the dated stage history.

Each public function is one transaction. A limit that depends on the fund (allocations within committed
capital, the concentration cap) is checked with the fund row locked, so two approvals at once cannot both
pass a check that only one of them fits.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portfolio.models import (
    PIPELINE,
    Fund,
    Project,
    ProjectCommitmentChange,
    Stage,
    StageChange,
)
from portfolio.money import format_money

from . import limits
from .common import date_input, locked, money_input, only, refuse, require_manage, save, text_input
from .tranches import rescale_schedule, tranche_statuses_refresh

# What project_update may change; money and dates that carry history have their own services.
EDITABLE = {
    "title",
    "original_title",
    "slug",
    "format",
    "genre",
    "language",
    "director",
    "producer",
    "production_company",
    "instrument",
    "expected_release",
    "total_budget",
}


def _check_fund_limits(fund: Fund, *, project: Project | None, commitment: Decimal, field: str) -> None:
    """The concentration cap and the fund's committed capital, read with the fund row locked."""
    cap = fund.concentration_cap_amount
    if commitment > cap:
        refuse(
            field,
            _("The commitment exceeds the fund's concentration cap: %(pct)s%% of the target, %(cap)s.")
            % {"pct": fund.concentration_cap_pct, "cap": format_money(cap)},
        )
    others = limits.allocated(fund.pk, excluding_project_id=project.pk if project else None)
    committed = limits.committed_capital(fund.pk)
    if others + commitment > committed:
        refuse(
            field,
            _(
                "The fund's allocations would exceed its committed capital of %(committed)s: "
                "%(left)s is left to allocate."
            )
            % {"committed": format_money(committed), "left": format_money(max(committed - others, 0))},
        )


@transaction.atomic
def project_create(
    *,
    user,
    fund: Fund,
    title: str,
    slug: str,
    total_budget,
    commitment,
    approval_date: datetime.date,
    stage: str = Stage.DEVELOPMENT,
    **details,
) -> Project:
    """Approve a project: the project, its first commitment record and its first stage, all dated its
    approval date. `details` are the other editable fields (genre, director, ...)."""
    fund = locked(Fund, fund.pk)
    require_manage(user, fund)
    only(details, allowed=EDITABLE, service="project_create")
    commitment = money_input(commitment, field="commitment")
    total_budget = money_input(total_budget, field="total_budget")
    approval_date = date_input(approval_date, field="approval_date", not_future=True)
    if stage not in PIPELINE:
        refuse("stage", _("A new project starts at a stage of the production."))
    project = Project(
        fund=fund,
        title=title,
        slug=slug,
        total_budget=total_budget,
        commitment=commitment,
        approval_date=approval_date,
        stage=stage,
        **details,
    )
    project.full_clean()  # field messages (slug taken, budget) before the fund's limits
    _check_fund_limits(fund, project=None, commitment=commitment, field="commitment")
    save(project, user=user, clean=False)
    save(
        ProjectCommitmentChange(project=project, date=approval_date, amount=commitment, recorded_by=user),
        user=user,
    )
    save(StageChange(project=project, stage=stage, date=approval_date, recorded_by=user), user=user)
    return project


@transaction.atomic
def project_update(*, user, project: Project, **changes) -> Project:
    """Edit a project's description (title, people, format, budget, ...); money and stages have their own."""
    only(changes, allowed=EDITABLE, service="project_update")
    project = locked(Project, project.pk)
    require_manage(user, project.fund)
    if "total_budget" in changes:
        changes["total_budget"] = money_input(changes["total_budget"], field="total_budget")
        if changes["total_budget"] < project.commitment:
            refuse("total_budget", _("The fund's commitment cannot exceed the project's total budget."))
    for name, value in changes.items():
        setattr(project, name, value)
    return save(project, user=user)


@transaction.atomic
def project_commitment_change(
    *, user, project: Project, amount, date: datetime.date, reason: str
) -> ProjectCommitmentChange:
    """Change a project's commitment from a date on, with its reason; the history keeps every value."""
    # The fund first, then the project: every service that takes both locks them in this order.
    fund = locked(Fund, project.fund_id)
    project = locked(Project, project.pk)
    require_manage(user, fund)
    amount = money_input(amount, field="amount")
    date = date_input(date, field="date", not_future=True)
    reason = text_input(reason, field="reason", required=True)
    if project.stage == Stage.ABANDONED:
        refuse("amount", _("An abandoned project's commitment is closed."))
    if amount == project.commitment:
        refuse("amount", _("The commitment is already %(amount)s.") % {"amount": format_money(amount)})
    latest = project.commitment_changes.order_by("-date", "-id").first()
    if latest is not None and date < latest.date:
        refuse(
            "date",
            _("A commitment change cannot be dated before the latest one (%(date)s).")
            % {"date": latest.date},
        )
    if amount > project.total_budget:
        refuse("amount", _("The fund's commitment cannot exceed the project's total budget."))
    spoken_for = limits.used(project=project).total
    if amount < spoken_for:
        refuse(
            "amount",
            _("The commitment cannot be less than what was paid or requested for the project (%(used)s).")
            % {"used": format_money(spoken_for)},
        )
    if amount > project.commitment:
        # Only an increase is held to the fund's limits: a decrease always moves the right way.
        _check_fund_limits(fund, project=project, commitment=amount, field="amount")
    started = limits.has_disbursements(project.pk)
    scheduled = sum(project.tranches.exclude(status="cancelled").values_list("amount", flat=True), Decimal(0))
    if started and scheduled > amount:
        refuse(
            "amount",
            _("The tranche schedule adds up to %(scheduled)s: lower it before lowering the commitment.")
            % {"scheduled": format_money(scheduled)},
        )
    project.commitment = amount
    save(project, user=user)
    change = save(
        ProjectCommitmentChange(project=project, date=date, amount=amount, reason=reason, recorded_by=user),
        user=user,
    )
    if not started:
        rescale_schedule(project, user=user)
    tranche_statuses_refresh(project_ids=[project.pk], user=user)
    return change


def _stage_change_inputs(project: Project, stage: str, date, note: str) -> tuple[datetime.date, str]:
    """The rules of a stage change, read against the project's dated history; the cleaned date and note."""
    if stage not in Stage.values:
        refuse("stage", _("Unknown stage."))
    date = date_input(date, field="date", not_future=True)
    note = text_input(note, field="note")
    latest = project.stage_changes.order_by("-date", "-id").first()
    # The dated history says where the project stands; a project without one stands at its stored stage.
    current = latest.stage if latest is not None else project.stage
    if Stage.ABANDONED in (project.stage, current):
        refuse("stage", _("An abandoned project cannot change stage."))
    if latest is not None and date < latest.date:
        refuse(
            "date",
            _("A stage change cannot be dated before the latest one (%(date)s).") % {"date": latest.date},
        )
    if current == stage:
        refuse("stage", _("The project is already at this stage."))
    one_step = stage in PIPELINE and PIPELINE.index(stage) == PIPELINE.index(current) + 1
    if not one_step and not note:
        refuse("note", _("Say why the project skips a stage, goes back or is abandoned."))
    return date, note


def project_stage_change_refusals(
    *, project: Project, stage: str, date, note: str = ""
) -> dict[str, list[str]]:
    """What project_stage_change would refuse right now, by field ({} when nothing): for a form to show
    before it saves. The service checks again under its lock."""
    try:
        _stage_change_inputs(project, stage, date, note)
    except ValidationError as error:
        return error.message_dict
    return {}


@transaction.atomic
def project_stage_change(
    *, project: Project, stage: str, date: datetime.date, user, note: str = ""
) -> StageChange:
    """Move a project to a stage on a date, keeping the dated history and the current stage in step.

    One step forward needs no word; skipping a stage, going back or abandoning needs a reason (`note`)."""
    if stage not in Stage.values:
        refuse("stage", _("Unknown stage."))
    # Lock the project so two managers moving it at once leave a history and a current stage that agree.
    locked_project = locked(Project, project.pk)
    require_manage(user, locked_project.fund)
    date, note = _stage_change_inputs(locked_project, stage, date, note)
    change = save(
        StageChange(project=locked_project, stage=stage, date=date, note=note, recorded_by=user), user=user
    )
    locked_project.stage = stage
    save(locked_project, user=user, update_fields=["stage"])
    project.stage = stage
    tranche_statuses_refresh(project_ids=[locked_project.pk], user=user)
    return change

"""Running an import through the write services: every row, in one transaction, kept only if all pass.

The preview and the commit are the same run: each row calls its service inside a savepoint, so a refused row
is rolled back alone and the next rows are still tried (the preview lists every error, each in the service's
own words). The preview then rolls the whole transaction back; the commit keeps it only when no row failed.
The fund row is locked for the run, so two imports into one fund go one after the other.

The fund is marked stale once, before the first row, from the earliest date the file can touch, so every
row's own mark is already covered and the commit queues one recompute of the fund, not one per row.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from portfolio import notifications
from portfolio.models import Fund, IdempotencyKey, Project, Tranche
from portfolio.services.common import locked
from portfolio.services.disbursements import (
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
)
from portfolio.services.projects import project_create
from portfolio.services.recompute import progress_refresh_request
from portfolio.services.tranches import TrancheInput, tranche_condition_mark, tranche_schedule_set

from .columns import KINDS, Kind, check_header, read_rows
from .reading import RowError, read_table

# A tranche shows in the cash forecast 90 days before its planned date (see portfolio.signals).
FORECAST_DAYS = 90


@dataclass
class ImportReport:
    kind: Kind
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _Run:
    """The errors of one run, and the way each row's service call is tried."""

    def __init__(self, kind: Kind):
        self.kind, self.errors = kind, []

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def attempt(self, row: int, action, *, columns: dict | None = None) -> bool:
        """Run `action` in a savepoint; a refusal is recorded against the row (and its column) instead."""
        try:
            with transaction.atomic():
                action()
        except ValidationError as refusal:
            messages = refusal.message_dict if hasattr(refusal, "error_dict") else {"": refusal.messages}
            for name, texts in messages.items():
                column = (columns or {}).get(name, name if name in self.kind.names else "")
                for text in texts:
                    self.error(row, column, text)
            return False
        except PermissionDenied as refusal:
            self.error(row, "", str(refusal) or _("You may not do this."))
            return False
        except (IntegrityError, DataError):
            # The database's own guards (triggers, constraints) caught what a service let through.
            self.error(row, "", _("The database refused this row as it stands."))
            return False
        return True


def import_file(
    *, user, fund: Fund, kind: str, content: bytes, commit: bool, token: str = ""
) -> ImportReport:
    """Read `content` as a file of `kind` and run it for `fund` as `user`; keep it only when `commit` and
    every row passed. With a `token`, a second commit of the same upload imports nothing."""
    kind = KINDS[kind]
    report = ImportReport(kind=kind)
    table = read_table(content)
    run = _Run(kind)
    run.errors.extend(table.errors)
    if table.header and not any(error.row in (0, 1) for error in table.errors):
        run.errors.extend(check_header(kind, table))
    rows, cell_errors = read_rows(kind, table)
    report.rows = len(rows)
    if any(error.row in (0, 1) for error in run.errors):
        # No header to go by: the cells would be read under the wrong names, so only the header is named.
        report.errors = _sorted(kind, run.errors)
        return report
    run.errors.extend(cell_errors)
    with notifications.muted(), transaction.atomic():
        fund = locked(Fund, fund.pk)
        if commit and token and not run.attempt(0, _claim_token(user, token)):
            run.errors = [RowError(0, "", _("This file was imported already."))]
        else:
            _mark_stale_once(kind, fund, rows)
            WRITERS[kind.name](run, user=user, fund=fund, rows=rows)
        report.committed = commit and not run.errors
        if not report.committed:
            transaction.set_rollback(True)
    report.errors = _sorted(kind, run.errors)
    return report


def _claim_token(user, token: str):
    def claim():
        # Unique per user and key: a second commit of this upload (a double click, a replayed form) fails
        # here, and one still running holds the other on the index until it ends.
        IdempotencyKey.objects.create(
            user=user, key=f"import:{token}", fingerprint=token[:64], status_code=201
        )

    return claim


def _sorted(kind: Kind, errors: list[RowError]) -> list[RowError]:
    order = {name: position for position, name in enumerate(kind.names)}
    return sorted(errors, key=lambda error: (error.row, order.get(error.column, len(order)), error.column))


# --- one recompute per fund --------------------------------------------------------------------------------


def _mark_stale_once(kind: Kind, fund: Fund, rows) -> None:
    dates = []
    for _number, values, _bad in rows:
        for name in ("approval_date", "paid_date", "trigger_date"):
            if values.get(name):
                dates.append(values[name])
        if values.get("planned_date"):
            dates.append(values["planned_date"] - datetime.timedelta(days=FORECAST_DAYS))
        dates.extend(day for day in values.get("conditions_met_on", []) if day)
    slugs = {values["project"] for _number, values, _bad in rows if values.get("project")}
    if slugs:
        # Rows touch existing projects, whose tranches' statuses the services may store again.
        touched = Project.objects.filter(fund=fund, slug__in=slugs).aggregate(
            approved=Min("approval_date"), planned=Min("tranches__planned_date")
        )
        if touched["approved"]:
            dates.append(touched["approved"])
        if touched["planned"]:
            dates.append(touched["planned"] - datetime.timedelta(days=FORECAST_DAYS))
    if dates:
        progress_refresh_request(fund_id=fund.pk, since=max(min(dates), datetime.date(1900, 1, 1)))


# --- the writers, one per kind -----------------------------------------------------------------------------


def _write_projects(run: _Run, *, user, fund: Fund, rows) -> None:
    for number, values, bad in rows:
        if not bad:
            run.attempt(number, _call(project_create, user=user, fund=fund, **values))


def _call(function, **kwargs):
    return lambda: function(**kwargs)


def _projects_by_slug(fund: Fund, rows) -> dict[str, Project]:
    slugs = {values["project"] for _number, values, _bad in rows if values.get("project")}
    return {project.slug: project for project in Project.objects.filter(fund=fund, slug__in=slugs)}


def _unknown_project(run: _Run, number: int) -> None:
    run.error(number, "project", _("No project of this fund has this slug."))


def _write_tranches(run: _Run, *, user, fund: Fund, rows) -> None:
    """Each project's rows are its whole schedule (tranche_schedule_set), then the conditions' dates."""
    projects = _projects_by_slug(fund, rows)
    groups = defaultdict(list)
    for number, values, bad in rows:
        groups[values.get("project")].append((number, values, bad))
    for slug, group in groups.items():
        if slug is None or any(bad for _number, _values, bad in group):
            continue  # a schedule missing a row would be refused for the wrong reason
        project = projects.get(slug)
        if project is None:
            for number, _values, _bad in group:
                _unknown_project(run, number)
            continue
        for number, values, _bad in group:
            if len(values.get("conditions_met_on", [])) > len(values.get("conditions", [])):
                run.error(number, "conditions_met_on", _("There are more dates than conditions."))
        entries = [
            TrancheInput(
                number=values["number"],
                planned_date=values["planned_date"],
                amount=values.get("amount"),
                share=values.get("share"),
                trigger_stage=values.get("trigger_stage", ""),
                trigger_date=values.get("trigger_date"),
                conditions=tuple(values.get("conditions", ())),
            )
            for _number, values, _bad in group
        ]
        saved = []
        first_row = group[0][0]

        def set_schedule(project=project, entries=entries, saved=saved):
            saved.extend(tranche_schedule_set(user=user, project=project, tranches=entries))

        if run.attempt(first_row, set_schedule, columns={"tranches": ""}):
            _mark_conditions(run, user=user, group=group, tranches=saved)


def _mark_conditions(run: _Run, *, user, group, tranches: list[Tranche]) -> None:
    for (number, values, _bad), tranche in zip(group, tranches, strict=True):
        conditions = list(tranche.conditions.order_by("position"))
        for condition, met_on in zip(conditions, values.get("conditions_met_on", []), strict=False):
            if met_on is not None:
                run.attempt(
                    number,
                    _call(tranche_condition_mark, user=user, condition=condition, met_on=met_on),
                    columns={"met_on": "conditions_met_on"},
                )


PEOPLE = ("requested_by", "approved_by", "rejected_by")
# The services name their fields after the model; the file names a decision's time and reason the same way.
DISBURSEMENT_FIELDS = {"status": "", "reverses": ""}


def _write_disbursements(run: _Run, *, user, fund: Fund, rows) -> None:
    """Each row is a request, then its approval or rejection, then its payment, as its columns say."""
    slugs = {values["project"] for _number, values, _bad in rows if values.get("project")}
    tranches = {
        (tranche.project.slug, tranche.number): tranche
        for tranche in Tranche.objects.filter(project__fund=fund, project__slug__in=slugs).select_related(
            "project"
        )
    }
    known_slugs = {slug for slug, _number in tranches} | set(_projects_by_slug(fund, rows))
    names = {values[name] for _number, values, _bad in rows for name in PEOPLE if values.get(name)}
    users = {person.get_username(): person for person in get_user_model().objects.filter(username__in=names)}
    for number, values, bad in rows:
        if bad:
            continue
        ok = True
        if values["project"] not in known_slugs:
            _unknown_project(run, number)
            ok = False
        tranche = tranches.get((values["project"], values["tranche"]))
        if ok and tranche is None:
            run.error(number, "tranche", _("This project has no tranche with this number."))
            ok = False
        for name in PEOPLE:
            if values.get(name) and values[name] not in users:
                run.error(number, name, _("No user has this username."))
                ok = False
        ok = _check_steps(run, number, values) and ok
        if ok:
            run.attempt(
                number,
                _call(_disbursement_steps, tranche=tranche, values=values, users=users),
                columns=DISBURSEMENT_FIELDS,
            )


def _check_steps(run: _Run, number: int, values: dict) -> bool:
    """The columns of one row tell one story: who decided needs when, and a payment needs an approval."""
    problems = []
    for person, moment in (("approved_by", "approved_at"), ("rejected_by", "rejected_at")):
        if values.get(person) and not values.get(moment):
            problems.append((moment, _("Give the time of this decision.")))
        if values.get(moment) and not values.get(person):
            problems.append((person, _("Give who made this decision.")))
    if values.get("rejection_reason") and not values.get("rejected_by"):
        problems.append(("rejected_by", _("Give who made this decision.")))
    if values.get("paid_date") and not values.get("approved_by"):
        problems.append(("approved_by", _("A paid disbursement needs its approval.")))
    if values.get("paid_date") and values.get("rejected_by"):
        problems.append(("rejected_by", _("A disbursement is either paid or rejected, not both.")))
    if values.get("bank_reference") and not values.get("paid_date"):
        problems.append(("paid_date", _("A bank reference belongs to a payment: give its date.")))
    for column, message in problems:
        run.error(number, column, message)
    return not problems


def _disbursement_steps(*, tranche: Tranche, values: dict, users: dict) -> None:
    disbursement = disbursement_request(
        user=users[values["requested_by"]],
        tranche=tranche,
        amount=values["amount"],
        note=values.get("note", ""),
        requested_at=values["requested_at"],
    )
    if values.get("approved_by"):
        approver = users[values["approved_by"]]
        disbursement = disbursement_approve(
            user=approver, disbursement=disbursement, approved_at=values["approved_at"]
        )
        if values.get("paid_date"):
            # The bank pays what the approver approved; the approver records it.
            disbursement_pay(
                user=approver,
                disbursement=disbursement,
                paid_date=values["paid_date"],
                bank_reference=values.get("bank_reference", ""),
            )
    if values.get("rejected_by"):
        disbursement_reject(
            user=users[values["rejected_by"]],
            disbursement=disbursement,
            reason=values.get("rejection_reason", ""),
            rejected_at=values["rejected_at"],
        )


WRITERS = {
    "projects": _write_projects,
    "tranches": _write_tranches,
    "disbursements": _write_disbursements,
}

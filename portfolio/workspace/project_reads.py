"""What the project pages read, a fixed number of queries each whatever the project's size."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from portfolio.formats import format_day
from portfolio.models import Disbursement, Fund, Project, Receipt, Tranche, TrancheCondition, Valuation
from portfolio.money import MoneyField, format_money


def fund_project(fund: Fund, project_id: int) -> Project:
    """The project of this fund, else 404 (a project of another fund does not exist here)."""
    return get_object_or_404(Project.objects.select_related("fund"), fund=fund, pk=project_id)


def fund_tranche(fund: Fund, tranche_id: int) -> Tranche:
    return get_object_or_404(
        Tranche.objects.select_related("project__fund").prefetch_related(
            Prefetch("conditions", queryset=TrancheCondition.objects.select_related("met_by"))
        ),
        project__fund=fund,
        pk=tranche_id,
    )


def project_list(fund: Fund, stage: str | None = None) -> list[Project]:
    projects = Project.objects.filter(fund=fund).order_by("title", "pk")
    if stage:
        projects = projects.filter(stage=stage)
    return list(projects)


def schedule(project: Project) -> list[Tranche]:
    """The project's tranches with their checklists, in two queries."""
    return list(
        project.tranches.order_by("number").prefetch_related(
            Prefetch("conditions", queryset=TrancheCondition.objects.order_by("position"))
        )
    )


def project_page(project: Project) -> dict:
    """Everything the project page lists: seven queries."""
    return {
        "stage_changes": list(project.stage_changes.select_related("recorded_by").order_by("date", "pk")),
        "commitment_changes": list(
            project.commitment_changes.select_related("recorded_by").order_by("date", "pk")
        ),
        "tranches": schedule(project),
        "disbursements": list(
            project.disbursements.select_related("tranche", "requested_by", "approved_by").order_by(
                "requested_at", "pk"
            )
        ),
        "receipts": list(project.receipts.order_by("date", "pk")),
        "valuations": list(project.valuations.select_related("recorded_by").order_by("date", "pk")),
    }


# --- change history ----------------------------------------------------------------------------------------

# What a reader is told changed, per record; who and when come from the history row itself.
WATCHED = {
    Disbursement: ("amount", "status", "paid_date", "bank_reference", "rejection_reason", "note"),
    Receipt: ("date", "amount", "source", "note"),
    Valuation: ("date", "amount", "note"),
}


@dataclass
class HistoryEntry:
    kind: str  # the record's verbose name
    record_id: int
    when: object
    who: object
    action: str  # "+", "~", "-"
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def _shown(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, MoneyField):
        return format_money(value)
    if hasattr(value, "isoformat"):
        return format_day(value)
    return str(value)


def _entries(model, rows) -> list[HistoryEntry]:
    entries, before = [], {}
    for row in rows:  # ordered by record, then time
        fields = [model._meta.get_field(name) for name in WATCHED[model]]
        previous = before.get(row.id)
        changes = []
        for field in fields:
            after = getattr(row, field.name)
            if previous is None:
                # The first row says what the record was created with.
                if after not in (None, ""):
                    changes.append((str(field.verbose_name), "", _shown(field, after)))
            elif getattr(previous, field.name) != after:
                old = _shown(field, getattr(previous, field.name))
                changes.append((str(field.verbose_name), old, _shown(field, after)))
        before[row.id] = row
        entries.append(
            HistoryEntry(
                kind=str(model._meta.verbose_name),
                record_id=row.id,
                when=row.history_date,
                who=row.history_user,
                action=row.history_type,
                changes=changes,
            )
        )
    return entries


def project_history(project: Project) -> list[HistoryEntry]:
    """Every change to the project's disbursements, receipts and valuations, newest first: three queries."""
    entries = []
    for model in WATCHED:
        rows = (
            model.history.filter(project_id=project.pk)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        entries.extend(_entries(model, rows))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)

"""A project's steps: stage changes, commitment changes, the tranche schedule, and each tranche's checklist
and cancellation. Each step is one service call; a refusal shows beside its field, the form still filled
in."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from portfolio.services.projects import project_commitment_change, project_stage_change
from portfolio.services.tranches import tranche_cancel, tranche_condition_mark, tranche_schedule_set
from portfolio.workspace import project_reads
from portfolio.workspace.access import fund_view
from portfolio.workspace.forms_projects import CancelForm, CommitmentForm, ConditionForm, StageForm
from portfolio.workspace.forms_schedule import ScheduleFormSet, schedule_initial
from portfolio.workspace.once import OnceForm, attempt, run_once


def _posted(request):
    return request.POST if request.method == "POST" else None


def _url(name, fund, **ids) -> str:
    return reverse(f"manage:{name}", kwargs={"slug": fund.slug, **ids})


@fund_view
def project_stage(request, fund, project):
    project = project_reads.fund_project(fund, project)
    form = StageForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write():
            project_stage_change(
                user=request.user, project=project, stage=data["stage"], date=data["date"], note=data["note"]
            )
            return _url("project", fund, project=project.pk)

        if location := attempt(request, form, write):
            return redirect(location)
    stage_changes = list(project.stage_changes.select_related("recorded_by").order_by("date", "pk"))
    return render(
        request,
        "manage/project_stage.html",
        {"fund": fund, "project": project, "form": form, "stage_changes": stage_changes},
    )


@fund_view
def project_commitment(request, fund, project):
    project = project_reads.fund_project(fund, project)
    form = CommitmentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write():
            project_commitment_change(
                user=request.user,
                project=project,
                amount=data["amount"],
                date=data["date"],
                reason=data["reason"],
            )
            return _url("project", fund, project=project.pk)

        if location := attempt(request, form, write):
            return redirect(location)
    changes = list(project.commitment_changes.select_related("recorded_by").order_by("date", "pk"))
    return render(
        request,
        "manage/project_commitment.html",
        {"fund": fund, "project": project, "form": form, "commitment_changes": changes},
    )


@fund_view
def project_schedule(request, fund, project):
    project = project_reads.fund_project(fund, project)
    tranches = project_reads.schedule(project)
    open_tranches = [t for t in tranches if t.status != t.Status.CANCELLED]
    key_form = OnceForm(_posted(request))
    formset = ScheduleFormSet(
        _posted(request),
        prefix="tranches",
        initial=schedule_initial(open_tranches),
        next_number=max((t.number for t in tranches), default=0) + 1,
    )
    if request.method == "POST" and key_form.is_valid() and formset.is_valid():
        entries = formset.tranche_inputs()

        def write():
            tranche_schedule_set(user=request.user, project=project, tranches=entries)
            return _url("project", fund, project=project.pk)

        try:
            return redirect(run_once(request, key_form.cleaned_data["once"], write))
        except ValidationError as error:
            # Every refusal of the schedule names the tranche it is about; they show above the rows.
            key_form.add_error(None, error.messages)
    return render(
        request,
        "manage/project_schedule.html",
        {
            "fund": fund,
            "project": project,
            "key_form": key_form,
            "formset": formset,
            "cancelled": [t for t in tranches if t.status == t.Status.CANCELLED],
            "scheduled": sum((t.amount for t in open_tranches), Decimal("0.00")),
        },
    )


@fund_view
def tranche_detail(request, fund, tranche):
    tranche = project_reads.fund_tranche(fund, tranche)
    form = ConditionForm(_posted(request), tranche=tranche)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write():
            met_on = None if data["untick"] else data["met_on"]
            tranche_condition_mark(user=request.user, condition=data["condition"], met_on=met_on)
            return _url("tranche", fund, tranche=tranche.pk)

        if location := attempt(request, form, write):
            return redirect(location)
    # The form that was posted (with its errors) goes back to its own row of the checklist.
    posted = form.data.get("condition") if form.is_bound else None
    rows = [
        (condition, form if posted == str(condition.pk) else ConditionForm(tranche=tranche))
        for condition in tranche.conditions.all()
    ]
    return render(
        request,
        "manage/tranche.html",
        {
            "fund": fund,
            "tranche": tranche,
            "project": tranche.project,
            "rows": rows,
            "form": form,
            "disbursements": list(
                tranche.disbursements.select_related("requested_by", "approved_by").order_by(
                    "requested_at", "pk"
                )
            ),
        },
    )


@fund_view
def tranche_cancel_view(request, fund, tranche):
    tranche = project_reads.fund_tranche(fund, tranche)
    form = CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write():
            tranche_cancel(user=request.user, tranche=tranche, date=data["date"], reason=data["reason"])
            return _url("tranche", fund, tranche=tranche.pk)

        if location := attempt(request, form, write):
            return redirect(location)
    return render(
        request,
        "manage/tranche_cancel.html",
        {"fund": fund, "tranche": tranche, "project": tranche.project, "form": form},
    )

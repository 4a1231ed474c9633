"""Project pages: the list, approving a new project, editing its description, its page and its history.

Stages, commitments, the tranche schedule and tranches are in project_steps.py."""

from django.shortcuts import redirect, render
from django.urls import reverse

from portfolio.models import Stage
from portfolio.services.projects import project_create, project_update
from portfolio.workspace import project_reads
from portfolio.workspace.access import fund_view
from portfolio.workspace.forms_projects import DESCRIPTION, ProjectForm, StageForm
from portfolio.workspace.once import attempt


@fund_view
def project_list(request, fund):
    stage = request.GET.get("stage")
    stage = stage if stage in Stage.values else None
    return render(
        request,
        "manage/projects.html",
        {
            "fund": fund,
            "projects": project_reads.project_list(fund, stage),
            "stage": stage,
            "stages": Stage.choices,
        },
    )


def _project_url(fund, project) -> str:
    return reverse("manage:project", kwargs={"slug": fund.slug, "project": project.pk})


@fund_view
def project_new(request, fund):
    form = ProjectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "once"}
        if data.get("expected_release") is None:
            data.pop("expected_release", None)
        location = attempt(
            request, form, lambda: _project_url(fund, project_create(user=request.user, fund=fund, **data))
        )
        if location:
            return redirect(location)
    return render(request, "manage/project_form.html", {"fund": fund, "form": form, "project": None})


@fund_view
def project_edit(request, fund, project):
    project = project_reads.fund_project(fund, project)
    form = ProjectForm(request.POST if request.method == "POST" else None, project=project)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in DESCRIPTION}
        location = attempt(
            request,
            form,
            lambda: _project_url(fund, project_update(user=request.user, project=project, **changes)),
        )
        if location:
            return redirect(location)
    return render(request, "manage/project_form.html", {"fund": fund, "form": form, "project": project})


@fund_view
def project_detail(request, fund, project):
    project = project_reads.fund_project(fund, project)
    stage_form = StageForm()
    stage_form.helper.form_action = reverse(
        "manage:project-stage", kwargs={"slug": fund.slug, "project": project.pk}
    )
    return render(
        request,
        "manage/project.html",
        {
            "fund": fund,
            "project": project,
            "stage_form": stage_form,
            **project_reads.project_page(project),
        },
    )


@fund_view
def project_history(request, fund, project):
    project = project_reads.fund_project(fund, project)
    return render(
        request,
        "manage/project_history.html",
        {"fund": fund, "project": project, "entries": project_reads.project_history(project)},
    )

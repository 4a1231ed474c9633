"""/manage/: URLs that say what they do. Every fund URL starts /manage/funds/<slug>/ and takes record ids
by the record's name (`project`, `tranche`, `disbursement`, `call`, `distribution`, `receipt`,
`valuation`), which tests/test_workspace_access.py relies on to visit every URL of this namespace."""

from django.urls import include, path

from portfolio.workspace import (
    calls,
    dashboard,
    disbursements,
    distributions,
    project_steps,
    projects,
    receipts,
    views,
)

app_name = "manage"

P = "funds/<slug:slug>/projects/"
T = "funds/<slug:slug>/tranches/"

urlpatterns = [
    path("", views.home, name="home"),
    path("funds/<slug:slug>/", dashboard.dashboard, name="dashboard"),
    # Projects, their stages, commitments and tranche schedules (projects.py, project_steps.py).
    path(P, projects.project_list, name="projects"),
    path(f"{P}new/", projects.project_new, name="project-new"),
    path(f"{P}<int:project>/", projects.project_detail, name="project"),
    path(f"{P}<int:project>/edit/", projects.project_edit, name="project-edit"),
    path(f"{P}<int:project>/stage/", project_steps.project_stage, name="project-stage"),
    path(f"{P}<int:project>/commitment/", project_steps.project_commitment, name="project-commitment"),
    path(f"{P}<int:project>/schedule/", project_steps.project_schedule, name="project-schedule"),
    path(f"{P}<int:project>/history/", projects.project_history, name="project-history"),
    path(f"{T}<int:tranche>/", project_steps.tranche_detail, name="tranche"),
    path(f"{T}<int:tranche>/cancel/", project_steps.tranche_cancel_view, name="tranche-cancel"),
    # Money: disbursements, capital calls, distributions, receipts and valuations.
    path("funds/<slug:slug>/disbursements/", disbursements.disbursement_list, name="disbursements"),
    path(
        "funds/<slug:slug>/projects/<int:project>/disbursements/new/",
        disbursements.disbursement_new,
        name="disbursement-new",
    ),
    path(
        "funds/<slug:slug>/disbursements/<int:disbursement>/",
        disbursements.disbursement_detail,
        name="disbursement",
    ),
    path(
        "funds/<slug:slug>/disbursements/<int:disbursement>/approve/",
        disbursements.disbursement_approve_view,
        name="disbursement-approve",
    ),
    path(
        "funds/<slug:slug>/disbursements/<int:disbursement>/reject/",
        disbursements.disbursement_reject_view,
        name="disbursement-reject",
    ),
    path(
        "funds/<slug:slug>/disbursements/<int:disbursement>/pay/",
        disbursements.disbursement_pay_view,
        name="disbursement-pay",
    ),
    path(
        "funds/<slug:slug>/disbursements/<int:disbursement>/reverse/",
        disbursements.disbursement_reverse_view,
        name="disbursement-reverse",
    ),
    path("funds/<slug:slug>/capital-calls/", calls.call_list, name="calls"),
    path("funds/<slug:slug>/capital-calls/new/", calls.call_new, name="call-new"),
    path("funds/<slug:slug>/capital-calls/<int:call>/", calls.call_detail, name="call"),
    path(
        "funds/<slug:slug>/capital-calls/<int:call>/items/<int:item>/payments/new/",
        calls.call_payment,
        name="call-payment",
    ),
    path("funds/<slug:slug>/distributions/", distributions.distribution_list, name="distributions"),
    path("funds/<slug:slug>/distributions/new/", distributions.distribution_new, name="distribution-new"),
    path(
        "funds/<slug:slug>/distributions/<int:distribution>/",
        distributions.distribution_detail,
        name="distribution",
    ),
    path(
        "funds/<slug:slug>/distributions/<int:distribution>/pay/",
        distributions.distribution_pay_view,
        name="distribution-pay",
    ),
    path("funds/<slug:slug>/receipts/", receipts.receipt_list, name="receipts"),
    path("funds/<slug:slug>/projects/<int:project>/receipts/new/", receipts.receipt_new, name="receipt-new"),
    path("funds/<slug:slug>/valuations/", receipts.valuation_list, name="valuations"),
    path(
        "funds/<slug:slug>/projects/<int:project>/valuations/new/",
        receipts.valuation_new,
        name="valuation-new",
    ),
    path("", include("portfolio.imports.urls")),
]

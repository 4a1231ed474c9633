"""/manage/: URLs that say what they do. Every fund URL starts /manage/funds/<slug>/ and takes record ids
by the record's name (`project`, `tranche`, `disbursement`, `call`, `distribution`, `receipt`,
`valuation`), which tests/test_workspace_access.py relies on to visit every URL of this namespace."""

from django.urls import include, path

from portfolio.workspace import disbursements, views

app_name = "manage"

urlpatterns = [
    path("", views.home, name="home"),
    path("funds/<slug:slug>/", views.dashboard, name="dashboard"),
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
    path("", include("portfolio.imports.urls")),
]

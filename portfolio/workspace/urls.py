"""/manage/: URLs that say what they do. Every fund URL starts /manage/funds/<slug>/ and takes record ids
by the record's name (`project`, `tranche`, `disbursement`, `call`, `distribution`, `receipt`,
`valuation`), which tests/test_workspace_access.py relies on to visit every URL of this namespace."""

from django.urls import path

from portfolio.workspace import views

app_name = "manage"

urlpatterns = [
    path("", views.home, name="home"),
    path("funds/<slug:slug>/", views.dashboard, name="dashboard"),
]

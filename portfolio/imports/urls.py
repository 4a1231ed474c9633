"""Import and export URLs of a fund, included under /manage/funds/<slug>/ by the workspace."""

from django.urls import path

from . import views

urlpatterns = [
    path("funds/<slug:slug>/import/", views.import_page, name="import"),
    path("funds/<slug:slug>/export/ledger.csv", views.ledger_csv_export, name="export-ledger-csv"),
    path("funds/<slug:slug>/export/ledger.xlsx", views.ledger_xlsx_export, name="export-ledger-xlsx"),
]

"""Included under funds/<slug>/account/ by portfolio/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.account, name="fund-account"),
    path("statement.csv", views.account_csv, name="fund-account-csv"),
    path("statement.pdf", views.account_pdf, name="fund-account-pdf"),
]

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("funds/", views.fund_list, name="fund-list"),
    path("funds/<slug:slug>/", views.fund_detail, name="fund-detail"),
    path("funds/<slug:slug>/account/", include("portfolio.statements.urls")),
]

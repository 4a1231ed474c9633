from django.urls import include, path

from . import views
from .portal import views as portal

urlpatterns = [
    path("", views.home, name="home"),
    path("funds/", portal.fund_list, name="fund-list"),
    path("funds/<slug:slug>/", portal.fund_detail, name="fund-detail"),
    path("funds/<slug:slug>/films/<int:film_id>/", portal.film_detail, name="film-detail"),
    path("funds/<slug:slug>/account/", include("portfolio.statements.urls")),
]

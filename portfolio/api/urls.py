from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .views import FundViewSet, NotFoundView
from .write_views import (
    CapitalCallItemViewSet,
    DisbursementViewSet,
    FundCapitalCallsView,
    FundProjectsView,
    ProjectViewSet,
)

router = SimpleRouter()
router.register("funds", FundViewSet, basename="api-fund")
router.register("projects", ProjectViewSet, basename="api-project")
router.register("disbursements", DisbursementViewSet, basename="api-disbursement")
router.register("capital-call-items", CapitalCallItemViewSet, basename="api-capital-call-item")

urlpatterns = [
    *router.urls,
    # A fund's write-side collections (the slug is checked in the view, like the router's).
    path("funds/<str:slug>/projects/", FundProjectsView.as_view(), name="api-fund-projects"),
    path("funds/<str:slug>/capital-calls/", FundCapitalCallsView.as_view(), name="api-fund-capital-calls"),
    # Last: whatever the patterns above did not match is the API's own JSON 404 (after authentication),
    # never the site's HTML page. Only paths ending in a slash, so that APPEND_SLASH still redirects the rest.
    re_path(r"^.*/$", NotFoundView.as_view()),
]

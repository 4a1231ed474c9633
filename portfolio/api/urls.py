from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .views import FundViewSet, NotFoundView

router = SimpleRouter()
router.register("funds", FundViewSet, basename="api-fund")

# Last: whatever the router did not match is the API's own JSON 404 (after authentication), never the
# site's HTML page. Only paths ending in a slash, so that Django's APPEND_SLASH still redirects the rest.
urlpatterns = [*router.urls, re_path(r"^.*/$", NotFoundView.as_view())]

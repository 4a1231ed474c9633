from rest_framework.routers import SimpleRouter

from .views import FundViewSet

router = SimpleRouter()
router.register("funds", FundViewSet, basename="api-fund")

urlpatterns = router.urls

"""Read API for funds and their progress. Objects a user may not see are 404, never 403."""

import datetime

from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from portfolio.roles import funds_visible_to, investor_ids_of
from portfolio.selectors import latest_progress_snapshot
from portfolio.services.progress import metrics_as_json, progress_live

from .serializers import FundSerializer, ProgressPointSerializer, ProgressSerializer

HISTORY_KEYS = [name for name in ProgressPointSerializer().fields if name not in ("as_of", "computed_at")]


def _date_param(request, name: str) -> datetime.date | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationError({name: [_("Give the date as YYYY-MM-DD.")]}) from error


def _visible_metrics(metrics: dict, request, fund) -> dict:
    # An investor sees the fund's figures and only their own row among the investors.
    if request.user.has_perm("portfolio.view_all_investors", fund):
        return metrics
    own = investor_ids_of(request.user)
    return {
        **metrics,
        "investors": [row for row in metrics.get("investors", []) if row["investor_id"] in own],
    }


class FundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FundSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return funds_visible_to(self.request.user).order_by("name")

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="YYYY-MM-DD; today by default."),
            OpenApiParameter("live", OpenApiTypes.BOOL, description="1 computes the metrics now."),
        ],
        responses=ProgressSerializer,
    )
    @action(detail=True)
    def progress(self, request, slug=None):
        """The progress snapshot at or before `as_of`; computed live when asked or when none exists yet."""
        fund = self.get_object()
        requested = _date_param(request, "as_of") or timezone.localdate()
        snapshot = None
        if request.query_params.get("live") not in ("1", "true"):
            snapshot = latest_progress_snapshot(fund, requested)
        if snapshot is not None:
            body = {
                "as_of": snapshot.as_of,
                "source": "snapshot",
                "computed_at": snapshot.computed_at,
                "metrics": snapshot.metrics,
            }
        else:
            body = {
                "as_of": requested,
                "source": "live",
                "computed_at": timezone.now(),
                "metrics": metrics_as_json(progress_live(fund, requested)),
            }
        body.update(fund=fund.slug, requested_as_of=requested)
        body["metrics"] = _visible_metrics(body["metrics"], request, fund)
        return Response(ProgressSerializer(body).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First date (YYYY-MM-DD)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last date (YYYY-MM-DD)."),
        ],
        responses=ProgressPointSerializer(many=True),
    )
    @action(detail=True, url_path="progress/history")
    def history(self, request, slug=None):
        """The stored snapshots as a time series of the fund-level figures, oldest first."""
        fund = self.get_object()
        snapshots = fund.progress_snapshots.order_by("as_of")
        start, end = _date_param(request, "from"), _date_param(request, "to")
        if start:
            snapshots = snapshots.filter(as_of__gte=start)
        if end:
            snapshots = snapshots.filter(as_of__lte=end)
        # Pull only the fund-level keys out of the JSON in the database; the per-investor and per-project
        # parts of each snapshot never leave PostgreSQL.
        points = snapshots.values(
            "as_of", "computed_at", **{key: KT(f"metrics__{key}") for key in HISTORY_KEYS}
        )
        return Response(ProgressPointSerializer(points, many=True).data)

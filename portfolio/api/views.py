"""Read API for funds and their progress. Objects a user may not see are 404, never 403."""

import re

from django.db.models.fields.json import KT
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from portfolio.roles import funds_visible_to, investor_ids_of
from portfolio.selectors import capital_accounts, latest_progress_snapshot
from portfolio.services.progress import metrics_as_json, progress_live

from .pagination import Pagination
from .params import HistoryQuery, ProgressQuery
from .serializers import HISTORY_KEYS, FundSerializer, ProgressPointSerializer, ProgressSerializer

# The router lets any path segment through as a slug (a dot included), so that a malformed one gets the
# API's JSON 404 after authentication instead of Django's HTML 404 before it; the few characters a slug
# may hold are checked here, before a NUL byte or the like can reach PostgreSQL.
SLUG = re.compile(r"[-a-zA-Z0-9_]+", re.ASCII)
SLUG_PARAMETER = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=f"^{SLUG.pattern}$",
    description="The fund's slug.",
)


def _visible_investors(request, fund) -> list[int] | None:
    # An investor sees the fund's figures and only their own capital account; managers see every one.
    if request.user.has_perm("portfolio.view_all_investors", fund):
        return None
    return sorted(investor_ids_of(request.user))


@extend_schema_view(retrieve=extend_schema(parameters=[SLUG_PARAMETER]))
class FundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FundSerializer
    pagination_class = Pagination
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return funds_visible_to(self.request.user).order_by("name")

    def get_object(self):
        if not SLUG.fullmatch(self.kwargs[self.lookup_field]):
            raise NotFound()
        return super().get_object()

    @extend_schema(parameters=[SLUG_PARAMETER, ProgressQuery], responses=ProgressSerializer)
    @action(detail=True)
    def progress(self, request, slug=None):
        """The progress snapshot at or before `as_of`; computed live when asked or when none exists yet."""
        fund = self.get_object()
        params = ProgressQuery.parse(request)
        requested = params.get("as_of") or timezone.localdate()
        snapshot = None if params.get("live") else latest_progress_snapshot(fund, requested)
        visible = _visible_investors(request, fund)
        if snapshot is not None:
            body = {
                "as_of": snapshot.as_of,
                "source": "snapshot",
                "computed_at": snapshot.computed_at,
                "metrics": snapshot.metrics,
            }
            accounts = capital_accounts(fund, snapshot.as_of, visible)
        else:
            live = progress_live(fund, requested)
            body = {
                "as_of": requested,
                "source": "live",
                "computed_at": timezone.now(),
                "metrics": live.metrics,
            }
            accounts = [
                account for account in live.accounts if visible is None or account["investor_id"] in visible
            ]
        body.update(fund=fund.slug, requested_as_of=requested)
        body["metrics"] = metrics_as_json({**body["metrics"], "investors": accounts})
        return Response(ProgressSerializer(body).data)

    @extend_schema(parameters=[SLUG_PARAMETER, HistoryQuery], responses=ProgressPointSerializer(many=True))
    @action(detail=True, url_path="progress/history")
    def history(self, request, slug=None):
        """The stored snapshots as a time series of the fund-level figures, oldest first, a page at a time."""
        fund = self.get_object()
        params = HistoryQuery.parse(request)
        snapshots = fund.progress_snapshots.order_by("as_of")
        if params.get("from"):
            snapshots = snapshots.filter(as_of__gte=params["from"])
        if params.get("to"):
            snapshots = snapshots.filter(as_of__lte=params["to"])
        # Pull only the fund-level keys out of the JSON in the database; the per-investor and per-project
        # parts of each snapshot never leave PostgreSQL.
        points = snapshots.values(
            "as_of", "computed_at", **{key: KT(f"metrics__{key}") for key in HISTORY_KEYS}
        )
        page = self.paginate_queryset(points)
        return self.get_paginated_response(ProgressPointSerializer(page, many=True).data)


class NotFoundView(APIView):
    """Any other URL under the API: a JSON 404 after authentication, like a fund the user may not see."""

    schema = None  # not an operation of the API

    def handle(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = head = options = handle

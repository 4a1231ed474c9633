"""The write API: each action reads its input, calls the one service that owns the rule, and answers.

The acting user comes from authentication; requested-by, approved-by and their times are the service's, set
from the user and the clock. Objects of funds the user does not manage are 404 (investors and outsiders
never write). A service's refusal is a 400 with its field-keyed, translated message (portfolio.api.errors).
Every POST honours `Idempotency-Key`.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from portfolio.models import CapitalCall, CapitalCallItem, Disbursement, Project
from portfolio.roles import funds_managed_by
from portfolio.services.capital_calls import capital_call_payment_record
from portfolio.services.disbursements import (
    disbursement_approve,
    disbursement_pay,
    disbursement_reject,
    disbursement_request,
    disbursement_reverse,
)
from portfolio.services.projects import project_create
from portfolio.services.receipts import receipt_record
from portfolio.services.valuations import valuation_record

from . import write_serializers as s
from .idempotency import IDEMPOTENCY_PARAMETER, idempotent
from .schema import ErrorSerializer
from .views import SLUG, SLUG_PARAMETER

# Ids are bigints: anything longer than 18 digits (or not digits) falls through to the JSON 404.
ID_REGEX = "[0-9]{1,18}"


def write_schema(request, response, *, code: int = 201, parameters=()):
    """A POST's schema: its body, its answer, the Idempotency-Key header and its 422."""
    return extend_schema(
        request=request,
        responses={
            code: response,
            422: OpenApiResponse(
                ErrorSerializer, description="The Idempotency-Key was used with another request."
            ),
        },
        parameters=[*parameters, IDEMPOTENCY_PARAMETER],
    )


def created(serializer_class, instance, location: str) -> Response:
    return Response(
        serializer_class(instance).data, status=status.HTTP_201_CREATED, headers={"Location": location}
    )


def read(input_class, request) -> dict:
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def managed_fund(request, slug: str):
    """The fund of `slug` if the user manages it, else 404 (an investor's fund as well)."""
    fund = funds_managed_by(request.user).filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    if fund is None:
        raise NotFound()
    return fund


class FundProjectsView(GenericAPIView):
    """A fund's projects: the list, and a new project (approved on its approval date)."""

    serializer_class = s.ProjectSerializer

    def get_queryset(self):
        fund = managed_fund(self.request, self.kwargs["slug"])
        return (
            fund.projects.select_related("fund").prefetch_related("tranches").order_by("approval_date", "id")
        )

    @extend_schema(parameters=[SLUG_PARAMETER], responses=s.ProjectSerializer(many=True))
    def get(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @write_schema(s.ProjectCreateInput, s.ProjectSerializer, parameters=[SLUG_PARAMETER])
    @idempotent
    def post(self, request, slug):
        fund = managed_fund(request, slug)
        project = project_create(user=request.user, fund=fund, **read(s.ProjectCreateInput, request))
        return created(s.ProjectSerializer, project, f"/api/v1/projects/{project.pk}/")


class FundCapitalCallsView(GenericAPIView):
    """A fund's capital calls, each with its items per investor and their payments."""

    serializer_class = s.CapitalCallSerializer

    def get_queryset(self):
        fund = managed_fund(self.request, self.kwargs["slug"])
        return (
            CapitalCall.objects.filter(fund=fund)
            .prefetch_related("items__investor", "items__payments")
            .order_by("call_date", "id")
        )

    @extend_schema(parameters=[SLUG_PARAMETER], responses=s.CapitalCallSerializer(many=True))
    def get(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProjectViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ProjectSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return (
            Project.objects.filter(fund__in=funds_managed_by(self.request.user))
            .select_related("fund")
            .prefetch_related("tranches")
        )

    @write_schema(s.DisbursementRequestInput, s.DisbursementSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def disbursements(self, request, pk=None):
        """Request a disbursement against one of the project's tranches."""
        project = self.get_object()
        data = read(s.DisbursementRequestInput, request)
        tranche = project.tranches.filter(pk=data.pop("tranche")).first()
        if tranche is None:
            raise ValidationError({"tranche": [_("This tranche belongs to another project.")]})
        disbursement = disbursement_request(user=request.user, tranche=tranche, **data)
        return created(s.DisbursementSerializer, disbursement, f"/api/v1/disbursements/{disbursement.pk}/")

    @write_schema(s.ReceiptInput, s.ReceiptSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def receipts(self, request, pk=None):
        """Record money received from the project."""
        receipt = receipt_record(
            user=request.user, project=self.get_object(), **read(s.ReceiptInput, request)
        )
        return Response(s.ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @write_schema(s.ValuationInput, s.ValuationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def valuations(self, request, pk=None):
        """Record the project's carrying value at a date."""
        valuation = valuation_record(
            user=request.user, project=self.get_object(), **read(s.ValuationInput, request)
        )
        return Response(s.ValuationSerializer(valuation).data, status=status.HTTP_201_CREATED)


class DisbursementViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.DisbursementSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return Disbursement.objects.filter(
            project__fund__in=funds_managed_by(self.request.user)
        ).select_related("requested_by", "approved_by", "rejected_by")

    def _answer(self, disbursement, code=status.HTTP_200_OK):
        return Response(s.DisbursementSerializer(disbursement).data, status=code)

    @write_schema(None, s.DisbursementSerializer, code=200)
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        """Approve a request (a manager of the fund other than the requester)."""
        return self._answer(disbursement_approve(user=request.user, disbursement=self.get_object()))

    @write_schema(s.DisbursementRejectInput, s.DisbursementSerializer, code=200)
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request, pk=None):
        """Refuse a request, saying why."""
        data = read(s.DisbursementRejectInput, request)
        return self._answer(disbursement_reject(user=request.user, disbursement=self.get_object(), **data))

    @write_schema(s.DisbursementPayInput, s.DisbursementSerializer, code=200)
    @action(detail=True, methods=["post"])
    @idempotent
    def pay(self, request, pk=None):
        """Record the payment of an approved disbursement."""
        data = read(s.DisbursementPayInput, request)
        return self._answer(disbursement_pay(user=request.user, disbursement=self.get_object(), **data))

    @write_schema(s.DisbursementReverseInput, s.DisbursementSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def reverse(self, request, pk=None):
        """Record money that came back from a paid disbursement: a new, linked, negative entry."""
        data = read(s.DisbursementReverseInput, request)
        reversal = disbursement_reverse(user=request.user, disbursement=self.get_object(), **data)
        return created(s.DisbursementSerializer, reversal, f"/api/v1/disbursements/{reversal.pk}/")


class CapitalCallItemViewSet(viewsets.GenericViewSet):
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return CapitalCallItem.objects.filter(capital_call__fund__in=funds_managed_by(self.request.user))

    @write_schema(s.CapitalCallPaymentInput, s.CapitalCallPaymentSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def payments(self, request, pk=None):
        """Record money an investor paid against their item of a capital call (partial payments add up)."""
        data = read(s.CapitalCallPaymentInput, request)
        payment = capital_call_payment_record(user=request.user, item=self.get_object(), **data)
        return Response(s.CapitalCallPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

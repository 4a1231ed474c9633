"""Reads of the workspace's money pages: each a fixed number of queries whatever the fund's size.

Lists are paginated (a fund may hold thousands of disbursements or call items); a record id from a URL is
looked up inside the fund, so another fund's id is a 404 like an unknown one.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from portfolio.models import (
    CapitalCall,
    Disbursement,
    Distribution,
    FxRate,
    Investor,
    Project,
    Receipt,
    Valuation,
)
from portfolio.money import quantize_money
from portfolio.services.common import Foreign
from portfolio.services.pro_rata import commitment_split

PAGE_SIZE = 50
# A preview lists the largest parts one by one and sums up the rest (a crowdfunding fund has thousands).
PREVIEW_ROWS = 100


def page_of(request, queryset):
    """The page the request asks for (a missing or junk `page` gives the first, past the end the last)."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def fund_project(fund, pk) -> Project:
    return get_object_or_404(Project.objects.filter(fund=fund), pk=pk)


def fund_projects(fund):
    return Project.objects.filter(fund=fund).order_by("title", "id").only("id", "title", "fund_id")


def fund_disbursements(fund, status: str = ""):
    rows = Disbursement.objects.filter(project__fund=fund).select_related(
        "project", "tranche", "requested_by", "approved_by"
    )
    return rows.filter(status=status) if status else rows


def fund_disbursement(fund, pk) -> Disbursement:
    rows = Disbursement.objects.filter(project__fund=fund).select_related(
        "project", "tranche", "requested_by", "approved_by", "rejected_by", "reverses", "reversal"
    )
    return get_object_or_404(rows, pk=pk)


def fx_currencies() -> list[str]:
    """The currencies the FX rate table knows (a few rows per day: small)."""
    return list(FxRate.objects.order_by("currency").values_list("currency", flat=True).distinct())


@dataclass(frozen=True)
class Conversion:
    """An amount typed in another currency, at the rate of the date (else the latest earlier one)."""

    currency: str
    original: Decimal
    rate: Decimal
    rate_date: datetime.date
    amount: Decimal  # the KZT equivalent the ledger stores

    def foreign(self) -> Foreign:
        return Foreign(currency=self.currency, amount=self.original, rate=self.rate, rate_date=self.rate_date)


def fx_conversion(currency: str, original: Decimal, on: datetime.date) -> Conversion:
    """Convert at the National Bank rate of `on`, else the latest earlier one (domain.md); none: refused."""
    rate = FxRate.objects.filter(currency=currency, date__lte=on).order_by("-date").first()
    if rate is None:
        message = _("There is no %(currency)s rate on or before %(date)s.")
        raise ValidationError({"currency": message % {"currency": currency, "date": on}})
    return Conversion(
        currency=currency,
        original=original,
        rate=rate.rate,
        rate_date=rate.date,
        amount=quantize_money(original * rate.rate),
    )


@dataclass(frozen=True)
class SplitPreview:
    """What a call or a distribution would give each investor, before it is issued."""

    total: Decimal
    rows: list  # (investor name, part), largest commitments first
    others: int  # investors beyond the rows listed
    others_total: Decimal


def split_preview(fund, amount: Decimal, on: datetime.date) -> SplitPreview:
    """The split the service will write, from the service's own function (refusals keyed like its own)."""
    parts = [(investor, part) for investor, part in commitment_split(fund, amount, on=on).items() if part]
    shown = parts[:PREVIEW_ROWS]
    names = Investor.objects.in_bulk([investor for investor, _part in shown])
    rest = parts[PREVIEW_ROWS:]
    return SplitPreview(
        total=sum((part for _investor, part in parts), Decimal("0.00")),
        rows=[(names[investor].name, part) for investor, part in shown],
        others=len(rest),
        others_total=sum((part for _investor, part in rest), Decimal("0.00")),
    )


def _sum(path: str):
    return Coalesce(Sum(path), Value(Decimal("0.00")), output_field=DecimalField())


def fund_calls(fund):
    """The fund's capital calls, newest first, each with what was paid against it."""
    return (
        CapitalCall.objects.filter(fund=fund)
        .annotate(paid=_sum("items__payments__amount"), outstanding=F("amount") - F("paid"))
        .order_by("-call_date", "-number")
    )


def fund_call(fund, pk) -> CapitalCall:
    return get_object_or_404(fund_calls(fund), pk=pk)


def call_items(call):
    """The call's items by investor name, each with what was paid against it."""
    items = call.items.select_related("investor").annotate(
        paid=_sum("payments__amount"), outstanding=F("amount") - F("paid")
    )
    return items.order_by("investor__name", "id")


def call_item(call, pk):
    return get_object_or_404(call_items(call), pk=pk)


def fund_distributions(fund):
    return (
        Distribution.objects.filter(fund=fund)
        .annotate(total=_sum("items__amount"))
        .order_by("-date", "-number")
    )


def fund_distribution(fund, pk) -> Distribution:
    return get_object_or_404(fund_distributions(fund), pk=pk)


def distribution_items(distribution):
    return distribution.items.select_related("investor").order_by("investor__name", "id")


def fund_receipts(fund):
    return Receipt.objects.filter(project__fund=fund).select_related("project").order_by("-date", "-id")


def fund_valuations(fund):
    return (
        Valuation.objects.filter(project__fund=fund)
        .select_related("project", "recorded_by")
        .order_by("-date", "-id")
    )

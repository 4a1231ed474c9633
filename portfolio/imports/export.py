"""A fund's ledger as one table: disbursements, receipts, capital calls, their payments and distributions.

One row per record (a distribution per investor item), in date order; five queries whatever the size.
Amounts are the KZT figures the metrics sum (a reversal negative), with the original currency beside them
when there was one. Text that a spreadsheet would run as a formula is quoted."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import CapitalCall, CapitalCallPayment, Disbursement, DistributionItem, Fund, Receipt
from portfolio.money import BASE_CURRENCY


@dataclass(frozen=True)
class LedgerRow:
    date: datetime.date
    order: int  # of the record kind on one date: money out before money back, calls before payments
    record: str
    project: str = ""
    investor: str = ""
    detail: str = ""
    status: str = ""
    amount: Decimal = Decimal("0.00")
    original_currency: str = ""
    original_amount: Decimal | None = None
    fx_rate: Decimal | None = None
    reference: str = ""
    note: str = ""
    pk: int = 0


def _foreign(record) -> dict:
    return {
        "original_currency": record.original_currency,
        "original_amount": record.original_amount,
        "fx_rate": record.fx_rate,
    }


def _disbursements(fund: Fund):
    for row in Disbursement.objects.filter(project__fund=fund).select_related("project", "tranche"):
        yield LedgerRow(
            date=row.paid_date or timezone.localdate(row.requested_at),
            order=1,
            record=_("Reversal") if row.reverses_id else _("Disbursement"),
            project=row.project.title,
            detail=_("Tranche %(number)s") % {"number": row.tranche.number} if row.tranche else "",
            status=row.get_status_display(),
            amount=row.amount,
            reference=row.bank_reference,
            note=row.rejection_reason or row.note,
            pk=row.pk,
            **_foreign(row),
        )


def _receipts(fund: Fund):
    for row in Receipt.objects.filter(project__fund=fund).select_related("project"):
        yield LedgerRow(
            date=row.date,
            order=2,
            record=_("Receipt"),
            project=row.project.title,
            detail=row.get_source_display(),
            amount=row.amount,
            note=row.note,
            pk=row.pk,
            **_foreign(row),
        )


def _calls(fund: Fund):
    for row in CapitalCall.objects.filter(fund=fund):
        yield LedgerRow(
            date=row.call_date,
            order=3,
            record=_("Capital call %(number)s") % {"number": row.number},
            detail=row.get_purpose_display(),
            amount=row.amount,
            note=" ".join([_("Due %(date)s.") % {"date": row.due_date.isoformat()}, row.note]).strip(),
            pk=row.pk,
        )


def _payments(fund: Fund):
    payments = CapitalCallPayment.objects.filter(item__capital_call__fund=fund).select_related(
        "item__capital_call", "item__investor"
    )
    for row in payments:
        yield LedgerRow(
            date=row.date,
            order=4,
            record=_("Capital call payment"),
            investor=row.item.investor.name,
            detail=_("Capital call %(number)s") % {"number": row.item.capital_call.number},
            amount=row.amount,
            reference=row.bank_reference,
            pk=row.pk,
            **_foreign(row),
        )


def _distributions(fund: Fund):
    items = DistributionItem.objects.filter(distribution__fund=fund).select_related(
        "distribution", "investor"
    )
    for row in items:
        yield LedgerRow(
            date=row.distribution.date,
            order=5,
            record=_("Distribution %(number)s") % {"number": row.distribution.number},
            investor=row.investor.name,
            detail=row.distribution.get_kind_display(),
            status=row.distribution.get_status_display(),
            amount=row.amount,
            note=row.distribution.note,
            pk=row.pk,
            **_foreign(row),
        )


def ledger_rows(fund: Fund) -> list[LedgerRow]:
    """Every ledger record of the fund, oldest first (five queries)."""
    rows = [
        *_disbursements(fund),
        *_receipts(fund),
        *_calls(fund),
        *_payments(fund),
        *_distributions(fund),
    ]
    return sorted(rows, key=lambda row: (row.date, row.order, row.pk))


def _headers() -> list[str]:
    return [
        _("Date"),
        _("Record"),
        _("Project"),
        _("Investor"),
        _("Detail"),
        _("Status"),
        _("Amount (%(currency)s)") % {"currency": BASE_CURRENCY},
        _("Original currency"),
        _("Original amount"),
        _("FX rate"),
        _("Reference"),
        _("Note"),
    ]


def _safe(text: str) -> str:
    # A cell that starts like a formula would run as one in a spreadsheet (CSV injection): quote it.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_dataset(fund: Fund, *, typed: bool) -> tablib.Dataset:
    """The ledger as a table; `typed` keeps dates and amounts as values (XLSX), else ISO text (CSV)."""
    dataset = tablib.Dataset(headers=_headers(), title=str(_("Ledger"))[:31])

    def value(cell):
        if cell is None:
            return ""
        if isinstance(cell, Decimal | datetime.date):
            return cell if typed else cell.isoformat() if isinstance(cell, datetime.date) else str(cell)
        return _safe(str(cell))

    for row in ledger_rows(fund):
        dataset.append(
            [
                value(cell)
                for cell in (
                    row.date,
                    row.record,
                    row.project,
                    row.investor,
                    row.detail,
                    row.status,
                    row.amount,
                    row.original_currency,
                    row.original_amount,
                    row.fx_rate,
                    row.reference,
                    row.note,
                )
            ]
        )
    return dataset


def ledger_csv(fund: Fund) -> bytes:
    # The byte-order mark tells spreadsheet programs the file is UTF-8 (Cyrillic names stay readable).
    return b"\xef\xbb\xbf" + ledger_dataset(fund, typed=False).export("csv").encode("utf-8")


def ledger_xlsx(fund: Fund) -> bytes:
    return ledger_dataset(fund, typed=True).export("xlsx")
